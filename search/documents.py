"""Elasticsearch documents. Index names carry a version; reads and writes go through an alias
so a reindex can build a new index and swap the alias atomically."""

from __future__ import annotations

from django.conf import settings
from elasticsearch.dsl import Date, Document, Keyword, Long, Text, analyzer, token_filter

folding = analyzer("folding", tokenizer="standard", filter=["lowercase", "asciifolding"])
autocomplete = analyzer(
    "autocomplete",
    tokenizer="standard",
    filter=[
        "lowercase",
        "asciifolding",
        token_filter("edge_2_20", type="edge_ngram", min_gram=2, max_gram=20),
    ],
)


def alias_name(kind: str) -> str:
    return f"{settings.SEARCH_INDEX_PREFIX}-{kind}"


class ChallengeDocument(Document):
    title = Text(analyzer=folding, fields={"suggest": Text(analyzer=autocomplete, search_analyzer=folding)})
    title_en = Text(analyzer=folding)
    summary = Text(analyzer=folding)
    body = Text(analyzer=folding)
    # Title, summary and body stemmed in Python (search.text.stem); matched with stemmed queries.
    stemmed = Text(analyzer="whitespace")
    slug = Keyword()
    sector = Keyword()
    region = Keyword()
    agency = Keyword()
    incentive_kinds = Keyword(multi=True)
    incentive_total = Long()
    opens_at = Date()
    closes_at = Date()
    outcome = Keyword()

    class Index:
        name = "challenges"  # replaced per environment in search.services.challenge_index()
        settings = {"number_of_shards": 1, "number_of_replicas": 0}
