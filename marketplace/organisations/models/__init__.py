"""The organisations models, one module per area; import them from here."""

from marketplace.organisations.models.organisations import (
    INVITATION_LIFETIME,
    Membership,
    Organisation,
    OrganisationInvitation,
    TaggedCapability,
    VerificationDocument,
    document_upload_to,
    invitation_expiry,
    invitation_token,
    logo_upload_to,
)
from marketplace.organisations.models.organisations_past import PastMembership
from marketplace.organisations.models.partners import PartnerListing, PartnershipRequest
from marketplace.organisations.models.profiles import PHONE_VALIDATOR, TaggedExpertise, UserProfile

__all__ = [
    "logo_upload_to",
    "TaggedCapability",
    "Organisation",
    "Membership",
    "invitation_token",
    "INVITATION_LIFETIME",
    "invitation_expiry",
    "OrganisationInvitation",
    "document_upload_to",
    "VerificationDocument",
    "PastMembership",
    "PartnerListing",
    "PartnershipRequest",
    "PHONE_VALIDATOR",
    "TaggedExpertise",
    "UserProfile",
]
