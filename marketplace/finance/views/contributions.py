"""Sponsor contributions to a challenge's fund, and the finance officers' pages for them.

The money rules live in ``payments.api``; these views parse input, check who may do
what, call it and render. Which rail is in use (card through Stripe, or a bank transfer pledge)
is said on every page."""

from __future__ import annotations

import uuid

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core import page_cache
from core.money import RupiahField
from core.references import CHALLENGE, challenge_reference, parse_reference
from core.roles import is_finance
from core.views import deny_unless, form_action, post_action
from marketplace.challenges.models.challenges import ChallengePage
from marketplace.challenges.services import funds as services
from marketplace.finance import permissions
from marketplace.finance.models import TreasuryAccount
from payments import api as payments_api
from payments.api import PaymentError, stripe_configured
from payments.models import Contribution, Refund

WORKSPACE_ROWS = 10
FINANCE_PAGE_SIZE = 25
# The tokens of contribution forms already sent in this session: a double-submitted form leads to
# the contribution it made instead of a second one.
SESSION_TOKENS = "contribution_form_tokens"


def _challenge_ids(rows) -> dict[int, int]:
    """contribution pk -> challenge id, read from the fund reference ("challenge:<id>")."""
    ids = {}
    for row in rows:
        challenge_id = parse_reference(row.fund.reference, CHALLENGE)
        if challenge_id is not None:
            ids[row.pk] = challenge_id
    return ids


def _attach_challenges(rows) -> list:
    """Sets ``row.challenge`` (or None) on each contribution, in one query."""
    rows = list(rows)
    ids = _challenge_ids(rows)
    pages = ChallengePage.objects.filter(pk__in=set(ids.values())).select_related("agency__region")
    by_id = {page.pk: page for page in pages}
    for row in rows:
        row.challenge = by_id.get(ids.get(row.pk))
        row.transfer_note = payments_api.transfer_note(contribution=row)
    return rows


def _contribution_url(contribution: Contribution) -> str:
    return reverse("marketplace:contribution_detail", kwargs={"pk": contribution.pk})


def _contribution(pk: int) -> Contribution:
    try:
        contribution = payments_api.contribution_for_page(pk=pk)
    except Contribution.DoesNotExist:
        raise Http404 from None
    _attach_challenges([contribution])
    return contribution


# Forms ------------------------------------------------------------------------------------------


class ContributionForm(forms.Form):
    amount = RupiahField(
        label=gettext_lazy("Amount (Rp)"),
        help_text=gettext_lazy(
            "Whole rupiah, for example 2.500.000. The smallest contribution is Rp 10.000."
        ),
    )
    rail = forms.ChoiceField(
        label=gettext_lazy("How you pay"), widget=forms.RadioSelect, choices=Contribution.Rail.choices
    )
    sponsor_name = forms.CharField(
        label=gettext_lazy("Name on the receipt"),
        max_length=200,
        help_text=gettext_lazy("Your name or your company's."),
    )
    email = forms.EmailField(label=gettext_lazy("Email for the receipt"), max_length=254)
    public = forms.BooleanField(
        label=gettext_lazy("Show my name and amount on the challenge page"),
        required=False,
        help_text=gettext_lazy("Otherwise the challenge page lists your contribution as anonymous."),
    )
    # One token per form shown: sending the same form twice makes one contribution.
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, rails: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.rails = rails
        if len(rails) == 1:
            del self.fields["rail"]
        else:
            labels = dict(Contribution.Rail.choices)
            self.fields["rail"].choices = [(rail, labels[rail]) for rail in rails]
            self.fields["rail"].initial = rails[0]

    def clean(self):
        data = super().clean()
        data["rail"] = data.get("rail") or (self.rails[0] if len(self.rails) == 1 else None)
        amount = data.get("amount")
        if amount is not None and data["rail"]:
            try:
                payments_api.check_amount(amount=amount, rail=data["rail"])
            except PaymentError as exc:
                self.add_error("amount", exc.message)
        return data


class PledgeConfirmForm(forms.Form):
    bank_reference = forms.CharField(
        label=gettext_lazy("Bank statement reference"),
        max_length=64,
        help_text=gettext_lazy("The reference of the incoming transfer on the treasury's bank statement."),
    )


class PledgeCancelForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=255,
        help_text=gettext_lazy("For example: no transfer arrived within 14 days."),
    )


class RefundForm(forms.Form):
    amount = RupiahField(label=gettext_lazy("Amount to refund (Rp)"))
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=255,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Sent to the sponsor with the refund notice."),
    )
    bank_reference = forms.CharField(
        label=gettext_lazy("Reference of the treasury's refund transfer"),
        max_length=64,
        required=False,
    )
    # One token per form shown: a double click or a retry refunds once.
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, contribution: Contribution, **kwargs):
        super().__init__(*args, **kwargs)
        if contribution.rail != Contribution.Rail.PLEDGE:
            del self.fields["bank_reference"]
        else:
            self.fields["bank_reference"].required = True


# Sections of the challenge page and of the workspace ----------------------------------------------


def contributions_section(request, challenge) -> dict:
    """Named sponsors with their amounts, the others as anonymous, and the total; the button."""
    return {
        # The same for every reader: kept until the next public write.
        "contributions_sponsors": page_cache.remembered(
            f"fund-sponsors:{challenge.pk}",
            lambda: payments_api.fund_sponsors(fund_reference=challenge_reference(challenge.pk)),
        ),
        # Whether the card works right now is said on the form itself: this part is kept.
        "contributions_card": stripe_configured(),
    }


def contributions_workspace(request) -> dict:
    mine = payments_api.contributions_of(user=request.user)
    context: dict = {"my_contributions": _attach_challenges(mine[:WORKSPACE_ROWS])}
    context["my_contributions_more"] = len(context["my_contributions"]) == WORKSPACE_ROWS
    if is_finance(request.user):
        context["finance_pledges"] = _attach_challenges(
            payments_api.pledges_awaiting_confirmation()[:WORKSPACE_ROWS]
        )
        context["finance_received"] = _attach_challenges(
            payments_api.contributions_received()[:WORKSPACE_ROWS]
        )
        context["finance_refunds_pending"] = list(payments_api.refunds_pending()[:WORKSPACE_ROWS])
        context["finance_contributions"] = True
    return context


# The sponsor's pages ------------------------------------------------------------------------------


@login_required
def contribution_create(request, slug):
    challenge = get_object_or_404(ChallengePage.objects.live().select_related("agency__region"), slug=slug)
    deny_unless(permissions.can_contribute(request.user, challenge))
    rails = payments_api.available_rails()
    card_unavailable = payments_api.card_payments_unavailable()
    initial = {
        "token": uuid.uuid4().hex,
        "sponsor_name": request.user.get_full_name() or request.user.get_username(),
        "email": request.user.email,
        "rail": rails[-1] if card_unavailable else rails[0],
    }
    form = ContributionForm(request.POST or None, rails=rails, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        tokens = request.session.get(SESSION_TOKENS, {})
        if data["token"] in tokens:
            return redirect("marketplace:contribution_detail", pk=tokens[data["token"]])
        try:
            contribution = payments_api.contribution_create(
                fund=services.challenge_fund(challenge),
                by=request.user,
                sponsor_name=data["sponsor_name"],
                email=data["email"],
                public=data["public"],
                amount=data["amount"],
                rail=data["rail"],
                idempotency_key=data["token"],
            )
        except PaymentError as exc:
            form.add_error(None, exc.message)
        else:
            tokens[data["token"]] = contribution.pk
            request.session[SESSION_TOKENS] = dict(list(tokens.items())[-20:])
            if contribution.rail == Contribution.Rail.STRIPE:
                try:
                    payments_api.contribution_payment_intent(contribution=contribution)
                except PaymentError as exc:
                    messages.warning(request, exc.message)
            else:
                messages.success(
                    request,
                    _(
                        "Your pledge is recorded. Transfer the money as shown below; "
                        "it counts once it arrives."
                    ),
                )
            return redirect("marketplace:contribution_detail", pk=contribution.pk)
    return render(
        request,
        "finance/contributions/contribution_form.html",
        {
            "challenge": challenge,
            "form": form,
            "card": Contribution.Rail.STRIPE in rails,
            "card_unavailable": card_unavailable,
            "minimum": payments_api.MIN_AMOUNT,
        },
    )


def _payment_context(request, contribution: Contribution) -> dict:
    """For the sponsor of a card contribution still to be paid: the Payment Element's data,
    or why it cannot be shown."""
    context: dict = {"pay": False, "card_unavailable": False}
    if contribution.rail != Contribution.Rail.STRIPE or contribution.status not in (
        Contribution.Status.PENDING,
        Contribution.Status.FAILED,
    ):
        return context
    if not permissions.can_pay_contribution(request.user, contribution)[0]:
        return context
    if not stripe_configured():
        context["card_unavailable"] = True
        return context
    if not contribution.gateway_reference:
        # The PaymentIntent could not be made when the form was sent (Stripe was down).
        context["card_unavailable"] = True
        return context
    try:
        intent = payments_api.contribution_payment_intent(contribution=contribution)
    except PaymentError as exc:
        context["card_unavailable"] = True
        context["card_error"] = exc.message
        return context
    context["intent_status"] = intent.status
    if intent.status in ("requires_payment_method", "requires_confirmation", "requires_action"):
        context.update(
            pay=True,
            client_secret=intent.client_secret,
            publishable_key=settings.STRIPE_PUBLISHABLE_KEY,
            return_url=request.build_absolute_uri(
                reverse("marketplace:contribution_detail", kwargs={"pk": contribution.pk})
            ),
        )
    return context


def _treasury_context(contribution: Contribution) -> dict:
    """Where a pledge is transferred to: the region's treasury account, or, while none is entered,
    whom the sponsor asks (the challenge's contact person, else the agency that posted it)."""
    challenge = contribution.challenge
    region = challenge.region if challenge else None
    account = TreasuryAccount.objects.filter(region=region).first() if region else None
    return {"region": region, "treasury_account": account, "challenge": challenge}


@login_required
def contribution_detail(request, pk):
    contribution = _contribution(pk)
    deny_unless(permissions.can_view_contribution(request.user, contribution))
    context = {
        "contribution": contribution,
        "is_sponsor": contribution.sponsor_id == request.user.pk,
        "is_finance": is_finance(request.user),
        "refunds": list(contribution.refunds.all()),
        "transfer_note": payments_api.transfer_note(contribution=contribution),
        **_treasury_context(contribution),
        "redirect_status": request.GET.get("redirect_status", ""),
        "received": contribution.status in payments_api.RECEIVED,
        **_payment_context(request, contribution),
    }
    return render(request, "finance/contributions/contribution_detail.html", context)


@login_required
@require_POST
def contribution_pay(request, pk):
    """Try again to prepare the card payment (after Stripe was unreachable)."""
    contribution = _contribution(pk)
    deny_unless(permissions.can_pay_contribution(request.user, contribution))
    try:
        payments_api.contribution_payment_intent(contribution=contribution)
    except PaymentError as exc:
        messages.warning(request, exc.message)
    return redirect("marketplace:contribution_detail", pk=contribution.pk)


@login_required
@require_POST
def contribution_switch_to_pledge(request, pk):
    contribution = _contribution(pk)
    deny_unless(permissions.can_pay_contribution(request.user, contribution))
    return post_action(
        request,
        lambda: payments_api.contribution_switch_to_pledge(contribution=contribution, by=request.user),
        success=_("You pay by bank transfer now. Transfer the money as shown below."),
        redirect_to=_contribution_url(contribution),
        refusals=(PaymentError,),
    )


@login_required
def contribution_receipt(request, pk):
    contribution = _contribution(pk)
    deny_unless(permissions.can_view_contribution(request.user, contribution))
    if contribution.status not in payments_api.RECEIVED:
        raise Http404(_("There is no receipt until the money has arrived."))
    return render(
        request,
        "finance/contributions/contribution_receipt.html",
        {
            "contribution": contribution,
            "refunds": [r for r in contribution.refunds.all() if r.status == Refund.Status.SUCCEEDED],
        },
    )


# Finance officers' pages ---------------------------------------------------------------------------


@login_required
def contribution_finance_list(request):
    deny_unless(permissions.can_manage_contributions(request.user))
    page = Paginator(payments_api.contributions_received(), FINANCE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "finance/contributions/finance_list.html",
        {
            "pledges": _attach_challenges(payments_api.pledges_awaiting_confirmation()),
            "refunds_pending": list(payments_api.refunds_pending()),
            "page_obj": page,
            "received": _attach_challenges(page.object_list),
            "querystring": "",
        },
    )


def _finance_contribution(request, pk) -> Contribution:
    deny_unless(permissions.can_manage_contributions(request.user))
    return _contribution(pk)


@login_required
def pledge_confirm(request, pk):
    contribution = _finance_contribution(request, pk)
    form = PledgeConfirmForm(request.POST or None)
    response = form_action(
        request,
        form,
        lambda data: payments_api.pledge_confirm(contribution=contribution, by=request.user, **data),
        success=_("Pledge confirmed. The money is in the fund and the receipt is sent."),
        redirect_to="marketplace:contribution_finance_list",
        refusals=(PaymentError,),
    )
    return response or render(
        request,
        "finance/contributions/pledge_confirm.html",
        {
            "contribution": contribution,
            "form": form,
            "cancel_form": PledgeCancelForm(),
            "transfer_note": payments_api.transfer_note(contribution=contribution),
        },
    )


@login_required
@require_POST
def pledge_cancel(request, pk):
    contribution = _finance_contribution(request, pk)
    form = PledgeCancelForm(request.POST)
    pledge_page = reverse("marketplace:pledge_confirm", kwargs={"pk": contribution.pk})
    if not form.is_valid():
        messages.error(request, _("Give the reason for cancelling the pledge."))
        return redirect(pledge_page)
    return post_action(
        request,
        lambda: payments_api.pledge_cancel(contribution=contribution, by=request.user, **form.cleaned_data),
        success=_("Pledge cancelled."),
        redirect_to="marketplace:contribution_finance_list",
        refused_redirect_to=pledge_page,
        refusals=(PaymentError,),
    )


@login_required
def contribution_refund(request, pk):
    contribution = _finance_contribution(request, pk)
    form = RefundForm(
        request.POST or None,
        contribution=contribution,
        initial={"idempotency_key": uuid.uuid4().hex},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            refund = payments_api.contribution_refund(
                contribution=contribution,
                amount=data["amount"],
                reason=data["reason"],
                by=request.user,
                idempotency_key=data["idempotency_key"],
                bank_reference=data.get("bank_reference", ""),
            )
        except PaymentError as exc:
            form.add_error(None, exc.message)
        else:
            if refund.status == Refund.Status.SUCCEEDED:
                messages.success(request, _("Refund recorded. The sponsor is told by email."))
            elif refund.status == Refund.Status.PENDING:
                messages.info(request, _("Refund requested; Stripe is still processing it."))
            else:
                messages.error(request, _("The refund failed."))
            return redirect("marketplace:contribution_detail", pk=contribution.pk)
    return render(
        request,
        "finance/contributions/refund_form.html",
        {
            "contribution": contribution,
            "form": form,
            "refundable": payments_api.refundable_amount(contribution=contribution),
        },
    )


class StatementLineForm(forms.Form):
    line = forms.CharField(
        label=gettext_lazy("Text of the bank statement line"),
        max_length=500,
        help_text=gettext_lazy(
            "Paste the description of the incoming transfer. The transfer reference in it "
            "(for example PTD-15-0003, also written ptd 15 3) finds the pledge."
        ),
    )


@login_required
def statement_line_match(request):
    """A finance officer pastes an incoming transfer's statement line; the pledge whose transfer
    reference it names is shown, with the way to confirm it."""
    deny_unless(permissions.can_manage_contributions(request.user))
    form = StatementLineForm(request.GET or None)
    matches = None
    if form.is_valid():
        matches = _attach_challenges(
            payments_api.contributions_in_statement_line(text=form.cleaned_data["line"])
        )
    return render(
        request,
        "finance/contributions/statement_line_match.html",
        {"form": form, "matches": matches, "pending": Contribution.Status.PENDING},
    )
