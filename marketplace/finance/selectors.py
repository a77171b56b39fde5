"""Reads for the money pages that need the domain's words: a payment is named by its project
and stage, never by its internal reference."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from core.references import AWARD, CHALLENGE, ORGANISATION
from marketplace.awards.models import Award, Milestone
from marketplace.challenges.models.challenges import ChallengePage
from marketplace.organisations.models.organisations import Organisation


def payment_title(milestone: Milestone | None, fallback: str = "") -> str:
    """ "Payment for stage 2 — <project title>" (stages are counted from 1)."""
    if milestone is None:
        return fallback or _("Payment to a winner")
    return _("Payment for stage %(stage)s — %(project)s") % {
        "stage": milestone.position + 1,
        "project": milestone.award.proposal.title,
    }


def name_payments(disbursements: Iterable) -> list:
    """Sets ``title`` (what people read) and ``milestone`` on each disbursement, in one query."""
    disbursements = list(disbursements)
    milestones = {
        m.disbursement_id: m
        for m in Milestone.objects.filter(disbursement_id__in=[d.pk for d in disbursements]).select_related(
            "award__proposal"
        )
    }
    for disbursement in disbursements:
        disbursement.milestone = milestones.get(disbursement.pk)
        disbursement.title = payment_title(disbursement.milestone, disbursement.description)
    return disbursements


def reference_labels(references: list[str]) -> dict[str, str]:
    """Names for the references payments keeps ("award:3" -> "Award: <project>", "milestone:2" or
    "milestone:2:1" -> "Payment for stage N — <project>", "challenge:5" -> its title,
    "organisation:4" -> its name). Registered with payments for its statements; one query per
    kind of reference."""
    wanted: dict[str, dict[int, list[str]]] = {}
    for reference in references:
        kind, _sep, rest = reference.partition(":")
        pk = rest.split(":")[0]
        if pk.isdigit():
            wanted.setdefault(kind, {}).setdefault(int(pk), []).append(reference)
    labels: dict[str, str] = {}

    def name(kind: str, found: dict[int, str]) -> None:
        for pk, label in found.items():
            for reference in wanted[kind].get(pk, []):
                labels[reference] = label

    if AWARD in wanted:
        awards = Award.objects.filter(pk__in=wanted[AWARD]).select_related("proposal")
        name(AWARD, {a.pk: _("Award: %(project)s") % {"project": a.proposal.title} for a in awards})
    if "milestone" in wanted:
        milestones = Milestone.objects.filter(pk__in=wanted["milestone"]).select_related("award__proposal")
        name("milestone", {m.pk: payment_title(m) for m in milestones})
    if CHALLENGE in wanted:
        challenges = ChallengePage.objects.filter(pk__in=wanted[CHALLENGE])
        name(CHALLENGE, {c.pk: c.display_title for c in challenges})
    if ORGANISATION in wanted:
        organisations = Organisation.objects.filter(pk__in=wanted[ORGANISATION]).values_list("pk", "name")
        name(ORGANISATION, dict(organisations))
    return labels
