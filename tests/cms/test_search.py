"""Site search understands Italian and the words tenants use, on SQLite and PostgreSQL alike."""

import pytest

from cms import search_terms
from cms.models import FaqIndexPage


def result_titles(client, query):
    return client.get("/cerca/", {"q": query}).content.decode()


@pytest.mark.parametrize("query", ["affitto", "contributo affitto", "contributi per l’affitto", "Affitti"])
def test_rent_words_find_the_rent_support_guideline(client, site, query):
    """The page says "locazioni" and "sostegno"; tenants say "affitto" and "contributo"."""
    html = result_titles(client, query)
    assert f'href="{site["guideline"].url}"' in html


def test_eviction_finds_the_arrears_fund_question(client, site):
    """The question says "morosità incolpevole"; nowhere does the site say "sfratto"."""
    html = result_titles(client, "sfratto")
    faq = FaqIndexPage.objects.get()
    assert f'href="{faq.url}"' in html


def test_plural_finds_the_singular(client, site):
    """The guideline says "l’alloggio", never "alloggi"."""
    html = result_titles(client, "alloggi")
    assert f'href="{site["guideline"].url}"' in html


def test_every_word_must_match(client, site):
    html = result_titles(client, "affitto zanzibar")
    assert "0 risultati" in html


def test_synonyms_are_marked_in_the_results(client, site):
    html = result_titles(client, "affitto")
    assert "<mark>locazioni</mark>" in html


def test_query_expansion_groups_synonyms_and_drops_function_words():
    assert search_terms.query_words("Il contributo per l’affitto") == ["contributo", "affitto"]
    assert "locazione" in search_terms.word_alternatives("affitti")
    assert "sfratto" in search_terms.word_alternatives("morosità")
    assert search_terms.word_alternatives("zanzibar") == ("zanzibar",)
    assert search_terms.expand("   ") is None
