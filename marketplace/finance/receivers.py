"""What marketplace does when payments announces a finished reconciliation: the finance
officers are told about differences (in the app and by email); and what it tells payments about
the site (the receipt page). Connected and registered in ``MarketplaceConfig.ready``."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core import messaging
from payments.api import FINANCE_GROUP


def contribution_receipt_url(contribution_id: int) -> str:
    """For the receipt email payments sends: where the sponsor prints the receipt."""
    path = reverse("marketplace:contribution_receipt", kwargs={"pk": contribution_id})
    return f"{settings.WAGTAILADMIN_BASE_URL.rstrip('/')}{path}"


def on_reconciliation_finished(sender, *, run, **kwargs) -> None:
    """Nothing to say when the books agree; otherwise one notification per finance officer."""
    count = len(run.differences or [])
    if not count and not run.error:
        return
    if run.error:
        message = _("The reconciliation could not compare everything: %(error)s") % {"error": run.error}
    else:
        message = ngettext(
            "The reconciliation found %(count)d difference between the ledger and the payments.",
            "The reconciliation found %(count)d differences between the ledger and the payments.",
            count,
        ) % {"count": count}
    officers = get_user_model().objects.filter(groups__name=FINANCE_GROUP, is_active=True).distinct()
    messaging.notify(
        kind=messaging.Kind.PAYMENTS,
        users=list(officers),
        message=message,
        url=reverse("marketplace:finance_reconciliation_detail", kwargs={"pk": run.pk}),
        email_subject=_("Reconciliation: differences to check"),
        email_body=message,
    )
