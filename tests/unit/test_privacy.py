"""BSN detection: the elfproef, and the forms a BSN is written in."""

import pytest

from signals.privacy import find_bsn, passes_elfproef


@pytest.mark.parametrize("digits", ["111222333", "123456782", "999990019"])
def test_valid_bsns_pass_the_elfproef(digits: str) -> None:
    assert passes_elfproef(digits)


@pytest.mark.parametrize(
    "digits", ["123456789", "000000000", "11122233", "1112223334", "abcdefghi"]
)
def test_other_numbers_fail_the_elfproef(digits: str) -> None:
    assert not passes_elfproef(digits)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("BSN 111222333 in het dossier", "111222333"),
        ("nummer 1112.22.333", "1112.22.333"),
        ("nummer 111 222 333.", "111 222 333"),
        ("nummer 111-222-333", "111-222-333"),
        ("(123456782)", "123456782"),
    ],
)
def test_bsns_are_found_in_the_ways_people_write_them(text: str, found: str) -> None:
    assert find_bsn(text) == found


@pytest.mark.parametrize(
    "text",
    [
        "Zaaknummer 123456789 (geen geldige elfproef)",
        "Telefoon 0612345678",
        "Bedrag 1.600 euro per maand sinds 2023",
        "Rekening 1112223334 is tien cijfers",
        "IBAN NL91ABNA0417164300",
    ],
)
def test_numbers_that_are_not_a_bsn_pass(text: str) -> None:
    assert find_bsn(text) is None
