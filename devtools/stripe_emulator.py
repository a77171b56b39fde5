"""A stateful Stripe emulator for tests and benchmarks: localstripe plus what this project needs.

localstripe (the ``localstripe`` package from PyPI) emulates customers, payment methods, payment
intents, charges, refunds and webhooks. It has no Connect, ignores idempotency keys, binds every
interface and pickles its whole store to a fixed file on every write. This module extends it
in-process, before the aiohttp application is built:

* Connect: ``/v1/accounts`` (create, retrieve, list, update, delete), ``/v1/account_links``
  (create), ``/v1/transfers`` (create, retrieve, list, update) and
  ``/v1/transfers/{id}/reversals`` (create, list, retrieve, update), with the events
  ``account.updated``, ``transfer.created``, ``transfer.updated`` and ``transfer.reversed``.
  A transfer is only accepted for a connected account whose onboarding is complete.
* PaymentIntent creation accepts ``transfer_group``, ``transfer_data``, ``description``,
  ``application_fee_amount`` and ``on_behalf_of``; a succeeded destination charge
  (``transfer_data``) creates its transfer. Confirmation accepts ``payment_method`` (for example
  ``pm_card_visa``). ``latest_charge`` is returned as an id unless expanded, as the real API does.
* The ``Idempotency-Key`` header on POST: the first successful (2xx) or card-declined (402)
  response for a key on a path is stored and replayed byte for byte, with the header
  ``Idempotent-Replayed: true``; the same key with different parameters is refused with an
  ``idempotency_error``. Validation errors are not stored, so a corrected retry goes through.
* Test-only routes, without authentication:
  ``POST /_test/accounts/{id}/complete_onboarding`` marks the account as fully onboarded,
  ``GET /_test/account_links/{id}`` is where an account link's ``url`` points (it completes
  onboarding and redirects to ``return_url``; an expired or used link redirects to
  ``refresh_url``), ``GET /_test/health``, and ``POST /_test/faults`` / ``GET /_test/faults``
  (see :func:`configure_faults`): a fraction of transfer creations answers 500 before doing
  anything, or is carried out and then answers only after a delay longer than the client waits,
  as a real provider does when an answer is lost.
* List endpoints of payment intents, refunds and transfers honour ``created`` (``gt``, ``gte``,
  ``lt``, ``lte`` or an exact timestamp), as the real API does; localstripe refuses it or
  ignores it.
* Balance transactions as Stripe makes them (see :func:`_patch_balance_transactions`): one per
  charge, with a card fee of 2.9 % + Rp 2.000 (:func:`card_fee`), per refund, Connect transfer,
  transfer reversal and payout (in any currency, not only EUR as in localstripe), linked from
  each object's ``balance_transaction``; ``GET /v1/balance_transactions`` lists them newest first
  with ``created``, ``type``, ``source``, ``currency`` and ``payout`` filters, ``starting_after``
  pagination and ``expand[]=data.source``.
* The store lives in memory only, and the server listens on 127.0.0.1 only.

Run it with ``python -m devtools.stripe_emulator --port 8420`` from the repository root, or
use :func:`running_stripe_emulator` to get a throwaway instance on a free port.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import logging
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from aiohttp import web
from localstripe import resources as ls_resources
from localstripe.errors import UserError
from localstripe.resources import (
    Charge,
    DeletedObject,
    Event,
    List,
    PaymentIntent,
    PaymentMethod,
    StripeObject,
    random_id,
    schedule_webhook,
    store,
    try_convert_to_bool,
    try_convert_to_int,
)

HOST = "127.0.0.1"
REPO_ROOT = Path(__file__).resolve().parents[1]
MODULE_NAME = "devtools.stripe_emulator"
BANNER_PREFIX = "stripe emulator listening on "

ACCOUNT_LINK_LIFETIME_SECONDS = 300
IDEMPOTENCY_CACHE_SIZE = 10_000

_DEFAULT_CURRENCY_BY_COUNTRY = {
    "AU": "aud",
    "CA": "cad",
    "CH": "chf",
    "GB": "gbp",
    "HK": "hkd",
    "ID": "idr",
    "IN": "inr",
    "JP": "jpy",
    "MY": "myr",
    "NZ": "nzd",
    "PH": "php",
    "SG": "sgd",
    "TH": "thb",
    "US": "usd",
    "AT": "eur",
    "BE": "eur",
    "DE": "eur",
    "ES": "eur",
    "FI": "eur",
    "FR": "eur",
    "IE": "eur",
    "IT": "eur",
    "NL": "eur",
    "PT": "eur",
}


class StripeEmulatorError(RuntimeError):
    """The emulator subprocess could not be started."""


# --------------------------------------------------------------------------------------------
# Helpers shared by the resources
# --------------------------------------------------------------------------------------------


def _invalid(
    message: str, *, param: str | None = None, code: str | None = None, status: int = 400
) -> UserError:
    """A Stripe-shaped ``invalid_request_error``."""
    contents: dict[str, Any] = {}
    if param is not None:
        contents["param"] = param
    if code is not None:
        contents["code"] = code
    return UserError(status, message, contents)


def _reject_unknown(params: dict[str, Any]) -> None:
    for name in params:
        raise _invalid(f"Received unknown parameter: {name}", param=name)


def _no_such(kind: str, id: Any, *, param: str, status: int = 400) -> UserError:
    return _invalid(f"No such {kind}: '{id}'", param=param, code="resource_missing", status=status)


def _check_str(value: Any, param: str, *, required: bool = False) -> None:
    if value is None and not required:
        return
    if not isinstance(value, str) or (required and not value):
        if value is None:
            raise _invalid(f"Missing required param: {param}.", param=param, code="parameter_missing")
        raise _invalid(f"Invalid string: {value!r}", param=param)


def _check_amount(value: Any, param: str, *, minimum: int = 1) -> int:
    if value is None:
        raise _invalid(f"Missing required param: {param}.", param=param, code="parameter_missing")
    value = try_convert_to_int(value)
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise _invalid(f"Invalid integer: {value!r}", param=param)
    return value


def _check_metadata(value: Any) -> dict[str, Any]:
    # An empty string is Stripe's way of saying "no metadata".
    if value is None or value == "":
        return {}
    if not isinstance(value, dict):
        raise _invalid("Invalid metadata: must be an object", param="metadata")
    return {key: item for key, item in value.items() if item != ""}


def _merge_metadata(current: dict[str, Any], update: Any) -> dict[str, Any]:
    if update == "":
        return {}
    if not isinstance(update, dict):
        raise _invalid("Invalid metadata: must be an object", param="metadata")
    merged = dict(current)
    for key, item in update.items():
        if item == "":
            merged.pop(key, None)
        else:
            merged[key] = item
    return merged


def _newest_first(object_name: str, predicate=None) -> list[StripeObject]:
    prefix = object_name + ":"
    items = [value for key, value in store.items() if key.startswith(prefix)]
    if predicate is not None:
        items = [item for item in items if predicate(item)]
    items.reverse()  # the store keeps insertion order; the API lists newest first
    return items


def _emit(
    event_type: str,
    obj: StripeObject,
    *,
    account: str | None = None,
    previous_attributes: dict[str, Any] | None = None,
) -> Event:
    """Record an event and hand it to localstripe's webhook sender."""
    event = Event(event_type, obj)
    if previous_attributes:
        event.data["previous_attributes"] = previous_attributes
    if account is not None:
        event.account = account
    schedule_webhook(event)
    return event


def _changed(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in before.items() if after.get(key) != value}


class _StripeShapedLookup:
    """Lookups that fail like the real API: 404 ``resource_missing`` naming the object."""

    object: str

    @classmethod
    def _api_retrieve(cls, id):
        obj = store.get(f"{cls.object}:{id}") if isinstance(id, str) else None
        if obj is None:
            raise _no_such(cls.object, id, param="id", status=404)
        return obj


# --------------------------------------------------------------------------------------------
# Connect resources
# --------------------------------------------------------------------------------------------


def _parse_capabilities(value: Any) -> dict[str, bool]:
    if value is None or value == "":
        return {}
    if not isinstance(value, dict):
        raise _invalid("Invalid capabilities: must be an object", param="capabilities")
    parsed = {}
    for name, options in value.items():
        if not isinstance(options, dict) or "requested" not in options:
            raise _invalid(f"Invalid capability: {name}", param=f"capabilities[{name}]")
        requested = try_convert_to_bool(options["requested"])
        if not isinstance(requested, bool):
            raise _invalid("Invalid boolean", param=f"capabilities[{name}][requested]")
        parsed[name] = requested
    return parsed


def _requirements(*, outstanding: bool) -> dict[str, Any]:
    due = ["business_type", "external_account", "tos_acceptance.date", "tos_acceptance.ip"]
    return {
        "alternatives": [],
        "current_deadline": None,
        "currently_due": list(due) if outstanding else [],
        "disabled_reason": "requirements.past_due" if outstanding else None,
        "errors": [],
        "eventually_due": list(due) if outstanding else [],
        "past_due": list(due) if outstanding else [],
        "pending_verification": [],
    }


class Account(_StripeShapedLookup, StripeObject):
    object = "account"
    _id_prefix = "acct_"

    _types = ("express", "custom", "standard")
    _business_types = ("individual", "company", "non_profit", "government_entity")
    _updatable = (
        "business_profile",
        "business_type",
        "capabilities",
        "default_currency",
        "email",
        "metadata",
    )

    def __init__(
        self,
        type=None,
        country=None,
        email=None,
        capabilities=None,
        business_type=None,
        business_profile=None,
        metadata=None,
        default_currency=None,
        controller=None,
        **kwargs,
    ):
        _reject_unknown(kwargs)
        account_type = type
        if account_type is None and isinstance(controller, dict):
            dashboard = (controller.get("stripe_dashboard") or {}).get("type")
            account_type = {"express": "express", "full": "standard", "none": "custom"}.get(dashboard)
        if account_type not in self._types:
            raise _invalid("Invalid type: must be one of express, custom, or standard", param="type")
        country = "US" if country is None else country
        if not isinstance(country, str) or len(country) != 2:
            raise _invalid(f"Invalid country: {country!r}", param="country")
        _check_str(email, "email")
        if business_type is not None and business_type not in self._business_types:
            raise _invalid(f"Invalid business_type: {business_type!r}", param="business_type")
        if business_profile is not None and not isinstance(business_profile, dict):
            raise _invalid("Invalid business_profile: must be an object", param="business_profile")
        _check_str(default_currency, "default_currency")
        requested = _parse_capabilities(capabilities)
        metadata = _check_metadata(metadata)

        # All exceptions must be raised before this point.
        super().__init__()

        self.type = account_type
        self.country = country.upper()
        self.email = email
        self.business_type = business_type
        self.business_profile = {
            "mcc": None,
            "name": None,
            "product_description": None,
            "support_email": None,
            "url": None,
            **(business_profile or {}),
        }
        self.capabilities = {name: "inactive" for name, wanted in requested.items() if wanted}
        self.charges_enabled = False
        self.payouts_enabled = False
        self.details_submitted = False
        self.default_currency = (
            default_currency or _DEFAULT_CURRENCY_BY_COUNTRY.get(self.country, "usd")
        ).lower()
        self.metadata = metadata
        self.requirements = _requirements(outstanding=True)

    @property
    def _onboarding_complete(self) -> bool:
        return self.details_submitted and self.charges_enabled and self.payouts_enabled

    @classmethod
    def _api_list_all(cls, url, limit=None, starting_after=None, created=None, **kwargs):
        _reject_unknown(kwargs)
        li = List(url, limit=limit, starting_after=starting_after)
        li._list = _newest_first(cls.object)
        return li

    def _update(self, **data):
        for key in data:
            if key not in self._updatable:
                raise _invalid(f"Received unknown parameter: {key}", param=key)
        if "business_type" in data and data["business_type"] not in self._business_types:
            raise _invalid(f"Invalid business_type: {data['business_type']!r}", param="business_type")
        if "business_profile" in data and not isinstance(data["business_profile"], dict):
            raise _invalid("Invalid business_profile: must be an object", param="business_profile")
        for key in ("email", "default_currency"):
            if key in data:
                _check_str(data[key], key)
        requested = _parse_capabilities(data.get("capabilities"))
        metadata = _merge_metadata(self.metadata, data["metadata"]) if "metadata" in data else None

        before = self._export()
        if "email" in data:
            self.email = data["email"]
        if "business_type" in data:
            self.business_type = data["business_type"]
        if "business_profile" in data:
            self.business_profile = {**self.business_profile, **data["business_profile"]}
        if "default_currency" in data:
            self.default_currency = data["default_currency"].lower()
        if metadata is not None:
            self.metadata = metadata
        capabilities = dict(self.capabilities)
        for name, wanted in requested.items():
            if wanted:
                capabilities[name] = "active" if self._onboarding_complete else "inactive"
            else:
                capabilities.pop(name, None)
        self.capabilities = capabilities
        self._emit_updated(before)

    def _complete_onboarding(self):
        before = self._export()
        self.charges_enabled = True
        self.payouts_enabled = True
        self.details_submitted = True
        self.capabilities = dict.fromkeys(self.capabilities, "active")
        self.requirements = _requirements(outstanding=False)
        self._emit_updated(before)
        return self

    def _emit_updated(self, before):
        previous = _changed(before, self._export())
        if previous:
            _emit("account.updated", self, account=self.id, previous_attributes=previous)

    @classmethod
    def _api_delete(cls, id):
        obj = cls._api_retrieve(id)
        del store[f"{cls.object}:{obj.id}"]
        return DeletedObject(obj.id, cls.object)

    @classmethod
    def _api_complete_onboarding(cls, id):
        return cls._api_retrieve(id)._complete_onboarding()

    @classmethod
    def _require_transfer_destination(cls, id, *, param):
        """The connected account a transfer or destination charge may go to, or a 400."""
        if not isinstance(id, str) or not id:
            raise _invalid(f"Missing required param: {param}.", param=param, code="parameter_missing")
        account = store.get(f"{cls.object}:{id}")
        if account is None:
            raise _no_such("destination", id, param=param)
        if not account._onboarding_complete:
            raise _invalid(
                "Your destination account needs to have at least one of the following capabilities "
                "enabled: transfers, crypto_transfers, legacy_payments",
                param=param,
                code="insufficient_capabilities_for_transfer",
            )
        return account


class AccountLink(StripeObject):
    object = "account_link"
    _id_prefix = "acctlink_"

    _types = ("account_onboarding", "account_update")

    def __init__(
        self,
        account=None,
        type=None,
        refresh_url=None,
        return_url=None,
        collect=None,
        collection_options=None,
        **kwargs,
    ):
        _reject_unknown(kwargs)
        _check_str(account, "account", required=True)
        if store.get(f"account:{account}") is None:
            raise _no_such("account", account, param="account")
        if type not in self._types:
            if type is None:
                raise _invalid("Missing required param: type.", param="type", code="parameter_missing")
            raise _invalid(f"Invalid type: {type!r}", param="type")
        _check_str(refresh_url, "refresh_url")
        _check_str(return_url, "return_url")

        # All exceptions must be raised before this point.
        super().__init__()

        self.expires_at = self.created + ACCOUNT_LINK_LIFETIME_SECONDS
        self.url = None
        self._account = account
        self._type = type
        self._refresh_url = refresh_url
        self._return_url = return_url
        self._used = False

    def _export(self, expand=None):
        # The real object has no id (nor livemode); the id only keys the store and the url.
        exported = super()._export(expand=expand)
        exported.pop("id", None)
        exported.pop("livemode", None)
        return exported


class Transfer(_StripeShapedLookup, StripeObject):
    object = "transfer"
    _id_prefix = "tr_"

    def __init__(
        self,
        amount=None,
        currency=None,
        destination=None,
        description=None,
        metadata=None,
        source_transaction=None,
        source_type=None,
        transfer_group=None,
        **kwargs,
    ):
        _reject_unknown(kwargs)
        amount = _check_amount(amount, "amount")
        _check_str(currency, "currency", required=True)
        _check_str(destination, "destination", required=True)
        _check_str(description, "description")
        _check_str(transfer_group, "transfer_group")
        _check_str(source_transaction, "source_transaction")
        if source_type not in (None, "card", "bank_account", "fpx"):
            raise _invalid(f"Invalid source_type: {source_type!r}", param="source_type")
        metadata = _check_metadata(metadata)
        if store.get(f"account:{destination}") is None:
            raise _no_such("destination", destination, param="destination")
        if source_transaction is not None and store.get(f"charge:{source_transaction}") is None:
            raise _no_such("charge", source_transaction, param="source_transaction")

        # All exceptions must be raised before this point.
        super().__init__()

        self.amount = amount
        self.currency = currency.lower()
        self.destination = destination
        self.destination_payment = "py_" + random_id(24)
        self.description = description
        self.metadata = metadata
        self.source_transaction = source_transaction
        self.source_type = source_type or "card"
        self.transfer_group = transfer_group
        self.balance_transaction = _balance_transaction(
            amount=-amount, currency=self.currency, type="transfer", source=self.id, description=description
        ).id

    @property
    def _reversal_objects(self):
        return _newest_first(TransferReversal.object, lambda reversal: reversal.transfer == self.id)

    @property
    def amount_reversed(self):
        return sum(reversal.amount for reversal in self._reversal_objects)

    @property
    def reversed(self):
        return self.amount_reversed >= self.amount

    @property
    def reversals(self):
        li = List(f"/v1/transfers/{self.id}/reversals")
        li._list = self._reversal_objects
        return li

    @classmethod
    def _api_create(cls, **data):
        Account._require_transfer_destination(data.get("destination"), param="destination")
        obj = cls(**data)
        _emit("transfer.created", obj)
        return obj

    @classmethod
    def _api_update(cls, id, **data):
        obj = cls._api_retrieve(id)
        for key in data:
            if key not in ("description", "metadata"):
                raise _invalid(f"Received unknown parameter: {key}", param=key)
        _check_str(data.get("description"), "description")
        before = obj._export()
        if "description" in data:
            obj.description = data["description"]
        if "metadata" in data:
            obj.metadata = _merge_metadata(obj.metadata, data["metadata"])
        previous = _changed(before, obj._export())
        if previous:
            _emit("transfer.updated", obj, previous_attributes=previous)
        return obj

    @classmethod
    def _api_list_all(
        cls,
        url,
        destination=None,
        transfer_group=None,
        limit=None,
        starting_after=None,
        created=None,
        **kwargs,
    ):
        _reject_unknown(kwargs)

        def wanted(transfer):
            return (destination is None or transfer.destination == destination) and (
                transfer_group is None or transfer.transfer_group == transfer_group
            )

        li = List(url, limit=limit, starting_after=starting_after)
        li._list = _newest_first(cls.object, wanted)
        return li


class TransferReversal(_StripeShapedLookup, StripeObject):
    object = "transfer_reversal"
    _id_prefix = "trr_"

    def __init__(
        self,
        transfer=None,
        amount=None,
        description=None,
        metadata=None,
        refund_application_fee=None,
        **kwargs,
    ):
        _reject_unknown(kwargs)
        transfer_obj = Transfer._api_retrieve(transfer)
        remaining = transfer_obj.amount - transfer_obj.amount_reversed
        amount = remaining if amount is None else _check_amount(amount, "amount")
        _check_str(description, "description")
        metadata = _check_metadata(metadata)
        if remaining <= 0:
            raise _invalid(f"Transfer {transfer_obj.id} has already been fully reversed.", param="amount")
        if amount > remaining:
            raise _invalid(
                f"The reversal amount ({amount}) is greater than the amount remaining on the "
                f"transfer ({remaining}).",
                param="amount",
            )

        # All exceptions must be raised before this point.
        super().__init__()

        self.amount = amount
        self.currency = transfer_obj.currency
        self.transfer = transfer_obj.id
        self.metadata = metadata
        self.destination_payment_refund = "pyr_" + random_id(24)
        self.balance_transaction = _balance_transaction(
            amount=amount,
            currency=self.currency,
            type="transfer_refund",
            source=self.id,
            description=description,
        ).id
        self.source_refund = None

    @classmethod
    def _api_create_for_transfer(cls, id, **data):
        if "transfer" in data:
            raise _invalid("Received unknown parameter: transfer", param="transfer")
        obj = cls(transfer=id, **data)
        _emit("transfer.reversed", Transfer._api_retrieve(id))
        return obj

    @classmethod
    def _api_list_for_transfer(cls, id, limit=None, starting_after=None, **kwargs):
        _reject_unknown(kwargs)
        transfer = Transfer._api_retrieve(id)
        li = List(f"/v1/transfers/{transfer.id}/reversals", limit=limit, starting_after=starting_after)
        li._list = transfer._reversal_objects
        return li

    @classmethod
    def _api_retrieve_for_transfer(cls, id, reversal, **kwargs):
        _reject_unknown(kwargs)
        obj = cls._api_retrieve(reversal)
        if obj.transfer != id:
            raise _no_such(cls.object, reversal, param="id", status=404)
        return obj

    @classmethod
    def _api_update_for_transfer(cls, id, reversal, **data):
        obj = cls._api_retrieve_for_transfer(id, reversal)
        for key in data:
            if key != "metadata":
                raise _invalid(f"Received unknown parameter: {key}", param=key)
        if "metadata" in data:
            obj.metadata = _merge_metadata(obj.metadata, data["metadata"])
        return obj


# --------------------------------------------------------------------------------------------
# Balance transactions and payouts
# --------------------------------------------------------------------------------------------

# What Stripe takes for a card payment, as Stripe Indonesia publishes it for domestic cards:
# 2.9 % of the amount plus Rp 2.000 (in minor units), rounded half up to the minor unit. Other
# currencies pay the percentage only. The VAT Stripe adds on its fees in Indonesia (a separate
# "tax" line in ``fee_details``) is not emulated.
CARD_FEE_BASIS_POINTS = 290
CARD_FEE_FIXED = {"idr": 2_000_00}

# Each balance transaction type with the reporting category Stripe gives it.
BALANCE_TRANSACTION_TYPES = {
    "charge": "charge",
    "payment": "charge",
    "refund": "refund",
    "transfer": "transfer",
    "transfer_refund": "transfer_reversal",
    "payout": "payout",
    "payout_failure": "payout_reversal",
    "stripe_fee": "fee",
}


def card_fee(amount: int, currency: str) -> int:
    """The fee the emulator takes for a card charge of ``amount`` minor units."""
    return (abs(amount) * CARD_FEE_BASIS_POINTS + 5_000) // 10_000 + CARD_FEE_FIXED.get(currency.lower(), 0)


def _balance_transaction(*, amount: int, currency: str, type: str, source: str, description=None):
    from localstripe.resources import BalanceTransaction

    return BalanceTransaction(
        amount=amount, currency=currency, type=type, source=source, description=description
    )


def _patch_balance_transactions() -> None:
    """localstripe makes a balance transaction per charge and refund, without a fee, and lists
    them in insertion order without filters. Here they are made the way Stripe makes them: one
    per charge (with its card fee), refund (negative), Connect transfer (negative), transfer
    reversal, payout (negative) and failed payout, each linked from its source's
    ``balance_transaction``; listed newest first with ``created``, ``type``, ``source``,
    ``currency`` and ``payout`` filters and ``starting_after`` pagination. Funds are available at
    once (``available_on`` = ``created``): the emulator has no payout schedule."""
    from localstripe.resources import BalanceTransaction

    def __init__(
        self,
        amount=None,
        currency=None,
        description=None,
        exchange_rate=None,
        reporting_category=None,
        source=None,
        type=None,
        **kwargs,
    ):
        _reject_unknown(kwargs)
        if type not in BALANCE_TRANSACTION_TYPES:
            raise _invalid(f"Invalid type: {type!r}", param="type")
        amount = try_convert_to_int(amount)
        if not isinstance(amount, int) or isinstance(amount, bool):
            raise _invalid(f"Invalid integer: {amount!r}", param="amount")
        _check_str(currency, "currency", required=True)
        _check_str(source, "source", required=True)
        StripeObject.__init__(self)
        self.amount = amount
        self.available_on = self.created
        self.currency = currency.lower()
        self.description = description
        self.exchange_rate = None  # the account's currency is the charge's
        fee = card_fee(amount, self.currency) if type in ("charge", "payment") and amount > 0 else 0
        self.fee = fee
        self.fee_details = (
            [
                {
                    "amount": fee,
                    "application": None,
                    "currency": self.currency,
                    "description": "Stripe processing fees",
                    "type": "stripe_fee",
                }
            ]
            if fee
            else []
        )
        self.reporting_category = BALANCE_TRANSACTION_TYPES[type]
        self.source = source
        self.status = "available"
        self.type = type
        self._payout = None  # the automatic payout that paid it out (never set: payouts are manual)

    @classmethod
    def _api_retrieve(cls, id):
        return _StripeShapedLookup._api_retrieve.__func__(cls, id)

    @classmethod
    def _api_list_all(
        cls,
        url,
        limit=None,
        starting_after=None,
        created=None,
        type=None,
        source=None,
        currency=None,
        payout=None,
        **kwargs,
    ):
        _reject_unknown(kwargs)
        wanted_created = _created_filter(created)
        _check_str(type, "type")
        _check_str(source, "source")
        _check_str(currency, "currency")
        if payout is not None:
            _check_str(payout, "payout")
            payout_obj = store.get(f"payout:{payout}")
            if payout_obj is None:
                raise _no_such("payout", payout, param="payout")
            if not payout_obj.automatic:
                raise _invalid(
                    "Balance transaction history can only be filtered on automatic transfers, not manual.",
                    param="payout",
                )

        def wanted(txn):
            return (
                (wanted_created is None or wanted_created(txn))
                and (type is None or txn.type == type)
                and (source is None or txn.source == source)
                and (currency is None or txn.currency == currency.lower())
                and (payout is None or txn._payout == payout)
            )

        li = List(url, limit=limit, starting_after=starting_after)
        li._list = _newest_first(cls.object, wanted)
        return li

    BalanceTransaction.__init__ = __init__
    BalanceTransaction._api_retrieve = _api_retrieve
    BalanceTransaction._api_list_all = _api_list_all
    BalanceTransaction.net = property(lambda self: self.amount - self.fee)


def _patch_payout() -> None:
    """localstripe's payouts are EUR only and make no balance transaction. Here a payout in any
    currency takes its amount out of the balance (a ``payout`` balance transaction) and a failed
    one puts it back (``payout_failure``). As in localstripe, ``status`` may be given on creation
    (``paid`` or ``failed``) to stand for the bank's answer; ``payout.paid``/``payout.failed``
    follow ``payout.created``."""
    from localstripe.resources import Payout

    def __init__(
        self,
        amount=None,
        currency=None,
        description=None,
        metadata=None,
        statement_descriptor=None,
        destination=None,
        method=None,
        source_type=None,
        status=None,
        **kwargs,
    ):
        _reject_unknown(kwargs)
        amount = _check_amount(amount, "amount")
        _check_str(currency, "currency", required=True)
        _check_str(description, "description")
        _check_str(statement_descriptor, "statement_descriptor")
        metadata = _check_metadata(metadata)
        if method not in (None, "standard", "instant"):
            raise _invalid(f"Invalid method: {method!r}", param="method")
        if status not in (None, "paid", "pending", "failed"):
            raise _invalid(f"Invalid status: {status!r}", param="status")

        StripeObject.__init__(self)
        self.amount = amount
        self.currency = currency.lower()
        self.description = description or ""
        self.destination = destination or f"ba_{random_id(24)}"
        self.metadata = metadata
        self.method = method or "standard"
        self.source_type = source_type or "card"
        self.statement_descriptor = statement_descriptor or ""
        self.arrival_date = int(time.time() + 60 * 60 * 24 * 2)
        self.automatic = False
        self.balance_transaction = _balance_transaction(
            amount=-amount, currency=self.currency, type="payout", source=self.id, description=description
        ).id
        self.failure_balance_transaction = None
        self.failure_code = None
        self.failure_message = None
        self.original_payout = None
        self.reversed_by = None
        self.status = status or "pending"
        self.type = "bank_account"
        if status == "failed":
            self.failure_balance_transaction = _balance_transaction(
                amount=amount, currency=self.currency, type="payout_failure", source=self.id
            ).id
            self.failure_code = "could_not_process"
            self.failure_message = "The bank could not process this payout."
        _emit("payout.created", self)
        if status in ("paid", "failed"):
            _emit(f"payout.{status}", self)

    Payout.__init__ = __init__


# --------------------------------------------------------------------------------------------
# Patches to localstripe's own resources
# --------------------------------------------------------------------------------------------


def _patch_store() -> None:
    """Keep the store in memory: localstripe pickles all of it to /tmp on every single write."""

    def no_op(self, *args, **kwargs):
        return None

    ls_resources.Store.dump_to_disk = no_op
    ls_resources.Store.try_load_from_disk = no_op


def _patch_charge() -> None:
    original_init = Charge.__init__

    def __init__(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        self.transfer = None
        self.transfer_data = None
        self.transfer_group = None

    Charge.__init__ = __init__


def _patch_payment_intent() -> None:
    original_init = PaymentIntent.__init__
    original_on_success = PaymentIntent._on_success
    original_export = PaymentIntent._export
    original_confirm = PaymentIntent._api_confirm.__func__

    def __init__(
        self,
        *args,
        transfer_group=None,
        transfer_data=None,
        description=None,
        application_fee_amount=None,
        on_behalf_of=None,
        **kwargs,
    ):
        _check_str(transfer_group, "transfer_group")
        _check_str(description, "description")
        if application_fee_amount is not None:
            application_fee_amount = _check_amount(
                application_fee_amount, "application_fee_amount", minimum=0
            )
        if transfer_data is not None:
            if not isinstance(transfer_data, dict):
                raise _invalid("Invalid transfer_data: must be an object", param="transfer_data")
            unknown = set(transfer_data) - {"destination", "amount"}
            if unknown:
                name = sorted(unknown)[0]
                raise _invalid(
                    f"Received unknown parameter: transfer_data[{name}]", param=f"transfer_data[{name}]"
                )
            Account._require_transfer_destination(
                transfer_data.get("destination"), param="transfer_data[destination]"
            )
            transfer_data = {"destination": transfer_data["destination"]} | (
                {"amount": _check_amount(transfer_data["amount"], "transfer_data[amount]")}
                if "amount" in transfer_data
                else {}
            )
        if on_behalf_of is not None:
            _check_str(on_behalf_of, "on_behalf_of")
            if store.get(f"account:{on_behalf_of}") is None:
                raise _no_such("account", on_behalf_of, param="on_behalf_of")

        original_init(self, *args, **kwargs)

        # localstripe keeps shortcut ids such as "pm_card_visa"; the API returns the real id.
        if isinstance(self.payment_method, str):
            self.payment_method = PaymentMethod._api_retrieve(self.payment_method).id
        self.transfer_group = transfer_group
        self.transfer_data = transfer_data
        self.description = description
        self.application_fee_amount = application_fee_amount
        self.on_behalf_of = on_behalf_of

    def _on_success(self):
        charge = self.latest_charge
        if charge is not None:
            charge.transfer_group = self.transfer_group
            charge.transfer_data = self.transfer_data
            if charge.description is None:
                charge.description = self.description
            if self.transfer_data and charge.transfer is None:
                amount = self.transfer_data.get("amount", self.amount - (self.application_fee_amount or 0))
                if amount > 0:
                    transfer = Transfer(
                        amount=amount,
                        currency=self.currency,
                        destination=self.transfer_data["destination"],
                        source_transaction=charge.id,
                        transfer_group=self.transfer_group,
                    )
                    charge.transfer = transfer.id
                    _emit("transfer.created", transfer)
        original_on_success(self)

    def _export(self, expand=None):
        exported = original_export(self, expand=expand)
        expanded = any(path.split(".")[0] == "latest_charge" for path in expand or [])
        if not expanded and isinstance(exported.get("latest_charge"), dict):
            exported["latest_charge"] = exported["latest_charge"]["id"]
        return exported

    def _api_confirm(cls, id, payment_method=None, return_url=None, **kwargs):
        if payment_method is not None:
            _check_str(payment_method, "payment_method", required=True)
            obj = cls._api_retrieve(id)
            if obj.status not in ("requires_payment_method", "requires_confirmation"):
                raise _invalid(
                    f"You cannot confirm this PaymentIntent because it has a status of {obj.status}.",
                    code="payment_intent_unexpected_state",
                )
            obj.payment_method = PaymentMethod._api_retrieve(payment_method).id
            if obj.latest_charge is not None and obj.latest_charge.status == "failed":
                obj.latest_charge = None
        return original_confirm(cls, id, **kwargs)

    PaymentIntent.__init__ = __init__
    PaymentIntent._on_success = _on_success
    PaymentIntent._export = _export
    PaymentIntent._api_confirm = classmethod(_api_confirm)

    # localstripe.server builds its routes from these (method, url, bound method) entries when it is
    # imported, so the entry itself has to point at the new confirm.
    for index, (method, url, _func) in enumerate(ls_resources.extra_apis):
        if (method, url) == ("POST", "/v1/payment_intents/{id}/confirm"):
            ls_resources.extra_apis[index] = (method, url, PaymentIntent._api_confirm)


# --------------------------------------------------------------------------------------------
# Idempotency
# --------------------------------------------------------------------------------------------


class _StoredResponse:
    __slots__ = ("body", "content_type", "fingerprint", "status")

    def __init__(self, *, body: bytes, content_type: str, fingerprint: str, status: int):
        self.body = body
        self.content_type = content_type
        self.fingerprint = fingerprint
        self.status = status


_idempotent_responses: OrderedDict[tuple[str, str, str, str], _StoredResponse] = OrderedDict()
_idempotency_lock: asyncio.Lock | None = None


def _request_fingerprint(query: str, body: bytes) -> str:
    """The parameters of a request, independent of the order they were encoded in."""
    text = body.decode("utf-8", errors="replace")
    try:
        canonical = json.dumps(json.loads(text), sort_keys=True) if text.strip() else ""
    except json.JSONDecodeError:
        canonical = json.dumps(sorted(urllib.parse.parse_qsl(text, keep_blank_values=True)))
    canonical += "?" + json.dumps(sorted(urllib.parse.parse_qsl(query, keep_blank_values=True)))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _json_error(status: int, error: dict[str, Any]) -> web.Response:
    return web.json_response(
        {"error": error},
        status=status,
        dumps=lambda value: json.dumps(value, indent=2, sort_keys=True) + "\n",
    )


@web.middleware
async def idempotency_middleware(request: web.Request, handler):
    global _idempotency_lock

    if request.method == "DELETE" and request.path == "/_config/data":
        response = await handler(request)
        _idempotent_responses.clear()
        return response

    key = request.headers.get("Idempotency-Key")
    if request.method != "POST" or not key:
        return await handler(request)
    if len(key) > 255:
        return _json_error(
            400,
            {
                "type": "invalid_request_error",
                "param": "Idempotency-Key",
                "message": "Idempotency-Key must be at most 255 characters long.",
            },
        )

    # Keys are scoped to the API key and connected account, as on Stripe, and to the path.
    cache_key = (
        request.headers.get("Authorization", ""),
        request.headers.get("Stripe-Account", ""),
        key,
        request.path,
    )
    fingerprint = _request_fingerprint(request.query_string, await request.read())

    if _idempotency_lock is None:
        _idempotency_lock = asyncio.Lock()
    # One idempotent POST at a time: a concurrent retry waits for, then replays, the first.
    async with _idempotency_lock:
        stored = _idempotent_responses.get(cache_key)
        if stored is not None:
            if stored.fingerprint != fingerprint:
                return _json_error(
                    400,
                    {
                        "type": "idempotency_error",
                        "message": (
                            "Keys for idempotent requests can only be used with the same parameters "
                            f"they were first used with. Try using a key other than '{key}' if you "
                            "meant to execute a different request."
                        ),
                    },
                )
            _idempotent_responses.move_to_end(cache_key)
            return web.Response(
                body=stored.body,
                status=stored.status,
                headers={
                    "Content-Type": stored.content_type,
                    "Idempotency-Key": key,
                    "Idempotent-Replayed": "true",
                },
            )

        response = await handler(request)
        storable = (
            isinstance(response, web.Response)
            and isinstance(response.body, bytes)
            and (200 <= response.status < 300 or response.status == 402)
        )
        if storable:
            _idempotent_responses[cache_key] = _StoredResponse(
                body=response.body,
                status=response.status,
                fingerprint=fingerprint,
                content_type=response.headers.get("Content-Type", "application/json; charset=utf-8"),
            )
            while len(_idempotent_responses) > IDEMPOTENCY_CACHE_SIZE:
                _idempotent_responses.popitem(last=False)
        response.headers["Idempotency-Key"] = key
        return response


# --------------------------------------------------------------------------------------------
# Fault injection (test-only): transfer creations that fail or whose answer comes too late
# --------------------------------------------------------------------------------------------


class _Faults:
    """What ``POST /_test/faults`` configured, and what was injected so far."""

    def __init__(self) -> None:
        self.reset()

    def reset(self, *, error_rate: float = 0.0, timeout_rate: float = 0.0, delay: float = 0.0, seed=None):
        import random

        self.error_rate = error_rate
        self.timeout_rate = timeout_rate
        self.delay = delay
        self.random = random.Random(seed)
        self.counts = {"requests": 0, "errors": 0, "timeouts": 0}

    def export(self) -> dict[str, Any]:
        return {
            "error_rate": self.error_rate,
            "timeout_rate": self.timeout_rate,
            "delay": self.delay,
            **self.counts,
        }


_faults = _Faults()


def _fraction(value: Any, name: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise _invalid(f"Invalid {name}: {value!r}", param=name) from None
    if not 0.0 <= number <= 1.0 and name.endswith("_rate"):
        raise _invalid(f"Invalid {name}: must be between 0 and 1", param=name)
    if number < 0:
        raise _invalid(f"Invalid {name}: must not be negative", param=name)
    return number


@web.middleware
async def fault_middleware(request: web.Request, handler):
    """Outside the idempotency middleware, so a delayed answer does not hold its lock, and a
    retry with the same key replays the transfer that was made."""
    if request.method != "POST" or request.path != "/v1/transfers":
        return await handler(request)
    _faults.counts["requests"] += 1
    draw = _faults.random.random()
    if draw < _faults.error_rate:
        _faults.counts["errors"] += 1
        return _json_error(
            500, {"type": "api_error", "message": "An unknown error occurred (injected by /_test/faults)."}
        )
    response = await handler(request)
    if draw < _faults.error_rate + _faults.timeout_rate and 200 <= response.status < 300:
        _faults.counts["timeouts"] += 1
        await asyncio.sleep(_faults.delay)
    return response


def _created_filter(created: Any):
    """A predicate for Stripe's ``created`` list parameter."""
    if created is None or created == "":
        return None
    if isinstance(created, dict):
        bounds = {}
        for op, value in created.items():
            if op not in ("gt", "gte", "lt", "lte"):
                raise _invalid(f"Invalid created[{op}]", param=f"created[{op}]")
            number = try_convert_to_int(value)
            if not isinstance(number, int):
                raise _invalid(f"Invalid integer: {value!r}", param=f"created[{op}]")
            bounds[op] = number
        checks = {
            "gt": lambda c, v: c > v,
            "gte": lambda c, v: c >= v,
            "lt": lambda c, v: c < v,
            "lte": lambda c, v: c <= v,
        }
        return lambda obj: all(checks[op](obj.created, value) for op, value in bounds.items())
    exact = try_convert_to_int(created)
    if not isinstance(exact, int):
        raise _invalid(f"Invalid integer: {created!r}", param="created")
    return lambda obj: obj.created == exact


def _patch_created_filters() -> None:
    from localstripe.resources import Payout, Refund

    for cls in (PaymentIntent, Refund, Transfer, Payout):
        original = cls._api_list_all.__func__

        def list_all(cls, url, *args, created=None, _original=original, **kwargs):
            wanted = _created_filter(created)
            li = _original(cls, url, *args, **kwargs)
            if wanted is not None:
                li._list = [obj for obj in li._list if wanted(obj)]
            return li

        cls._api_list_all = classmethod(list_all)


# --------------------------------------------------------------------------------------------
# Application
# --------------------------------------------------------------------------------------------


def _route(server, func):
    """An aiohttp handler calling ``func(**params)``: body or query, plus the URL's placeholders."""

    async def handle(request: web.Request) -> web.Response:
        if request.method == "GET":
            data = server.unflatten_data(request.query)
        else:
            data = dict(await server.get_post_data(request) or {})
        data.update(request.match_info)
        expand = data.pop("expand", None)
        return server.json_response(func(**data)._export(expand=expand))

    return handle


def _add_routes(server, app: web.Application) -> None:
    router = app.router
    for cls, url in ((Account, "/v1/accounts"), (Transfer, "/v1/transfers")):
        router.add_post(url, server.api_create(cls, url))
        router.add_get(url, server.api_list_all(cls, url))
        router.add_get(url + "/{id}", server.api_retrieve(cls, url))
        router.add_post(url + "/{id}", server.api_update(cls, url))
    router.add_delete("/v1/accounts/{id}", server.api_delete(Account, "/v1/accounts"))

    reversals = "/v1/transfers/{id}/reversals"
    router.add_post(reversals, _route(server, TransferReversal._api_create_for_transfer))
    router.add_get(reversals, _route(server, TransferReversal._api_list_for_transfer))
    router.add_get(reversals + "/{reversal}", _route(server, TransferReversal._api_retrieve_for_transfer))
    router.add_post(reversals + "/{reversal}", _route(server, TransferReversal._api_update_for_transfer))

    async def create_account_link(request: web.Request) -> web.Response:
        data = dict(await server.get_post_data(request) or {})
        expand = data.pop("expand", None)
        link = AccountLink(**data)
        link.url = f"{request.scheme}://{request.host}/_test/account_links/{link.id}"
        return server.json_response(link._export(expand=expand))

    async def visit_account_link(request: web.Request) -> web.Response:
        link = store.get(f"account_link:{request.match_info['id']}")
        if link is None:
            raise _invalid("This account link does not exist.", status=404)
        account = Account._api_retrieve(link._account)
        expired = link._used or time.time() > link.expires_at
        if expired:
            target = link._refresh_url
        else:
            link._used = True
            if link._type == "account_onboarding":
                account._complete_onboarding()
            target = link._return_url
        if target:
            return web.Response(status=302, headers={"Location": target})
        return server.json_response({"expired": expired, "account": account._export()})

    async def complete_onboarding(request: web.Request) -> web.Response:
        return server.json_response(Account._api_complete_onboarding(request.match_info["id"])._export())

    async def health(request: web.Request) -> web.Response:
        return server.json_response({"ok": True})

    router.add_post("/v1/account_links", create_account_link)
    router.add_get("/_test/account_links/{id}", visit_account_link)

    async def set_faults(request: web.Request) -> web.Response:
        data = dict(await server.get_post_data(request) or {})
        _faults.reset(
            error_rate=_fraction(data.get("error_rate", 0), "error_rate"),
            timeout_rate=_fraction(data.get("timeout_rate", 0), "timeout_rate"),
            delay=_fraction(data.get("delay", 0), "delay"),
            seed=data.get("seed"),
        )
        if _faults.error_rate + _faults.timeout_rate > 1:
            raise _invalid("error_rate + timeout_rate must not exceed 1", param="timeout_rate")
        return server.json_response(_faults.export())

    async def get_faults(request: web.Request) -> web.Response:
        return server.json_response(_faults.export())

    router.add_post("/_test/accounts/{id}/complete_onboarding", complete_onboarding)
    router.add_get("/_test/health", health)
    router.add_post("/_test/faults", set_faults)
    router.add_get("/_test/faults", get_faults)


def _set_middlewares(server, app: web.Application) -> None:
    @web.middleware
    async def auth_middleware(request: web.Request, handler):
        if request.path.startswith("/_test/"):
            return await handler(request)
        return await server.auth_middleware(request, handler)

    middlewares = app.middlewares
    kept = [m for m in middlewares if m is not server.save_store_middleware]
    kept = [auth_middleware if m is server.auth_middleware else m for m in kept]
    middlewares.clear()
    middlewares.extend([fault_middleware, idempotency_middleware, *kept])


_app: web.Application | None = None


def build_app() -> web.Application:
    """Extend localstripe and return its aiohttp application (once per process)."""
    global _app
    if _app is not None:
        return _app
    if "localstripe.server" in sys.modules:
        raise RuntimeError("build_app() must run before anything imports localstripe.server")
    _patch_store()
    _patch_charge()
    _patch_payment_intent()
    _patch_created_filters()
    _patch_balance_transactions()
    _patch_payout()

    from localstripe import server

    _set_middlewares(server, server.app)
    _add_routes(server, server.app)
    _app = server.app
    return _app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog=f"python -m {MODULE_NAME}", description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=8420, help="TCP port on 127.0.0.1 (0: any free port)")
    parser.add_argument("--access-log", action="store_true", help="log every request to stderr")
    args = parser.parse_args(argv)

    app = build_app()

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, args.port))
    url = f"http://{HOST}:{sock.getsockname()[1]}"

    access_log = None
    if args.access_log:
        access_log = logging.getLogger("aiohttp.access")
        access_log.setLevel(logging.DEBUG)
        access_log.addHandler(logging.StreamHandler())

    def announce(*_args: Any, **_kwargs: Any) -> None:  # called once the socket is listening
        print(BANNER_PREFIX + url, flush=True)

    web.run_app(app, sock=sock, print=announce, access_log=access_log, shutdown_timeout=1.0)


# --------------------------------------------------------------------------------------------
# Launcher for tests
# --------------------------------------------------------------------------------------------


def _read(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8", errors="replace")
    except FileNotFoundError:
        return ""


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/_test/health", timeout=1) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


@contextlib.contextmanager
def running_stripe_emulator(port: int | None = None, *, timeout: float = 20.0) -> Iterator[str]:
    """Run the emulator in a subprocess; yield its base URL ``http://127.0.0.1:PORT``.

    Without ``port`` the operating system picks a free one. Raises :class:`StripeEmulatorError`,
    with the subprocess's output, if it does not answer within ``timeout`` seconds.
    """
    env = dict(os.environ)
    env["PYTHONUNBUFFERED"] = "1"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    command = [sys.executable, "-m", MODULE_NAME, "--port", str(0 if port is None else port)]

    with tempfile.TemporaryDirectory(prefix="stripe-emulator-") as directory:
        stdout, stderr = Path(directory, "stdout.log"), Path(directory, "stderr.log")
        # Appending files, read separately by path: the subprocess's writes never race our reads.
        with stdout.open("ab") as out, stderr.open("ab") as err:
            process = subprocess.Popen(
                command, cwd=REPO_ROOT, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err
            )

        def failure(reason: str) -> StripeEmulatorError:
            return StripeEmulatorError(
                f"the Stripe emulator {reason}.\ncommand: {' '.join(command)} (in {REPO_ROOT})\n"
                f"stdout:\n{_read(stdout)}\nstderr:\n{_read(stderr)}"
            )

        try:
            deadline = time.monotonic() + timeout
            url = None
            while True:
                if process.poll() is not None:
                    raise failure(f"exited with code {process.returncode} before answering")
                if url is None:
                    match = re.search(re.escape(BANNER_PREFIX) + r"(\S+)", _read(stdout))
                    url = match.group(1) if match else None
                if url is not None and _answers(url):
                    break
                if time.monotonic() > deadline:
                    _stop(process)
                    raise failure(f"did not answer within {timeout:g}s")
                time.sleep(0.05)
            yield url
        finally:
            _stop(process)


# --------------------------------------------------------------------------------------------
# Small clients for the emulator's own routes
# --------------------------------------------------------------------------------------------


def stripe_base_addresses(url: str) -> dict[str, str]:
    """``base_addresses`` for ``stripe.StripeClient`` so that every API goes to the emulator."""
    return {"api": url, "connect": url, "files": url}


def _post(url: str, data: dict[str, Any] | None = None, *, method: str = "POST") -> bytes:
    body = urllib.parse.urlencode(data or {}, doseq=True).encode("ascii")
    request = urllib.request.Request(url, data=body if method == "POST" else None, method=method)
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read()


def complete_onboarding(url: str, account_id: str) -> dict[str, Any]:
    """Mark a connected account as fully onboarded; returns the account."""
    return json.loads(_post(f"{url}/_test/accounts/{urllib.parse.quote(account_id)}/complete_onboarding"))


def register_webhook(
    url: str, endpoint: str, secret: str, *, webhook_id: str = "default", events: list[str] | None = None
) -> None:
    """Send events (all, or only ``events``) to ``endpoint``, signed with ``secret``.

    Delivery happens about a second after the event. Registering the same ``webhook_id`` again
    replaces the earlier endpoint.
    """
    data: dict[str, Any] = {"url": endpoint, "secret": secret}
    for index, event_type in enumerate(events or []):
        data[f"events[{index}]"] = event_type
    _post(f"{url}/_config/webhooks/{urllib.parse.quote(webhook_id)}", data)


def configure_faults(
    url: str,
    *,
    error_rate: float = 0.0,
    timeout_rate: float = 0.0,
    delay: float = 0.0,
    seed: int | None = None,
) -> dict[str, Any]:
    """Test-only: make a fraction of ``POST /v1/transfers`` fail. ``error_rate`` answers 500
    before anything happens; ``timeout_rate`` makes the transfer, then answers after ``delay``
    seconds (set it past the client's timeout: the answer is lost, a retry with the same
    idempotency key replays it). Returns the settings with zeroed counters; ``faults(url)``
    reads the counters later. All zero turns faults off."""
    data: dict[str, Any] = {"error_rate": error_rate, "timeout_rate": timeout_rate, "delay": delay}
    if seed is not None:
        data["seed"] = seed
    return json.loads(_post(f"{url}/_test/faults", data))


def faults(url: str) -> dict[str, Any]:
    """The fault settings and how many requests, errors and timeouts were seen."""
    with urllib.request.urlopen(f"{url}/_test/faults", timeout=10) as response:
        return json.loads(response.read())


def reset(url: str) -> None:
    """Forget every object and stored idempotent response (registered webhooks stay)."""
    _post(f"{url}/_config/data", method="DELETE")


if __name__ == "__main__":
    main()
