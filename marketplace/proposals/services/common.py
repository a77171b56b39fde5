"""Helpers the proposal services share: validation, row locks, deadlines, the people to tell."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core import messaging
from core.actors import Person
from core.errors import DomainError
from marketplace.challenges.models import ChallengePage
from marketplace.proposals.models import (
    Proposal,
    ProposalPartner,
)

EDITABLE_FIELDS = ("title", "summary", "problem", "solution", "inclusion", "plan", "requested_amount")
# Kept for callers of the walking skeleton.
PROPOSAL_FIELDS = EDITABLE_FIELDS


def _validate(instance, *, exclude=(), prefix: str = "") -> None:
    try:
        instance.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        first_field, messages = next(iter(exc.message_dict.items()))
        raise DomainError(messages[0], field=f"{prefix}{first_field}") from exc


def _lock(proposal: Proposal) -> Proposal:
    return (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("challenge__agency__region", "organisation")
        .get(pk=proposal.pk)
    )


def _must_be_editable(proposal: Proposal) -> None:
    if not proposal.is_editable:
        raise DomainError(_("A submitted proposal can no longer be edited."))


def _deadline_text(challenge: ChallengePage) -> str:
    closes = timezone.localtime(challenge.closes_at, challenge.region.zoneinfo)
    return f"{closes.strftime('%d-%m-%Y %H:%M')} {challenge.region.zone_label}"


def _members(organisation_id: int) -> QuerySet[Person]:
    return get_user_model().objects.filter(memberships__organisation_id=organisation_id)


def _consortium_members(proposal: Proposal, *, except_user: Person | None = None) -> QuerySet[Person]:
    """Everyone in the lead organisation and in the partners that accepted (one row each)."""
    accepted = proposal.partners.filter(status=ProposalPartner.Status.ACCEPTED).values("organisation_id")
    lead = Q(memberships__organisation_id=proposal.organisation_id)
    users = get_user_model().objects.filter(lead | Q(memberships__organisation_id__in=accepted))
    if except_user is not None:
        users = users.exclude(pk=except_user.pk)
    return users.distinct()


def _notify(*, users, message: str, url: str, email_subject: str = "") -> None:
    # Notifications are stored in the site's language, whatever the actor's page language.
    messaging.notify(
        kind=messaging.Kind.PROPOSALS, users=users, message=message, url=url, email_subject=email_subject
    )
