"""The database side of search: a copy of every search document (the fallback engine answers
from it), the vocabulary used for "did you mean" and typo correction, and saved searches."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchEntry(models.Model):
    """One public document, as Elasticsearch has it, for the database fallback.

    Written by ``search.indexing`` from the same ``SearchDocument`` that goes to Elasticsearch,
    so both engines search the same text. Only public data ever reaches this table."""

    kind = models.CharField(max_length=20)  # challenge, project, organisation
    object_id = models.PositiveBigIntegerField()
    title = models.CharField(max_length=300)
    title_en = models.CharField(max_length=300, blank=True)
    snippet = models.TextField(blank=True)
    url = models.CharField(max_length=300)
    # Every Indonesian and English word of the document, stemmed (search.text.stem).
    stemmed = models.TextField(blank=True)
    stemmed_title = models.TextField(blank=True)
    # PostgreSQL only: the title (weight A) and the rest of ``stemmed`` (weight D), computed by
    # search.indexing in the INSERT; SQLite keeps it empty and matches ``stemmed`` instead.
    vector = SearchVectorField(null=True, editable=False)
    # PostgreSQL only: the title alone (small, with its own GIN index): which documents have the
    # words in their title, the first candidates when too many documents match to rank them all.
    title_vector = SearchVectorField(null=True, editable=False)
    # PostgreSQL only: the sectors and incentive kinds as lexemes ("sector:kesehatan"), in the
    # full-text GIN index with the kind and the region, so that those filters need no row read.
    facet_vector = SearchVectorField(null=True, editable=False)
    region = models.CharField(max_length=100, blank=True)
    # Multi-valued facets as "|slug|slug|" (see ``delimited``): one row per document, so the
    # fallback filters and counts them without a join, on PostgreSQL and SQLite alike.
    sectors = models.CharField(max_length=500, blank=True)
    incentives = models.CharField(max_length=200, blank=True)
    agency = models.PositiveBigIntegerField(null=True, blank=True)
    amount = models.BigIntegerField(null=True, blank=True)  # minor units
    opens_at = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(null=True, blank=True)
    decided = models.CharField(max_length=20, blank=True)  # awarded / closed / "" (challenges)
    date = models.DateTimeField(null=True, blank=True)  # for "newest first"
    indexed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="search_entry_unique")]
        # PostgreSQL's search indexes (full text, sorts, facets) are in migration 0002 (PostgreSQL only).
        indexes = [models.Index(fields=["region"], name="search_entry_region")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id} {self.title}"


def delimited(values) -> str:
    """``["a", "b"]`` as ``"|a|b|"``: a value is then found with ``contains="|a|"``."""
    values = [v for v in dict.fromkeys(values) if v]
    return f"|{'|'.join(values)}|" if values else ""


def undelimited(text: str) -> tuple[str, ...]:
    return tuple(v for v in text.split("|") if v)


class SearchTerm(models.Model):
    """A word (folded, unstemmed) of the indexed documents: the fallback corrects typos and
    offers "did you mean" from this vocabulary (trigram similarity on PostgreSQL)."""

    word = models.CharField(max_length=60, unique=True)
    documents = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.word


class SavedSearch(models.Model):
    class Frequency(models.TextChoices):
        INSTANT = "instant", _("As soon as a challenge is published")
        DAILY = "daily", _("Once a day")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches"
    )
    name = models.CharField(_("name"), max_length=120)
    # The query string of /search/ (q and filters) as a dict of lists, as the page received it.
    params = models.JSONField(default=dict)
    frequency = models.CharField(
        _("alerts"), max_length=10, choices=Frequency.choices, default=Frequency.INSTANT
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_digest_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("saved search")
        verbose_name_plural = _("saved searches")

    def __str__(self) -> str:
        return self.name


class SavedSearchMatch(models.Model):
    """A challenge that matched a saved search: the unique constraint is the "exactly once"."""

    saved_search = models.ForeignKey(SavedSearch, on_delete=models.CASCADE, related_name="matches")
    challenge_id = models.PositiveBigIntegerField()
    matched_at = models.DateTimeField(auto_now_add=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["saved_search", "challenge_id"], name="saved_search_match_once")
        ]

    def __str__(self) -> str:
        return f"{self.saved_search} → challenge {self.challenge_id}"
