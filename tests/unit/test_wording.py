"""Dutch wording: a count with its noun in the right number, quoted titles, a name said once."""

import pytest

from signals.wording import counted, dutch_number, every, plural, quoted, unless_repeated


@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, "0 werkdagen"), (1, "1 werkdag"), (2, "2 werkdagen"), (1250, "1.250 werkdagen")],
)
def test_a_count_is_followed_by_its_noun_in_the_right_number(count: int, expected: str) -> None:
    assert counted(count, "werkdag", "werkdagen") == expected


def test_only_exactly_one_is_singular() -> None:
    assert [plural(n, "staat", "staan") for n in (0, 1, 2, -1)] == [
        "staan",
        "staat",
        "staan",
        "staan",
    ]


def test_every_one_says_no_number() -> None:
    assert every(1, "werkdag", "werkdagen") == "elke werkdag"
    assert every(20, "werkdag", "werkdagen") == "elke 20 werkdagen"


def test_dutch_numbers_group_thousands_with_a_dot() -> None:
    assert [dutch_number(n) for n in (7, 1000, 1234567)] == ["7", "1.000", "1.234.567"]


@pytest.mark.parametrize(
    ("title", "then", "expected"),
    [
        ("Inkomensgat bij werk", "", '"Inkomensgat bij werk"'),
        ("Inkomensgat bij werk.", "", '"Inkomensgat bij werk"'),
        ("Inkomensgat bij werk.", ".", '"Inkomensgat bij werk".'),
        ("Inkomensgat bij werk", ".", '"Inkomensgat bij werk".'),
        ("Waarom stopt de uitkering?", ".", '"Waarom stopt de uitkering?"'),
        ("Waarom stopt de uitkering?", "", '"Waarom stopt de uitkering?"'),
        ("Dit moet anders!", ".", '"Dit moet anders!"'),
        ("En dan...", ".", '"En dan..."'),
        ("Wachten op …", ".", '"Wachten op …"'),
        ("Inkomensgat bij werk.", ":", '"Inkomensgat bij werk":'),
        ("  Twee   spaties .", ".", '"Twee spaties".'),
    ],
)
def test_a_quoted_title_never_doubles_the_sentence_punctuation(
    title: str, then: str, expected: str
) -> None:
    assert quoted(title, then) == expected
    assert '.".' not in quoted(title, then)


def test_a_name_that_repeats_what_is_shown_is_left_out() -> None:
    assert unless_repeated("Ombudsman Metropool Amsterdam", "Ombudsman Metropool Amsterdam") == ""
    assert unless_repeated("ombudsman  metropool amsterdam", "Ombudsman Metropool Amsterdam") == ""
    assert unless_repeated("Marloes Teamleider", "Teamleider / teammanager") == (
        "Marloes Teamleider"
    )
