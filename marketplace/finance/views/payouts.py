"""Payouts: an owner's payout page (bank transfer or Stripe Connect) and Stripe onboarding, the
officials' verification of bank details, and the finance officers' page for one payment
(release, the treasury's transfer with its proof, retry, cancel)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.files import private_file_response
from core.models import AuditEntry
from core.money import format_money
from core.references import ORGANISATION, organisation_reference, parse_reference, reference_prefix
from core.roles import is_finance, is_official
from core.views import Confirmation, deny_unless, form_action, post_action
from marketplace.awards.models import Milestone
from marketplace.awards.services import awards as services
from marketplace.challenges.models.regions import Agency
from marketplace.finance import permissions
from marketplace.finance import services as payout_services
from marketplace.finance.forms.payouts import (
    BankDetailsForm,
    BankVerifyForm,
    CancelForm,
    RecordPaymentForm,
    ReleaseForm,
)
from marketplace.finance.selectors import name_payments, payment_title
from marketplace.organisations.models.organisations import Organisation
from marketplace.proposals import permissions as proposals_permissions
from payments import api as payments_api
from payments.api import PaymentError, stripe_configured
from payments.models import Disbursement, Recipient

# An owner's payout settings -----------------------------------------------------------------------


def _organisation(slug: str) -> Organisation:
    return get_object_or_404(Organisation.objects.select_related("region"), slug=slug)


def _payouts_url(organisation: Organisation) -> str:
    return reverse("marketplace:organisation_payouts", kwargs={"slug": organisation.slug})


@login_required
def organisation_payouts(request, slug):
    organisation = _organisation(slug)
    deny_unless(permissions.can_manage_payouts(request.user, organisation))
    form = BankDetailsForm(request.POST or None)
    response = form_action(
        request,
        form,
        lambda data: payout_services.organisation_bank_details_set(
            organisation=organisation,
            by=request.user,
            bank_name=data["bank_name"],
            account_holder=data["account_holder"],
            account_number=data["account_number"],
        ),
        success=_(
            "Bank details saved. Payments go by bank transfer once an official of your region "
            "has verified them."
        ),
        redirect_to=_payouts_url(organisation),
    )
    if response:
        return response
    reference = payout_services.payee_reference(organisation)
    return render(
        request,
        "finance/payouts/organisation_payouts.html",
        {
            "organisation": organisation,
            "recipient": payments_api.recipient_for(payee_reference=reference),
            "payments": name_payments(payments_api.disbursements_for_payees(payee_references=[reference])),
            "stripe_enabled": stripe_configured(),
            "form": form,
        },
    )


def _start_onboarding(request, organisation: Organisation):
    slug = organisation.slug
    try:
        url = payout_services.organisation_connect_stripe(
            organisation=organisation,
            by=request.user,
            return_url=request.build_absolute_uri(
                reverse("marketplace:organisation_stripe_return", kwargs={"slug": slug})
            ),
            refresh_url=request.build_absolute_uri(
                reverse("marketplace:organisation_stripe_refresh", kwargs={"slug": slug})
            ),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(_payouts_url(organisation))
    return redirect(url)


@login_required
@require_POST
def organisation_stripe_onboarding(request, slug):
    organisation = _organisation(slug)
    deny_unless(permissions.can_manage_payouts(request.user, organisation))
    return _start_onboarding(request, organisation)


@login_required
def organisation_stripe_refresh(request, slug):
    """Stripe sends the owner here when an onboarding link expired or was used: a fresh link.
    (A GET, as Stripe redirects; it only makes a new link for the account already created.)"""
    organisation = _organisation(slug)
    deny_unless(permissions.can_manage_payouts(request.user, organisation))
    return _start_onboarding(request, organisation)


@login_required
def organisation_stripe_return(request, slug):
    organisation = _organisation(slug)
    deny_unless(permissions.can_manage_payouts(request.user, organisation))
    try:
        recipient = payout_services.organisation_stripe_returned(organisation=organisation, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if recipient is not None and recipient.rail == "stripe" and recipient.payouts_enabled:
            messages.success(request, _("Your Stripe account is connected; payments now go through Stripe."))
        elif recipient is not None and recipient.rail == "stripe":
            messages.info(
                request,
                _(
                    "Your Stripe account is connected; Stripe is still checking it before it can "
                    "receive payouts."
                ),
            )
        else:
            messages.info(
                request, _("The Stripe onboarding is not finished yet; continue it when you are ready.")
            )
    return redirect(_payouts_url(organisation))


# The officials' verification of bank details ------------------------------------------------------


def _last_change(recipient) -> AuditEntry | None:
    if recipient is None:
        return None
    return (
        AuditEntry.objects.select_related("actor")
        .filter(
            object_type="payments.recipient",
            object_id=str(recipient.pk),
            action="recipient.bank_details_changed",
        )
        .order_by("-created_at", "-pk")
        .first()
    )


@login_required
def organisation_bank_verify(request, slug):
    organisation = _organisation(slug)
    deny_unless(permissions.can_verify_bank_details(request.user, organisation))
    recipient = payments_api.recipient_for(payee_reference=payout_services.payee_reference(organisation))
    form = BankVerifyForm(
        request.POST or None, initial={"changed_at": recipient.bank_details_changed_at if recipient else None}
    )
    response = form_action(
        request,
        form,
        lambda data: payout_services.organisation_bank_details_verify(
            organisation=organisation, by=request.user, changed_at_seen=data["changed_at"]
        ),
        success=_("Bank details verified. Payments can now be made to them."),
        redirect_to="marketplace:workspace_approvals",
    )
    return response or render(
        request,
        "finance/payouts/bank_verify.html",
        {
            "organisation": organisation,
            "recipient": recipient,
            "last_change": _last_change(recipient),
            "form": form,
        },
    )


# One payment, for finance officers -------------------------------------------------------------


def _disbursement(pk: int) -> Disbursement:
    try:
        return payments_api.disbursement_detail(pk=pk)
    except Disbursement.DoesNotExist:
        raise Http404 from None


def _payment_url(pk: int) -> str:
    return reverse("marketplace:disbursement_release", kwargs={"pk": pk})


def _payment_page(request, disbursement: Disbursement, *, status: int = 200, **forms):
    organisation = payout_services.organisation_for_payee(disbursement.payee_reference)
    try:
        rail_now, not_payable = payments_api.payable_rail(recipient=disbursement.recipient), ""
    except PaymentError as exc:
        rail_now, not_payable = "", exc.message
    actions = payments_api.disbursement_actions(disbursement=disbursement, user=request.user)
    milestone = (
        Milestone.objects.filter(disbursement_id=disbursement.pk).select_related("award__proposal").first()
    )
    proposal = milestone.award.proposal if milestone is not None else None
    disbursement.title = payment_title(milestone, disbursement.description)
    return render(
        request,
        "finance/disbursement_release.html",
        {
            "disbursement": disbursement,
            "organisation": organisation,
            "recipient": disbursement.recipient,
            "rail_now": rail_now,
            "not_payable": not_payable,
            "actions": actions,
            # A conflicted finance officer sees the payment and is offered nothing to do with it.
            "conflict": permissions.payment_conflict(request.user, disbursement),
            "declare_conflict_on": proposal
            if proposal is not None
            and proposals_permissions.can_declare_conflict_on_proposal(request.user, proposal)[0]
            else None,
            "form": forms.get("form") or ReleaseForm(),
            "record_form": forms.get("record_form") or RecordPaymentForm(),
            "cancel_form": forms.get("cancel_form") or CancelForm(),
        },
        status=status,
    )


@login_required
def disbursement_release(request, pk):
    deny_unless(permissions.can_handle_payments(request.user))
    disbursement = _disbursement(pk)
    # Bound on every POST: the release form has no field, so its POST may be empty.
    form = ReleaseForm(request.POST if request.method == "POST" else None)
    response = form_action(
        request,
        form,
        lambda data: services.disbursement_release(disbursement=disbursement, by=request.user),
        success=_released_message,
        redirect_to="marketplace:workspace_finance",
        # Asked only when the release can go ahead; otherwise the refusal shows at once.
        confirm=(lambda data: _release_confirmation(disbursement))
        if _may_release(request.user, disbursement)
        else None,
    )
    return response or _payment_page(request, disbursement, form=form)


def _payment_name(disbursement: Disbursement) -> str:
    """The payment's stage and project, as its page names it."""
    milestone = (
        Milestone.objects.filter(disbursement_id=disbursement.pk).select_related("award__proposal").first()
    )
    return payment_title(milestone, disbursement.description)


def _may_release(user, disbursement: Disbursement) -> bool:
    if "release" not in payments_api.disbursement_actions(disbursement=disbursement, user=user):
        return False
    if permissions.payment_conflict(user, disbursement):
        return False
    try:
        payments_api.payable_rail(recipient=disbursement.recipient)
    except PaymentError:
        return False
    return True


def _release_confirmation(disbursement: Disbursement) -> Confirmation:
    organisation = payout_services.organisation_for_payee(disbursement.payee_reference)
    payee = organisation.name if organisation is not None else disbursement.payee_reference
    amount = format_money(disbursement.amount, disbursement.currency)
    rail = payments_api.payable_rail(recipient=disbursement.recipient)
    facts = [
        (_("Payment"), _payment_name(disbursement)),
        (_("Amount"), amount),
        (_("Paid to"), payee),
        (_("Payment rail"), str(Recipient.Rail(rail).label)),
        (_("Fund"), str(disbursement.commitment.fund)),
    ]
    if disbursement.description:
        facts.insert(1, (_("Description"), disbursement.description))
    return Confirmation(
        title=_("Release %(amount)s to %(payee)s?") % {"amount": amount, "payee": payee},
        facts=facts,
        what_happens=(
            _("%(amount)s is sent to %(payee)s's Stripe account by transfer, at once.")
            if rail == Recipient.Rail.STRIPE
            else _(
                "%(amount)s is to be paid to %(payee)s by the regional treasury's bank transfer; "
                "record its SP2D or receipt here once it is made."
            )
        )
        % {"amount": amount, "payee": payee},
        button=_("Yes, release %(amount)s") % {"amount": amount},
        back_url=_payment_url(disbursement.pk),
    )


def _released_message(disbursement: Disbursement) -> str:
    """Says what happens next: on the manual rail nothing is paid until the treasury transfers."""
    if disbursement.rail == "manual":
        return _(
            "Payment released. It now waits for the treasury (BPKAD) to transfer it; record the "
            "transfer and its proof on this payment once the treasury has paid."
        )
    return _("Payment released. It is being sent through the grantee's payment rail.")


def _payment_form_step(request, pk: int, form_class, form_name: str, service, success: str):
    """A finance officer's step on one payment that takes a form (record the treasury's transfer,
    cancel): done, back to the payment with ``success``; invalid or refused, the payment page
    with the form (``form_name`` in its context) showing why."""
    deny_unless(permissions.can_handle_payments(request.user))
    disbursement = _disbursement(pk)
    form = form_class(request.POST, request.FILES)
    response = form_action(
        request,
        form,
        lambda data: service(disbursement=disbursement, by=request.user, **data),
        success=success,
        redirect_to=_payment_url(pk),
    )
    return response or _payment_page(request, disbursement, **{form_name: form})


@login_required
@require_POST
def disbursement_record_paid(request, pk):
    success = _("The treasury's transfer is recorded: the payment is paid.")
    return _payment_form_step(
        request, pk, RecordPaymentForm, "record_form", payout_services.disbursement_record_paid, success
    )


@login_required
@require_POST
def disbursement_retry(request, pk):
    deny_unless(permissions.can_handle_payments(request.user))
    disbursement = _disbursement(pk)
    return post_action(
        request,
        lambda: payout_services.disbursement_retry(disbursement=disbursement, by=request.user),
        success=_("The payment is sent again."),
        redirect_to=_payment_url(pk),
    )


@login_required
@require_POST
def disbursement_cancel(request, pk):
    success = _("Payment cancelled; the money is back in the award's commitment.")
    return _payment_form_step(
        request, pk, CancelForm, "cancel_form", payout_services.disbursement_cancel, success
    )


@login_required
def disbursement_proof(request, pk):
    disbursement = get_object_or_404(Disbursement, pk=pk)
    organisation = payout_services.organisation_for_payee(disbursement.payee_reference)
    deny_unless(permissions.can_view_payment_proof(request.user, organisation))
    if not disbursement.proof:
        raise Http404
    try:
        kind = payments_api.proof_kind(fileobj=disbursement.proof.open("rb"))
    except FileNotFoundError:
        kind = None  # private_file_response answers 404 for it
    content_type, extension = kind or ("application/octet-stream", "bin")
    safe_reference = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in disbursement.reference)
    return private_file_response(
        disbursement.proof,
        download_name=f"bukti-{safe_reference}.{extension}",
        by=request.user,
        content_type=content_type,
    )


# Workspace sections -------------------------------------------------------------------------------


def payouts_workspace(request) -> dict:
    """Owners: how each of their organisations is paid, and its payments."""
    user = request.user
    if not user.is_authenticated:
        return {}
    context: dict = {}
    owned = list(
        Organisation.objects.filter(memberships__user=user, memberships__role="owner").order_by("name")
    )
    if owned:
        references = [payout_services.payee_reference(o) for o in owned]
        recipients = payments_api.recipients_for(payee_references=references)
        payments: dict[str, list] = {}
        for payment in name_payments(
            payments_api.disbursements_for_payees(payee_references=references, limit=50)
        ):
            payments.setdefault(payment.payee_reference, []).append(payment)
        context["payout_organisations"] = [
            {
                "organisation": o,
                "recipient": recipients.get(payout_services.payee_reference(o)),
                "payments": payments.get(payout_services.payee_reference(o), [])[:5],
            }
            for o in owned
        ]
        context["stripe_enabled"] = stripe_configured()
    return context


def bank_details_workspace(request) -> dict:
    """Officials: bank details waiting for their verification."""
    user = request.user
    if not (is_official(user) or user.is_superuser):
        return {}
    return {"bank_details_to_verify": _bank_details_to_verify(user)}


def finance_payments_workspace(request) -> dict:
    """Finance officers: the payments to release, send, record or follow (``None`` for others)."""
    if not is_finance(request.user):
        return {"finance_payments": None}
    open_payments = name_payments(payments_api.disbursements_open())
    names = _organisation_names([d.payee_reference for d in open_payments])
    for payment in open_payments:
        payment.payee_name = names.get(payment.payee_reference, payment.payee_reference)
    return {"finance_payments": open_payments}


def _organisation_names(payee_references: list[str]) -> dict[str, str]:
    ids = {pk for pk in (parse_reference(r, ORGANISATION) for r in payee_references) if pk is not None}
    return {
        organisation_reference(pk): name
        for pk, name in Organisation.objects.filter(pk__in=ids).values_list("pk", "name")
    }


def _bank_details_to_verify(user) -> list[dict]:
    """Organisations of the official's regions (or of none) whose bank details wait, not their own."""
    waiting = payments_api.recipients_awaiting_verification().filter(
        payee_reference__startswith=reference_prefix(ORGANISATION)
    )
    recipients = {r.payee_reference: r for r in waiting}
    ids = [pk for pk in (parse_reference(r, ORGANISATION) for r in recipients) if pk is not None]
    organisations = Organisation.objects.filter(pk__in=ids).exclude(memberships__user=user)
    if not user.is_superuser:
        regions = Agency.objects.filter(officials=user).values("region_id")
        organisations = organisations.filter(Q(region_id__in=regions) | Q(region__isnull=True))
    return [
        {"organisation": o, "recipient": recipients[payout_services.payee_reference(o)]}
        for o in organisations.order_by("name")
    ]
