"""The regional treasury's account (Rekening Kas Umum Daerah) that sponsors transfer pledges to.

Kept apart from the region's page: page revisions are the editors' and are published by them,
while the account is the finance officers' alone (``treasury_account_save``, audited)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.challenges.models import RegionPage


class TreasuryAccount(models.Model):
    region = models.OneToOneField(
        RegionPage, on_delete=models.CASCADE, related_name="treasury_account", verbose_name=_("region")
    )
    bank_name = models.CharField(_("bank"), max_length=100)
    account_number = models.CharField(_("account number"), max_length=40)
    account_holder = models.CharField(_("account holder"), max_length=200)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("regional treasury account (RKUD)")

    def __str__(self) -> str:
        return f"{self.bank_name} {self.account_number} a.n. {self.account_holder}"
