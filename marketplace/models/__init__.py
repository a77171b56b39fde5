"""The marketplace's models, one module per area; import them from here."""

from marketplace.models.accounts import TaggedExpertise, UserProfile
from marketplace.models.audit import AuditEntry
from marketplace.models.challenges import (
    ApplicationQuestion,
    ChallengeDocument,
    ChallengePage,
    ChallengeQuerySet,
    ChallengeSponsor,
    Criterion,
    Incentive,
    InKindDrawdown,
)
from marketplace.models.notifications import Notification
from marketplace.models.organisations import (
    Membership,
    Organisation,
    OrganisationInvitation,
    TaggedCapability,
    VerificationDocument,
)
from marketplace.models.partners import PartnerListing, PartnershipRequest
from marketplace.models.proposal_parts import (
    BudgetLine,
    PlannedMilestone,
    ProposalAnswer,
    ProposalAttachment,
    ProposalPartner,
    ProposalVersion,
    TeamMember,
)
from marketplace.models.proposals import Award, Milestone, Proposal
from marketplace.models.questions import Question
from marketplace.models.regions import CURRENCY_CHOICES, Agency, ChallengeIndexPage, RegionPage, Sector
from marketplace.models.reviews import (
    Agreement,
    ChallengeReviewer,
    ConflictDeclaration,
    CriterionScore,
    MilestoneEvidence,
    MilestoneReplan,
    PastMembership,
    Review,
    ReviewAssignment,
    ScreeningCheck,
)
from marketplace.models.snippets import Beneficiary, SDGTag, Sponsor

__all__ = [
    "Agreement",
    "ChallengeReviewer",
    "ConflictDeclaration",
    "CriterionScore",
    "MilestoneEvidence",
    "MilestoneReplan",
    "PastMembership",
    "Review",
    "ReviewAssignment",
    "ScreeningCheck",
    "TaggedExpertise",
    "OrganisationInvitation",
    "TaggedCapability",
    "UserProfile",
    "VerificationDocument",
    "Beneficiary",
    "ChallengeDocument",
    "ChallengeSponsor",
    "InKindDrawdown",
    "SDGTag",
    "Sponsor",
    "BudgetLine",
    "PlannedMilestone",
    "ProposalAnswer",
    "ProposalAttachment",
    "ProposalPartner",
    "ProposalVersion",
    "TeamMember",
    "PartnerListing",
    "PartnershipRequest",
    "Question",
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
