"""Writes for partner finding: an organisation marks itself "looking for partners" on a challenge,
others send it partnership requests, and its members accept or decline them.

Each function raises DomainError with a user-facing message when refused, and then changes
nothing. A request's status moves only here: pending → accepted or declined, once.
Notifications are written in the site's default language."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import audit, messaging
from core.actors import Person
from core.errors import DomainError, require, require_text
from marketplace.challenges.models import ChallengePage
from marketplace.organisations import permissions
from marketplace.organisations.models import Organisation, PartnerListing, PartnershipRequest

TEXT_MAX_LENGTH = 1000


def _check_open_for_partners(challenge: ChallengePage, now: datetime.datetime) -> None:
    if not challenge.consortium_allowed:
        raise DomainError(_("This challenge does not accept consortia, so there are no partners to find."))
    if not challenge.is_open_for_submissions(now):
        raise DomainError(_("Partners can be found only while the challenge accepts proposals."))


def _members(organisation: Organisation) -> list:
    return [m.user for m in organisation.memberships.select_related("user")]


def _workspace_url() -> str:
    return reverse("marketplace:workspace_organisations") + "#partnerships"


def partner_listing_save(
    *,
    challenge: ChallengePage,
    organisation: Organisation,
    by: Person,
    offers: str,
    needs: str,
    now: datetime.datetime | None = None,
) -> PartnerListing:
    """Mark ``organisation`` as looking for partners on ``challenge`` (one listing per pair: saving
    again updates it and shows it again). Only while the challenge accepts proposals and allows
    consortia."""
    require(permissions.can_list_for_partners(by, organisation))
    _check_open_for_partners(challenge, now or timezone.now())
    offers = require_text(
        offers,
        field="offers",
        empty=_("Say what your organisation offers to partners."),
        max_length=TEXT_MAX_LENGTH,
    )
    needs = require_text(
        needs,
        field="needs",
        empty=_("Say what your organisation needs from partners."),
        max_length=TEXT_MAX_LENGTH,
    )
    with transaction.atomic():
        listing, created = PartnerListing.objects.select_for_update().get_or_create(
            challenge=challenge,
            organisation=organisation,
            defaults={"offers": offers, "needs": needs, "created_by": by},
        )
        if not created:
            listing.offers, listing.needs, listing.active = offers, needs, True
            listing.save(update_fields=["offers", "needs", "active", "updated_at"])
        audit.record_object(
            actor=by,
            action="partner_listing.created" if created else "partner_listing.updated",
            obj=listing,
            after={"challenge": challenge.pk, "organisation": organisation.pk, "active": True},
        )
    return listing


def partner_listing_close(*, listing: PartnerListing, by: Person) -> PartnerListing:
    """Stop looking for partners: the listing leaves the challenge page. Idempotent."""
    require(permissions.can_list_for_partners(by, listing.organisation))
    with transaction.atomic():
        locked = PartnerListing.objects.select_for_update().get(pk=listing.pk)
        if locked.active:
            locked.active = False
            locked.save(update_fields=["active", "updated_at"])
            audit.record_object(
                actor=by,
                action="partner_listing.closed",
                obj=locked,
                before={"active": True},
                after={"active": False},
            )
    return locked


def partnership_request_send(
    *,
    listing: PartnerListing,
    from_organisation: Organisation,
    by: Person,
    message: str,
    now: datetime.datetime | None = None,
) -> PartnershipRequest:
    """Ask a listed organisation to partner. Refused for one's own organisation, for a listing no
    longer active, and while an earlier request of the same organisation still waits."""
    require(permissions.can_request_partnership(by, listing, from_organisation))
    _check_open_for_partners(listing.challenge, now or timezone.now())
    text = require_text(
        message,
        field="message",
        empty=_("Write a short message to introduce your organisation."),
        max_length=TEXT_MAX_LENGTH,
    )
    duplicate = _("Your organisation already has a request waiting for an answer from this organisation.")
    try:
        with transaction.atomic():
            # The listing as it is now (it may have been closed since the caller read it); the lock
            # also makes two simultaneous requests of one organisation wait for each other.
            if not PartnerListing.objects.select_for_update().filter(pk=listing.pk, active=True).exists():
                raise DomainError(_("This organisation is no longer looking for partners."))
            if PartnershipRequest.objects.filter(
                listing=listing, from_organisation=from_organisation, status=PartnershipRequest.Status.PENDING
            ).exists():
                raise DomainError(duplicate)
            request = PartnershipRequest.objects.create(
                listing=listing, from_organisation=from_organisation, message=text, created_by=by
            )
            audit.record_object(
                actor=by,
                action="partnership_request.sent",
                obj=request,
                after={"listing": listing.pk, "from_organisation": from_organisation.pk},
            )
            with translation.override(settings.LANGUAGE_CODE):
                subject = _("%(organisation)s would like to partner with you") % {
                    "organisation": from_organisation.name
                }
                messaging.notify(
                    kind=messaging.Kind.ORGANISATIONS,
                    users=_members(listing.organisation),
                    message=_("%(organisation)s asks %(listed)s to partner on “%(title)s”.")
                    % {
                        "organisation": from_organisation.name,
                        "listed": listing.organisation.name,
                        "title": listing.challenge.title,
                    },
                    url=_workspace_url(),
                    email_subject=subject,
                    email_body=f"{subject}:\n\n{text}\n\n{settings.WAGTAILADMIN_BASE_URL}{_workspace_url()}",
                )
    except IntegrityError:
        # Two clicks at once: the database's one-pending-request rule keeps the first.
        raise DomainError(duplicate) from None
    return request


def partnership_request_decide(
    *, partnership_request: PartnershipRequest, by: Person, accept: bool
) -> PartnershipRequest:
    """Accept or decline a waiting request, once; the requesting organisation is told."""
    require(permissions.can_decide_partnership(by, partnership_request))
    with transaction.atomic():
        locked = (
            PartnershipRequest.objects.select_for_update(of=("self",))
            .select_related("listing__organisation", "listing__challenge", "from_organisation")
            .get(pk=partnership_request.pk)
        )
        if locked.status != PartnershipRequest.Status.PENDING:
            raise DomainError(
                _("This request was already answered (%(status)s).") % {"status": locked.get_status_display()}
            )
        before = locked.status
        locked.status = PartnershipRequest.Status.ACCEPTED if accept else PartnershipRequest.Status.DECLINED
        locked.decided_by, locked.decided_at = by, timezone.now()
        locked.save(update_fields=["status", "decided_by", "decided_at"])
        audit.record_transition(
            actor=by,
            obj=locked,
            action=f"partnership_request.{locked.status}",
            before=before,
            after=locked.status,
        )
        names = {
            "listed": locked.listing.organisation.name,
            "organisation": locked.from_organisation.name,
            "title": locked.listing.challenge.title,
        }
        with translation.override(settings.LANGUAGE_CODE):
            if accept:
                message = _("%(listed)s accepted the partnership request of %(organisation)s on “%(title)s”.")
            else:
                message = _("%(listed)s declined the partnership request of %(organisation)s on “%(title)s”.")
            message = message % names
            messaging.notify(
                kind=messaging.Kind.ORGANISATIONS,
                users=_members(locked.from_organisation),
                message=message,
                url=_workspace_url(),
                email_subject=message,
                email_body=f"{message}\n\n{settings.WAGTAILADMIN_BASE_URL}{_workspace_url()}",
            )
    return locked
