"""Rupiah entered by people (\"Rp 1.500.000\", \"1500000\") <-> integer minor units."""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

__all__ = ["RupiahField", "format_money", "major_units", "max_amount", "parse_rupiah", "plausible_amount"]

# PostgreSQL's bigint: every money column. The plausibility ceiling stays far below it, so no sum
# of a few amounts overflows either.
BIGINT_MAX = 2**63 - 1


def max_amount() -> int:
    """The largest amount, in minor units, the platform accepts anywhere (``MONEY_MAX_RUPIAH``)."""
    return min(settings.MONEY_MAX_RUPIAH * 100, BIGINT_MAX // 1000)


def plausible_amount(amount: int) -> bool:
    """Whether a single amount (minor units, either sign) is below the ceiling."""
    return abs(amount) <= max_amount()


# Amounts written with a word, as people say them: "100 juta", "1,5 miliar", "250 ribu".
RUPIAH_WORDS = {
    "ribu": 10**3,
    "rb": 10**3,
    "juta": 10**6,
    "jt": 10**6,
    "miliar": 10**9,
    "milyar": 10**9,
    "triliun": 10**12,
    "thousand": 10**3,
    "million": 10**6,
    "billion": 10**9,
}
_WORD_AMOUNT = re.compile(
    r"(?P<number>\d{1,3}(?:\.\d{3})*(?:,\d+)?|\d+(?:,\d+)?)\s*(?P<word>[a-z]+)\.?", re.IGNORECASE
)


def parse_rupiah(text: str) -> int:
    """Whole rupiah written the Indonesian way; returns minor units (x100).
    Dots and spaces group thousands; a comma starts sen, which must be 00. A number may be
    followed by a word ("100 juta", "1,5 miliar"; the comma is then the decimal mark)."""
    stripped = re.sub(r"^\s*(rp\.?)\s*", "", str(text).strip(), flags=re.IGNORECASE)
    worded = _WORD_AMOUNT.fullmatch(stripped)
    if worded and worded["word"].lower() in RUPIAH_WORDS:
        number = Decimal(worded["number"].replace(".", "").replace(",", "."))
        amount = number * RUPIAH_WORDS[worded["word"].lower()]
        if amount != amount.to_integral_value():
            raise ValueError("sen")
        return int(amount) * 100
    cleaned = stripped.replace(" ", "")
    if "," in cleaned:
        cleaned, sen = cleaned.split(",", 1)
        if sen.strip("0"):
            raise ValueError("sen")
    cleaned = cleaned.replace(".", "")
    if not cleaned.isdigit():
        raise ValueError("not a number")
    return int(cleaned) * 100


class RupiahField(forms.CharField):
    """Shows and accepts whole rupiah; cleans to integer minor units."""

    default_error_messages = {
        "invalid": _("Enter an amount in whole rupiah, for example 15.000.000."),
        "min_value": _("The amount must be greater than zero."),
        "max_value": _("The amount may be at most %(max)s."),
    }

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
        super().__init__(*args, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, int):
            return f"{value // 100:,}".replace(",", ".")
        return value

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            amount = parse_rupiah(value)
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if amount <= 0:
            raise forms.ValidationError(self.error_messages["min_value"], code="min_value")
        if not plausible_amount(amount):
            raise forms.ValidationError(
                self.error_messages["max_value"], code="max_value", params={"max": format_money(max_amount())}
            )
        return amount


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
