"""Forms for payouts: an owner's bank details, the official's verification, and the finance
officers' handling of a payment (release, the treasury's transfer, retry, cancel)."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from core.text_limits import StatesTextLimits
from payments import api as payments_api
from payments.api import PaymentError


class BankDetailsForm(forms.Form):
    bank_name = forms.CharField(
        label=_("Bank"), max_length=100, help_text=_("For example Bank NTT, BRI or Bank Kalbar.")
    )
    account_holder = forms.CharField(
        label=_("Account holder"),
        max_length=200,
        help_text=_(
            "Exactly as the bank knows it; the treasury pays only to the organisation's own account."
        ),
    )
    account_number = forms.CharField(
        label=_("Account number"),
        max_length=40,
        help_text=_("Only the last four digits are kept on this site."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    confirm = forms.BooleanField(
        label=_(
            "I understand that nothing is paid to these details until an official of our region "
            "has verified them."
        )
    )

    def clean_account_number(self) -> str:
        digits = re.sub(r"[\s.\-]", "", self.cleaned_data["account_number"])
        if not digits.isdigit() or not 6 <= len(digits) <= 20:
            raise forms.ValidationError(_("Enter the full bank account number: 6 to 20 digits."))
        return digits


class BankVerifyForm(forms.Form):
    # The change the official looked at: a change made since is refused, not verified unseen.
    changed_at = forms.DateTimeField(widget=forms.HiddenInput, required=False)
    checked = forms.BooleanField(
        label=_(
            "I checked the bank, the account holder and the account number against the "
            "organisation's bank letter or account book."
        )
    )


class ReleaseForm(forms.Form):
    """Nothing to fill in: the release is the finance officer's decision (four eyes)."""


class RecordPaymentForm(forms.Form):
    bank_reference = forms.CharField(label=_("Bank transfer reference (SP2D / receipt no.)"), max_length=64)
    proof = forms.FileField(
        label=_("Transfer proof"),
        help_text=_("The SP2D or the bank receipt, as a PDF or an image (PNG or JPEG)."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/png,image/jpeg"}),
    )

    def clean_bank_reference(self) -> str:
        value = self.cleaned_data["bank_reference"].strip()
        if not value:
            raise forms.ValidationError(_("Enter the bank transfer reference (SP2D or bank receipt number)."))
        return value

    def clean_proof(self):
        proof = self.cleaned_data["proof"]
        try:
            payments_api.check_proof(upload=proof)
        except PaymentError as exc:
            raise forms.ValidationError(exc.message) from exc
        return proof


class CancelForm(StatesTextLimits, forms.Form):
    reason = forms.CharField(
        label=_("Why is the payment cancelled?"),
        max_length=255,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The official who approved the milestone reads it; the money goes back to the award."),
    )
