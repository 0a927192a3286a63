"""Dutch words for search: tokens, stems, stop words and highlighted fragments.

The stemmer is Snowball's original Dutch algorithm (``dutch_porter``), the one PostgreSQL's
``dutch`` text-search configuration uses, so a word is reduced to the same stem whether
PostgreSQL indexes it or Python does (for SQLite's FTS5 index, for fragments and for
similarity): "schulden" and "schuld" both become ``schuld``, "toeslagen" ``toeslag``.
"""

import math
import re
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

# Words of one or more letters or digits; a hyphen or apostrophe inside a word splits it, as
# PostgreSQL's parser does ("kind-gebonden" is found by "kind" and by "gebonden").
_WORD = re.compile(r"[^\W_]+", re.UNICODE)

# Function words that say nothing about a mechanism; a query of only these finds nothing.
# Our own list of the commonest Dutch articles, pronouns, prepositions and auxiliaries.
STOP_WORDS = frozenset(
    """
    aan al alle als altijd andere ben bij dan dat de der deze die dit doch doen door dus een
    eens en er ge geen geweest haar had heb hebben heeft hem het hier hij hoe hun iemand iets
    ik in is ja je kan kon kunnen maar me meer men met mij mijn moet na naar niet niets nog nu
    of om omdat ons ook op over reeds te tegen toch toen tot u uit uw van veel voor want waren
    was wat we wel werd wezen wie wij wil worden wordt zal ze zei zelf zich zij zijn zo zonder
    zou
    """.split()
)

_stemmer = snowballstemmer.stemmer("dutch_porter")


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    """The stem of one lower-case word (cached: texts repeat their words)."""
    result: str = _stemmer.stemWord(word)
    return result


def words(text: str) -> list[re.Match[str]]:
    """The words of ``text`` with their positions."""
    return list(_WORD.finditer(text))


def stems(text: str) -> list[str]:
    """The stems of the words of ``text`` that are not stop words, in order."""
    found = (match.group().lower() for match in _WORD.finditer(text))
    return [stem(word) for word in found if word not in STOP_WORDS]


def query_stems(query: str, limit: int = 12) -> list[str]:
    """The distinct stems a query asks for, in the order typed; at most ``limit`` of them."""
    return list(dict.fromkeys(stems(query)))[:limit]


@dataclass(frozen=True)
class Fragment:
    """A piece of a text around the first match; ``highlights`` are (start, end) in ``text``."""

    text: str
    highlights: tuple[tuple[int, int], ...]


def fragment(text: str, wanted: set[str], width: int = 220) -> Fragment:
    """The part of ``text`` (about ``width`` characters) around its first word in ``wanted``.

    Every word in the part whose stem is wanted is highlighted. Without a match: the start.
    """
    matches = [m for m in words(text) if stem(m.group().lower()) in wanted]
    if not matches:
        return Fragment(_shortened(text, 0, width), ())
    first = matches[0].start()
    start = max(0, first - width // 4)
    if start > 0:  # begin at a word, not inside one
        space = text.find(" ", start, first)
        start = space + 1 if space != -1 else first
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", matches[0].end(), end)
        end = space if space != -1 else end
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(text) else ""
    shift = len(prefix) - start
    shown = (m for m in matches if m.start() >= start and m.end() <= end)
    highlights = tuple((m.start() + shift, m.end() + shift) for m in shown)
    return Fragment(prefix + text[start:end] + suffix, highlights)


def _shortened(text: str, start: int, width: int) -> str:
    if len(text) <= width:
        return text
    cut = text.rfind(" ", start, start + width)
    return text[start : cut if cut > 0 else start + width] + " …"


def relevance(title: str, body: str, wanted: set[str]) -> float:
    """How well a text answers the wanted stems.

    Every one in the title counts three times, each in the body by how often it is there
    (with diminishing weight).

    The same on both databases, so that results of different kinds are put in one order.
    """
    title_stems = set(stems(title))
    body_counts: dict[str, int] = {}
    for found in stems(body):
        if found in wanted:
            body_counts[found] = body_counts.get(found, 0) + 1
    return sum(
        3.0 * (wanted_stem in title_stems) + math.log1p(body_counts.get(wanted_stem, 0))
        for wanted_stem in wanted
    )
