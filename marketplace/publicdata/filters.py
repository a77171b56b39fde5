"""The filters of /transparency/ and its journal, read from the URL (GET). A bad value is an
error on its own field; the other filters still apply (the view uses what is valid)."""

from __future__ import annotations

import datetime
import zoneinfo

from django import forms
from django.utils.translation import gettext_lazy as _

from marketplace.challenges.models import ChallengePage, RegionPage
from marketplace.publicdata.transparency import DEFAULT_ZONE, DIRECTIONS, Filters


def _valid(form: forms.Form) -> dict:
    """The fields that were given and are valid (``is_valid`` keeps only those in cleaned_data)."""
    form.is_valid()
    return {name: value for name, value in form.cleaned_data.items() if value not in (None, "")}


class TransparencyFilterForm(forms.Form):
    region = forms.ChoiceField(label=_("Region"), required=False)
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)

    def __init__(self, data, *, regions: list[RegionPage], years: list[int]):
        super().__init__(data)
        self.regions = {region.slug: region for region in regions}
        self.fields["region"].choices = [("", _("All regions"))] + [(r.slug, r.title) for r in regions]
        self.fields["year"].choices = [("", _("All years"))] + [(str(year), str(year)) for year in years]

    def filters(self) -> Filters:
        valid = _valid(self)
        return Filters(region=self.regions.get(valid.get("region", "")), year=valid.get("year"))


class JournalFilterForm(forms.Form):
    direction = forms.ChoiceField(label=_("Direction"), required=False)
    region = forms.ChoiceField(label=_("Region"), required=False)
    challenge = forms.ChoiceField(label=_("Challenge"), required=False)
    month = forms.RegexField(
        label=_("Month"),
        required=False,
        regex=r"^\d{4}-(0[1-9]|1[0-2])$",
        error_messages={"invalid": _("Enter a month as year-month, for example 2026-03.")},
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-03"}),
    )

    def __init__(self, data, *, regions: list[RegionPage], challenges: list[ChallengePage]):
        super().__init__(data)
        self.regions = {region.slug: region for region in regions}
        self.challenges = {challenge.slug: challenge for challenge in challenges}
        self.fields["direction"].choices = [("", _("In and out"))] + [(k, v) for k, v in DIRECTIONS]
        self.fields["region"].choices = [("", _("All regions"))] + [(r.slug, r.title) for r in regions]
        self.fields["challenge"].choices = [("", _("All challenges"))] + [
            (c.slug, c.display_title) for c in challenges
        ]

    def selection(self) -> dict:
        """``direction``, ``region``, ``challenge`` and the month's bounds (``since``, ``until``,
        in the chosen region's or challenge's time zone, WIB otherwise) of the valid fields."""
        valid = _valid(self)
        region = self.regions.get(valid.get("region", ""))
        challenge = self.challenges.get(valid.get("challenge", ""))
        zone_name = (
            challenge.agency.region.timezone if challenge else region.timezone if region else DEFAULT_ZONE
        )
        since = until = None
        if valid.get("month"):
            year, month = (int(part) for part in valid["month"].split("-"))
            zone = zoneinfo.ZoneInfo(zone_name)
            since = datetime.datetime(year, month, 1, tzinfo=zone)
            until = datetime.datetime(year + month // 12, month % 12 + 1, 1, tzinfo=zone)
        return {
            "direction": valid.get("direction", ""),
            "region": region,
            "challenge": challenge,
            "since": since,
            "until": until,
        }
