"""Writes for the marketplace. Views, API, admin, tasks and commands call these and do
nothing else to the data. Each raises DomainError with a user-facing message when refused."""

from __future__ import annotations

import datetime
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from marketplace import audit, messaging, permissions, signals, workflows
from marketplace.errors import DomainError, require
from marketplace.models import Award, ChallengePage, Incentive, Milestone, Proposal
from marketplace.services.challenges import incentive_draw_down
from marketplace.services.determinations import agreement_create, milestone_report  # noqa: F401
from payments import api as payments_api
from payments.api import PaymentError
from payments.models import Commitment, Disbursement, Fund


@contextmanager
def _payment_rules():
    """Money rules speak through PaymentError; the marketplace edges know DomainError."""
    try:
        yield
    except PaymentError as exc:
        raise DomainError(exc.message) from exc


def _validate(instance) -> None:
    try:
        instance.full_clean()
    except ValidationError as exc:
        first_field, messages = next(iter(exc.message_dict.items()))
        raise DomainError(messages[0], field=first_field) from exc


# Organisations, members, verification, profiles: see marketplace.services.organisations
# (re-exported at the end of this module).


# Proposals: see marketplace.services.proposals (re-exported at the end of this module).


# Funds -----------------------------------------------------------------------------------


def challenge_fund(challenge: ChallengePage) -> Fund:
    return payments_api.fund_get_or_create(reference=f"challenge:{challenge.pk}", name=challenge.title[:255])


def allocation_record(
    *, challenge: ChallengePage, amount: int, by, reference: str, description: str = "", idempotency_key: str
) -> None:
    """A finance officer records APBD money into the challenge's fund. Idempotent per key."""
    with _payment_rules():
        payments_api.allocation_record(
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


def award_create(
    *,
    proposal: Proposal,
    amount: int,
    milestones: list[MilestonePlan],
    by,
    in_kind: dict[int, int] | None = None,
    conditions: str = "",
) -> Award:
    """Fund a submitted proposal. Milestone amounts must sum to the award, and the fund must
    hold the money (the award commits it). ``in_kind`` maps the challenge's in-kind offers (by
    id) to the units the winner receives: the award draws them down. ``conditions`` makes it an
    award with conditions. The grantee's owners are asked to accept the agreement; the project
    starts when they do. Refused otherwise (an offer short of capacity too); nothing changes."""
    require(permissions.can_award(by, proposal.challenge))
    if not milestones:
        raise DomainError(_("An award needs at least one milestone."))
    if sum(m.amount for m in milestones) != amount:
        raise DomainError(_("The milestone amounts must add up to the amount awarded."))
    if any(m.amount <= 0 for m in milestones):
        raise DomainError(_("Every milestone needs an amount greater than zero."))
    with transaction.atomic(), _payment_rules():
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        before = locked.status
        workflows.proposal_perform(proposal=locked, name="award", by=by)
        after = locked.status
        award = Award.objects.create(
            proposal=locked,
            amount=amount,
            currency=locked.currency,
            awarded_by=by,
            conditions=conditions.strip(),
        )
        commitment = payments_api.commitment_create(
            fund=challenge_fund(locked.challenge), reference=f"award:{award.pk}", amount=amount, by=by
        )
        award.commitment_id = commitment.pk
        award.save(update_fields=["commitment_id"])
        Milestone.objects.bulk_create(
            Milestone(award=award, position=i, title=m.title, amount=m.amount, due_date=m.due_date)
            for i, m in enumerate(milestones)
        )
        _award_in_kind(award, in_kind or {}, by)
        agreement_create(award)
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


def _award_in_kind(award: Award, quantities: dict[int, int], by) -> None:
    """Draw the in-kind offers down for the award (inside the award's transaction)."""
    wanted = {pk: qty for pk, qty in quantities.items() if qty}
    offers = Incentive.objects.filter(pk__in=wanted, challenge_id=award.proposal.challenge_id)
    if len(offers) != len(wanted):
        raise DomainError(_("This award is for another challenge."))
    for offer in offers:
        incentive_draw_down(incentive=offer, award=award, quantity=wanted[offer.pk], by=by)


def milestone_approve(*, milestone: Milestone, by) -> Milestone:
    """Approve a reported milestone and queue its payment for a finance officer's release."""
    require(permissions.can_approve_milestone(by, milestone))
    with transaction.atomic(), _payment_rules():
        locked = (
            Milestone.objects.select_for_update()
            .select_related("award__proposal__organisation")
            .get(pk=milestone.pk)
        )
        before, after = workflows.milestone_transition(locked, "approve")
        award = locked.award
        disbursement = payments_api.disbursement_create(
            commitment=Commitment.objects.get(pk=award.commitment_id),
            reference=_milestone_payment_reference(locked),
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


def _milestone_payment_reference(milestone: Milestone) -> str:
    """``milestone:<id>``; a milestone approved again after finance cancelled its payment gets
    ``milestone:<id>:<n>`` (a payment's reference is unique and never reused)."""
    earlier = Disbursement.objects.filter(
        Q(reference=f"milestone:{milestone.pk}") | Q(reference__startswith=f"milestone:{milestone.pk}:")
    ).count()
    return f"milestone:{milestone.pk}" if not earlier else f"milestone:{milestone.pk}:{earlier + 1}"


def disbursement_release(*, disbursement: Disbursement, by) -> Disbursement:
    """Release a milestone payment (four eyes, finance role); payments sends it after commit
    (Stripe transfer, or the treasury's bank transfer recorded later). Never pays twice."""
    with _payment_rules():
        return payments_api.disbursement_release(disbursement=disbursement, by=by)


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


def milestone_payment_reversed(*, disbursement_id: int) -> None:
    """Called when payments announces that a paid disbursement came back (a reversed transfer):
    the milestone waits for its payment again (the retry pays it). Idempotent."""
    with transaction.atomic():
        milestone = Milestone.objects.select_for_update().filter(disbursement_id=disbursement_id).first()
        if milestone is None or milestone.status != Milestone.Status.PAID:
            return
        before, after = workflows.milestone_transition(milestone, "payment_reversed")
        milestone.save(update_fields=["status"])
        audit.record_transition(
            actor=None, obj=milestone, action="milestone.payment_reversed", before=before, after=after
        )
        award_id = milestone.award_id
        transaction.on_commit(lambda: signals.project_changed.send(sender=Award, award_id=award_id))


def milestone_payment_cancelled(*, disbursement_id: int, reason: str = "") -> None:
    """Called when payments announces that finance cancelled a milestone's payment: the
    milestone goes back to "reported", so the official may approve it again (which requests a
    new payment). The approving official is told. Idempotent."""
    with transaction.atomic():
        milestone = (
            Milestone.objects.select_for_update()
            .select_related("award__proposal")
            .filter(disbursement_id=disbursement_id)
            .first()
        )
        if milestone is None or milestone.status != Milestone.Status.APPROVED:
            return
        before, after = workflows.milestone_transition(milestone, "payment_cancelled")
        milestone.save(update_fields=["status"])
        audit.record_transition(
            actor=None,
            obj=milestone,
            action="milestone.payment_cancelled",
            before=before,
            after=after,
            note=reason,
        )
        with translation.override(settings.LANGUAGE_CODE):
            message = _(
                "The payment for milestone “%(milestone)s” was cancelled by finance (%(reason)s); "
                "approve the milestone again to request a new payment."
            ) % {"milestone": milestone.title, "reason": reason}
        messaging.notify(users=[milestone.approved_by], message=message, url="/workspace/")
        award_id = milestone.award_id
        transaction.on_commit(lambda: signals.project_changed.send(sender=Award, award_id=award_id))


def on_disbursement_failed(sender, *, disbursement, reversed=False, **kwargs) -> None:
    if reversed:
        milestone_payment_reversed(disbursement_id=disbursement.pk)


def on_disbursement_cancelled(sender, *, disbursement, **kwargs) -> None:
    milestone_payment_cancelled(disbursement_id=disbursement.pk, reason=disbursement.cancelled_reason)


# Organisations and proposals live in their own modules; callers keep using
# ``services.organisation_create``, ``services.proposal_submit`` etc.
from marketplace.services.organisations import (  # noqa: E402, F401
    document_upload,
    invitation_accept,
    invitation_create,
    invitation_decline,
    membership_remove,
    organisation_create,
    organisation_unverify,
    organisation_update,
    organisation_verify,
    profile_get,
    profile_update,
)
from marketplace.services.proposals import (  # noqa: E402, F401
    BudgetLinePlan,
    ChecklistItem,
    PlannedMilestonePlan,
    TeamMemberPlan,
    proposal_attachment_add,
    proposal_attachment_remove,
    proposal_checklist,
    proposal_create,
    proposal_decide,
    proposal_partner_invite,
    proposal_partner_remove,
    proposal_partner_respond,
    proposal_reject,
    proposal_request_changes,
    proposal_save,
    proposal_snapshot,
    proposal_submit,
    proposal_update,
    proposal_withdraw,
)
