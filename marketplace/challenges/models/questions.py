"""Public questions on a challenge, answered by officials of the owning agency."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.challenges.models.challenges import ChallengePage

QUESTION_MAX_LENGTH = 2000
ANSWER_MAX_LENGTH = 5000


class QuestionQuerySet(models.QuerySet):
    def public(self) -> QuestionQuerySet:
        """Answered and not merged into another question: what anyone may read, pinned first."""
        return self.filter(answered_at__isnull=False, duplicate_of__isnull=True).order_by(
            "-pinned", "-answered_at", "pk"
        )

    def awaiting_answer(self) -> QuestionQuerySet:
        return self.filter(answered_at__isnull=True, duplicate_of__isnull=True)


class Question(models.Model):
    """A question asked in public. Who asked it is private: only the asker sees it is theirs."""

    challenge = models.ForeignKey(ChallengePage, on_delete=models.CASCADE, related_name="questions")
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="questions_asked"
    )
    body = models.TextField(_("question"), max_length=QUESTION_MAX_LENGTH)
    answer = models.TextField(_("answer"), max_length=ANSWER_MAX_LENGTH, blank=True)
    answer_en = models.TextField(_("answer (English)"), max_length=ANSWER_MAX_LENGTH, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    pinned = models.BooleanField(_("pinned"), default=False)
    # A merged question is answered by its original and is not listed on its own.
    duplicate_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicates",
        verbose_name=_("duplicate of"),
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["-pinned", "created_at"]
        indexes = [models.Index(fields=["challenge", "answered_at"])]

    def __str__(self) -> str:
        return self.body[:80]

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None

    @property
    def is_public(self) -> bool:
        return self.is_answered and self.duplicate_of_id is None

    @property
    def anchor(self) -> str:
        return f"question-{self.pk}"
