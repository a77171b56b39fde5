"""Reads shaped for their pages: every list here runs a fixed number of queries."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone

from marketplace.awards.models import Agreement, Award, Milestone, ProgressReport
from marketplace.challenges import permissions as challenges_permissions
from marketplace.challenges.models.challenges import ChallengePage
from marketplace.organisations import permissions as organisations_permissions
from marketplace.organisations.models import Organisation
from payments import api as payments_api

DELIVERY_STATUSES = Award.DeliveryStatus.choices


def _milestones_of_project() -> QuerySet[Milestone]:
    return Milestone.objects.filter(award=OuterRef("pk")).order_by().values("award")


def project_queryset() -> QuerySet[Award]:
    """Awards with what their cards show: disbursed so far, milestones still open and the
    delivery status. The sums are per-row subqueries, not a GROUP BY over the join, so a page
    of 20 costs 20 small lookups however many projects there are. The proposal's long texts,
    which no card or API answer shows, stay in the database."""
    paid = Q(status=Milestone.Status.PAID)
    disbursed = _milestones_of_project().filter(paid).annotate(total=Sum("amount")).values("total")
    still_open = _milestones_of_project().exclude(paid).annotate(count=Count("pk")).values("count")
    return (
        Award.objects.select_related("proposal__organisation")
        .defer(*(f"proposal__{name}" for name in PROPOSAL_TEXTS))
        # The challenges with their agency, region and sector in a query of their own: joined
        # into this one, the ten tables (two Wagtail pages among them) cost PostgreSQL 15 to
        # 30 ms of planning for a query that runs in one.
        .prefetch_related(
            Prefetch(
                "proposal__challenge",
                queryset=ChallengePage.objects.select_related("agency__region", "sector"),
            )
        )
        .annotate(
            amount_disbursed=Coalesce(Subquery(disbursed), Value(0)),
            milestones_open=Coalesce(Subquery(still_open), Value(0)),
        )
        .annotate(
            delivery_status=Case(
                When(
                    ~Q(agreement__status=Agreement.Status.ACCEPTED), then=Value(Award.DeliveryStatus.STARTING)
                ),
                When(milestones_open=0, then=Value(Award.DeliveryStatus.COMPLETED)),
                default=Value(Award.DeliveryStatus.DELIVERY),
                output_field=CharField(),
            )
        )
    )


# The proposal's texts a project card, page or API answer never shows.
PROPOSAL_TEXTS = ("problem", "solution", "inclusion", "plan")

# Public once the official published the challenge's results, unless the grantee declined.
PUBLIC_PROJECT = Q(proposal__challenge__results_published_at__isnull=False) & ~Q(agreement__status="declined")
# The same, as the column the services keep (``Award.public``): what the lists read, in the
# order of an index.
LISTED = Q(public=True)


def delivery_status_is(status: str) -> Q:
    """The filter for one ``delivery_status`` written as joins and EXISTS rather than on the
    annotation, so the database stops at the page's LIMIT instead of computing every
    project's status first."""
    accepted = Q(agreement__status=Agreement.Status.ACCEPTED)
    if status == Award.DeliveryStatus.STARTING:
        return ~accepted
    unpaid = Exists(_milestones_of_project().exclude(status=Milestone.Status.PAID))
    return accepted & (~unpaid if status == Award.DeliveryStatus.COMPLETED else unpaid)


def project_list() -> QuerySet[Award]:
    """Funded projects the public may see, newest first."""
    return project_queryset().filter(LISTED).order_by("-awarded_at", "-pk")


def project_years() -> list[int]:
    """The years (in the current timezone) in which a public project was awarded, newest
    first: one query that jumps from year to year down the list's index, a step per year
    whatever the number of projects."""
    if connection.vendor != "postgresql":  # the embedded default (SQLite): a plain distinct
        years = Award.objects.filter(public=True).annotate(year=ExtractYear("awarded_at"))
        return list(years.values_list("year", flat=True).distinct().order_by("-year"))
    zone = timezone.get_current_timezone_name()
    table = connection.ops.quote_name(Award._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""WITH RECURSIVE years(year) AS (
                SELECT (SELECT EXTRACT(YEAR FROM max(awarded_at) AT TIME ZONE %s)::int
                        FROM {table} WHERE public)
                UNION ALL
                SELECT (SELECT EXTRACT(YEAR FROM max(a.awarded_at) AT TIME ZONE %s)::int
                        FROM {table} a
                        WHERE a.public AND a.awarded_at < make_timestamptz(years.year, 1, 1, 0, 0, 0, %s))
                FROM years WHERE years.year IS NOT NULL
            )
            SELECT year FROM years WHERE year IS NOT NULL""",
            [zone, zone, zone],
        )
        return [row[0] for row in cursor.fetchall()]


def project_for(user, pk: int) -> Award | None:
    """A project page: public ones for anyone; before the results are published, only the
    grantee's members and the challenge's officials see it. One query for the project."""
    project = project_queryset().select_related("agreement").filter(pk=pk).first()
    if project is None:
        return None
    if project.public:
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
        .select_related("reported_by", "approved_by", "progress_report")
        .prefetch_related("evidence", "replans")
        .order_by("position", "due_date")
    )


def organisation_projects(organisation: Organisation) -> QuerySet[Award]:
    return project_list().filter(proposal__organisation=organisation)


# The public account of delivery --------------------------------------------------------------


@dataclass
class DeliveryEvent:
    at: datetime.datetime
    kind: str  # awarded, agreement, reported, report_published, accepted, paid
    milestone: Milestone | None = None
    payout: payments_api.PublicPayout | None = None


@dataclass
class MilestoneDelivery:
    milestone: Milestone
    # Only a report the grantee marked public; None otherwise.
    report: ProgressReport | None
    payout: payments_api.PublicPayout | None

    @property
    def delivered_at(self) -> datetime.datetime | None:
        """When the grantee reported it done (a milestone sent back for revision is not)."""
        if self.milestone.status == Milestone.Status.PLANNED:
            return None
        return self.milestone.reported_at

    @property
    def accepted_at(self) -> datetime.datetime | None:
        if self.milestone.status in (Milestone.Status.APPROVED, Milestone.Status.PAID):
            return self.milestone.approved_at
        return None


@dataclass
class PublicDelivery:
    milestones: list[MilestoneDelivery]
    # Newest first.
    events: list[DeliveryEvent] = field(default_factory=list)

    @property
    def last_updated(self) -> datetime.datetime | None:
        return self.events[0].at if self.events else None


def project_public_delivery(project: Award) -> PublicDelivery:
    """What the public sees of a project's delivery, in two queries whatever its size: each
    milestone's planned and actual dates, the progress report its grantee made public, the
    agency's acceptance (a date and the agency, never the official) and the payment with its
    date and rail; and the timeline of these events, newest first. Nothing else: drafts of the
    report, the report sent to the agency and its evidence files stay out."""
    milestones = list(
        Milestone.objects.filter(award=project)
        .select_related("progress_report")
        .order_by("position", "due_date")
    )
    payouts = payments_api.public_payouts(
        disbursement_ids=[m.disbursement_id for m in milestones if m.disbursement_id]
    )
    rows = []
    for milestone in milestones:
        report = getattr(milestone, "progress_report", None)
        rows.append(
            MilestoneDelivery(
                milestone=milestone,
                report=report if report is not None and report.public else None,
                payout=payouts.get(milestone.disbursement_id) if milestone.disbursement_id else None,
            )
        )
    events = [DeliveryEvent(at=project.awarded_at, kind="awarded")]
    agreement = getattr(project, "agreement", None)  # selected with the project
    if agreement is not None and agreement.status == Agreement.Status.ACCEPTED and agreement.decided_at:
        events.append(DeliveryEvent(at=agreement.decided_at, kind="agreement"))
    for row in rows:
        if row.delivered_at:
            events.append(DeliveryEvent(at=row.delivered_at, kind="reported", milestone=row.milestone))
        if row.report is not None and row.report.published_at:
            events.append(
                DeliveryEvent(at=row.report.published_at, kind="report_published", milestone=row.milestone)
            )
        if row.accepted_at:
            events.append(DeliveryEvent(at=row.accepted_at, kind="accepted", milestone=row.milestone))
        if row.payout is not None:
            events.append(
                DeliveryEvent(at=row.payout.paid_at, kind="paid", milestone=row.milestone, payout=row.payout)
            )
    events.sort(key=lambda event: event.at, reverse=True)
    return PublicDelivery(milestones=rows, events=events)
