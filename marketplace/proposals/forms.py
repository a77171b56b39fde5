"""Forms for proposals: the draft with its rows (milestones, budget, team) and answers, the
attachment upload, partner invitations and the officials' decisions."""

from __future__ import annotations

from django import forms
from django.utils.html import conditional_escape
from django.utils.translation import gettext_lazy as _

from core.localized import localized
from core.money import RupiahField
from core.text_limits import StatesTextLimits, show_text_limits
from marketplace.organisations.models import Organisation
from marketplace.proposals.models import BudgetLine, Proposal
from marketplace.proposals.selectors import agreed_partner_ids
from marketplace.proposals.services.drafts import BudgetLinePlan, PlannedMilestonePlan, TeamMemberPlan

TEXTAREA_ROWS = {"summary": 3, "problem": 6, "solution": 8, "inclusion": 6, "plan": 6}


class ProposalForm(forms.ModelForm):
    requested_amount = RupiahField(label=_("Requested amount (Rp)"))

    class Meta:
        model = Proposal
        fields = ["title", "summary", "problem", "solution", "inclusion", "plan", "requested_amount"]
        widgets = {name: forms.Textarea(attrs={"rows": rows}) for name, rows in TEXTAREA_ROWS.items()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        show_text_limits(self)


class ProposalStartForm(forms.ModelForm):
    """The first step: who applies, a working title and the amount; the rest comes after."""

    organisation = forms.ModelChoiceField(
        label=_("Applying organisation"), queryset=Organisation.objects.none()
    )
    requested_amount = RupiahField(label=_("Requested amount (Rp)"))

    class Meta:
        model = Proposal
        fields = ["organisation", "title", "summary", "plan", "requested_amount"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 3}), "plan": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(memberships__user=user)
        show_text_limits(self)


class MilestoneRowForm(forms.Form):
    deliverable = forms.CharField(label=_("Deliverable"), max_length=300)
    due_date = forms.DateField(
        label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    amount = RupiahField(label=_("Amount (Rp)"))

    def plan(self) -> PlannedMilestonePlan:
        return PlannedMilestonePlan(
            **{k: self.cleaned_data[k] for k in ("deliverable", "due_date", "amount")}
        )


class BudgetRowForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=[("", "—"), *BudgetLine.Category.choices])
    description = forms.CharField(label=_("Description"), max_length=300)
    amount = RupiahField(label=_("Amount (Rp)"))

    def plan(self) -> BudgetLinePlan:
        return BudgetLinePlan(**{k: self.cleaned_data[k] for k in ("category", "description", "amount")})


class TeamRowForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    role = forms.CharField(label=_("Role in the project"), max_length=200)
    expertise = forms.CharField(label=_("Expertise"), max_length=300, required=False)

    def plan(self) -> TeamMemberPlan:
        return TeamMemberPlan(**{k: self.cleaned_data[k] for k in ("name", "role", "expertise")})


def _formset(form, extra=2):
    return forms.formset_factory(form, extra=extra, can_delete=True, max_num=50, validate_max=True)


MilestoneRowFormSet = _formset(MilestoneRowForm)
BudgetRowFormSet = _formset(BudgetRowForm, extra=3)
TeamRowFormSet = _formset(TeamRowForm)


def rows(formset) -> list:
    """The kept, filled-in rows of a valid formset, as plans for the service."""
    # An untouched extra row has empty cleaned_data; an existing row is kept unless deleted.
    return [f.plan() for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]


class AnswersForm(forms.Form):
    """One field per question of the challenge; required ones are checked at submission."""

    def __init__(self, *args, questions, answers: dict[int, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for question in self.questions:
            self.fields[f"answer-{question.pk}"] = forms.CharField(
                # In the reader's language; a question without English shows its Indonesian
                # text marked lang="id" with the "(Bahasa Indonesia)" note.
                label=conditional_escape(localized(question, "text")),
                help_text=conditional_escape(localized(question, "help_text")),
                required=False,
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 4}),
                initial=answers.get(question.pk, ""),
            )
            # Not required while drafting; the label says which ones submission needs.
            self.fields[f"answer-{question.pk}"].must_answer = question.required
        show_text_limits(self)

    def answers(self) -> dict[int, str]:
        return {q.pk: self.cleaned_data.get(f"answer-{q.pk}", "") for q in self.questions}


# The draft page's row formsets: prefix -> (formset, the proposal's rows, the fields they show).
ROW_FORMSETS = {
    "milestones": (MilestoneRowFormSet, "planned_milestones", ("deliverable", "due_date", "amount")),
    "budget": (BudgetRowFormSet, "budget_lines", ("category", "description", "amount")),
    "team": (TeamRowFormSet, "team_members", ("name", "role", "expertise")),
}


class ProposalDraftForms:
    """The draft page's forms, validated and saved together: nothing is saved unless all are valid."""

    def __init__(self, data=None, *, proposal: Proposal, questions, answers: dict[int, str]):
        self.proposal = proposal
        self.main = ProposalForm(data, instance=proposal)
        self.milestones = self._row_formset(data, "milestones")
        self.budget = self._row_formset(data, "budget")
        self.team = self._row_formset(data, "team")
        self.answers = AnswersForm(data, questions=questions, answers=answers, prefix=None)

    def _row_formset(self, data, prefix: str):
        formset_class, related_name, fields = ROW_FORMSETS[prefix]
        rows = getattr(self.proposal, related_name).all()
        return formset_class(
            data, prefix=prefix, initial=[{f: getattr(row, f) for f in fields} for row in rows]
        )

    def is_valid(self) -> bool:
        return all(
            [
                self.main.is_valid(),
                self.milestones.is_valid(),
                self.budget.is_valid(),
                self.team.is_valid(),
                self.answers.is_valid(),
            ]
        )

    def service_kwargs(self) -> dict:
        return {
            "fields": {name: self.main.cleaned_data[name] for name in ProposalForm.Meta.fields},
            "milestones": rows(self.milestones),
            "budget_lines": rows(self.budget),
            "team": rows(self.team),
            "answers": self.answers.answers(),
        }

    def add_error(self, field: str | None, message: str) -> None:
        """Put a service's refusal next to the field it names."""
        if field and field in self.main.fields:
            self.main.add_error(field, message)
        elif field and field in self.answers.fields:
            self.answers.add_error(field, message)
        else:
            self.main.add_error(None, message)

    def errors(self) -> dict:
        """Field errors keyed by the input's name, for the autosave's answer."""
        found = {}
        for form in (self.main, self.answers):
            for name, errors in form.errors.items():
                found[form.add_prefix(name) if name != "__all__" else "__all__"] = [str(e) for e in errors]
        for formset in (self.milestones, self.budget, self.team):
            for form in formset.forms:
                for name, errors in form.errors.items():
                    found[form.add_prefix(name)] = [str(e) for e in errors]
            for error in formset.non_form_errors():
                found[f"{formset.prefix}-__all__"] = [str(error)]
        return found


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "PDF, image (PNG, JPEG, GIF, WebP) or office document (Word, Excel, PowerPoint, OpenDocument)."
        ),
    )


class PartnerInviteForm(forms.Form):
    """Which organisation to invite: those that agreed through partner finding on this
    challenge come first, in their own group; then those whose capabilities complement the
    lead's for this challenge (``marketplace.matching.partner_suggestions``), with the reason; any
    other organisation can be chosen too."""

    organisation = forms.TypedChoiceField(
        label=_("Partner organisation"),
        coerce=int,
        error_messages={"invalid_choice": _("Choose one of the organisations in the list.")},
    )
    role = forms.CharField(label=_("Role in the consortium"), max_length=300)
    budget_share = RupiahField(label=_("Budget share (Rp)"), required=False)

    def __init__(self, *args, proposal: Proposal, **kwargs):
        from marketplace.proposals.matching import partner_suggestions

        super().__init__(*args, **kwargs)
        others = Organisation.objects.exclude(pk=proposal.organisation_id).order_by("name")
        agreed = list(others.filter(pk__in=agreed_partner_ids(proposal)).values_list("pk", "name"))
        agreed_ids = {pk for pk, _name in agreed}
        suggested = [
            (s.organisation.pk, s.label)
            for s in partner_suggestions(proposal)
            if s.organisation.pk not in agreed_ids
        ]
        grouped = agreed_ids | {pk for pk, _label in suggested}
        rest = list(others.exclude(pk__in=grouped).values_list("pk", "name"))
        groups = []
        if agreed:
            groups.append((_("Agreed through partner finding"), agreed))
        if suggested:
            groups.append((_("Suggested for this challenge"), suggested))
        choices = [("", "---------")]
        if groups:
            choices += [*groups, (_("Other organisations"), rest)]
        else:
            choices += rest
        self.fields["organisation"].choices = choices

    def clean_organisation(self) -> Organisation:
        return Organisation.objects.get(pk=self.cleaned_data["organisation"])

    def clean_budget_share(self):
        return self.cleaned_data.get("budget_share") or 0


class DecisionForm(StatesTextLimits, forms.Form):
    transition = forms.ChoiceField(label=_("Action"), choices=())
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when asking for changes: the applicant reads it."),
    )

    def __init__(self, *args, transitions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["transition"].choices = [(t.name, t.label) for t in transitions]


class ConflictDeclarationForm(StatesTextLimits, forms.Form):
    note = forms.CharField(
        label=_("Why you have a conflict of interest"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "For example: a relative works for the applicant, or you advised it. Kept in the record; "
            "the agency's other officials are told so that one of them acts instead."
        ),
    )
