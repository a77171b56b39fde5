"""Writes for the public Q&A of a challenge, and for reading one's notifications.

Signed-in users ask before the challenge's Q&A deadline; officials of the owning agency answer,
merge duplicates and pin. Each function raises DomainError with a user-facing message when
refused, and then changes nothing. Notifications are written in the site's default language:
the recipient's own language is not known when they are sent."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import audit, messaging
from core.actors import Person
from core.errors import DomainError, require, require_text
from marketplace.challenges import permissions
from marketplace.challenges.models import ANSWER_MAX_LENGTH, QUESTION_MAX_LENGTH, ChallengePage, Question


def questions_deadline(challenge: ChallengePage) -> datetime.datetime:
    return challenge.qa_closes_at or challenge.closes_at


def question_url(question: Question) -> str:
    """Where a question's answer is read: the original's place on the challenge page."""
    shown = question.duplicate_of or question
    path = reverse("marketplace:challenge_detail", kwargs={"slug": question.challenge.slug})
    return f"{path}#{shown.anchor}"


def question_ask(
    *, challenge: ChallengePage, by: Person, body: str, now: datetime.datetime | None = None
) -> Question:
    """Ask a public question before the Q&A deadline (refused after it, in the region's time zone).
    The asker's identity is stored but never shown publicly."""
    require(permissions.can_ask_question(by))
    now = now or timezone.now()
    if not challenge.questions_open(now):
        deadline = timezone.localtime(questions_deadline(challenge), challenge.region.zoneinfo)
        raise DomainError(
            _("Questions on this challenge closed at %(deadline)s %(zone)s; your question was not sent.")
            % {"deadline": deadline.strftime("%d-%m-%Y %H:%M"), "zone": challenge.region.zone_label}
        )
    text = require_text(body, field="body", empty=_("Write your question."), max_length=QUESTION_MAX_LENGTH)
    with transaction.atomic():
        question = Question.objects.create(challenge=challenge, asked_by=by, body=text, created_at=now)
        audit.record_object(
            actor=by, action="question.asked", obj=question, after={"challenge": challenge.pk}
        )
    return question


def _notify_answered(question: Question) -> None:
    askers = {question.asked_by_id: question.asked_by} if question.asked_by_id else {}
    for duplicate in question.duplicates.select_related("asked_by"):
        if duplicate.asked_by_id:
            askers.setdefault(duplicate.asked_by_id, duplicate.asked_by)
    if not askers:
        return
    with translation.override(settings.LANGUAGE_CODE):
        url = question_url(question)
        title = question.challenge.title
        messaging.notify(
            kind=messaging.Kind.QUESTIONS,
            users=askers.values(),
            message=_("Your question on “%(title)s” has been answered.") % {"title": title},
            url=url,
            email_subject=_("Your question has been answered"),
            email_body=_("Your question on “%(title)s” has been answered:\n\n%(answer)s\n\n%(link)s")
            % {"title": title, "answer": question.answer, "link": f"{settings.WAGTAILADMIN_BASE_URL}{url}"},
        )


def question_answer(*, question: Question, by: Person, answer: str, answer_en: str = "") -> Question:
    """Answer (or correct the answer to) a question; it becomes public unless merged. The asker,
    and the askers of questions merged into it, are told the first time only. ``answer_en`` is
    the optional English answer shown under /en/ (empty: the Indonesian one is shown there)."""
    require(permissions.can_manage_question(by, question))
    text = require_text(answer, field="answer", empty=_("Write the answer."), max_length=ANSWER_MAX_LENGTH)
    text_en = (answer_en or "").strip()
    if len(text_en) > ANSWER_MAX_LENGTH:
        raise DomainError(_("The English answer is too long."))
    with transaction.atomic():
        locked = Question.objects.select_for_update().get(pk=question.pk)
        if locked.duplicate_of_id:
            raise DomainError(_("This question was merged into another one; answer that one instead."))
        first_answer = locked.answered_at is None
        before = {"answer": locked.answer, "answer_en": locked.answer_en}
        locked.answer, locked.answer_en, locked.answered_by = text, text_en, by
        if first_answer:
            locked.answered_at = timezone.now()
        locked.save(update_fields=["answer", "answer_en", "answered_by", "answered_at"])
        audit.record_object(
            actor=by,
            action="question.answered" if first_answer else "question.answer_changed",
            obj=locked,
            before=before,
            after={"answer": text, "answer_en": text_en},
        )
        if first_answer:
            locked.challenge = question.challenge
            _notify_answered(locked)
    return locked


def question_merge(*, question: Question, into: Question, by: Person) -> Question:
    """Mark ``question`` a duplicate of ``into`` (of the same challenge). The merged question is no
    longer listed; its asker is pointed to the original's answer (now, or when it is answered)."""
    require(permissions.can_manage_question(by, question))
    with transaction.atomic():
        locked = (
            Question.objects.select_for_update(of=("self",)).select_related("asked_by").get(pk=question.pk)
        )
        original = Question.objects.select_for_update().get(pk=into.pk)
        if original.pk == locked.pk:
            raise DomainError(_("A question cannot be merged into itself."), field="duplicate_of")
        if original.challenge_id != locked.challenge_id:
            raise DomainError(_("Merge only questions of the same challenge."), field="duplicate_of")
        if original.duplicate_of_id:
            raise DomainError(
                _("That question was itself merged into another; choose the original."), field="duplicate_of"
            )
        before = locked.duplicate_of_id
        locked.duplicate_of, locked.pinned = original, False
        locked.save(update_fields=["duplicate_of", "pinned"])
        # Questions merged into this one follow it to the original.
        locked.duplicates.update(duplicate_of=original)
        audit.record_object(
            actor=by,
            action="question.merged",
            obj=locked,
            before={"duplicate_of": before},
            after={"duplicate_of": original.pk},
        )
        if original.answered_at and locked.asked_by_id:
            locked.challenge = question.challenge
            with translation.override(settings.LANGUAGE_CODE):
                url = question_url(locked)
                messaging.notify(
                    kind=messaging.Kind.QUESTIONS,
                    users=[locked.asked_by],
                    message=_("Your question on “%(title)s” was answered together with a similar one.")
                    % {"title": question.challenge.title},
                    url=url,
                    email_subject=_("Your question has been answered"),
                    email_body=_(
                        "Your question on “%(title)s” was answered together with a similar one:\n\n"
                        "%(answer)s\n\n%(link)s"
                    )
                    % {
                        "title": question.challenge.title,
                        "answer": original.answer,
                        "link": f"{settings.WAGTAILADMIN_BASE_URL}{url}",
                    },
                )
    return locked


def question_pin(*, question: Question, by: Person, pinned: bool) -> Question:
    """Pin an important question to the top of the challenge's Q&A, or unpin it."""
    require(permissions.can_manage_question(by, question))
    with transaction.atomic():
        locked = Question.objects.select_for_update().get(pk=question.pk)
        if pinned and locked.duplicate_of_id:
            raise DomainError(_("A merged question is not listed, so it cannot be pinned."))
        if locked.pinned != pinned:
            locked.pinned = pinned
            locked.save(update_fields=["pinned"])
            audit.record_object(
                actor=by, action="question.pinned" if pinned else "question.unpinned", obj=locked
            )
    return locked
