"""What is searchable, and how Elasticsearch analyses it.

``SearchDocument`` is the one shape of a searchable thing. The domain apps build it from their
models (public fields only) and register how (``search.registry``); ``search.indexing`` writes
it both to Elasticsearch and to the database copy (``SearchEntry``) so the two engines search
the same text."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from elasticsearch.dsl import Boolean, Date, Document, Keyword, Long, Text, analyzer, token_filter

from core.references import reference
from search.text import stem

INDEX_VERSION = "v2"  # bump when the mapping changes: search_reindex builds the new index


@dataclass
class SearchDocument:
    kind: str
    object_id: int
    title: str
    url: str
    summary: str = ""
    body: str = ""
    # English twins of the public text, where the domain has them (empty: none given).
    title_en: str = ""
    summary_en: str = ""
    body_en: str = ""
    region: str = ""  # region slug
    agency: int | None = None
    sectors: list[str] = field(default_factory=list)  # sector slugs, the primary one first
    incentives: list[str] = field(default_factory=list)  # incentive kinds (challenges)
    organisation_kind: str = ""
    verified: bool = False
    amount: int | None = None  # minor units: incentive total, award amount
    opens_at: datetime.datetime | None = None
    closes_at: datetime.datetime | None = None
    decided: str = ""  # challenges: awarded / closed / "" while undecided
    date: datetime.datetime | None = None
    # Names that should complete in the search box besides the title (organisation names).
    suggest: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)  # capabilities and other tags (text)

    @property
    def uid(self) -> str:
        return reference(self.kind, self.object_id)

    @property
    def snippet(self) -> str:
        return (self.summary or self.body)[:300]

    def indonesian_text(self) -> str:
        return " ".join([self.title, self.summary, self.body, " ".join(self.tags)])

    def english_text(self) -> str:
        return " ".join([self.title_en, self.summary_en, self.body_en])

    def stemmed(self) -> str:
        return stem(" ".join([self.indonesian_text(), self.english_text()]))


def localised_path(path: str, language: str | None = None) -> str:
    """Documents keep paths in the default language; other languages live under /<code>/."""
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    if language == settings.LANGUAGE_CODE or not path.startswith("/") or path.startswith(f"/{language}/"):
        return path
    return f"/{language}{path}"


def default_language_path(name: str, **kwargs) -> str:
    """The path of a named route in the default language, as documents keep their ``url``."""
    with translation.override(settings.LANGUAGE_CODE):
        return reverse(name, kwargs=kwargs)


# Elasticsearch -------------------------------------------------------------------------------

folding = analyzer("folding", tokenizer="standard", filter=["lowercase", "asciifolding"])
# Indonesian stop words are dropped from the unstemmed text (the `indonesian` analyzer does
# that; Sastrawi does the stemming in Python, see search.text).
indonesian_text = analyzer(
    "indonesian_text",
    tokenizer="standard",
    filter=["lowercase", "asciifolding", token_filter("id_stop", type="stop", stopwords="_indonesian_")],
)
autocomplete = analyzer(
    "autocomplete",
    tokenizer="standard",
    filter=[
        "lowercase",
        "asciifolding",
        token_filter("edge_2_20", type="edge_ngram", min_gram=2, max_gram=20),
    ],
)


class IndexedDocument(Document):
    """The mapping shared by the three indices, so one query searches all of them."""

    kind = Keyword()
    uid = Keyword()  # kind:id, the last sort key for search_after
    object_id = Long()
    title = Text(
        analyzer=folding,
        fields={
            "en": Text(analyzer="english"),
            "suggest": Text(analyzer=autocomplete, search_analyzer=folding),
        },
    )
    title_en = Text(analyzer="english")
    text = Text(analyzer=indonesian_text)
    text_en = Text(analyzer="english")
    # Synonyms are expanded in Python at query time (search.synonyms), for both engines.
    stemmed = Text(analyzer="whitespace")
    suggest = Text(analyzer=autocomplete, search_analyzer=folding)
    snippet = Keyword(index=False)
    url = Keyword(index=False)
    region = Keyword()
    agency = Long()
    sector = Keyword(multi=True)
    incentive = Keyword(multi=True)
    organisation_kind = Keyword()
    verified = Boolean()
    amount = Long()
    opens_at = Date()
    closes_at = Date()
    decided = Keyword()
    date = Date()

    class Index:
        name = "unused"  # real names come from search.indexing (versioned, behind aliases)
        settings = {"number_of_shards": 1, "number_of_replicas": 0}


def to_elasticsearch(document: SearchDocument) -> dict:
    return {
        "kind": document.kind,
        "uid": document.uid,
        "object_id": document.object_id,
        "title": document.title,
        "title_en": document.title_en,
        "text": " ".join([document.summary, document.body, " ".join(document.tags)]),
        "text_en": document.english_text(),
        "stemmed": document.stemmed(),
        "suggest": [document.title, *document.suggest],
        "snippet": document.snippet,
        "url": document.url,
        "region": document.region,
        "agency": document.agency,
        "sector": document.sectors,
        "incentive": document.incentives,
        "organisation_kind": document.organisation_kind,
        "verified": document.verified,
        "amount": document.amount,
        "opens_at": document.opens_at,
        "closes_at": document.closes_at,
        "decided": document.decided,
        "date": document.date,
    }
