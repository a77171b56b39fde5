"""The marketplace's models, one module per area; import them from here."""

from marketplace.models.audit import AuditEntry
from marketplace.models.challenges import (
    ApplicationQuestion,
    ChallengePage,
    ChallengeQuerySet,
    Criterion,
    Incentive,
)
from marketplace.models.notifications import Notification
from marketplace.models.organisations import Membership, Organisation
from marketplace.models.proposals import Award, Milestone, Proposal
from marketplace.models.regions import CURRENCY_CHOICES, Agency, ChallengeIndexPage, RegionPage, Sector

__all__ = [
    "ApplicationQuestion",
    "Notification",
    "CURRENCY_CHOICES",
    "Agency",
    "AuditEntry",
    "Award",
    "ChallengeIndexPage",
    "ChallengePage",
    "ChallengeQuerySet",
    "Criterion",
    "Incentive",
    "Membership",
    "Milestone",
    "Organisation",
    "Proposal",
    "RegionPage",
    "Sector",
]
