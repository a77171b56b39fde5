from hypothesis import given
from hypothesis import strategies as st

from core.money import parse_rupiah
from payments.selectors import format_money


def test_rupiah_is_written_the_indonesian_way():
    assert format_money(150_000_000_00) == "Rp 150.000.000"
    assert format_money(-150) == "-Rp 1,50"
    assert format_money(0) == "Rp 0"


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_whole_rupiah_round_trip_through_the_form_field(rupiah):
    minor = abs(rupiah) * 100
    assert parse_rupiah(format_money(minor)) == minor


def test_sen_and_non_numbers_are_refused():
    for text in ["12,5", "sepuluh", "1.000,01", ""]:
        try:
            parse_rupiah(text)
        except ValueError:
            continue
        raise AssertionError(f"{text!r} was accepted")
    assert parse_rupiah("Rp 1.500.000,00") == 150_000_000
