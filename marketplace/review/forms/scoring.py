"""Forms for reviewing: the review form (one score and comment per criterion, the
recommendation, the comment for the applicant, private notes) and an official's reason for
reopening a review. Forms parse; marketplace.services.scoring decides."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.text_limits import StatesTextLimits
from marketplace.review.models import Review
from marketplace.review.services.scoring import COMMENT_MAX, REASON_MAX, TEXT_MAX, ScoreInput

# The model's label "Fund" shares its msgid with the payments fund ("Dana"): these say it
# as a recommendation.
RECOMMENDATION_LABELS = {
    Review.Recommendation.FUND: _("Fund as proposed"),
    Review.Recommendation.FUND_WITH_CHANGES: _("Fund with changes"),
    Review.Recommendation.DO_NOT_FUND: _("Do not fund"),
}
RECOMMENDATION_CHOICES = list(RECOMMENDATION_LABELS.items())


class ReviewForm(StatesTextLimits, forms.Form):
    """Field names: ``score_<criterion id>``, ``comment_<criterion id>``, ``recommendation``,
    ``overall_comment``, ``private_notes``. With ``submitting`` every score and the
    recommendation are required; a draft takes whatever is filled."""

    # The same form saves drafts and submits: browsers must not demand every score.
    use_required_attribute = False

    def __init__(self, *args, criteria, score_min: int, score_max: int, submitting: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        choices = [(n, str(n)) for n in range(score_min, score_max + 1)]
        for criterion in self.criteria:
            self.fields[f"score_{criterion.pk}"] = forms.TypedChoiceField(
                label=_("Score for “%(criterion)s”") % {"criterion": criterion.name},
                choices=choices,
                coerce=int,
                empty_value=None,
                required=submitting,
                widget=forms.RadioSelect,
                error_messages={"required": _("Give a score for this criterion before submitting.")},
            )
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=_("Comment on “%(criterion)s”") % {"criterion": criterion.name},
                required=False,
                max_length=COMMENT_MAX,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
        self.fields["recommendation"] = forms.ChoiceField(
            label=_("Recommendation"),
            choices=RECOMMENDATION_CHOICES,
            required=submitting,
            widget=forms.RadioSelect,
            error_messages={"required": _("Choose a recommendation before submitting.")},
        )
        self.fields["overall_comment"] = forms.CharField(
            label=_("Comment for the applicant"),
            help_text=_("Sent to the applicant with the decision, without your name."),
            required=False,
            max_length=TEXT_MAX,
            widget=forms.Textarea(attrs={"rows": 5}),
        )
        self.fields["private_notes"] = forms.CharField(
            label=_("Private notes for the officials"),
            help_text=_("Only the challenge's officials read these; the applicant never does."),
            required=False,
            max_length=TEXT_MAX,
            widget=forms.Textarea(attrs={"rows": 4}),
        )

    @classmethod
    def initial_for(cls, review: Review | None, scores: dict) -> dict:
        if review is None:
            return {}
        initial = {
            "recommendation": review.recommendation,
            "overall_comment": review.overall_comment,
            "private_notes": review.private_notes,
        }
        for criterion_id, row in scores.items():
            initial[f"score_{criterion_id}"] = row.score
            initial[f"comment_{criterion_id}"] = row.comment
        return initial

    def criterion_fields(self) -> list[tuple]:
        """(criterion, score field, comment field) in the challenge's order, for the template."""
        return [(c, self[f"score_{c.pk}"], self[f"comment_{c.pk}"]) for c in self.criteria]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "scores": [
                ScoreInput(
                    criterion_id=c.pk,
                    score=data.get(f"score_{c.pk}"),
                    comment=data.get(f"comment_{c.pk}", ""),
                )
                for c in self.criteria
            ],
            "recommendation": data.get("recommendation") or "",
            "overall_comment": data.get("overall_comment", ""),
            "private_notes": data.get("private_notes", ""),
        }


class ReopenForm(StatesTextLimits, forms.Form):
    reason = forms.CharField(
        label=_("Why reopen this review?"),
        help_text=_("The reviewer reads this; it is kept in the audit trail."),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why the review is reopened: the reviewer will read it.")},
    )
