"""Reconciliation differences in words, in the reader's language (a run stores them as codes
and facts)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from payments.models import (
    Contribution,
    Disbursement,
    Refund,
)
from payments.selectors import format_money

# Words  ------------------------------------------------------------------


def _money(difference: dict, key: str) -> str:
    value = difference.get(key)
    return format_money(value, difference.get("currency") or "IDR") if isinstance(value, int) else "—"


def describe(difference: dict) -> str:
    """One sentence, in the active language, for a stored difference."""
    code = difference.get("code", "")
    facts = {
        "object": object_label(difference.get("object", "")),
        "id": difference.get("id") or "—",
        "gateway_id": difference.get("gateway_id") or "—",
        "expected": _money(difference, "expected"),
        "actual": _money(difference, "actual"),
        "local_status": status_label(difference.get("object", ""), difference.get("local_status") or "—"),
        "gateway_status": difference.get("gateway_status") or "—",
        "detail": difference.get("detail") or "",
    }
    templates = {
        "unbalanced_transaction": _(
            "Ledger transaction %(id)s does not balance: its entries add up to %(actual)s."
        ),
        "ledger_missing": _(
            "%(object)s %(id)s is recorded as %(local_status)s but has no ledger transaction."
        ),
        "ledger_amount": _("%(object)s %(id)s is for %(expected)s but the ledger records %(actual)s."),
        "ledger_unexpected": _(
            "The ledger records %(actual)s for %(object)s %(id)s, which is %(local_status)s "
            "(expected %(expected)s)."
        ),
        "reference_missing": _(
            "%(object)s %(id)s is recorded as %(local_status)s without a bank or gateway reference."
        ),
        "refund_total": _(
            "Contribution %(id)s shows %(expected)s refunded but its refunds add up to %(actual)s."
        ),
        "gateway_unknown": _("Stripe has %(object)s %(gateway_id)s (%(actual)s) that is not recorded here."),
        "gateway_missing": _("%(object)s %(id)s names %(gateway_id)s, which Stripe does not have."),
        "amount_mismatch": _(
            "%(object)s %(id)s is for %(expected)s here but %(actual)s at Stripe (%(gateway_id)s)."
        ),
        "currency_mismatch": _(
            "%(object)s %(id)s has another currency at Stripe (%(gateway_id)s): %(detail)s."
        ),
        "status_mismatch": _(
            "%(object)s %(id)s is %(local_status)s here but %(gateway_status)s at Stripe (%(gateway_id)s)."
        ),
        "duplicate_transfer": _("Disbursement %(id)s was sent more than once: transfers %(gateway_id)s."),
        "destination_mismatch": _(
            "Transfer %(gateway_id)s for disbursement %(id)s went to another account: %(detail)s."
        ),
        "reversal_not_in_ledger": _(
            "Transfer %(gateway_id)s for disbursement %(id)s was reversed by %(actual)s at Stripe; "
            "the ledger reverses %(expected)s."
        ),
        "balance_amount": _(
            "Stripe's balance moved %(actual)s for %(detail)s (balance transaction %(gateway_id)s); "
            "the ledger records %(expected)s."
        ),
        "fee_missing": _(
            "Stripe took a fee of %(actual)s on %(detail)s (balance transaction %(gateway_id)s) "
            "that the ledger does not record."
        ),
        "fee_amount": _(
            "Stripe took a fee of %(actual)s on %(detail)s (balance transaction %(gateway_id)s); "
            "the ledger records a fee of %(expected)s."
        ),
        "payout_missing": _(
            "Stripe paid %(actual)s out to the bank (payout %(gateway_id)s), which is not in the books."
        ),
        "payout_amount": _(
            "Payout %(gateway_id)s is for %(actual)s at Stripe but %(expected)s in the books."
        ),
    }
    template = templates.get(code)
    if template is None:
        return _("Unknown difference: %(detail)s") % {"detail": difference}
    return template % facts


def status_label(object_name: str, status: str) -> str:
    """Our record's status in words ("Dibayar"); a gateway's own status stays as Stripe says it."""
    choices = {
        "contribution": Contribution.Status,
        "refund": Refund.Status,
        "disbursement": Disbursement.Status,
    }.get(object_name)
    if choices is None:
        return status
    return str(dict(choices.choices).get(status, status))


def object_label(name: str) -> str:
    return {
        "contribution": _("Contribution"),
        "refund": _("Refund"),
        "disbursement": _("Disbursement"),
        "transaction": _("Ledger transaction"),
        "payment_intent": _("payment"),
        "stripe_refund": _("refund"),
        "transfer": _("transfer"),
        "balance_transaction": _("Stripe balance"),
        "payout": _("Payout to the bank"),
    }.get(name, name)
