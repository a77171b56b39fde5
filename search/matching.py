"""Matching: challenges for an organisation, partners for a consortium, similar pages.

Everything goes through the one query function (``search.query.search``) with ``match_any``,
so Elasticsearch and the database fallback find the same candidates; this module then scores
them in Python from what both engines share, the stemmed words of each document (the
database copy, ``SearchEntry.stemmed``), and explains each suggestion in the words the
organisation used ("cocok: pembayaran digital, pasar"), not in stems.

Reviewer suggestions are not here: ``marketplace.reviewer_matching`` ranks reviewers by the
Jaccard fit of expertise tags and sectors, with conflicts excluded (issue 4)."""

from __future__ import annotations

import datetime
import functools
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from search.documents import localised_path
from search.query import SearchHit, SearchParams, search
from search.text import stem, stem_word, words

logger = logging.getLogger(__name__)

# The workspace shows recommendations for this many of the user's organisations at most, so
# the page costs the same whatever the number of memberships.
MAX_ORGANISATIONS = 3
# Words of a description worth searching for: the rarest few the index knows.
DESCRIPTION_TERMS = 12
# How many of a document's rarest words "similar" searches for (database engine).
SIMILAR_TERMS = 10
# Terms a partner should bring: the rarest of the challenge's words the lead lacks.
COMPLEMENT_TERMS = 12
REASON_TERMS = 4  # matched words named in one reason
_NEVER = datetime.datetime.max.replace(tzinfo=datetime.UTC)

# fmt: off
_ENGLISH_STOP_WORDS = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "in", "is",
    "it", "its", "of", "on", "or", "our", "that", "the", "their", "this", "to", "we", "with",
    "you", "your", "will", "can", "into", "more", "than", "other", "such", "also",
})
# fmt: on


@functools.lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    from Sastrawi.StopWordRemover.StopWordRemoverFactory import StopWordRemoverFactory

    return frozenset(StopWordRemoverFactory().get_stop_words()) | _ENGLISH_STOP_WORDS


def _is_content_word(word: str) -> bool:
    return len(word) >= 3 and not word.isdigit() and word not in stop_words()


# Words and the phrases people wrote ----------------------------------------------------------


@dataclass(frozen=True)
class Phrase:
    """Something an organisation wrote (a capability, a sector name, a description word) and
    the stemmed words a document must contain to match it."""

    label: str
    stems: frozenset[str]
    weight: float = 1.0
    source: str = "description"  # capability, sector or description

    def found_in(self, document_words: frozenset[str]) -> bool:
        return bool(self.stems) and all(_has_word(document_words, s) for s in self.stems)


def _has_word(document_words: frozenset[str], stemmed: str) -> bool:
    # The database engine matches words of four letters or more as prefixes ("payment"
    # finds "payments"); reasons follow the same rule so that they explain its matches.
    if stemmed in document_words:
        return True
    return len(stemmed) >= 4 and any(w.startswith(stemmed) for w in document_words)


def _phrase(label: str, weight: float = 1.0, source: str = "description") -> Phrase | None:
    label = " ".join(label.split())
    stems = frozenset(w for w in stem(label).split() if _is_content_word(w))
    return Phrase(label=label, stems=stems, weight=weight, source=source) if stems else None


def _description_words(text: str) -> dict[str, str]:
    """stem -> the word as written (first occurrence), content words only."""
    readable: dict[str, str] = {}
    for word in words(text):
        if not _is_content_word(word):
            continue
        stemmed = stem_word(word)
        if _is_content_word(stemmed):
            readable.setdefault(stemmed, word)
    return readable


def _vocabulary(stems: Iterable[str]) -> dict[str, int]:
    """How many indexed documents have each word (the words no document has are left out:
    searching for them finds nothing)."""
    from search.models import SearchTerm

    stems = list(set(stems))
    if not stems:
        return {}
    return dict(SearchTerm.objects.filter(word__in=stems).values_list("word", "documents"))


def _rarest(stems: Iterable[str], counts: dict[str, int], limit: int) -> list[str]:
    """The rarest known words, those of several documents first: a word only one document has
    may be only the one we start from. (The counts are approximate between rebuilds of the
    database copy; they only rank.)"""
    known = [s for s in set(stems) if s in counts]
    return sorted(known, key=lambda s: (counts[s] < 2, counts[s], s))[:limit]


def stemmed_words(kind: str, ids: Iterable[int]) -> dict[int, frozenset[str]]:
    """The stemmed words of indexed documents: from the database copy (both engines keep it),
    from Elasticsearch for any the copy lacks."""
    from search.models import SearchEntry

    ids = sorted(set(ids))
    if not ids:
        return {}
    found = {
        object_id: frozenset(text.split())
        for object_id, text in SearchEntry.objects.filter(kind=kind, object_id__in=ids).values_list(
            "object_id", "stemmed"
        )
    }
    missing = [i for i in ids if i not in found]
    if missing:
        found.update(_stemmed_from_elasticsearch(kind, missing))
    return found


def _stemmed_from_elasticsearch(kind: str, ids: list[int]) -> dict[int, frozenset[str]]:
    from search.connection import ElasticsearchUnavailable, alias_name, es_client

    client = es_client()
    if client is None:
        return {}
    try:
        response = client.mget(index=alias_name(kind), ids=[str(i) for i in ids], source=["stemmed"])
    except ElasticsearchUnavailable:
        return {}
    return {
        int(doc["_id"]): frozenset(doc["_source"].get("stemmed", "").split())
        for doc in response.get("docs", [])
        if doc.get("found")
    }


def _list(labels: Sequence[str]) -> str:
    return ", ".join(labels[:REASON_TERMS])


def _provinces(region_slugs: Iterable[str]) -> dict[str, str]:
    from marketplace.challenges.models import RegionPage

    slugs = sorted({s for s in region_slugs if s})
    if not slugs:
        return {}
    return dict(RegionPage.objects.filter(slug__in=slugs).values_list("slug", "province"))


def _candidates(q: str, **filters) -> list[SearchHit]:
    params = SearchParams(
        q=q, match_any=True, highlight=False, facets=False, suggest=False, fuzzy=False, **filters
    )
    return search(params).hits


# Challenges for an organisation --------------------------------------------------------------


@dataclass(frozen=True)
class Recommendation:
    challenge_id: int
    title: str
    url: str
    closes_at: datetime.datetime | None
    reasons: list[str] = field(default_factory=list)
    score: float = 0.0


@dataclass
class _Profile:
    organisation: object
    phrases: list[Phrase]
    sectors: dict[str, str]  # slug -> name in the current language
    region: str
    province: str

    @property
    def query(self) -> str:
        return " ".join(p.label for p in self.phrases)


def _profiles(organisations: Sequence) -> list[_Profile]:
    """What each organisation offers, as phrases; one vocabulary query for all of them.
    Expects ``sectors`` and ``capabilities`` prefetched and ``region`` selected."""
    descriptions = {o.pk: _description_words(o.description) for o in organisations}
    counts = _vocabulary(s for readable in descriptions.values() for s in readable)
    profiles = []
    for organisation in organisations:
        sectors = list(organisation.sectors.all())
        phrases: list[Phrase] = []
        for name in sorted(t.name for t in organisation.capabilities.all()):
            phrases.append(_phrase(name, weight=2.0, source="capability"))
        for sector in sectors:
            phrases.append(_phrase(sector.name, source="sector"))
        covered = {s for p in phrases if p for s in p.stems}
        readable = descriptions[organisation.pk]
        for stemmed in _rarest(set(readable) - covered, counts, DESCRIPTION_TERMS):
            phrases.append(Phrase(label=readable[stemmed], stems=frozenset([stemmed])))
        region = organisation.region
        profiles.append(
            _Profile(
                organisation=organisation,
                phrases=list(dict.fromkeys(p for p in phrases if p)),
                sectors={s.slug: s.display_name for s in sectors},
                region=region.slug if region else "",
                province=(region.province or "") if region else "",
            )
        )
    return profiles


def recommend_challenges(organisation, limit: int = 5) -> list[Recommendation]:
    """Open challenges that fit ``organisation`` (its capabilities, sectors, description and
    region), best first, each with the reasons in readable words."""
    from marketplace.organisations.models import Organisation

    fresh = (
        Organisation.objects.select_related("region")
        .prefetch_related("sectors", "capabilities")
        .get(pk=organisation.pk)
    )
    return recommendations_for([fresh], limit=limit).get(fresh.pk, [])


def recommendations_for(organisations: Sequence, limit: int = 5) -> dict[int, list[Recommendation]]:
    """Recommendations for several organisations at once: one search each, and the same few
    queries for all of them together (vocabulary, documents' words, provinces, proposals)."""
    from marketplace.proposals.models import Proposal

    profiles = _profiles(organisations)
    hits: dict[int, list[SearchHit]] = {}
    for profile in profiles:
        common = {"types": ("challenge",), "status": "open", "size": max(20, limit * 4)}
        if profile.phrases:
            hits[profile.organisation.pk] = _candidates(profile.query, **common)
        elif profile.region:  # nothing to match on yet: what is open nearby
            hits[profile.organisation.pk] = _candidates("", region=profile.region, **common)
        else:
            hits[profile.organisation.pk] = []
    every_hit = [h for group in hits.values() for h in group]
    document_words = stemmed_words("challenge", {h.object_id for h in every_hit})
    provinces = _provinces([h.region for h in every_hit] + [p.region for p in profiles])
    applied = set(
        Proposal.objects.filter(organisation__in=[p.organisation.pk for p in profiles]).values_list(
            "organisation_id", "challenge_id"
        )
    )
    result = {}
    for profile in profiles:
        own = hits[profile.organisation.pk]
        best = max((h.score for h in own), default=0.0) or 1.0
        ranked = []
        for hit in own:
            if (profile.organisation.pk, hit.object_id) in applied:
                continue
            recommendation = _recommendation(
                profile, hit, document_words.get(hit.object_id, frozenset()), provinces, hit.score / best
            )
            if recommendation is not None:
                ranked.append(recommendation)
        ranked.sort(key=lambda r: (-r.score, r.closes_at or _NEVER, r.challenge_id))
        result[profile.organisation.pk] = ranked[:limit]
    return result


def _recommendation(
    profile: _Profile,
    hit: SearchHit,
    document_words: frozenset[str],
    provinces: dict[str, str],
    relevance: float,
) -> Recommendation | None:
    sector_names = [profile.sectors[s] for s in hit.sectors if s in profile.sectors]
    matched = [p for p in profile.phrases if p.found_in(document_words)]
    if sector_names:  # the sector reason says it already
        matched = [p for p in matched if p.source != "sector"]
    reasons = []
    score = relevance
    if matched:
        reasons.append(_("matches: %(terms)s") % {"terms": _list([p.label for p in matched])})
        score += sum(p.weight for p in matched)
    if sector_names:
        reasons.append(_("sector: %(sector)s") % {"sector": sector_names[0]})
        score += 2.0
    if profile.region and hit.region == profile.region:
        reasons.append(_("in your region"))
        score += 1.5
    elif profile.province and provinces.get(hit.region) == profile.province:
        reasons.append(_("in your province"))
        score += 0.75
    if not reasons:
        return None  # the engine matched something we cannot explain: do not guess
    return Recommendation(
        challenge_id=hit.object_id,
        title=hit.title,
        url=localised_path(hit.url),
        closes_at=hit.closes_at,
        reasons=reasons,
        score=round(score, 4),
    )


@dataclass(frozen=True)
class OrganisationRecommendations:
    organisation: object
    items: list[Recommendation]


def workspace_recommendations(user, limit: int = 3) -> list[OrganisationRecommendations]:
    """For the workspace: recommendations for the user's organisations (the first few by name),
    with a constant number of queries however many organisations and challenges there are."""
    from marketplace.organisations.models import Organisation

    organisations = list(
        Organisation.objects.filter(memberships__user=user)
        .select_related("region")
        .prefetch_related("sectors", "capabilities")
        .order_by("name", "pk")
        .distinct()[:MAX_ORGANISATIONS]
    )
    if not organisations:
        return []
    by_organisation = recommendations_for(organisations, limit=limit)
    return [OrganisationRecommendations(o, by_organisation.get(o.pk, [])) for o in organisations]


# Partners for a consortium -------------------------------------------------------------------


@dataclass(frozen=True)
class PartnerSuggestion:
    organisation: object  # marketplace.Organisation, region selected
    reasons: list[str]
    score: float = 0.0

    @property
    def label(self) -> str:
        return f"{self.organisation.name} — {'; '.join(self.reasons)}"


def partner_suggestions(proposal, limit: int = 5) -> list[PartnerSuggestion]:
    """Organisations that bring what the lead lacks for this challenge: they have words of the
    challenge that the lead's profile does not. Same region first, then same province, then
    elsewhere; never the lead or an organisation already invited."""
    from marketplace.organisations.models import Organisation

    challenge = proposal.challenge
    lead_id = proposal.organisation_id
    words_of = stemmed_words("challenge", [challenge.pk])
    challenge_words = words_of.get(challenge.pk) or _challenge_words_now(challenge)
    lead_words = stemmed_words("organisation", [lead_id]).get(lead_id) or _organisation_words_now(lead_id)
    needed = {w for w in challenge_words - lead_words if _is_content_word(w)}
    counts = _vocabulary(needed)
    wanted = _rarest(needed, counts, COMPLEMENT_TERMS)
    if not wanted:
        return []
    region = challenge.agency.region
    excluded = {lead_id, *proposal.partners.values_list("organisation_id", flat=True)}
    common = {"types": ("organisation",)}
    hits = _candidates(" ".join(wanted), region=region.slug, size=20, **common)
    hits += _candidates(" ".join(wanted), size=50, **common)
    candidate_ids = list(dict.fromkeys(h.object_id for h in hits if h.object_id not in excluded))
    if not candidate_ids:
        return []
    organisations = {
        o.pk: o
        for o in Organisation.objects.filter(pk__in=candidate_ids)
        .select_related("region")
        .prefetch_related("capabilities")
    }
    their_words = stemmed_words("organisation", candidate_ids)
    wanted_set = frozenset(wanted)
    suggestions = []
    for object_id in candidate_ids:
        organisation = organisations.get(object_id)
        if organisation is None:
            continue
        brings = their_words.get(object_id, frozenset()) & needed
        if not brings:
            continue
        offers = _offered_labels(organisation, brings)
        tier, where = _nearness(organisation, region)
        reasons = [_("offers: %(terms)s") % {"terms": _list(offers)}] if offers else []
        if where:
            reasons.append(where)
        if not reasons:
            continue
        # Rare words the lead lacks count most; any other word of the challenge counts a little.
        score = len(brings & wanted_set) + 0.1 * len(brings - wanted_set)
        suggestions.append((tier, -score, organisation.name, PartnerSuggestion(organisation, reasons, score)))
    suggestions.sort(key=lambda row: row[:3])
    return [row[3] for row in suggestions[:limit]]


def _nearness(organisation, region) -> tuple[int, str]:
    if organisation.region_id == region.pk:
        return 0, _("same region as the challenge")
    if region.province and organisation.region_id and organisation.region.province == region.province:
        return 1, _("same province as the challenge")
    return 2, ""


def _offered_labels(organisation, brings: frozenset[str]) -> list[str]:
    """What the organisation wrote that carries the words it brings: capabilities first, then
    words of its description."""
    labels = []
    covered: set[str] = set()
    for name in sorted(t.name for t in organisation.capabilities.all()):
        phrase = _phrase(name)
        if phrase and phrase.stems & brings:
            labels.append(phrase.label)
            covered |= phrase.stems
    readable = _description_words(organisation.description)
    labels += [readable[s] for s in sorted(brings - covered) if s in readable]
    return labels


def _challenge_words_now(challenge) -> frozenset[str]:
    from search import indexing

    docs = list(indexing.documents_for("challenge", [challenge.pk]))
    return frozenset(docs[0].stemmed().split()) if docs else frozenset()


def _organisation_words_now(organisation_id: int) -> frozenset[str]:
    from search import indexing

    docs = list(indexing.documents_for("organisation", [organisation_id]))
    return frozenset(docs[0].stemmed().split()) if docs else frozenset()


# Similar challenges and projects -------------------------------------------------------------


def similar(kind: str, object_id: int, limit: int = 4) -> list[SearchHit]:
    """Public documents of the same kind most like this one: Elasticsearch's more_like_this,
    or the database copy searched for this document's rarest words. Never the document itself;
    [] when it is not indexed (not public)."""
    from search.connection import ElasticsearchUnavailable, es_client

    client = es_client()
    if client is not None:
        try:
            hits = _similar_elasticsearch(client, kind, object_id, limit)
        except ElasticsearchUnavailable as exc:
            logger.warning("Elasticsearch unavailable, similar documents from the database: %s", exc)
        else:
            return [_localised(h) for h in hits]
    return [_localised(h) for h in _similar_database(kind, object_id, limit)]


def _localised(hit: SearchHit) -> SearchHit:
    from dataclasses import replace

    return replace(hit, url=localised_path(hit.url))


def _similar_elasticsearch(client, kind: str, object_id: int, limit: int) -> list[SearchHit]:
    from elasticsearch import exceptions as es_exceptions

    from search import engine_elasticsearch
    from search.connection import alias_name

    alias = alias_name(kind)
    body = {
        "query": {
            "bool": {
                "must": [
                    {
                        "more_like_this": {
                            "fields": ["title", "text", "stemmed"],
                            "like": [{"_index": alias, "_id": str(object_id)}],
                            "min_term_freq": 1,
                            # A word only this document has says nothing about the others.
                            "min_doc_freq": 2,
                            "max_query_terms": 25,
                            "minimum_should_match": "1",
                        }
                    }
                ],
                "filter": [{"term": {"kind": kind}}],
                "must_not": [{"ids": {"values": [str(object_id)]}}],
            }
        },
        "size": limit,
        "_source": engine_elasticsearch.HIT_SOURCE,
    }
    try:
        response = client.search(index=alias, body=body, ignore_unavailable=True)
    except es_exceptions.NotFoundError:
        return []
    return [engine_elasticsearch.hit_from(raw) for raw in response["hits"]["hits"]]


def _similar_database(kind: str, object_id: int, limit: int) -> list[SearchHit]:
    from search import engine_database

    document_words = stemmed_words_database(kind, object_id)
    if not document_words:
        return []
    counts = _vocabulary(w for w in document_words if _is_content_word(w))
    terms = _rarest(counts, counts, SIMILAR_TERMS)
    if not terms:
        return []
    params = SearchParams(
        q=" ".join(terms),
        types=(kind,),
        match_any=True,
        size=limit + 1,
        highlight=False,
        facets=False,
        suggest=False,
        fuzzy=False,
    )
    hits = engine_database.search(params).hits
    return [h for h in hits if h.object_id != object_id][:limit]


def stemmed_words_database(kind: str, object_id: int) -> frozenset[str]:
    from search.models import SearchEntry

    text = (
        SearchEntry.objects.filter(kind=kind, object_id=object_id).values_list("stemmed", flat=True).first()
    )
    return frozenset((text or "").split())
