"""Partner finding on a challenge: organisations looking for partners and the requests they get."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.challenges.models import ChallengePage
from marketplace.organisations.models.organisations import Organisation


class PartnerListing(models.Model):
    """An organisation says, on one challenge, that it looks for partners: what it offers and needs."""

    challenge = models.ForeignKey(ChallengePage, on_delete=models.CASCADE, related_name="partner_listings")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="partner_listings")
    offers = models.TextField(_("what we offer"), max_length=1000)
    needs = models.TextField(_("what we need"), max_length=1000)
    active = models.BooleanField(_("looking for partners"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("partner listing")
        verbose_name_plural = _("partner listings")
        ordering = ["-updated_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["challenge", "organisation"], name="partner_listing_unique")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} @ {self.challenge_id}"


class PartnershipRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    listing = models.ForeignKey(PartnerListing, on_delete=models.CASCADE, related_name="requests")
    from_organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="partnership_requests_sent"
    )
    message = models.TextField(_("message"), max_length=1000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("partnership request")
        verbose_name_plural = _("partnership requests")
        ordering = ["-created_at", "pk"]
        constraints = [
            # The database, not only the service, refuses a second open request.
            models.UniqueConstraint(
                fields=["listing", "from_organisation"],
                condition=models.Q(status="pending"),
                name="partnership_request_one_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.from_organisation} → {self.listing}"
