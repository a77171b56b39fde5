"""Rupiah entered by people (\"Rp 1.500.000\", \"1500000\") <-> integer minor units."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = [
    "MoneyField",
    "RupiahField",
    "format_money",
    "major_units",
    "max_amount",
    "parse_rupiah",
    "plausible_amount",
]

# PostgreSQL's bigint: every money column. The plausibility ceiling stays far below it, so no sum
# of a few amounts overflows either.
BIGINT_MAX = 2**63 - 1


def max_amount() -> int:
    """The largest amount, in minor units, the platform accepts anywhere (``MONEY_MAX_RUPIAH``)."""
    return min(settings.MONEY_MAX_RUPIAH * 100, BIGINT_MAX // 1000)


def plausible_amount(amount: int) -> bool:
    """Whether a single amount (minor units, either sign) is below the ceiling."""
    return abs(amount) <= max_amount()


# Amounts as people say them: "150 juta", "1,5 miliar".
SCALES = {
    "ribu": 10**3,
    "rb": 10**3,
    "juta": 10**6,
    "jt": 10**6,
    "miliar": 10**9,
    "milyar": 10**9,
    "triliun": 10**12,
}
_SCALED = re.compile(r"(?P<whole>\d{1,3}(?:\.\d{3})+|\d+)(?:,(?P<fraction>\d+))?(?P<scale>[a-z]+)", re.ASCII)


def parse_rupiah(text: str) -> int:
    """Whole rupiah written the Indonesian way; returns minor units (x100).
    Dots and spaces group thousands; a comma starts sen, which must be 00.
    A scale word may follow: "150 juta", "1,5 miliar", "250 ribu" (the comma is then the decimal
    comma, and the result must still be whole rupiah)."""
    cleaned = re.sub(r"^\s*(rp\.?)\s*", "", str(text).strip(), flags=re.IGNORECASE)
    cleaned = re.sub(r"\s", "", cleaned)
    scaled = _SCALED.fullmatch(cleaned.lower())
    if scaled is not None:
        return _scaled_rupiah(scaled) * 100
    if "," in cleaned:
        cleaned, sen = cleaned.split(",", 1)
        if sen.strip("0"):
            raise ValueError("sen")
    cleaned = cleaned.replace(".", "")
    if not (cleaned.isascii() and cleaned.isdigit()):
        raise ValueError("not a number")
    return int(cleaned) * 100


def _scaled_rupiah(match: re.Match) -> int:
    scale = SCALES.get(match["scale"])
    if scale is None:
        raise ValueError("not a number")
    rupiah = int(match["whole"].replace(".", "")) * scale
    fraction = match["fraction"] or ""
    if fraction:
        part, rest = divmod(int(fraction) * scale, 10 ** len(fraction))
        if rest:
            raise ValueError("sen")
        rupiah += part
    return rupiah


class RupiahField(forms.CharField):
    """Shows and accepts whole rupiah ("150.000.000", "150 juta"); cleans to integer minor units.
    ``allow_zero`` for a value that may be nil (an in-kind offer's estimated value)."""

    default_error_messages = {
        "invalid": _("Enter an amount in rupiah, for example 150.000.000 or 150 juta."),
        "negative": _("An amount cannot be negative. Enter an amount between %(min)s and %(max)s."),
        "min_value": _("The amount must be greater than zero. Enter an amount between %(min)s and %(max)s."),
        "max_value": _(
            "The amount is too large. Enter an amount between %(min)s and %(max)s; check the number of zeros."
        ),
    }

    def __init__(self, *args, allow_zero: bool = False, **kwargs):
        self.allow_zero = allow_zero
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
        super().__init__(*args, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, int) and not isinstance(value, bool):
            # Sen are shown, never dropped: saving the form unchanged keeps the amount.
            return format_money(value).removeprefix("Rp ")
        return value

    def _refuse(self, code: str) -> forms.ValidationError:
        limits = {"min": format_money(0 if self.allow_zero else 100), "max": format_money(max_amount())}
        return forms.ValidationError(self.error_messages[code], code=code, params=limits)

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        if re.match(r"^\s*(rp\.?\s*)?[-\u2212]", value, flags=re.IGNORECASE):
            raise self._refuse("negative")
        try:
            amount = parse_rupiah(value)
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if amount < 0 or (amount == 0 and not self.allow_zero):
            raise self._refuse("min_value")
        if not plausible_amount(amount):
            raise self._refuse("max_value")
        return amount


class MoneyField(models.BigIntegerField):
    """An amount stored in minor units (sen: rupiah x 100) that forms, the Wagtail editor's
    included, show and take in rupiah through ``RupiahField``. Zero is accepted when the field's
    own validators allow it."""

    def formfield(self, **kwargs):
        floor = max(
            (
                v.limit_value
                for v in self.validators
                if isinstance(v, MinValueValidator) and isinstance(v.limit_value, int)
            ),
            default=0,
        )
        defaults: dict[str, Any] = {"form_class": RupiahField, "allow_zero": floor <= 0}
        defaults.update(kwargs)
        return models.Field.formfield(self, **defaults)


def format_money(amount: int, currency: str = "IDR") -> str:
    """Rupiah in Indonesian style: Rp 1.500.000, or Rp 1.500.000,50 when there are sen."""
    sign = "-" if amount < 0 else ""
    whole, cents = divmod(abs(amount), 100)
    grouped = f"{whole:,}".replace(",", ".")
    fraction = f",{cents:02d}" if cents else ""
    if currency == "IDR":
        return f"{sign}Rp {grouped}{fraction}"
    return f"{sign}{currency} {grouped}{fraction}"


def major_units(amount: int) -> int | Decimal:
    """Minor units (sen, x100) as whole currency units, exactly: ``7000000000`` -> ``70000000``.
    An amount with sen left over (a provider's fee, say) keeps them as a two-place decimal,
    ``150000050`` -> ``Decimal("1500000.50")``, never a rounded figure."""
    whole, sen = divmod(amount, 100)
    if not sen:
        return whole
    return Decimal(amount).scaleb(-2)
