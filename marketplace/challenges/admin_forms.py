"""The challenge editor takes opening and closing times in the region's own zone (WIB, WITA,
WIT), whatever the server's zone: an official in Sumba types 23:59 and means 23:59 WITA."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.admin.forms import WagtailAdminPageForm

from core.choices import OrganisationKind

# Scheduled publishing (go-live, expiry) is entered in the region's zone too.
ZONED_FIELDS = ("opens_at", "closes_at", "qa_closes_at", "go_live_at", "expire_at")


class ChallengePageForm(WagtailAdminPageForm):
    eligible_kinds = forms.MultipleChoiceField(
        label=_("Organisation kinds that may apply"),
        choices=OrganisationKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("None ticked means every kind may apply."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._limit_agencies_to_the_region()
        zone = self._zone(self.instance.agency if self.instance.agency_id else None)
        if zone is None:
            return
        for name in ZONED_FIELDS:
            value = getattr(self.instance, name)
            if value is not None:
                # Naive values are shown as they are: the region's wall-clock time.
                self.initial[name] = timezone.localtime(value, zone).replace(tzinfo=None)

    def _limit_agencies_to_the_region(self) -> None:
        """A challenge belongs to an agency of the region it is posted under."""
        parent = self.parent_page
        region = parent.get_parent().specific if parent is not None else None
        if region is not None and "agency" in self.fields and hasattr(region, "agencies"):
            self.fields["agency"].queryset = region.agencies.all()

    @staticmethod
    def _zone(agency):
        return agency.region.zoneinfo if agency is not None else None

    def clean(self):
        cleaned = super().clean()
        self._check_criteria_weights()
        self._check_in_kind_capacity()
        self._check_score_scale(cleaned)
        zone = self._zone(cleaned.get("agency"))
        if zone is not None:
            for name in ZONED_FIELDS:
                value = cleaned.get(name)
                if value is not None:
                    wall_clock = timezone.localtime(value).replace(tzinfo=None)
                    cleaned[name] = timezone.make_aware(wall_clock, zone)
        return cleaned

    def _check_score_scale(self, cleaned) -> None:
        low, high = cleaned.get("score_min"), cleaned.get("score_max")
        if low is not None and high is not None and low >= high:
            self.add_error("score_max", _("The highest score must be above the lowest score."))

    def _check_criteria_weights(self) -> None:
        criteria = self.formsets.get("criteria")
        if criteria is None or not criteria.is_valid():
            return
        weights = [
            form.cleaned_data.get("weight") or 0
            for form in criteria.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        if weights and sum(weights) != 100:
            self.add_error(
                None,
                _("The criteria weights add up to %(total)s%%; they must add up to 100%%.")
                % {"total": sum(weights)},
            )

    def _check_in_kind_capacity(self) -> None:
        """An in-kind offer already given to winners stays the same offer: it is not removed, its
        kind and unit stay, its quantity does not go below what was given (``challenges.revisions``).
        Matching gives rows shown without an id (from an older revision) the id of their saved offer."""
        from marketplace.challenges.revisions import incentive_changes_refused

        incentives = self.formsets.get("incentives")
        if incentives is None or self.instance.pk is None:
            return
        if not all(form.is_valid() for form in incentives.forms):
            return  # the rows' own errors first; this check runs again on the next submit
        kept = [
            form
            for form in incentives.forms
            if (form in incentives.initial_forms or form.has_changed())
            and not form.cleaned_data.get("DELETE")
        ]
        for offer, field, message in incentive_changes_refused(
            self.instance, [form.instance for form in kept]
        ):
            form = next((form for form in kept if form.instance is offer), None)
            if form is None or field is None:
                self.add_error(None, message)
            else:
                form.add_error(field, message)
