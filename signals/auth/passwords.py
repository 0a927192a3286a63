"""The password rules, applied wherever a password is set (a new user, a change, the CLI).

A password has at least :data:`MIN_LENGTH` characters, is not the person's e-mail address
and is not on the list of common passwords shipped as ``common_passwords.txt``. That list is
compared with more than the password as typed: case-insensitively, without the digits and
symbols people put around a word ("Wachtwoord2026!"), without separators ("welkom welkom"),
with common letter substitutions undone ("W@chtw00rd") and for a word repeated
("welkomwelkom"). A password of fewer than :data:`MIN_DIFFERENT` different characters
("aaaaaaaaaaaa", "121212121212") is refused as well.

Logging in does not apply the rules: a password set before they existed keeps working.
"""

import re
from functools import cache
from importlib import resources

from marshmallow import ValidationError, fields

from signals.validation import FIELD_MESSAGES

MIN_LENGTH = 12
MAX_LENGTH = 200
MIN_DIFFERENT = 5
LIST_FILE = "common_passwords.txt"

TOO_SHORT = f"Minimaal {MIN_LENGTH} tekens."
TOO_LONG = f"Maximaal {MAX_LENGTH} tekens."
TOO_COMMON = (
    "Dit wachtwoord is te makkelijk te raden: het staat, op cijfers en tekens na, op de lijst "
    "van veelgebruikte wachtwoorden. Kies bijvoorbeeld een zin van een paar woorden."
)
TOO_SIMPLE = (
    f"Dit wachtwoord is te makkelijk te raden: gebruik minstens {MIN_DIFFERENT} verschillende "
    "tekens."
)
IS_EMAIL = "Gebruik niet uw e-mailadres als wachtwoord."

# Digits and symbols typed for letters; "1" and "!" stand for an i as often as for an l.
_FOR_I = str.maketrans(
    {"@": "a", "4": "a", "3": "e", "1": "i", "!": "i", "0": "o", "$": "s", "5": "s", "7": "t"}
)
_FOR_L = str.maketrans({"1": "l", "!": "l"})
_SEPARATORS = re.compile(r"[\s\-_.,;:+*/\\|'\"`~^]+")


def password_field() -> fields.String:
    """A new password, checked against the rules that need nothing but the password."""
    return fields.String(
        required=True, validate=refuse_weak_password, error_messages=FIELD_MESSAGES
    )


def refuse_weak_password(password: str) -> None:
    """A marshmallow validator: refuse a password that is too short, too long or common."""
    problem = weakness(password)
    if problem is not None:
        raise ValidationError(problem)


def weakness(password: str) -> str | None:
    """What is wrong with ``password`` as a new password (in Dutch), or None."""
    if len(password) < MIN_LENGTH:
        return TOO_SHORT
    if len(password) > MAX_LENGTH:
        return TOO_LONG
    if len(set(password.casefold())) < MIN_DIFFERENT:
        return TOO_SIMPLE
    if not common_passwords().isdisjoint(_variants(password)):
        return TOO_COMMON
    return None


def email_problem(password: str | None, email: str | None) -> str | None:
    """:data:`IS_EMAIL` when ``password`` is the e-mail address or the part before its @."""
    if not password or not email:
        return None
    address = email.strip().casefold()
    local_part = address.partition("@")[0]
    own = {address, local_part, _SEPARATORS.sub("", local_part)} - {""}
    return IS_EMAIL if not own.isdisjoint(_variants(password)) else None


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords, lower case (read once per process)."""
    text = resources.files("signals.auth").joinpath(LIST_FILE).read_text(encoding="utf-8")
    return frozenset(
        line.strip().casefold()
        for line in text.splitlines()
        if line.strip() and not line.startswith("#")
    )


def _variants(password: str) -> set[str]:
    """The forms of ``password`` compared with the list (see the module's docstring)."""
    text = password.strip().casefold()
    found = {text, _letters_inside(text)}
    found |= {_SEPARATORS.sub("", form) for form in list(found)}
    for form in list(found):
        for undone in (form.translate(_FOR_I), form.translate(_FOR_L)):
            found |= {undone, _letters_inside(undone)}
    for form in list(found):
        unit = _repeated_unit(form)
        if unit:
            found |= {unit, _letters_inside(unit)}
    return found - {""}


def _letters_inside(text: str) -> str:
    """``text`` without the digits, symbols and spaces at its start and end."""
    start, end = 0, len(text)
    while start < end and not text[start].isalpha():
        start += 1
    while end > start and not text[end - 1].isalpha():
        end -= 1
    return text[start:end]


def _repeated_unit(text: str) -> str | None:
    """The shortest piece that ``text`` is two or more copies of, or None."""
    for size in range(1, len(text) // 2 + 1):
        if len(text) % size == 0 and text[:size] * (len(text) // size) == text:
            return text[:size]
    return None
