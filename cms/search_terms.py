"""What a person means by the words they search: the domain's synonyms and the query expansion.

Tenants say "affitto" where the Region's acts say "locazione" and "canone"; "sfratto" where
they say "morosità incolpevole". A query is split into words (elisions like "dell’alloggio"
split, common Italian function words dropped); each word is replaced by the group of words
that mean the same thing in this domain, and every word's group must match (AND of ORs).
A word belongs to a group when its Italian stem is the stem of a word in the group, so
"affitti" finds the group of "affitto". Stemming of the pages' words is the backend's
(PostgreSQL's "italian" configuration; cms/search_backend.py on SQLite)."""

import re
from functools import cache

import snowballstemmer
from wagtail.search.query import And, Or, PlainText

# Each group: words that, in the public site's domain, mean the same thing to the reader.
SYNONYMS = [
    ("affitto", "affitti", "locazione", "locazioni", "canone", "canoni", "pigione"),
    ("morosità", "moroso", "morosi", "sfratto", "sfratti", "insolvenza"),
    ("alloggio", "alloggi", "casa", "case", "abitazione", "abitazioni", "appartamento", "appartamenti"),
    ("contributo", "contributi", "sostegno", "aiuto", "aiuti", "sussidio", "agevolazione"),
    ("inquilino", "inquilini", "conduttore", "conduttori", "locatario", "locatari"),
    ("proprietario", "proprietari", "locatore", "locatori"),
    ("domanda", "domande", "richiesta", "richieste", "istanza", "istanze"),
    ("bando", "bandi", "avviso", "avvisi"),
    ("reddito", "redditi", "isee", "ise"),
    ("scadenza", "scadenze", "termine", "termini"),
]

# Function words that carry no meaning in a search ("contributo per l'affitto").
STOPWORDS = frozenset(
    """a ad al alla alle allo ai agli all c che chi ci col come con d da dal dalla dalle dai dagli
    de dei del della delle dello degli di e ed gli i il in l la le lo ma mi ne nel nella nelle
    nei negli non o per piu più quale quali se si sono su sul sulla sui tra fra un una uno""".split()
)

MAX_WORDS = 8

_stemmer = snowballstemmer.stemmer("italian")


@cache
def italian_stem(word: str) -> str:
    return _stemmer.stemWord(word.lower())


@cache
def _groups_by_stem() -> dict[str, tuple[str, ...]]:
    groups = {}
    for group in SYNONYMS:
        for word in group:
            groups[italian_stem(word)] = group
    return groups


def query_words(query: str) -> list[str]:
    """The meaningful words of a query, in order, without repetitions."""
    words = [word for word in re.findall(r"\w+", query.lower()) if not word.isdigit() or len(word) > 1]
    meaningful = [word for word in words if word not in STOPWORDS] or words
    return list(dict.fromkeys(meaningful))[:MAX_WORDS]


def word_alternatives(word: str) -> tuple[str, ...]:
    """The word with its synonyms (the word alone when it has none)."""
    return _groups_by_stem().get(italian_stem(word), (word,))


def expand(query: str):
    """The search query for `query`: every word (or one of its synonyms) must appear.
    None when the query has no words."""
    groups = list(dict.fromkeys(word_alternatives(word) for word in query_words(query)))
    if not groups:
        return None
    clauses = [Or([PlainText(word) for word in group]) if len(group) > 1 else PlainText(group[0]) for group in groups]
    return clauses[0] if len(clauses) == 1 else And(clauses)


def highlight_words(query: str) -> list[str]:
    """What to mark in the results: the stems of the words and of their synonyms, so that
    "affitto" marks "locazioni" in a result."""
    stems = set()
    for word in query_words(query):
        for alternative in word_alternatives(word):
            stem = italian_stem(alternative)
            stems.add(stem if len(stem) >= 4 else alternative)
    return sorted(stems, key=len, reverse=True)
