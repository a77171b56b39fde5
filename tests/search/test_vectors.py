"""The weighted vector written in Python (search/vectors.py) must be the vector PostgreSQL
computes from the same stemmed title and text, or nothing, so that the database computes it:
a search finds the same documents, ranked the same, whichever of the two made the vector."""

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search import indexing
from search.models import SearchEntry
from search.query import SearchParams, search
from search.vectors import weighted_vector
from tests.search.test_search_page import project_document

pytestmark = pytest.mark.django_db

POSTGRES_VECTOR = (
    "setweight(to_tsvector('simple'::regconfig, %(title)s), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, %(text)s), 'D')"
)


def postgres_vector_equals(title: str, text: str, literal: str) -> bool:
    with connection.cursor() as cursor:
        values = {"title": title, "text": text, "literal": literal}
        cursor.execute(f"SELECT %(literal)s::tsvector = {POSTGRES_VECTOR}", values)
        return cursor.fetchone()[0]


# Words of the kinds stemmed text holds, and a few that PostgreSQL's parser splits or reads
# otherwise: a number followed by letters ("1e5abc"), hyphens, underscores, dots, accents.
plain_word = st.from_regex(r"[aex][aex015]{0,6}|[015]{1,5}", fullmatch=True)
odd_word = st.sampled_from(["1e5abc", "12e34b", "0e0x", "123abc", "e-ktp", "a_b", "1.5", "café", "x@y"])
separator = st.sampled_from([" ", " ", " ", "  ", "\t", "\n", "\r\n"])


@st.composite
def texts(draw, odd: bool) -> str:
    words = draw(st.lists(st.one_of(plain_word, odd_word) if odd else plain_word, max_size=40))
    return "".join(word + draw(separator) for word in words)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=texts(odd=False), text=texts(odd=False))
def test_plain_words_get_the_vector_postgresql_computes(title, text):
    literal = weighted_vector(title, text)
    assert literal is not None
    assert postgres_vector_equals(title, text, literal)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=texts(odd=True), text=texts(odd=True))
def test_any_words_get_postgresql_vector_or_none(title, text):
    literal = weighted_vector(title, text)
    if literal is not None:
        assert postgres_vector_equals(title, text, literal)


@pytest.mark.parametrize(
    "title, text",
    [
        ("layan 1e5abc", "antre"),  # PostgreSQL reads "1e5" and "abc"
        ("layan", "e-ktp"),
        ("kafe", "café"),
        ("kata", " ".join(["antre"] * 256)),  # more positions than a to_tsvector keeps
        ("kata", " ".join(["antre"] * 16_400)),  # positions beyond the last
        ("kata", "a" * 2_100),  # longer than PostgreSQL indexes
    ],
)
def test_what_postgresql_reads_otherwise_is_left_to_it(title, text):
    assert weighted_vector(title, text) is None


def test_the_most_positions_of_a_word_are_still_written():
    text = " ".join(["antre"] * 254)
    literal = weighted_vector("antre", text)
    assert literal is not None
    assert postgres_vector_equals("antre", text, literal)


def test_a_document_postgresql_reads_itself_is_found_by_its_words():
    """The loader falls back to PostgreSQL's vector for a text the fast path leaves out."""
    plain = project_document(1, title="Antrean puskesmas")
    odd = project_document(2, title="Antrean puskesmas e-KTP 1e5abc")
    indexing.write_database_entries([plain, odd])

    assert search(SearchParams(q="puskesmas", types=("project",))).total == 2
    assert search(SearchParams(q="ktp", types=("project",))).total == 1
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM {SearchEntry._meta.db_table} WHERE vector = {indexing.VECTOR_SQL}"
        )
        assert cursor.fetchone()[0] == 2
