"""Reads shaped for their pages: every list here runs a fixed number of queries."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from marketplace.awards.models import Award, Milestone
from marketplace.challenges import permissions as challenges_permissions
from marketplace.organisations import permissions as organisations_permissions
from marketplace.organisations.models import Organisation


def project_queryset() -> QuerySet[Award]:
    paid = Q(milestones__status=Milestone.Status.PAID)
    return (
        Award.objects.select_related(
            "proposal__organisation", "proposal__challenge__agency__region", "proposal__challenge__sector"
        )
        .prefetch_related(Prefetch("milestones", queryset=Milestone.objects.order_by("position", "due_date")))
        .annotate(amount_disbursed=Coalesce(Sum("milestones__amount", filter=paid), Value(0)))
    )


# Public once the official published the challenge's results, unless the grantee declined.
PUBLIC_PROJECT = Q(proposal__challenge__results_published_at__isnull=False) & ~Q(agreement__status="declined")


def project_list() -> QuerySet[Award]:
    """Funded projects the public may see, newest first."""
    return project_queryset().filter(PUBLIC_PROJECT).order_by("-awarded_at", "-pk")


def project_for(user, pk: int) -> Award | None:
    """A project page: public ones for anyone; before the results are published, only the
    grantee's members and the challenge's officials see it."""
    project = project_queryset().select_related("agreement").filter(pk=pk).first()
    if project is None:
        return None
    if project_queryset().filter(PUBLIC_PROJECT, pk=pk).exists():
        return project
    proposal = project.proposal
    if organisations_permissions.is_member(
        user, proposal.organisation
    ) or challenges_permissions.is_challenge_official(user, proposal.challenge):
        return project
    return None


def project_delivery(project: Award) -> list[Milestone]:
    """The award's milestones with their reports, evidence and re-plans (for the grantee and
    the agency's officials)."""
    return list(
        Milestone.objects.filter(award=project)
        .select_related("reported_by", "approved_by")
        .prefetch_related("evidence", "replans")
        .order_by("position", "due_date")
    )


def organisation_projects(organisation: Organisation) -> QuerySet[Award]:
    return project_list().filter(proposal__organisation=organisation)
