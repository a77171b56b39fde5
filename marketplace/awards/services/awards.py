"""Writes for the marketplace. Views, API, admin, tasks and commands call these and do
nothing else to the data. Each raises DomainError with a user-facing message when refused."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core import audit, messaging
from core.actors import Person
from core.errors import DomainError, require
from core.money import format_money
from core.references import award_reference, organisation_reference
from marketplace.awards import permissions, signals
from marketplace.awards import workflows as awards_workflows
from marketplace.awards.models import Award, InKindDrawdown, Milestone
from marketplace.awards.services.determinations import (  # noqa: F401
    agreement_create,
    milestone_report,
    require_challenge_closed,
)
from marketplace.challenges.models import ChallengePage, Incentive
from marketplace.challenges.services.funds import challenge_fund, payment_rules
from marketplace.proposals import workflows as proposals_workflows
from marketplace.proposals.models import Proposal
from payments import api as payments_api
from payments.models import Commitment, Disbursement


def _validate(instance) -> None:
    try:
        instance.full_clean()
    except ValidationError as exc:
        first_field, messages = next(iter(exc.message_dict.items()))
        raise DomainError(messages[0], field=first_field) from exc


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
    by: Person,
    in_kind: dict[int, int] | None = None,
    conditions: str = "",
) -> Award:
    """Fund a submitted proposal. Milestone amounts must sum to the award, and the fund must
    hold the money (the award commits it). ``in_kind`` maps the challenge's in-kind offers (by
    id) to the units the winner receives: the award draws them down. ``conditions`` makes it an
    award with conditions. The grantee's owners are asked to accept the agreement; the project
    starts when they do. Refused otherwise (an offer short of capacity too); nothing changes."""
    require(permissions.can_award_proposal(by, proposal))
    if not milestones:
        raise DomainError(_("An award needs at least one milestone."))
    if sum(m.amount for m in milestones) != amount:
        raise DomainError(_("The milestone amounts must add up to the amount awarded."))
    if any(m.amount <= 0 for m in milestones):
        raise DomainError(_("Every milestone needs an amount greater than zero."))
    with transaction.atomic(), payment_rules():
        # The challenge first: concurrent awards of one challenge count its winners in turn.
        challenge = ChallengePage.objects.select_for_update().get(pk=proposal.challenge_id)
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        _check_award_bounds(challenge, locked, amount)
        before = locked.status
        proposals_workflows.proposal_perform(proposal=locked, name="award", by=by)
        after = locked.status
        award = Award.objects.create(
            proposal=locked,
            amount=amount,
            currency=locked.currency,
            awarded_by=by,
            conditions=conditions.strip(),
            # Awarded after the results were published: public at once, like the others.
            public=challenge.results_published_at is not None,
        )
        # The amount is a determination: public only once the challenge's results are.
        commitment = payments_api.commitment_create(
            fund=challenge_fund(locked.challenge),
            reference=award_reference(award.pk),
            amount=amount,
            by=by,
            disclosed=locked.challenge.results_published_at is not None,
        )
        award.commitment_id = commitment.pk
        award.save(update_fields=["commitment_id"])
        Milestone.objects.bulk_create(
            Milestone(award=award, position=i, title=m.title, amount=m.amount, due_date=m.due_date)
            for i, m in enumerate(milestones)
        )
        _award_in_kind(award, in_kind or {}, by)
        agreement_create(award)
        audit.record_object(
            actor=by,
            action="award.created",
            obj=award,
            before={"status": before},
            after={"status": after, "amount": amount},
        )
        transaction.on_commit(lambda: signals.project_changed.send(sender=Award, award_id=award.pk))
    proposal.status = locked.status
    return award


def winners_allowed(challenge: ChallengePage) -> int | None:
    """How many proposals the challenge may fund: the winners its grants and prizes name, plus
    one per pilot contract. None when its incentives name no number (in-kind support or levy
    relief only: their capacity limits them instead)."""
    counted = 0
    named = False
    for incentive in challenge.incentives.all():
        if incentive.kind in (Incentive.Kind.GRANT, Incentive.Kind.PRIZE):
            counted, named = counted + incentive.winners, True
        elif incentive.kind == Incentive.Kind.PILOT:
            counted, named = counted + 1, True
    return counted if named else None


def _check_award_bounds(challenge: ChallengePage, proposal: Proposal, amount: int) -> None:
    """An award never exceeds what was asked, the challenge's maximum per winner or its number
    of winners, and is made only once the challenge has closed."""
    require_challenge_closed(
        challenge, _("Proposals can be awarded once the challenge has closed (%(date)s), not before.")
    )
    money = lambda value: format_money(value, proposal.currency)  # noqa: E731
    if amount > proposal.requested_amount:
        raise DomainError(
            _("The award may not exceed the amount the proposal requested (%(requested)s).")
            % {"requested": money(proposal.requested_amount)},
            field="amount",
        )
    if challenge.max_requested_amount and amount > challenge.max_requested_amount:
        raise DomainError(
            _("The award may not exceed the challenge's maximum per winner (%(maximum)s).")
            % {"maximum": money(challenge.max_requested_amount)},
            field="amount",
        )
    allowed = winners_allowed(challenge)
    if allowed is not None:
        awarded = (
            Award.objects.filter(proposal__challenge=challenge).exclude(agreement__status="declined").count()
        )
        if awarded >= allowed:
            raise DomainError(
                _("This challenge has %(count)s winner place(s) and all are awarded.") % {"count": allowed}
            )


def _award_in_kind(award: Award, quantities: dict[int, int], by: Person) -> None:
    """Draw the in-kind offers down for the award (inside the award's transaction)."""
    wanted = {pk: qty for pk, qty in quantities.items() if qty}
    offers = Incentive.objects.filter(pk__in=wanted, challenge_id=award.proposal.challenge_id)
    if len(offers) != len(wanted):
        raise DomainError(_("This award is for another challenge."))
    for offer in offers:
        incentive_draw_down(incentive=offer, award=award, quantity=wanted[offer.pk], by=by)


def milestone_approve(*, milestone: Milestone, by: Person) -> Milestone:
    """Approve a reported milestone and queue its payment for a finance officer's release."""
    require(permissions.can_approve_milestone(by, milestone))
    with transaction.atomic(), payment_rules():
        locked = (
            Milestone.objects.select_for_update()
            .select_related("award__proposal__organisation")
            .get(pk=milestone.pk)
        )
        before, after = awards_workflows.milestone_transition(locked, "approve")
        award = locked.award
        assert award.commitment_id is not None  # award_create records it
        disbursement = payments_api.disbursement_create(
            commitment=Commitment.objects.get(pk=award.commitment_id),
            reference=_milestone_payment_reference(locked),
            amount=locked.amount,
            payee_reference=organisation_reference(award.proposal.organisation_id),
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


def disbursement_release(*, disbursement: Disbursement, by: Person) -> Disbursement:
    """Release a milestone payment (four eyes, finance role); payments sends it after commit
    (Stripe transfer, or the treasury's bank transfer recorded later). Never pays twice."""
    with payment_rules():
        return payments_api.disbursement_release(disbursement=disbursement, by=by)


def _follow_payment(disbursement_id: int, *, transition: str, action: str, was_paid: bool) -> None:
    """The milestone paid by the disbursement takes ``transition`` if it is (``was_paid``) or is
    not yet paid; otherwise, or without such a milestone, nothing changes (the news came before)."""
    with transaction.atomic():
        milestone = Milestone.objects.select_for_update().filter(disbursement_id=disbursement_id).first()
        if milestone is None or (milestone.status == Milestone.Status.PAID) != was_paid:
            return
        before, after = awards_workflows.milestone_transition(milestone, transition)
        milestone.save(update_fields=["status"])
        audit.record_transition(actor=None, obj=milestone, action=action, before=before, after=after)
        award_id = milestone.award_id
        transaction.on_commit(lambda: signals.project_changed.send(sender=Award, award_id=award_id))


def milestone_mark_paid(*, disbursement_id: int) -> None:
    """Called when payments announces a paid disbursement. Idempotent."""
    _follow_payment(disbursement_id, transition="mark_paid", action="milestone.paid", was_paid=False)


def on_disbursement_paid(sender, *, disbursement, **kwargs) -> None:
    milestone_mark_paid(disbursement_id=disbursement.pk)


def milestone_payment_reversed(*, disbursement_id: int) -> None:
    """Called when payments announces that a paid disbursement came back (a reversed transfer):
    the milestone waits for its payment again (the retry pays it). Idempotent."""
    _follow_payment(
        disbursement_id, transition="payment_reversed", action="milestone.payment_reversed", was_paid=True
    )


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
        before, after = awards_workflows.milestone_transition(milestone, "payment_cancelled")
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
        messaging.notify(
            kind=messaging.Kind.AWARDS, users=[milestone.approved_by], message=message, url="/workspace/"
        )
        award_id = milestone.award_id
        transaction.on_commit(lambda: signals.project_changed.send(sender=Award, award_id=award_id))


def on_disbursement_failed(sender, *, disbursement, reversed=False, **kwargs) -> None:
    if reversed:
        milestone_payment_reversed(disbursement_id=disbursement.pk)


def on_disbursement_cancelled(sender, *, disbursement, **kwargs) -> None:
    milestone_payment_cancelled(disbursement_id=disbursement.pk, reason=disbursement.cancelled_reason)


# In-kind offers given to a winner --------------------------------------------------------


def incentive_draw_down(*, incentive: Incentive, award: Award, quantity: int, by: Person) -> InKindDrawdown:
    """Give ``quantity`` units of an in-kind offer to an award's grantee.

    Refuses (DomainError) when ``by`` is not an official of the challenge's agency or has a
    conflict of interest on the award's proposal, when the
    offer is not in-kind, belongs to another challenge or has expired, and when ``quantity``
    exceeds what remains. Concurrent draw-downs on one offer are serialised by a row lock, so
    the offer never gives more than its quantity."""
    challenge = incentive.challenge
    require(permissions.can_award(by, challenge))
    require(permissions.can_award_proposal(by, award.proposal))  # and no conflict of interest
    if incentive.kind != Incentive.Kind.IN_KIND or not incentive.quantity:
        raise DomainError(_("Only in-kind offers with a quantity can be drawn down."))
    if award.proposal.challenge_id != incentive.challenge_id:
        raise DomainError(_("This award is for another challenge."))
    if quantity is None or quantity < 1:
        raise DomainError(_("Give at least one unit."), field="quantity")
    today = timezone.localdate(timezone=challenge.region.zoneinfo)
    if incentive.expires_on and incentive.expires_on < today:
        raise DomainError(
            _("This offer expired on %(date)s.") % {"date": date_format(incentive.expires_on, "DATE_FORMAT")}
        )
    with transaction.atomic():
        locked = Incentive.objects.select_for_update().get(pk=incentive.pk)
        drawn = locked.drawdowns.aggregate(total=Sum("quantity"))["total"] or 0
        remaining = locked.quantity - drawn
        if quantity > remaining:
            raise DomainError(
                _("Only %(remaining)s %(unit)s of this offer remain; %(quantity)s were asked for.")
                % {"remaining": remaining, "unit": locked.unit, "quantity": quantity},
                field="quantity",
            )
        drawdown = InKindDrawdown.objects.create(
            incentive=locked, award=award, quantity=quantity, created_by=by
        )
        audit.record_object(
            actor=by,
            action="incentive.drawn_down",
            obj=locked,
            before={"remaining": remaining},
            after={"remaining": remaining - quantity, "award": award.pk, "quantity": quantity},
        )
    return drawdown
