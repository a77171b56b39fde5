"""The conflict-of-interest rule, in one place, for everyone who judges or pays a proposal.

Whoever is or was a member of an organisation taking part in a proposal (the lead, or a partner
that has not declined), or declared a conflict on it, may not act on it: reviewers are never
assigned (``review.services.assignments``), officials may not screen, decide, award or approve
its milestones, finance officers may not release or record its payments. They may still read it.
Former members are kept as ``PastMembership`` rows when a membership ends."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from core.actors import Visitor
from marketplace.organisations.models import Membership, Organisation, PastMembership
from marketplace.proposals.models import DeclaredConflict, Proposal, ProposalPartner


def organisations_taking_part(proposal: Proposal) -> list[int]:
    """The organisations behind a proposal: the lead and every partner that has not declined."""
    partners = proposal.partners.exclude(status=ProposalPartner.Status.DECLINED).values_list(
        "organisation_id", flat=True
    )
    return [proposal.organisation_id, *partners]


@dataclass(frozen=True)
class MembershipTie:
    """``user`` is (``former`` False) or was a member of ``organisation``."""

    organisation: Organisation
    former: bool


def membership_tie(user: Visitor, organisation_ids: Iterable[int]) -> MembershipTie | None:
    """The first current, then former, membership of ``user`` in one of the organisations."""
    if not (user and user.is_authenticated):
        return None
    organisation_ids = list(organisation_ids)
    for model, former in ((Membership, False), (PastMembership, True)):
        row = (
            model.objects.filter(user_id=user.pk, organisation_id__in=organisation_ids)
            .select_related("organisation")
            .order_by("pk")
            .first()
        )
        if row is not None:
            return MembershipTie(organisation=row.organisation, former=former)
    return None


def conflict_of_interest(user: Visitor, proposal: Proposal) -> str:
    """Why ``user`` may not act on ``proposal`` (a sentence for them), or "" when they may."""
    if not (user and user.is_authenticated):
        return ""
    tie = membership_tie(user, organisations_taking_part(proposal))
    if tie is not None:
        if tie.former:
            return _(
                "Conflict of interest: you were a member of %(organisation)s, which takes part in this "
                "proposal. Another official or finance officer must act on it."
            ) % {"organisation": tie.organisation.name}
        return _(
            "Conflict of interest: you are a member of %(organisation)s, which takes part in this "
            "proposal. Another official or finance officer must act on it."
        ) % {"organisation": tie.organisation.name}
    if has_declared_conflict(user, proposal):
        return _(
            "Conflict of interest: you declared a conflict on this proposal. Another official or "
            "finance officer must act on it."
        )
    return ""


def organisation_conflict(user: Visitor, organisation_id: int) -> str:
    """Why ``user`` may not pay ``organisation_id`` (a current or former member), or ""."""
    tie = membership_tie(user, [organisation_id])
    if tie is None:
        return ""
    return _(
        "Conflict of interest: you are or were a member of %(organisation)s, which receives this "
        "payment. Another finance officer must handle it."
    ) % {"organisation": tie.organisation.name}


def has_declared_conflict(user: Visitor, proposal: Proposal) -> bool:
    if not (user and user.is_authenticated):
        return False
    return DeclaredConflict.objects.filter(proposal_id=proposal.pk, user_id=user.pk).exists()


def conflicted_proposal_ids(user: Visitor, proposal_ids: Iterable[int]) -> set[int]:
    """Of ``proposal_ids``, those ``user`` may not act on: the same rule as
    ``conflict_of_interest``, in a fixed number of queries, for lists of proposals."""
    proposal_ids = set(proposal_ids)
    if not (user and user.is_authenticated) or not proposal_ids:
        return set()
    organisations: dict[int, set[int]] = defaultdict(set)
    for pk, organisation_id in Proposal.objects.filter(pk__in=proposal_ids).values_list(
        "pk", "organisation_id"
    ):
        organisations[organisation_id].add(pk)
    for pk, organisation_id in (
        ProposalPartner.objects.filter(proposal_id__in=proposal_ids)
        .exclude(status=ProposalPartner.Status.DECLINED)
        .values_list("proposal_id", "organisation_id")
    ):
        organisations[organisation_id].add(pk)
    mine = set(
        Membership.objects.filter(user_id=user.pk, organisation_id__in=organisations).values_list(
            "organisation_id", flat=True
        )
    ) | set(
        PastMembership.objects.filter(user_id=user.pk, organisation_id__in=organisations).values_list(
            "organisation_id", flat=True
        )
    )
    conflicted = {pk for organisation_id in mine for pk in organisations[organisation_id]}
    conflicted |= set(
        DeclaredConflict.objects.filter(user_id=user.pk, proposal_id__in=proposal_ids).values_list(
            "proposal_id", flat=True
        )
    )
    return conflicted
