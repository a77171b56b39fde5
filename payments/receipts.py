"""Receipts: the email a sponsor gets when a contribution counts or is refunded. The link to the
printable receipt is the page the site registered (``payments.api.configure``)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from payments import configuration, selectors
from payments.models import Contribution, Refund

# Receipts -----------------------------------------------------------------------------------


def _email_text(contribution: Contribution, refund: Refund | None) -> tuple[str, str]:
    amount = selectors.format_money(contribution.amount, contribution.currency)
    fund = contribution.fund.name or contribution.fund.reference
    if refund is None:
        subject = _("Receipt %(number)s: thank you for your contribution") % {
            "number": contribution.receipt_number
        }
        lines = [
            _("Dear %(name)s,") % {"name": contribution.sponsor_name},
            "",
            _("We received your contribution of %(amount)s to %(fund)s.") % {"amount": amount, "fund": fund},
            _("Receipt number: %(number)s") % {"number": contribution.receipt_number},
            _("Paid by: %(rail)s") % {"rail": contribution.get_rail_display()},
            _("Date: %(date)s")
            % {"date": timezone.localtime(contribution.succeeded_at).strftime("%d-%m-%Y %H:%M")},
            "",
            _("Every rupiah of the fund is recorded in the public ledger."),
        ]
    else:
        refunded = selectors.format_money(refund.amount, contribution.currency)
        subject = _("Refund of your contribution %(number)s") % {"number": contribution.receipt_number}
        lines = [
            _("Dear %(name)s,") % {"name": contribution.sponsor_name},
            "",
            _("%(refunded)s of your contribution of %(amount)s to %(fund)s has been refunded.")
            % {"refunded": refunded, "amount": amount, "fund": fund},
            _("Reason: %(reason)s") % {"reason": refund.reason},
        ]
    link = configuration.receipt_url(contribution.pk)
    if link:
        lines += ["", _("Your receipt, to print or save: %(link)s") % {"link": link}]
    return subject, "\n".join(lines) + "\n"


def queue_receipt(*, contribution_id: int, refund_id: int | None = None) -> None:
    """After commit, the receipt (or the refund notice) by email. robust: a broker outage must
    not undo the money received or refunded; the receipt stays on screen."""
    from payments import tasks

    transaction.on_commit(
        lambda: tasks.send_contribution_email.delay(contribution_id=contribution_id, refund_id=refund_id),
        robust=True,
    )


def send_receipt(*, contribution_id: int, refund_id: int | None = None) -> int:
    """The receipt after a contribution counts, or the notice of a refund, in the site's
    default language, to the address the sponsor gave for the receipt."""
    contribution = Contribution.objects.select_related("fund").get(pk=contribution_id)
    refund = Refund.objects.get(pk=refund_id) if refund_id else None
    with translation.override(settings.LANGUAGE_CODE):
        subject, body = _email_text(contribution, refund)
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [contribution.email])
