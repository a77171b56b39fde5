"""Recording a budget allocation (APBD) into a challenge's fund."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.money import RupiahField


class AllocationForm(forms.Form):
    amount = RupiahField(label=_("Amount (Rp)"))
    reference = forms.CharField(label=_("Budget document reference (DPA / SP2D)"), max_length=64)
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    # A hidden token makes a double-submitted form record the allocation once.
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
