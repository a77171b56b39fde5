"""Writes for the marketplace. Views, API, admin, tasks and commands call these and do
nothing else to the data. Each raises DomainError with a user-facing message when refused."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.utils.translation import gettext as _

from core.actors import Person
from core.errors import DomainError
from core.references import challenge_reference
from marketplace.challenges.models import ChallengePage
from payments import api as payments_api
from payments.api import PaymentError
from payments.models import Fund


@contextmanager
def payment_rules(field: str | None = None) -> Iterator[None]:
    """Money rules speak through PaymentError; the domain's edges know DomainError. Every domain
    service that calls payments wraps the call in this."""
    try:
        yield
    except PaymentError as exc:
        raise DomainError(exc.message, field=field) from exc


# Proposals: see marketplace.services.proposals (re-exported at the end of this module).


# Funds -----------------------------------------------------------------------------------


def challenge_fund(challenge: ChallengePage) -> Fund:
    return payments_api.fund_get_or_create(
        reference=challenge_reference(challenge.pk), name=challenge.title[:255]
    )


def allocation_record(
    *,
    challenge: ChallengePage,
    amount: int,
    by: Person,
    reference: str,
    description: str = "",
    idempotency_key: str,
) -> None:
    """A finance officer records APBD money into the challenge's fund. Idempotent per key."""
    with payment_rules():
        payments_api.allocation_record(
            fund=challenge_fund(challenge),
            amount=amount,
            by=by,
            reference=reference,
            description=description or _("APBD allocation for %(title)s") % {"title": challenge.title},
            idempotency_key=idempotency_key,
        )
