"""Views for the public Q&A of a challenge and the workspace's notifications. The partner-finding
views live in ``views.partners``, imported at the end so they register too."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core import page_cache
from core.errors import DomainError
from core.models import Notification
from core.roles import is_official
from core.views import deny_unless, form_action, form_error, post_action
from marketplace.challenges import permissions
from marketplace.challenges.models import ANSWER_MAX_LENGTH, QUESTION_MAX_LENGTH, ChallengePage, Question
from marketplace.challenges.services import questions as question_services

LATEST_NOTIFICATIONS = 10
LATEST_QUESTIONS_ASKED = 50


class QuestionForm(forms.Form):
    # Shown on the challenge page beside other forms: a prefix keeps the ids unique.
    prefix = "qa"

    body = forms.CharField(
        label=gettext_lazy("Your question"),
        max_length=QUESTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "Published with its answer, without your name. Ask about the challenge, not about a proposal."
        ),
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=gettext_lazy("Answer"),
        max_length=ANSWER_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("Published on the challenge page; the asker is told."),
    )
    answer_en = forms.CharField(
        label=gettext_lazy("Answer in English (optional)"),
        required=False,
        max_length=ANSWER_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "lang": "en"}),
        help_text=gettext_lazy("Shown on the English page; empty shows the answer above there."),
    )


class _QuestionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Question) -> str:
        text = Truncator(obj.body).chars(90)
        return f"{text} ({_('answered')})" if obj.is_answered else text


class MergeForm(forms.Form):
    duplicate_of = _QuestionChoiceField(
        label=gettext_lazy("Same question as"),
        queryset=Question.objects.none(),
        help_text=gettext_lazy(
            "This question is then no longer listed; its asker is pointed to the chosen one's answer."
        ),
    )

    def __init__(self, *args, question: Question, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["duplicate_of"].queryset = (
            Question.objects.filter(challenge_id=question.challenge_id, duplicate_of__isnull=True)
            .exclude(pk=question.pk)
            .order_by("created_at")
        )


def _questions_to_answer_url() -> str:
    return reverse("marketplace:workspace_approvals") + "#questions-to-answer"


def _challenge_qa_url(challenge: ChallengePage) -> str:
    return reverse("marketplace:challenge_detail", kwargs={"slug": challenge.slug}) + "#qa"


# The challenge page ------------------------------------------------------------------------


def qa_section(request, challenge) -> dict:
    """Answered questions, pinned first, without who asked; a form while questions are open."""
    is_open = challenge.questions_open()
    context = {
        # The same for every reader: kept until the next public write.
        "qa_questions": page_cache.remembered(
            f"challenge-questions:{challenge.pk}",
            lambda: list(Question.objects.public().filter(challenge=challenge)),
        ),
        "qa_open": is_open,
        "qa_deadline": question_services.questions_deadline(challenge),
        "qa_form": QuestionForm() if is_open and request.user.is_authenticated else None,
        "qa_can_manage": False,
    }
    if permissions.is_challenge_official(request.user, challenge):
        context["qa_can_manage"] = True
        context["qa_awaiting"] = list(
            Question.objects.awaiting_answer().filter(challenge=challenge).order_by("created_at")
        )
    return context


@login_required
def question_ask(request, slug):
    challenge = get_object_or_404(ChallengePage.objects.live().select_related("agency__region"), slug=slug)
    form = QuestionForm(request.POST or None)
    if not challenge.questions_open():
        if request.method == "POST":
            # The service refuses it and words why, with the deadline in the region's time.
            try:
                question_services.question_ask(
                    challenge=challenge, by=request.user, body=request.POST.get("body", "")
                )
            except DomainError as exc:
                messages.error(request, exc.message)
        else:
            messages.info(request, _("Questions on this challenge are closed."))
        return redirect(_challenge_qa_url(challenge))
    if request.method == "POST" and form.is_valid():
        try:
            question_services.question_ask(
                challenge=challenge, by=request.user, body=form.cleaned_data["body"]
            )
        except DomainError as exc:
            if exc.field is None:
                messages.error(request, exc.message)
                return redirect(_challenge_qa_url(challenge))
            form_error(form, exc)
        else:
            messages.success(
                request, _("Your question was sent. It appears on this page once an official answers it.")
            )
            return redirect(_challenge_qa_url(challenge))
    return render(
        request,
        "challenges/question_form.html",
        {
            "challenge": challenge,
            "form": form,
            "qa_deadline": question_services.questions_deadline(challenge),
            "zone": challenge.region.zoneinfo,
            "zone_label": challenge.region.zone_label,
        },
    )


# Officials ---------------------------------------------------------------------------------


def _question_for_official(request, pk) -> Question:
    question = get_object_or_404(
        Question.objects.select_related("challenge__agency__region", "duplicate_of"), pk=pk
    )
    deny_unless(permissions.can_manage_question(request.user, question))
    return question


@login_required
def question_manage(request, pk):
    """An official answers a question (or corrects the answer), and from here merges or pins it."""
    question = _question_for_official(request, pk)
    form = AnswerForm(
        request.POST or None, initial={"answer": question.answer, "answer_en": question.answer_en}
    )
    response = form_action(
        request,
        form,
        lambda data: question_services.question_answer(question=question, by=request.user, **data),
        success=_("Answer published on the challenge page."),
        redirect_to=_questions_to_answer_url(),
    )
    return response or render(
        request,
        "challenges/question_manage.html",
        {
            "question": question,
            "challenge": question.challenge,
            "form": form,
            "merge_form": MergeForm(question=question) if not question.duplicate_of_id else None,
            "zone": question.challenge.region.zoneinfo,
            "zone_label": question.challenge.region.zone_label,
        },
    )


@login_required
@require_POST
def question_merge(request, pk):
    question = _question_for_official(request, pk)
    form = MergeForm(request.POST, question=question)
    manage_url = reverse("marketplace:question_manage", kwargs={"pk": pk})
    if not form.is_valid():
        messages.error(request, _("Choose the question this one repeats."))
        return redirect(manage_url)
    return post_action(
        request,
        lambda: question_services.question_merge(
            question=question, into=form.cleaned_data["duplicate_of"], by=request.user
        ),
        success=_("Question merged; its asker is pointed to the original's answer."),
        redirect_to=_questions_to_answer_url(),
        refused_redirect_to=manage_url,
    )


@login_required
@require_POST
def question_pin(request, pk):
    question = _question_for_official(request, pk)
    pinned = request.POST.get("pinned") == "1"
    return post_action(
        request,
        lambda: question_services.question_pin(question=question, by=request.user, pinned=pinned),
        success=_("Question pinned to the top.") if pinned else _("Question unpinned."),
        redirect_to=_challenge_qa_url(question.challenge),
        refused_redirect_to=reverse("marketplace:question_manage", kwargs={"pk": pk}),
    )


# The workspace -----------------------------------------------------------------------------


def notifications_workspace_section(request) -> dict:
    """The workspace home's unread notifications (two queries)."""
    unread = Notification.objects.filter(user=request.user, read_at__isnull=True)
    return {
        "notifications_unread": list(unread.order_by("-created_at")[:LATEST_NOTIFICATIONS]),
        "notifications_unread_count": unread.count(),
    }


def questions_asked_workspace_section(request) -> dict:
    """The questions the user asked, with their answers (one query)."""
    return {
        "questions_asked": list(
            Question.objects.filter(asked_by=request.user)
            .select_related("challenge", "duplicate_of")
            .order_by("-created_at")[:LATEST_QUESTIONS_ASKED]
        ),
    }


def questions_to_answer_workspace_section(request) -> dict:
    """For officials: the questions on their agencies' challenges still waiting (one query);
    ``None`` for everyone else."""
    user = request.user
    if not (user.is_superuser or is_official(user)):
        return {"questions_to_answer": None}
    awaiting = Question.objects.awaiting_answer().select_related("challenge").order_by("created_at")
    if not user.is_superuser:
        awaiting = awaiting.filter(challenge__agency__officials=user)
    return {"questions_to_answer": list(awaiting)}
