"""Matching for organisations: open challenges that fit an organisation, and partners who bring
what a consortium's lead lacks, each with its reasons in the words people wrote
("Sesuai profil Anda: pembayaran digital, pasar"), not in stems, each reason a short sentence
that names the place ("Di daerah Anda: Sumba Barat").

Candidates come from search (``search.api.candidates``: any of the words, through the one
query function, so Elasticsearch and the database fallback find the same ones); this module
scores them from what both engines share, the stemmed words of each document, and from what
only marketplace knows: sectors, regions and provinces, proposals already made.

Reviewer suggestions are not here: ``marketplace.reviewer_matching`` ranks reviewers by the
Jaccard fit of expertise tags and sectors, with conflicts excluded (issue 4)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from marketplace.challenges.models.regions import RegionPage
from marketplace.organisations.models.organisations import Organisation
from marketplace.proposals.models.proposals import Proposal
from search import api as search

# The workspace shows recommendations for this many of the user's organisations at most, so
# the page costs the same whatever the number of memberships.
MAX_ORGANISATIONS = 3
# Words of a description worth searching for: the rarest few the index knows.
DESCRIPTION_TERMS = 12
# Terms a partner should bring: the rarest of the challenge's words the lead lacks.
COMPLEMENT_TERMS = 12
REASON_TERMS = 4  # matched words named in one reason
_NEVER = datetime.datetime.max.replace(tzinfo=datetime.UTC)


def _list(labels: Sequence[str]) -> str:
    return ", ".join(labels[:REASON_TERMS])


def _regions(region_slugs: Iterable[str]) -> dict[str, tuple[str, str]]:
    """slug -> (title, province) of the regions named."""
    slugs = sorted({s for s in region_slugs if s})
    if not slugs:
        return {}
    return {
        slug: (title, province)
        for slug, title, province in RegionPage.objects.filter(slug__in=slugs).values_list(
            "slug", "title", "province"
        )
    }


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
    phrases: list[search.Phrase]
    sectors: dict[str, str]  # slug -> name in the current language
    region: str
    province: str

    @property
    def query(self) -> str:
        return " ".join(p.label for p in self.phrases)


def _profiles(organisations: Sequence) -> list[_Profile]:
    """What each organisation offers, as phrases; one vocabulary query for all of them.
    Expects ``sectors`` and ``capabilities`` prefetched and ``region`` selected."""
    descriptions = {o.pk: search.description_words(o.description) for o in organisations}
    counts = search.vocabulary(s for readable in descriptions.values() for s in readable)
    profiles = []
    for organisation in organisations:
        sectors = list(organisation.sectors.all())
        phrases: list[search.Phrase] = []
        for name in sorted(t.name for t in organisation.capabilities.all()):
            phrases.append(search.phrase(name, weight=2.0, source="capability"))
        for sector in sectors:
            phrases.append(search.phrase(sector.name, source="sector"))
        covered = {s for p in phrases if p for s in p.stems}
        readable = descriptions[organisation.pk]
        for stemmed in search.rarest(set(readable) - covered, counts, DESCRIPTION_TERMS):
            phrases.append(search.Phrase(label=readable[stemmed], stems=frozenset([stemmed])))
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
    fresh = (
        Organisation.objects.select_related("region")
        .prefetch_related("sectors", "capabilities")
        .get(pk=organisation.pk)
    )
    return recommendations_for([fresh], limit=limit).get(fresh.pk, [])


def recommendations_for(organisations: Sequence, limit: int = 5) -> dict[int, list[Recommendation]]:
    """Recommendations for several organisations at once: one search each, and the same few
    queries for all of them together (vocabulary, documents' words, provinces, proposals)."""
    profiles = _profiles(organisations)
    hits: dict[int, list[search.SearchHit]] = {}
    for profile in profiles:
        common = {"types": ("challenge",), "status": "open", "size": max(20, limit * 4)}
        if profile.phrases:
            hits[profile.organisation.pk] = search.candidates(profile.query, **common)
        elif profile.region:  # nothing to match on yet: what is open nearby
            hits[profile.organisation.pk] = search.candidates("", region=profile.region, **common)
        else:
            hits[profile.organisation.pk] = []
    every_hit = [h for group in hits.values() for h in group]
    document_words = search.stemmed_words("challenge", {h.object_id for h in every_hit})
    regions = _regions([h.region for h in every_hit] + [p.region for p in profiles])
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
                profile, hit, document_words.get(hit.object_id, frozenset()), regions, hit.score / best
            )
            if recommendation is not None:
                ranked.append(recommendation)
        ranked.sort(key=lambda r: (-r.score, r.closes_at or _NEVER, r.challenge_id))
        result[profile.organisation.pk] = ranked[:limit]
    return result


def _recommendation(
    profile: _Profile,
    hit: search.SearchHit,
    document_words: frozenset[str],
    regions: dict[str, tuple[str, str]],
    relevance: float,
) -> Recommendation | None:
    sector_names = [profile.sectors[s] for s in hit.sectors if s in profile.sectors]
    matched = [p for p in profile.phrases if p.found_in(document_words)]
    if sector_names:  # the sector reason says it already
        matched = [p for p in matched if p.source != "sector"]
    reasons = []
    score = relevance
    if matched:
        reasons.append(_("Fits your profile: %(terms)s") % {"terms": _list([p.label for p in matched])})
        score += sum(p.weight for p in matched)
    if sector_names:
        reasons.append(_("Your sector: %(sector)s") % {"sector": sector_names[0]})
        score += 2.0
    title, province = regions.get(hit.region, ("", ""))
    if profile.region and hit.region == profile.region:
        reasons.append(_("In your region: %(region)s") % {"region": title})
        score += 1.5
    elif profile.province and province == profile.province:
        reasons.append(_("In your province: %(province)s") % {"province": province})
        score += 0.75
    if not reasons:
        return None  # the engine matched something we cannot explain: do not guess
    return Recommendation(
        challenge_id=hit.object_id,
        title=hit.title,
        url=search.localised_path(hit.url),
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
    challenge = proposal.challenge
    lead_id = proposal.organisation_id
    words_of = search.stemmed_words("challenge", [challenge.pk])
    challenge_words = words_of.get(challenge.pk) or search.document_words_now("challenge", challenge.pk)
    lead_words = search.stemmed_words("organisation", [lead_id]).get(lead_id) or search.document_words_now(
        "organisation", lead_id
    )
    needed = {w for w in challenge_words - lead_words if search.is_content_word(w)}
    counts = search.vocabulary(needed)
    wanted = search.rarest(needed, counts, COMPLEMENT_TERMS)
    if not wanted:
        return []
    region = challenge.agency.region
    excluded = {lead_id, *proposal.partners.values_list("organisation_id", flat=True)}
    common = {"types": ("organisation",)}
    hits = search.candidates(" ".join(wanted), region=region.slug, size=20, **common)
    hits += search.candidates(" ".join(wanted), size=50, **common)
    candidate_ids = list(dict.fromkeys(h.object_id for h in hits if h.object_id not in excluded))
    if not candidate_ids:
        return []
    organisations = {
        o.pk: o
        for o in Organisation.objects.filter(pk__in=candidate_ids)
        .select_related("region")
        .prefetch_related("capabilities")
    }
    their_words = search.stemmed_words("organisation", candidate_ids)
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
        reasons = [_("Offers what the team lacks: %(terms)s") % {"terms": _list(offers)}] if offers else []
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
        return 0, _("In the challenge's region: %(region)s") % {"region": region.title}
    if region.province and organisation.region_id and organisation.region.province == region.province:
        return 1, _("In the challenge's province: %(province)s") % {"province": region.province}
    return 2, ""


def _offered_labels(organisation, brings: frozenset[str]) -> list[str]:
    """What the organisation wrote that carries the words it brings: capabilities first, then
    words of its description."""
    labels = []
    covered: set[str] = set()
    for name in sorted(t.name for t in organisation.capabilities.all()):
        phrase = search.phrase(name)
        if phrase and phrase.stems & brings:
            labels.append(phrase.label)
            covered |= phrase.stems
    readable = search.description_words(organisation.description)
    labels += [readable[s] for s in sorted(brings - covered) if s in readable]
    return labels
