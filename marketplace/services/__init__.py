"""Writes for the marketplace. Views, API, admin, tasks and commands call these and do
nothing else to the data. Each raises DomainError with a user-facing message when refused."""

from __future__ import annotations

import datetime
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from marketplace import audit, permissions, signals, workflows
from marketplace.errors import DomainError
from marketplace.models import Award, ChallengePage, Milestone, Organisation, Proposal
from payments import services as payment_services
from payments.errors import PaymentError
from payments.models import Commitment, Disbursement, Fund


@contextmanager
def _payment_rules():
    """Money rules speak through PaymentError; the marketplace edges know DomainError."""
    try:
        yield
    except PaymentError as exc:
        raise DomainError(exc.message) from exc


def _check(result: tuple[bool, str]) -> None:
    allowed, reason = result
    if not allowed:
        raise DomainError(reason)


def _validate(instance) -> None:
    try:
        instance.full_clean()
    except ValidationError as exc:
        first_field, messages = next(iter(exc.message_dict.items()))
        raise DomainError(messages[0], field=first_field) from exc


# Organisations ---------------------------------------------------------------------------


def _unique_slug(name: str) -> str:
    base = slugify(name)[:70] or "organisasi"
    slug, n = base, 2
    while Organisation.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def organisation_create(
    *, by, name: str, kind: str, region=None, sectors=(), description: str = "", website: str = ""
) -> Organisation:
    """Create an organisation with ``by`` as its owner."""
    organisation = Organisation(
        name=name.strip(),
        slug=_unique_slug(name),
        kind=kind,
        region=region,
        description=description,
        website=website,
    )
    _validate(organisation)
    with transaction.atomic():
        organisation.save()
        organisation.sectors.set(sectors)
        organisation.memberships.create(user=by, role="owner")
        audit.record(
            actor=by,
            action="organisation.created",
            object_type="marketplace.organisation",
            object_id=organisation.pk,
            after={"name": organisation.name},
        )
    return organisation


# Proposals -------------------------------------------------------------------------------

PROPOSAL_FIELDS = ("title", "summary", "plan", "requested_amount")


def proposal_create(
    *,
    by,
    organisation: Organisation,
    challenge: ChallengePage,
    title: str,
    summary: str,
    plan: str = "",
    requested_amount: int,
    now: datetime.datetime | None = None,
) -> Proposal:
    """Start a draft for a challenge that has not closed. ``now`` is for imports and demo data."""
    if not permissions.is_member(by, organisation):
        raise DomainError(_("You can only apply on behalf of an organisation you belong to."))
    if (now or timezone.now()) >= challenge.closes_at or challenge.outcome:
        raise DomainError(_("This challenge is closed for proposals."))
    proposal = Proposal(
        challenge=challenge,
        organisation=organisation,
        title=title,
        summary=summary,
        plan=plan,
        requested_amount=requested_amount,
        created_by=by,
    )
    _validate(proposal)
    with transaction.atomic():
        proposal.save()
        audit.record(
            actor=by,
            action="proposal.created",
            object_type="marketplace.proposal",
            object_id=proposal.pk,
            after={"title": title},
        )
    return proposal


def proposal_update(*, proposal: Proposal, by, **changes) -> Proposal:
    _check(permissions.can_edit_proposal(by, proposal))
    if proposal.status != Proposal.Status.DRAFT:
        raise DomainError(_("A submitted proposal can no longer be edited."))
    for name, value in changes.items():
        if name not in PROPOSAL_FIELDS:
            raise ValueError(name)
        setattr(proposal, name, value)
    _validate(proposal)
    with transaction.atomic():
        proposal.save()
        audit.record(
            actor=by,
            action="proposal.updated",
            object_type="marketplace.proposal",
            object_id=proposal.pk,
            after={k: str(v) for k, v in changes.items()},
        )
    return proposal


def proposal_submit(*, proposal: Proposal, by, now: datetime.datetime | None = None) -> Proposal:
    """Submit a draft before the deadline. Refused after it; nothing changes then."""
    now = now or timezone.now()
    _check(permissions.can_edit_proposal(by, proposal))
    challenge = proposal.challenge
    if now < challenge.opens_at:
        raise DomainError(_("This challenge does not accept proposals yet."))
    if now >= challenge.closes_at or challenge.outcome:
        closes = timezone.localtime(challenge.closes_at, challenge.region.zoneinfo)
        raise DomainError(
            _("The deadline has passed (%(deadline)s %(zone)s); the proposal was not submitted.")
            % {"deadline": closes.strftime("%d-%m-%Y %H:%M"), "zone": challenge.region.zone_label}
        )
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        before, after = workflows.proposal_transition(locked, "submit")
        locked.submitted_at = now
        locked.save(update_fields=["status", "submitted_at"])
        audit.record_transition(actor=by, obj=locked, action="proposal.submitted", before=before, after=after)
    proposal.status, proposal.submitted_at = locked.status, locked.submitted_at
    return proposal


def _proposal_decide(*, proposal: Proposal, by, transition: str) -> Proposal:
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        before, after = workflows.proposal_transition(locked, transition)
        locked.save(update_fields=["status"])
        audit.record_transition(actor=by, obj=locked, action=f"proposal.{after}", before=before, after=after)
    proposal.status = locked.status
    return proposal


def proposal_withdraw(*, proposal: Proposal, by) -> Proposal:
    """The applicant takes a draft or submitted proposal back."""
    _check(permissions.can_edit_proposal(by, proposal))
    return _proposal_decide(proposal=proposal, by=by, transition="withdraw")


def proposal_reject(*, proposal: Proposal, by) -> Proposal:
    """An official of the owning agency declines a submitted proposal."""
    _check(permissions.can_award(by, proposal.challenge))
    return _proposal_decide(proposal=proposal, by=by, transition="reject")


# Funds -----------------------------------------------------------------------------------


def challenge_fund(challenge: ChallengePage) -> Fund:
    return payment_services.fund_get_or_create(
        reference=f"challenge:{challenge.pk}", name=challenge.title[:255]
    )


def allocation_record(
    *, challenge: ChallengePage, amount: int, by, reference: str, description: str = "", idempotency_key: str
) -> None:
    """A finance officer records APBD money into the challenge's fund. Idempotent per key."""
    with _payment_rules():
        payment_services.allocation_record(
            fund=challenge_fund(challenge),
            amount=amount,
            by=by,
            reference=reference,
            description=description or _("APBD allocation for %(title)s") % {"title": challenge.title},
            idempotency_key=idempotency_key,
        )


# Awards and milestones -------------------------------------------------------------------


@dataclass(frozen=True)
class MilestonePlan:
    title: str
    amount: int
    due_date: datetime.date


def award_create(*, proposal: Proposal, amount: int, milestones: list[MilestonePlan], by) -> Award:
    """Fund a submitted proposal. Milestone amounts must sum to the award, and the fund must
    hold the money (the award commits it). Refused otherwise; nothing changes then."""
    _check(permissions.can_award(by, proposal.challenge))
    if not milestones:
        raise DomainError(_("An award needs at least one milestone."))
    if sum(m.amount for m in milestones) != amount:
        raise DomainError(_("The milestone amounts must add up to the amount awarded."))
    if any(m.amount <= 0 for m in milestones):
        raise DomainError(_("Every milestone needs an amount greater than zero."))
    with transaction.atomic(), _payment_rules():
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        before, after = workflows.proposal_transition(locked, "award")
        locked.save(update_fields=["status"])
        award = Award.objects.create(proposal=locked, amount=amount, currency=locked.currency, awarded_by=by)
        commitment = payment_services.commitment_create(
            fund=challenge_fund(locked.challenge), reference=f"award:{award.pk}", amount=amount, by=by
        )
        award.commitment_id = commitment.pk
        award.save(update_fields=["commitment_id"])
        Milestone.objects.bulk_create(
            Milestone(award=award, position=i, title=m.title, amount=m.amount, due_date=m.due_date)
            for i, m in enumerate(milestones)
        )
        audit.record(
            actor=by,
            action="award.created",
            object_type="marketplace.award",
            object_id=award.pk,
            before={"status": before},
            after={"status": after, "amount": amount},
        )
        transaction.on_commit(lambda: signals.project_changed.send(sender=Award, award_id=award.pk))
    proposal.status = locked.status
    return award


def milestone_report(*, milestone: Milestone, by, report: str) -> Milestone:
    _check(permissions.can_report_milestone(by, milestone))
    if not report.strip():
        raise DomainError(_("Describe what was delivered."), field="report")
    with transaction.atomic():
        locked = Milestone.objects.select_for_update().get(pk=milestone.pk)
        before, after = workflows.milestone_transition(locked, "report")
        locked.report, locked.reported_by, locked.reported_at = report.strip(), by, timezone.now()
        locked.save(update_fields=["status", "report", "reported_by", "reported_at"])
        audit.record_transition(actor=by, obj=locked, action="milestone.reported", before=before, after=after)
    return locked


def milestone_approve(*, milestone: Milestone, by) -> Milestone:
    """Approve a reported milestone and queue its payment for a finance officer's release."""
    _check(permissions.can_approve_milestone(by, milestone))
    with transaction.atomic(), _payment_rules():
        locked = (
            Milestone.objects.select_for_update()
            .select_related("award__proposal__organisation")
            .get(pk=milestone.pk)
        )
        before, after = workflows.milestone_transition(locked, "approve")
        award = locked.award
        disbursement = payment_services.disbursement_create(
            commitment=Commitment.objects.get(pk=award.commitment_id),
            reference=f"milestone:{locked.pk}",
            amount=locked.amount,
            payee_reference=f"organisation:{award.proposal.organisation_id}",
            requested_by=by,
            description=f"{award.proposal.title} — {locked.title}"[:255],
        )
        locked.approved_by, locked.approved_at = by, timezone.now()
        locked.disbursement_id = disbursement.pk
        locked.save(update_fields=["status", "approved_by", "approved_at", "disbursement_id"])
        audit.record_transition(actor=by, obj=locked, action="milestone.approved", before=before, after=after)
    return locked


def disbursement_release(*, disbursement: Disbursement, by, bank_reference: str = "") -> Disbursement:
    """Release a milestone payment (four-eyes, finance role). Never pays twice."""
    with _payment_rules():
        return payment_services.disbursement_release(
            disbursement=disbursement, by=by, bank_reference=bank_reference
        )


def milestone_mark_paid(*, disbursement_id: int) -> None:
    """Called when payments announces a paid disbursement. Idempotent."""
    with transaction.atomic():
        milestone = Milestone.objects.select_for_update().filter(disbursement_id=disbursement_id).first()
        if milestone is None or milestone.status == Milestone.Status.PAID:
            return
        before, after = workflows.milestone_transition(milestone, "mark_paid")
        milestone.save(update_fields=["status"])
        audit.record_transition(
            actor=None, obj=milestone, action="milestone.paid", before=before, after=after
        )
        award_id = milestone.award_id
        transaction.on_commit(lambda: signals.project_changed.send(sender=Award, award_id=award_id))


def on_disbursement_paid(sender, *, disbursement, **kwargs) -> None:
    milestone_mark_paid(disbursement_id=disbursement.pk)


def organisation_start_stripe_onboarding(
    *, organisation: Organisation, by, return_url: str, refresh_url: str
) -> str:
    """Connect the organisation to Stripe payouts; returns the provider's onboarding URL."""
    if not permissions.is_member(by, organisation):
        raise DomainError(_("Only members of the organisation may set up its payouts."))
    with _payment_rules():
        url = payment_services.recipient_start_stripe_onboarding(
            payee_reference=f"organisation:{organisation.pk}",
            email=by.email,
            country="ID",
            return_url=return_url,
            refresh_url=refresh_url,
        )
    audit.record(
        actor=by,
        action="organisation.stripe_onboarding_started",
        object_type="marketplace.organisation",
        object_id=organisation.pk,
    )
    return url
