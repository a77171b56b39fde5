"""The proposals models, one module per area; import them from here."""

from marketplace.proposals.models.conflicts import DeclaredConflict
from marketplace.proposals.models.parts import (
    BudgetLine,
    PlannedMilestone,
    ProposalAnswer,
    ProposalAttachment,
    ProposalPartner,
    ProposalVersion,
    TeamMember,
)
from marketplace.proposals.models.proposals import Proposal

__all__ = [
    "DeclaredConflict",
    "BudgetLine",
    "PlannedMilestone",
    "TeamMember",
    "ProposalAnswer",
    "ProposalAttachment",
    "ProposalPartner",
    "ProposalVersion",
    "Proposal",
]
