"""Reads shaped for the workspace's pages: every list here runs a fixed number of queries, and
the home's counts are COUNT queries (a fixed number per role, however many rows)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, Min, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.models import TaskState

from core.roles import AGENCY_HEAD_GROUP, FINANCE_GROUP, OFFICIAL_GROUP, REVIEWER_GROUP, SPONSOR_GROUP
from marketplace.awards.models import Agreement, Award, Milestone
from marketplace.challenges.models import ChallengePage, Question
from marketplace.organisations import selectors as organisation_selectors
from marketplace.organisations.models import Membership, Organisation
from marketplace.proposals import conflicts
from marketplace.proposals.models import Proposal, ProposalPartner
from marketplace.review.models import Review, ReviewAssignment
from marketplace.workspace.permissions import APPLICANT, workspace_roles
from payments import api as payments_api

# The areas' sections -------------------------------------------------------------------------


def applicant_workspace(user) -> dict:
    """The user's organisations and their milestones (two queries)."""
    organisations = list(Organisation.objects.filter(memberships__user=user))
    milestones = (
        Milestone.objects.filter(award__proposal__organisation__in=organisations)
        .select_related("award__proposal")
        .order_by("due_date")
    )
    return {"organisations": organisations, "milestones": milestones}


def _official_milestones(user):
    return Milestone.objects.filter(
        status=Milestone.Status.REPORTED, award__proposal__challenge__agency__officials=user
    )


def official_decisions(user) -> dict:
    """Reported milestones an official approves and submitted proposals they may award, without
    those a conflict of interest forbids (another official acts on them)."""
    official_milestones = _official_milestones(user).select_related("award__proposal__organisation")
    to_award = Proposal.objects.filter(
        status=Proposal.Status.SUBMITTED, challenge__agency__officials=user
    ).select_related("challenge", "organisation")
    conflicted = conflicts.conflicted_proposal_ids(
        user,
        {
            *official_milestones.values_list("award__proposal_id", flat=True),
            *to_award.values_list("pk", flat=True),
        },
    )
    return {
        "milestones_to_approve": official_milestones.exclude(award__proposal_id__in=conflicted),
        "proposals_to_award": to_award.exclude(pk__in=conflicted),
    }


def results_to_publish(user):
    """The official's live challenges with winners decided but results not yet public."""
    decided = Exists(Award.objects.filter(proposal__challenge=OuterRef("pk")))
    return (
        ChallengePage.objects.live()
        .filter(decided, agency__officials=user, results_published_at__isnull=True)
        .order_by("-closes_at", "pk")
    )


# The home: what needs the user now ----------------------------------------------------------


@dataclass(frozen=True)
class Task:
    label: str
    count: int
    url: str
    # The earliest due date among the counted rows, when they have one.
    due: datetime.date | None = None


@dataclass
class RoleTasks:
    role: str
    title: str
    tasks: list[Task] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(task.count for task in self.tasks)


ROLE_TITLES = {
    APPLICANT: _("As an applicant"),
    REVIEWER_GROUP: _("As a reviewer"),
    OFFICIAL_GROUP: _("As an official"),
    AGENCY_HEAD_GROUP: _("As an agency head"),
    FINANCE_GROUP: _("As a finance officer"),
    SPONSOR_GROUP: _("As a sponsor"),
}


def _area(name: str, anchor: str = "") -> str:
    return reverse(f"marketplace:workspace_{name}") + (f"#{anchor}" if anchor else "")


def _applicant_tasks(user) -> list[Task]:
    mine = Q(organisation__memberships__user=user)
    milestones = Milestone.objects.filter(
        status=Milestone.Status.PLANNED, award__proposal__organisation__memberships__user=user
    ).aggregate(n=Count("pk", distinct=True), due=Min("due_date"))
    return [
        Task(
            _("Draft proposals to finish"),
            Proposal.objects.filter(mine, status=Proposal.Status.DRAFT).distinct().count(),
            _area("proposals", "proposals-next"),
        ),
        Task(
            _("Invitations to join an organisation"),
            organisation_selectors.pending_invitations_for(user).count(),
            _area("organisations", "organisation-invitations"),
        ),
        Task(
            _("Consortium invitations to answer"),
            ProposalPartner.objects.filter(mine, status=ProposalPartner.Status.INVITED).distinct().count(),
            _area("proposals", "partner-invitations"),
        ),
        Task(
            _("Agreements to accept"),
            Agreement.objects.filter(
                status=Agreement.Status.PENDING,
                award__proposal__organisation__memberships__user=user,
                award__proposal__organisation__memberships__role=Membership.Role.OWNER,
            ).count(),
            _area("proposals", "agreements"),
        ),
        Task(
            _("Milestones to report"),
            milestones["n"],
            _area("proposals", "milestones"),
            milestones["due"],
        ),
    ]


def _reviewer_tasks(user) -> list[Task]:
    status = ReviewAssignment.Status
    open_statuses = [status.AWAITING_DECLARATION, status.ACTIVE]
    to_declare = Q(status=status.AWAITING_DECLARATION)
    # An assignment stays active once its review is submitted: only those not submitted are to do.
    to_review = Q(status=status.ACTIVE) & (Q(review__isnull=True) | Q(review__status=Review.Status.DRAFT))
    row = ReviewAssignment.objects.filter(reviewer=user, status__in=open_statuses).aggregate(
        to_declare=Count("pk", filter=to_declare),
        to_review=Count("pk", filter=to_review),
        declare_due=Min("proposal__challenge__review_ends_on", filter=to_declare),
        review_due=Min("proposal__challenge__review_ends_on", filter=to_review),
    )
    url = _area("reviews", "reviews-to-do")
    return [
        Task(_("Conflict-of-interest declarations to make"), row["to_declare"], url, row["declare_due"]),
        Task(_("Reviews to do"), row["to_review"], url, row["review_due"]),
    ]


def _official_tasks(user) -> list[Task]:
    reported = _official_milestones(user)
    conflicted = conflicts.conflicted_proposal_ids(
        user, set(reported.values_list("award__proposal_id", flat=True).distinct())
    )
    return [
        Task(
            _("Proposals to screen"),
            Proposal.objects.filter(
                challenge__agency__officials=user,
                status__in=[Proposal.Status.SUBMITTED, Proposal.Status.SCREENING],
            ).count(),
            _area("approvals", "proposals-to-screen"),
        ),
        Task(
            _("Questions to answer"),
            Question.objects.awaiting_answer().filter(challenge__agency__officials=user).count(),
            _area("approvals", "questions-to-answer"),
        ),
        Task(
            _("Organisations to verify"),
            organisation_selectors.organisations_to_verify(user).count(),
            _area("approvals", "organisations-to-verify"),
        ),
        Task(
            _("Milestones to approve"),
            reported.exclude(award__proposal_id__in=conflicted).count(),
            _area("approvals", "milestones-to-approve"),
        ),
        Task(
            _("Results to publish"),
            results_to_publish(user).count(),
            _area("approvals", "results-to-publish"),
        ),
    ]


def _agency_head_tasks(user) -> list[Task]:
    # The same list as the admin dashboard's "Awaiting your review" (the four-eyes task included).
    return [
        Task(
            _("Pages awaiting your approval"),
            TaskState.objects.reviewable_by(user).count(),
            reverse("wagtailadmin_home"),
        )
    ]


def _finance_tasks(user) -> list[Task]:
    return [
        Task(
            _("Payments to release or retry"),
            payments_api.disbursements_awaiting_release().count(),
            _area("finance", "payments"),
        ),
        Task(
            _("Pledges to reconcile"),
            payments_api.pledges_awaiting_confirmation().count(),
            _area("finance", "sponsor-contributions"),
        ),
        Task(
            _("Failed payment notifications"),
            payments_api.failed_webhook_events().count(),
            reverse("marketplace:finance_failed_webhook_list"),
        ),
    ]


def _sponsor_tasks(user) -> list[Task]:
    return [
        Task(
            _("Pledges waiting for your transfer"),
            payments_api.pledges_awaiting_confirmation().filter(sponsor=user).count(),
            _area("finance", "my-contributions"),
        )
    ]


ROLE_TASKS = {
    APPLICANT: _applicant_tasks,
    REVIEWER_GROUP: _reviewer_tasks,
    OFFICIAL_GROUP: _official_tasks,
    AGENCY_HEAD_GROUP: _agency_head_tasks,
    FINANCE_GROUP: _finance_tasks,
    SPONSOR_GROUP: _sponsor_tasks,
}


def needs_you_now(user) -> list[RoleTasks]:
    """For each of the user's roles, the counts of what waits for them, with where to act.
    A fixed number of queries for each role, whatever the counts."""
    return [
        RoleTasks(role=role, title=str(ROLE_TITLES[role]), tasks=ROLE_TASKS[role](user))
        for role in workspace_roles(user)
    ]
