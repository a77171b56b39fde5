"""Legal identifiers (NIB, NPWP) as read, checked and shown, and which an organisation needs
by its kind: rules that need no database (the fast lane, `make test-fast`)."""

from __future__ import annotations

import pytest

from marketplace.organisations import identifiers
from marketplace.organisations.models import Organisation


@pytest.mark.parametrize(
    "written, stored",
    [
        ("01.234.567.8-901.000", "012345678901000"),
        ("012345678901000", "012345678901000"),
        ("3171 0123 4567 8901", "3171012345678901"),
    ],
)
def test_npwp_is_read_in_its_written_forms(written, stored):
    digits = identifiers.digits_only(written)
    identifiers.validate_npwp(digits)
    assert digits == stored


@pytest.mark.parametrize("value", ["12345", "01.234.567.8-901.00", "0123456789010001", "abcdefghijklmno"])
def test_a_malformed_npwp_is_refused(value, english_messages):
    digits = identifiers.digits_only(value)
    if len(digits) == 16 and digits.isdigit():
        identifiers.validate_npwp(digits)  # the new 16-digit form is valid
        return
    with pytest.raises(Exception, match="NPWP has 15 digits"):
        identifiers.validate_npwp(digits)


@pytest.mark.parametrize("value", ["123456789012", "12345678901234", "12345678901a3"])
def test_a_malformed_nib_is_refused(value, english_messages):
    with pytest.raises(Exception, match="exactly 13 digits"):
        identifiers.validate_nib(value)


def test_npwp_is_shown_in_its_familiar_form():
    assert identifiers.format_npwp("012345678901000") == "01.234.567.8-901.000"
    assert identifiers.format_npwp("3171012345678901") == "3171012345678901"


def test_a_community_group_needs_no_identifiers_and_a_company_both():
    community = Organisation(kind="komunitas")
    company = Organisation(kind="company")
    university = Organisation(kind="perguruan_tinggi")
    assert community.missing_identifiers() == []
    assert company.missing_identifiers() == ["nib", "npwp"]
    assert university.missing_identifiers() == ["npwp"]
