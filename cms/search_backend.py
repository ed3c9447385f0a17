"""The search backend: Wagtail's database backend, with Italian stemming on SQLite too.

On PostgreSQL the backend is Wagtail's own, with the "italian" text-search configuration
(settings.WAGTAILSEARCH_BACKENDS): to_tsquery stems the words of the query and of the pages.
SQLite's FTS5 index (the embedded default) has no Italian stemmer and matches whole words
only, so "alloggi" missed "alloggio" and "locazione" missed "locazioni". Here each word of
the query becomes its Italian stem (Snowball) matched as a prefix of the indexed words
("locazion"* finds locazione, locazioni): the same words match on both databases, and
nothing in the index changes. Stems shorter than four letters ("cas" of casa) would match
too much as prefixes, so short words are matched whole."""

from functools import cache, reduce

from django.db import connection
from modelsearch.query import PlainText
from wagtail.search.backends.database import SearchBackend as database_search_backend

from .search_terms import italian_stem

MIN_PREFIX_LENGTH = 4


@cache
def italian_sqlite_backend_class():
    # Imported here: the SQLite modules look up their FTS model at import, which exists only
    # on SQLite.
    from modelsearch.backends.database.sqlite.query import Lexeme, SearchQueryExpression
    from modelsearch.backends.database.sqlite.sqlite import SQLiteSearchBackend, SQLiteSearchQueryCompiler

    def lexeme(word: str) -> Lexeme:
        stem = italian_stem(word)
        if len(stem) < MIN_PREFIX_LENGTH:
            return Lexeme(word.lower())
        return Lexeme(stem, prefix=True)

    class ItalianSQLiteQueryCompiler(SQLiteSearchQueryCompiler):
        def build_search_query_content(self, query, config=None):
            if not isinstance(query, PlainText):
                return super().build_search_query_content(query, config=config)
            terms = query.query_string.split()
            if not terms:
                return None
            lexemes = [lexeme(term) for term in terms]
            if query.operator.upper() == "AND":
                combined = reduce(lambda a, b: a & b, lexemes)
            else:
                combined = reduce(lambda a, b: a | b, lexemes)
            return SearchQueryExpression(combined, config=config)

    class ItalianSQLiteSearchBackend(SQLiteSearchBackend):
        query_compiler_class = ItalianSQLiteQueryCompiler

    return SQLiteSearchBackend, ItalianSQLiteSearchBackend


def SearchBackend(params):  # noqa: N802 - the name Wagtail looks up in a backend module
    backend = database_search_backend(params)
    if connection.vendor == "sqlite":
        sqlite_backend, italian_backend = italian_sqlite_backend_class()
        if isinstance(backend, sqlite_backend):
            return italian_backend(params)
    return backend
