"""Forms for screening, the reviewer pool, assignments and conflict-of-interest declarations.
They only read and tidy input; the rules live in marketplace.services.reviews."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from taggit.forms import TagField

from core.roles import REVIEWER_GROUP
from core.text_limits import StatesTextLimits
from marketplace.challenges.models import Sector
from marketplace.review.services.common import NOTE_MAX, REASON_MAX, display_name
from marketplace.review.services.screening import ItemDecision

MET, NOT_MET = "yes", "no"


class ScreeningForm(StatesTextLimits, forms.Form):
    """One pair of fields per checklist item (met or not, note) and the rejection reason.
    Which button was pressed ("action") says what to do."""

    ACTIONS = ("save", "pass", "reject")

    reason = forms.CharField(
        label=_("Reason for rejection"),
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Needed to reject. The applicant reads it on their proposal page and by email."),
    )

    def __init__(self, *args, items: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            key = item["key"]
            self.fields[f"item-{key}-passed"] = forms.ChoiceField(
                label=item["label"],
                required=False,
                choices=[(MET, _("Met")), (NOT_MET, _("Not met"))],
                widget=forms.RadioSelect,
                initial={True: MET, False: NOT_MET}.get(item["passed"]),
            )
            self.fields[f"item-{key}-note"] = forms.CharField(
                label=_("Note"),
                required=False,
                max_length=NOTE_MAX,
                initial=item["note"],
                help_text=_("Needed when you do not follow the automatic check."),
            )

    def rows(self):
        """Each item with its two bound fields, for the template."""
        for item in self.items:
            yield item, self[f"item-{item['key']}-passed"], self[f"item-{item['key']}-note"]

    def decisions(self) -> dict[str, ItemDecision]:
        data = self.cleaned_data
        return {
            item["key"]: ItemDecision(
                passed={MET: True, NOT_MET: False}.get(data.get(f"item-{item['key']}-passed") or ""),
                note=data.get(f"item-{item['key']}-note", ""),
            )
            for item in self.items
        }


class _ReviewerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        name = display_name(obj)
        return name if name == obj.get_username() else f"{name} ({obj.get_username()})"


class PoolAddForm(forms.Form):
    prefix = "add"

    user = _ReviewerChoiceField(
        label=_("Reviewer"),
        queryset=get_user_model().objects.none(),
        help_text=_("Accounts with the reviewer role that are not yet reviewers for this challenge."),
    )

    def __init__(self, *args, challenge, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = (
            get_user_model()
            .objects.filter(groups__name=REVIEWER_GROUP, is_active=True)
            .exclude(reviewer_pools__challenge=challenge)
            .select_related("profile")
            .order_by("username")
        )


class _SectorsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Sector) -> str:
        return obj.display_name


def _sectors_field() -> _SectorsField:
    return _SectorsField(
        label=_("Sectors of expertise"),
        queryset=Sector.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


def _expertise_field() -> TagField:
    return TagField(
        label=_("Fields of expertise"),
        required=False,
        help_text=_("Separate them with commas, for example: digital payments, public health."),
    )


class ExternalReviewerForm(forms.Form):
    prefix = "invite"

    full_name = forms.CharField(label=_("Full name"), max_length=150)
    email = forms.EmailField(label=_("Email address"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expertise"] = _expertise_field()
        self.fields["sectors"] = _sectors_field()


class ExpertiseForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expertise"] = _expertise_field()
        self.fields["sectors"] = _sectors_field()


class AssignForm(forms.Form):
    """The reviewer chosen for one proposal in the assignment table (any account id: the
    service decides whether it may review)."""

    proposal = forms.IntegerField(widget=forms.HiddenInput)
    reviewer = forms.IntegerField(
        label=_("Reviewer"),
        error_messages={"required": _("Choose a reviewer."), "invalid": _("Choose a reviewer.")},
    )


class RemoveAssignmentForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for removing"),
        max_length=NOTE_MAX,
        error_messages={"required": _("Give the reason for removing this reviewer.")},
    )


class DeclarationForm(StatesTextLimits, forms.Form):
    NO_CONFLICT, CONFLICT = "none", "conflict"

    declaration = forms.ChoiceField(
        label=_("Conflict of interest"),
        choices=[
            (NO_CONFLICT, _("I have no conflict of interest with this proposal")),
            (CONFLICT, _("I have a conflict of interest")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose one of the two declarations.")},
    )
    note = forms.CharField(
        label=_("Explanation"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Needed when you declare a conflict: for example a family tie, a past or current job, "
            "or money at stake. Only the officials read it."
        ),
    )

    @property
    def has_conflict(self) -> bool:
        return self.cleaned_data["declaration"] == self.CONFLICT
