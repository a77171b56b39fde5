"""Reads for the money pages that need the domain's words: a payment is named by its project
and stage, never by its internal reference."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from marketplace.awards.models import Milestone


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
