"""Forms for the award's aftermath: the agreement, milestone reports with evidence, revision
requests and re-plans."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.money import RupiahField
from core.text_limits import StatesTextLimits


class AgreementAcceptForm(forms.Form):
    signer_name = forms.CharField(
        label=_("Your full name"),
        max_length=200,
        help_text=_("Typing your name here signs the agreement on behalf of the organisation."),
    )
    read_terms = forms.BooleanField(label=_("I have read the terms above and accept them."))


class AgreementDeclineForm(StatesTextLimits, forms.Form):
    reason = forms.CharField(
        label=_("Why do you decline?"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class MilestoneReportForm(StatesTextLimits, forms.Form):
    report = forms.CharField(label=_("What was delivered"), widget=forms.Textarea(attrs={"rows": 5}))
    files = MultipleFileField(
        label=_("Evidence files"),
        required=False,
        help_text=_("Photos, PDF reports, attendance lists… at most 5 files."),
    )
    links = forms.CharField(
        label=_("Evidence links"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One address per line, for example the live application or a video."),
    )

    def clean_links(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data.get("links", "").splitlines() if line.strip()]
        validate = forms.URLField(assume_scheme="https").clean
        try:
            return [validate(line) for line in lines]
        except forms.ValidationError:
            raise forms.ValidationError(
                _("Write each link as a web address, for example https://contoh.id/laporan.")
            ) from None


class RevisionForm(StatesTextLimits, forms.Form):
    reason = forms.CharField(
        label=_("What must be revised"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReplanRowForm(forms.Form):
    milestone_id = forms.IntegerField(widget=forms.HiddenInput)
    due_date = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}))
    amount = RupiahField(label=_("Amount (Rp)"))


ReplanFormSet = forms.formset_factory(ReplanRowForm, extra=0)


class ReplanReasonForm(StatesTextLimits, forms.Form):
    reason = forms.CharField(
        label=_("Reason for the new plan"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ProgressReportForm(StatesTextLimits, forms.Form):
    """The grantee's public progress report. The service checks the text and the links (so the
    page, the API and the demo refuse the same things with the same words)."""

    text = forms.CharField(
        label=_("Progress so far"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Written for citizens: what was delivered, where, for whom. At most 4000 characters."),
    )
    links = forms.CharField(
        label=_("Public evidence links"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One web address per line (http:// or https://), for example photos, a video or the live "
            "application. Evidence files sent to the agency stay private and are not shown."
        ),
    )
    public = forms.BooleanField(
        label=_("Show this report on the public project page"),
        required=False,
    )

    def clean_links(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("links", "").splitlines() if line.strip()]
