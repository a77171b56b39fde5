"""The determination form: the amount awarded and the milestones that add up to it."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.money import RupiahField


class MilestoneRowForm(forms.Form):
    title = forms.CharField(label=_("Milestone"), max_length=200)
    amount = RupiahField(label=_("Amount (Rp)"))
    due_date = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}))


MilestoneFormSet = forms.formset_factory(MilestoneRowForm, extra=3, min_num=1, validate_min=True)


class AwardForm(forms.Form):
    """The amount, and one field per in-kind offer that still has capacity: how many units the
    winner receives (the award draws them down)."""

    amount = RupiahField(label=_("Amount awarded (Rp)"), help_text=_("It may be less than requested."))
    conditions = forms.CharField(
        label=_("Conditions"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Leave empty for an award without conditions. The grantee accepts them with the agreement."
        ),
    )

    def __init__(self, *args, in_kind_offers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.in_kind_offers = list(in_kind_offers)
        for offer in self.in_kind_offers:
            self.fields[f"in_kind_{offer.pk}"] = forms.IntegerField(
                label=_("%(unit)s from %(provider)s")
                % {"unit": offer.unit, "provider": offer.provider_display},
                min_value=0,
                max_value=offer.remaining,
                required=False,
                initial=0,
                help_text=_("%(remaining)s of %(total)s left; 0 gives none.")
                % {"remaining": offer.remaining, "total": offer.quantity},
            )

    def in_kind_quantities(self) -> dict[int, int]:
        return {offer.pk: self.cleaned_data.get(f"in_kind_{offer.pk}") or 0 for offer in self.in_kind_offers}
