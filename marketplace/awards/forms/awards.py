"""The determination form: the amount awarded and the milestones that add up to it."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.money import RupiahField
from core.text_limits import StatesTextLimits


class MilestoneRowForm(forms.Form):
    title = forms.CharField(label=_("Milestone"), max_length=200)
    amount = RupiahField(label=_("Amount (Rp)"))
    due_date = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}))


MilestoneFormSet = forms.formset_factory(MilestoneRowForm, extra=3, min_num=1, validate_min=True)


class AwardForm(StatesTextLimits, forms.Form):
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


class ProjectEnglishForm(StatesTextLimits, forms.Form):
    """The project's public texts in English, each beside its Indonesian original; one field
    per milestone (``milestone_<id>``)."""

    title_en = forms.CharField(label=_("Project title in English"), max_length=200, required=False)
    summary_en = forms.CharField(
        label=_("Project summary in English"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, award, milestones, **kwargs):
        super().__init__(*args, **kwargs)
        self.milestones = list(milestones)
        proposal = award.proposal
        self.fields["title_en"].help_text = _("In Bahasa Indonesia: %(text)s") % {"text": proposal.title}
        self.fields["summary_en"].help_text = _("In Bahasa Indonesia: %(text)s") % {"text": proposal.summary}
        for field in ("title_en", "summary_en"):
            self.fields[field].initial = getattr(award, field)
            self.fields[field].widget.attrs["lang"] = "en"
        for position, milestone in enumerate(self.milestones, start=1):
            self.fields[f"milestone_{milestone.pk}"] = forms.CharField(
                label=_("Milestone %(number)s in English") % {"number": position},
                max_length=200,
                required=False,
                initial=milestone.title_en,
                help_text=_("In Bahasa Indonesia: %(text)s") % {"text": milestone.title},
                widget=forms.TextInput(attrs={"lang": "en"}),
            )

    def milestone_titles_en(self) -> dict[int, str]:
        return {m.pk: self.cleaned_data.get(f"milestone_{m.pk}") or "" for m in self.milestones}
