"""Registering an organisation: the short form a member fills in first."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.text_limits import StatesTextLimits
from marketplace.challenges.models import RegionPage, Sector
from marketplace.organisations.models import Organisation


class OrganisationForm(StatesTextLimits, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Organisation.Kind.choices)
    region = forms.ModelChoiceField(label=_("Region"), queryset=RegionPage.objects.live(), required=False)
    sectors = forms.ModelMultipleChoiceField(
        label=_("Sectors"), queryset=Sector.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
