"""Dutch wording shared by pages, e-mail and messages: numbers, singular or plural, quoted titles.

Pure Python (no Flask), so the route graph, the services and the templates use the same rules:
``counted(1, "werkdag", "werkdagen")`` is ``1 werkdag``, never ``1 werkdagen``.
"""

from datetime import date

SENTENCE_ENDS = ("?", "!", "…", "...")
MONTHS = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)


def calendar_day(day: date | None) -> str:
    """``3 december 2026``: a date without a time (an action item's due date)."""
    if day is None:
        return ""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def calendar_month(day: date) -> str:
    """``maart 2027``: the month ``day`` is in (a round of the trust pulse)."""
    return f"{MONTHS[day.month - 1]} {day.year}"


def dutch_number(number: int) -> str:
    """``1234567`` as ``1.234.567``: Dutch groups thousands with a dot."""
    return f"{number:,}".replace(",", ".")


def plural(count: int, singular: str, plural_form: str) -> str:
    """``singular`` for exactly one, ``plural_form`` otherwise (0 werkdagen, 1 werkdag, 2 …)."""
    return singular if count == 1 else plural_form


def counted(count: int, singular: str, plural_form: str) -> str:
    """The count and its noun in the right number: ``1 werkdag``, ``1.250 signalen``."""
    return f"{dutch_number(count)} {plural(count, singular, plural_form)}"


def every(count: int, singular: str, plural_form: str) -> str:
    """How often: ``elke werkdag`` for one, ``elke 20 werkdagen`` for more."""
    if count == 1:
        return f"elke {singular}"
    return f"elke {counted(count, singular, plural_form)}"


def quoted(title: str, then: str = "") -> str:
    """``title`` in double quotes inside a sentence, followed by the sentence's ``then``.

    A title's own full stop is left out: the sentence either goes on after the title or ends
    with its own mark, so ``"Inkomensgat".`` and never ``"Inkomensgat.".``. A title that ends in
    a question or exclamation mark (or an ellipsis) keeps it, and then no full stop follows.
    """
    text = " ".join(title.split())
    if text.endswith(".") and not text.endswith(".."):
        text = text[:-1].rstrip()
    if then == "." and text.endswith(SENTENCE_ENDS):
        then = ""
    return f'"{text}"{then}'


def unless_repeated(name: str, shown: str) -> str:
    """``name``, or nothing when it only repeats ``shown`` (a group named like its step).

    "Ligt bij: Ombudsman Metropool Amsterdam (verantwoordelijk: Ombudsman Metropool
    Amsterdam)" says it twice; the owner is named only when it adds something.
    """
    if " ".join(name.split()).casefold() == " ".join(shown.split()).casefold():
        return ""
    return name
