"""Refusal of resident identifiers in free text: a signal describes a mechanism, not a person.

A BSN is nine digits that pass the elfproef (weights 9…2 and −1, sum divisible by 11). Written
with spaces, dots or dashes between groups it is found too. Eight-digit BSNs are written with a
leading zero in practice, so nine digits is the form that is checked.
"""

import re

from marshmallow import ValidationError

_NINE_DIGITS = re.compile(r"(?<![\d])(\d(?:[ .\-]?\d){8})(?![\d])")

BSN_MESSAGE = (
    "Deze tekst lijkt een burgerservicenummer (BSN) te bevatten. Neem geen gegevens op "
    "waarmee een inwoner te herkennen is: beschrijf de situatie zonder BSN, naam of adres."
)


def passes_elfproef(digits: str) -> bool:
    """Whether nine digits pass the BSN elfproef (and are not all zeros)."""
    if len(digits) != 9 or not digits.isdigit() or digits == "000000000":
        return False
    weights = (9, 8, 7, 6, 5, 4, 3, 2, -1)
    return sum(int(digit) * weight for digit, weight in zip(digits, weights, strict=True)) % 11 == 0


def find_bsn(text: str) -> str | None:
    """The first BSN-like number in ``text``, or ``None``."""
    for match in _NINE_DIGITS.finditer(text):
        digits = re.sub(r"\D", "", match.group(1))
        if passes_elfproef(digits):
            return match.group(1)
    return None


def refuse_bsn(text: str) -> None:
    """A marshmallow validator: refuse free text that contains a BSN-like number."""
    if find_bsn(text) is not None:
        raise ValidationError(BSN_MESSAGE)
