"""Reads for organisation pages and the workspace's organisations section; a fixed number of
queries each, whatever the number of rows."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.roles import is_official
from marketplace.challenges.models import Agency
from marketplace.organisations.accounts import verified_emails
from marketplace.organisations.models import (
    Membership,
    Organisation,
    OrganisationInvitation,
    VerificationDocument,
)


def pending_invitations_for(user) -> QuerySet[OrganisationInvitation]:
    """Invitations waiting for this user's answer: sent to an address they confirmed."""
    emails = verified_emails(user)
    if not emails:
        return OrganisationInvitation.objects.none()
    query = Q()
    for email in emails:
        query |= Q(email__iexact=email)
    return (
        OrganisationInvitation.objects.filter(
            query, accepted_at=None, declined_at=None, expires_at__gt=timezone.now()
        )
        .exclude(organisation__memberships__user=user)
        .select_related("organisation", "invited_by")
        .order_by("expires_at")
    )


def _count(queryset) -> Subquery:
    return Coalesce(
        Subquery(queryset.values("organisation").annotate(n=Count("pk")).values("n")[:1]), Value(0)
    )


def owned_organisations(user) -> QuerySet[Organisation]:
    now = timezone.now()
    pending = OrganisationInvitation.objects.filter(
        organisation=OuterRef("pk"), accepted_at=None, declined_at=None, expires_at__gt=now
    )
    return (
        Organisation.objects.filter(memberships__user=user, memberships__role=Membership.Role.OWNER)
        .annotate(
            member_count=_count(Membership.objects.filter(organisation=OuterRef("pk"))),
            pending_invitations=_count(pending),
        )
        .order_by("name")
    )


def organisations_to_verify(user) -> QuerySet[Organisation]:
    """Unverified organisations with documents, in the regions of the official's agencies (or
    naming no region)."""
    if not is_official(user):
        return Organisation.objects.none()
    with_documents = Exists(VerificationDocument.objects.filter(organisation=OuterRef("pk")))
    qs = Organisation.objects.filter(with_documents, verified=False).exclude(memberships__user=user)
    if not user.is_superuser:
        regions = Agency.objects.filter(officials=user).values("region_id")
        qs = qs.filter(Q(region_id__in=regions) | Q(region=None))
    return qs.select_related("region").order_by("name")


def organisation_members(organisation: Organisation) -> QuerySet[Membership]:
    return organisation.memberships.select_related("user__profile").order_by("-role", "joined_at")


def organisation_invitations(organisation: Organisation) -> QuerySet[OrganisationInvitation]:
    return organisation.invitations.select_related("invited_by").order_by("-created_at")


def organisation_documents(organisation: Organisation) -> QuerySet[VerificationDocument]:
    return organisation.documents.select_related("uploaded_by").order_by("-uploaded_at")
