"""Before writing the same signal again: the open kwesties and knowledge like a draft signal.

The draft's words (title, situation, what the resident experiences) are looked up with
*any-word* matching; a candidate is similar when it shares at least :data:`MIN_SHARED`
distinct stems with the draft, and a shared regulation counts as one more. The reporter may
join a similar open kwestie with their signal (``kwestie_id`` on submission).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from signals.auth.models import User
from signals.kwesties.services import joinable_kwestie_clause
from signals.search.services import Hit, Kind, candidates, hits_for, kind_named, match_any
from signals.search.text import STOP_WORDS, stem, words

DRAFT_WORDS = 40  # distinct words of a draft looked up
MIN_SHARED = 2  # distinct stems a similar thing shares with the draft
SHOWN = 3  # per kind
CANDIDATES = 30  # per kind, the best matches of any word that are compared with the draft
DRAFT_FIELDS = ("title", "situation", "resident_experience")


@dataclass(frozen=True)
class Similar:
    """Open kwesties (that the reporter may join) and knowledge articles like a draft."""

    kwesties: list[Hit]
    articles: list[Hit]


NOTHING = Similar([], [])


def similar_to_draft(user: User, values: Mapping[str, Any]) -> Similar:
    """What is like the draft signal ``values`` (the report form's fields, any of them)."""
    texts = (values.get(name) for name in DRAFT_FIELDS)
    text = "\n".join(value for value in texts if isinstance(value, str))
    looked_up = _distinct_words(text)
    if len(looked_up) < MIN_SHARED:
        return NOTHING
    draft_stems = set(looked_up.values())
    regulations = values.get("regulations")
    regulations = set(regulations) if isinstance(regulations, list) else set()
    kwestie_kind = kind_named("kwestie")
    article_kind = kind_named("article")
    return Similar(
        kwesties=_alike(user, kwestie_kind, looked_up, draft_stems, regulations, joinable=True),
        articles=_alike(user, article_kind, looked_up, draft_stems, regulations),
    )


def _distinct_words(text: str) -> dict[str, str]:
    """Up to DRAFT_WORDS words of ``text`` (one per stem, no stop words) with their stems."""
    found: dict[str, str] = {}
    for match in words(text):
        word = match.group().lower()
        if word in STOP_WORDS or len(word) < 3:
            continue
        word_stem = stem(word)
        if word_stem not in found.values():
            found[word] = word_stem
        if len(found) == DRAFT_WORDS:
            break
    return found


def _alike(
    user: User,
    kind: Kind,
    looked_up: dict[str, str],
    draft_stems: set[str],
    regulations: set[str],
    *,
    joinable: bool = False,
) -> list[Hit]:
    rank, matching = match_any(list(looked_up), sorted(set(looked_up.values())))
    where = joinable_kwestie_clause(user) if joinable else None
    rows, _ = candidates(kind, user, rank, matching, where=where, by_rank=True, limit=CANDIDATES)
    hits = hits_for(kind, [row.object_id for row in rows], draft_stems)
    scored = [(len(hit.matched) + bool(regulations & hit.regulations), hit) for hit in hits]
    alike = [pair for pair in scored if pair[0] >= MIN_SHARED]
    alike.sort(key=lambda pair: (-pair[0], -pair[1].score))
    return [hit for _, hit in alike[:SHOWN]]
