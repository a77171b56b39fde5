"""Helpers the review services share: names, site links, the people to tell, row locks."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from core.actors import Person
from core.roles import OFFICIAL_GROUP
from marketplace.challenges.models import ChallengePage
from marketplace.organisations.models import (
    UserProfile,
)
from marketplace.proposals.models import Proposal, ProposalPartner
from marketplace.review.models import ReviewAssignment

S = Proposal.Status
A = ReviewAssignment.Status
# Assignments that count: the reviewer still has to declare, or is reviewing.
OPEN_ASSIGNMENT = (A.AWAITING_DECLARATION, A.ACTIVE)
NOTE_MAX = 1000
REASON_MAX = 2000
TAG_MAX = 100


def display_name(user: Person) -> str:
    """What officials see for a reviewer: the profile's full name, else the account's names."""
    try:
        profile = user.profile
    except UserProfile.DoesNotExist:
        profile = None
    return (profile and profile.full_name) or user.get_full_name() or user.get_username()


def _site_url(path: str) -> str:
    return f"{settings.WAGTAILADMIN_BASE_URL.rstrip('/')}{path}"


def _path(name: str, **kwargs) -> str:
    """An address in the site's language (notifications and emails are in it too)."""
    with translation.override(settings.LANGUAGE_CODE):
        return reverse(name, kwargs=kwargs or None)


def _in_site_language(template: str, **values) -> str:
    """Notifications are stored in the site's language, whatever page the actor is on."""
    with translation.override(settings.LANGUAGE_CODE):
        return _(template) % values


def _consortium_members(proposal: Proposal) -> QuerySet[Person]:
    """Members of the lead organisation and of the partners that accepted (one row each)."""
    accepted = proposal.partners.filter(status=ProposalPartner.Status.ACCEPTED).values("organisation_id")
    return (
        get_user_model()
        .objects.filter(
            Q(memberships__organisation_id=proposal.organisation_id)
            | Q(memberships__organisation_id__in=accepted)
        )
        .distinct()
    )


def _challenge_officials(challenge: ChallengePage) -> QuerySet[Person]:
    return challenge.agency.officials.filter(groups__name=OFFICIAL_GROUP).distinct()


def _lock_proposal(proposal: Proposal) -> Proposal:
    return (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("challenge__agency__region", "organisation")
        .get(pk=proposal.pk)
    )
