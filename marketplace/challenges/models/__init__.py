"""The challenges models, one module per area; import them from here."""

from marketplace.challenges.models.approval import FourEyesApprovalTask
from marketplace.challenges.models.challenges import (
    TEXT_FEATURES,
    ApplicationQuestion,
    ChallengeDocument,
    ChallengePage,
    ChallengeQuerySet,
    ChallengeSponsor,
    Criterion,
    Incentive,
    closing_soon_window,
    derive_status,
)
from marketplace.challenges.models.questions import (
    ANSWER_MAX_LENGTH,
    QUESTION_MAX_LENGTH,
    Question,
    QuestionQuerySet,
)
from marketplace.challenges.models.regions import (
    CURRENCY_CHOICES,
    Agency,
    ChallengeIndexPage,
    RegionPage,
    Sector,
)
from marketplace.challenges.models.snippets import Beneficiary, SDGTag, Sponsor

__all__ = [
    "FourEyesApprovalTask",
    "closing_soon_window",
    "derive_status",
    "ChallengeQuerySet",
    "TEXT_FEATURES",
    "ChallengePage",
    "Incentive",
    "ChallengeSponsor",
    "ChallengeDocument",
    "Criterion",
    "ApplicationQuestion",
    "QUESTION_MAX_LENGTH",
    "ANSWER_MAX_LENGTH",
    "QuestionQuerySet",
    "Question",
    "CURRENCY_CHOICES",
    "RegionPage",
    "ChallengeIndexPage",
    "Agency",
    "Sector",
    "SDGTag",
    "Beneficiary",
    "Sponsor",
]
