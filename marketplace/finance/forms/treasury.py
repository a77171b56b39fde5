"""The regional treasury account (RKUD) that sponsors transfer pledges to."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class TreasuryAccountForm(forms.Form):
    bank_name = forms.CharField(label=_("Bank"), max_length=100, help_text=_("For example: Bank NTT."))
    account_number = forms.CharField(
        label=_("Account number"),
        max_length=40,
        help_text=_("As the bank writes it; spaces and dashes are left out."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    account_holder = forms.CharField(
        label=_("Account holder"),
        max_length=200,
        help_text=_("The name on the account, for example: RKUD Kabupaten Sumba Barat."),
    )
