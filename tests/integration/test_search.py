"""Search: Dutch word forms, ranking, references, and never a thing the searcher may not open.

On both databases: PostgreSQL's ``dutch`` configuration and SQLite's FTS5 over the same
Snowball stems must find the same things.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import delete, func, select
from werkzeug.test import TestResponse

from signals.anonymous.services import submit_anonymous_signal
from signals.auth.models import User
from signals.clock import now
from signals.errors import InputInvalid
from signals.extensions import db
from signals.knowledge.services import publish_signal
from signals.kwesties.services import create_kwestie, decide_kwestie
from signals.meetings.services import hold_meeting, plan_meeting
from signals.search import indexing
from signals.search import models as search_models
from signals.search.indexing import reindex
from signals.search.models import SearchEntry
from signals.search.services import CANDIDATES, SearchResult, search
from signals.search.similar import similar_to_draft
from signals.search.text import fragment, query_stems, stem
from signals.transaction import unit_of_work
from signals.workflow.models import Signal
from signals.workflow.services import (
    accept_signal,
    forward_signal,
    resolve_signal,
    submit_signal,
)
from tests.helpers import Api, Login, MakeUser
from tests.integration.test_access_matrix import SEES, make_role_users


def find(user: User, query: str) -> SearchResult:
    db.session.expire_all()
    return search(user, {"q": query})


def keys(result: SearchResult, kind: str = "signal") -> list[str]:
    return [hit.key for hit in result.hits if hit.kind == kind]


def report(reporter: User, signal_data: dict[str, Any], title: str, situation: str) -> Signal:
    fields = {"title": title, "situation": situation, "resident_experience": "Veel zorgen."}
    return submit_signal(reporter, {**signal_data, **fields})


# Dutch word forms -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "searched"),
    [
        ("schuld", "schulden"),
        ("schulden", "schuld"),
        ("toeslag", "toeslagen"),
        ("toeslagen", "toeslag"),
        ("gemeente", "gemeenten"),
        ("regelingen", "regeling"),
    ],
)
def test_a_word_finds_its_other_forms(
    reporter: User, signal_data: dict[str, Any], written: str, searched: str
) -> None:
    signal = report(
        reporter, signal_data, "Een knelpunt", f"Hier gaat het om de {written} van de inwoner."
    )
    report(reporter, signal_data, "Iets anders", "Over de reiskosten naar het werk.")

    assert keys(find(reporter, searched)) == [signal.reference]


def test_stems_are_those_of_postgresql_dutch() -> None:
    # The values PostgreSQL's to_tsvector('dutch', …) gives; the SQLite index must agree.
    assert [stem(w) for w in ("schulden", "toeslagen", "bijstandsuitkering", "gemeenten")] == [
        "schuld",
        "toeslag",
        "bijstandsuitker",
        "gemeent",
    ]
    assert query_stems("de schulden van het gezin") == ["schuld", "gezin"]


def test_every_word_must_be_there(reporter: User, signal_data: dict[str, Any]) -> None:
    both = report(reporter, signal_data, "Toeslag", "Een schuld door de terugvordering.")
    report(reporter, signal_data, "Toeslag", "Een terugvordering zonder meer.")

    assert keys(find(reporter, "toeslagen schulden")) == [both.reference]


def test_a_query_of_only_function_words_finds_nothing(
    reporter: User, signal_data: dict[str, Any]
) -> None:
    report(reporter, signal_data, "De regels", "Het is van de gemeente en voor de inwoner.")

    result = find(reporter, "van de het")

    assert result.hits == [] and result.kinds == [] and result.exact is None


# Ranking and fragments ------------------------------------------------------------------------


def test_the_title_counts_more_than_the_text_and_more_mentions_more_than_one(
    reporter: User, signal_data: dict[str, Any]
) -> None:
    once = report(reporter, signal_data, "Knelpunt", "Er is een beslagvrije voet, verder niets.")
    in_title = report(reporter, signal_data, "Beslagvrije voet te laag", "Het gaat mis.")
    twice = report(
        reporter,
        signal_data,
        "Knelpunt bij invordering",
        "De beslagvrije voet is te laag; de beslagvrije voet houdt geen rekening met de huur.",
    )

    assert keys(find(reporter, "beslagvrije voet")) == [
        in_title.reference,
        twice.reference,
        once.reference,
    ]


def test_the_fragment_marks_the_words_found(reporter: User, signal_data: dict[str, Any]) -> None:
    text = "Lang verhaal. " * 30 + "Door de schulden bij de Belastingdienst stopte zij."
    report(reporter, signal_data, "Knelpunt", text)

    hit = find(reporter, "schuld").hits[0]

    marked = [hit.fragment.text[start:end] for start, end in hit.fragment.highlights]
    assert marked == ["schulden"]
    assert hit.fragment.text.startswith("… ") and len(hit.fragment.text) < len(text)


def test_a_fragment_without_a_match_is_the_start() -> None:
    found = fragment("Kort.", {"schuld"})

    assert (found.text, found.highlights) == ("Kort.", ())


# References -----------------------------------------------------------------------------------


@pytest.mark.parametrize("written", ["{ref}", "{lower}", "  {ref}  ", "KM {year} {number}"])
def test_a_reference_names_the_signal(
    reporter: User, signal_data: dict[str, Any], written: str
) -> None:
    signal = report(reporter, signal_data, "Knelpunt", "Tekst.")
    _, year, number = signal.reference.split("-")
    query = written.format(
        ref=signal.reference, lower=signal.reference.lower(), year=year, number=int(number)
    )

    result = find(reporter, query)

    assert result.exact is not None and result.exact.key == signal.reference


def test_a_reference_of_a_signal_one_may_not_open_names_nothing(
    reporter: User, outsider: User, signal_data: dict[str, Any]
) -> None:
    signal = report(reporter, signal_data, "Knelpunt", "Tekst.")

    result = find(outsider, signal.reference)

    assert result.exact is None and result.hits == [] and result.total == 0


def test_a_kwestie_is_named_by_its_number(make_user: MakeUser, reporter: User) -> None:
    member = make_user("member", groups=["beleid"])
    kwestie = create_kwestie(
        member,
        {"title": "Inkomensgat", "regulation": "participatiewet", "node": "beleid"},
    )

    assert find(member, f"kwestie {kwestie.id}").exact.key == str(kwestie.id)  # type: ignore[union-attr]
    assert find(reporter, f"Kwestie {kwestie.id}").exact is None


# Who finds what -------------------------------------------------------------------------------


@dataclass
class World:
    users: dict[str, User]
    words: dict[str, str]  # per kind of signal (as in the access matrix): its own word


@pytest.fixture
def world(make_user: MakeUser, signal_data: dict[str, Any]) -> World:
    users = make_role_users(make_user)
    words = {
        "staff": "fietsvergoeding",
        "partner": "kinderopvang",
        "ombudsman": "dwangsom",
        "beleid": "kostendelersnorm",
        "anonymous": "parkeervergunning",
    }

    def signal(author: str, kind: str) -> Signal:
        return report(
            users[author],
            signal_data,
            "Een knelpunt",
            f"Het gaat om de {words[kind]}.",
        )

    staff, partner = signal("reporter", "staff"), signal("partner", "partner")
    at_ombudsman, at_beleid = signal("reporter", "ombudsman"), signal("reporter", "beleid")
    manager, casuistiek = users["manager"], users["casuistiek"]
    forward_signal(manager, at_ombudsman.reference, {"to": "ombudsman"})
    forward_signal(manager, at_beleid.reference, {"to": "casuistiek"})
    accept_signal(casuistiek, at_beleid.reference, {})
    forward_signal(casuistiek, at_beleid.reference, {"to": "beleid"})
    anonymous = {**signal_data, "situation": f"Het gaat om de {words['anonymous']}."}
    submit_anonymous_signal(anonymous, None)
    assert staff and partner
    return World(users, words)


CASES = [(role, kind) for kind in SEES for role in SEES[kind]]


@pytest.mark.parametrize(("role", "kind"), CASES)
def test_a_search_returns_and_counts_only_what_the_role_may_open(
    world: World, role: str, kind: str
) -> None:
    result = find(world.users[role], world.words[kind])

    signals = [kind_result for kind_result in result.kinds if kind_result.kind == "signal"]
    found = len(keys(result))
    may_open = SEES[kind][role] == "full"  # "where": only that it is at the ombudsman
    assert (found, signals[0].count, result.total) == ((1, 1, 1) if may_open else (0, 0, 0))


@pytest.mark.parametrize("role", sorted({role for kind in SEES for role in SEES[kind]}))
def test_no_one_finds_a_signal_by_its_reporters_name(world: World, role: str) -> None:
    # Names are never indexed: a hidden reporter (at beleid) cannot be found out by searching.
    assert find(world.users[role], "Samira").hits == []
    assert find(world.users[role], "Fatima Partner").total == 0


def test_kwesties_are_found_by_who_may_see_them(
    make_user: MakeUser, reporter: User, signal_data: dict[str, Any]
) -> None:
    policy = make_user("member", groups=["beleid"])
    ombuds = make_user("member", groups=["ombudsman"])
    manager = make_user("manager")
    common = {"regulation": "toeslagen", "description": "Terugvorderingen van de toeslagen."}
    at_policy = create_kwestie(policy, {**common, "title": "Toeslagen A", "node": "beleid"})
    at_ombudsman = create_kwestie(ombuds, {**common, "title": "Toeslagen B", "node": "ombudsman"})

    assert set(keys(find(manager, "terugvordering"), "kwestie")) == {str(at_policy.id)}
    assert set(keys(find(ombuds, "terugvordering"), "kwestie")) == {
        str(at_policy.id),
        str(at_ombudsman.id),
    }
    assert keys(find(reporter, "terugvordering"), "kwestie") == []


def test_minutes_are_found_by_the_table_only(make_user: MakeUser) -> None:
    chair = make_user("member", groups=["casuistiek"])
    outsider = make_user("member", groups=["intake"])
    meeting = plan_meeting(
        chair,
        {
            "node": "casuistiek",
            "kind": "casuistiek",
            "title": "Casuïstiektafel december",
            "starts_at": (now() + timedelta(days=3)).isoformat(),
        },
    )
    hold_meeting(
        chair,
        meeting.id,
        {"minutes": "Afgesproken: de huurachterstand eerst met de corporatie bespreken."},
    )

    assert keys(find(chair, "huurachterstanden"), "meeting") == [str(meeting.id)]
    assert find(outsider, "huurachterstand").total == 0


# The index stays in step ----------------------------------------------------------------------


def test_a_resolution_and_a_decision_become_searchable(
    make_user: MakeUser, reporter: User, manager: User, signal_data: dict[str, Any]
) -> None:
    signal = report(reporter, signal_data, "Knelpunt", "Tekst.")
    resolve_signal(
        manager,
        signal.reference,
        {
            "outcome": "solved_individually",
            "rationale": "Opgelost met een hardheidsclausule.",
            "message": "Het is opgelost.",
        },
    )
    policy = make_user("member", groups=["beleid"])
    kwestie = create_kwestie(policy, {"title": "Knelpunt", "node": "beleid"})
    decide_kwestie(
        policy,
        kwestie.id,
        {"outcome": "policy_changed", "rationale": "Werkinstructie herschreven.", "message": "."},
    )

    assert keys(find(reporter, "hardheidsclausule")) == [signal.reference]
    assert keys(find(policy, "werkinstructie"), "kwestie") == [str(kwestie.id)]


def test_what_is_rolled_back_is_not_indexed(reporter: User, signal_data: dict[str, Any]) -> None:
    with pytest.raises(RuntimeError), unit_of_work():
        report(reporter, signal_data, "Knelpunt", "Over de parkeervergunning.")
        raise RuntimeError("stop")

    assert db.session.scalar(select(func.count()).select_from(SearchEntry)) == 0
    assert find(reporter, "parkeervergunning").total == 0


def test_reindex_rebuilds_the_same_index(
    make_user: MakeUser, reporter: User, signal_data: dict[str, Any]
) -> None:
    report(reporter, signal_data, "Toeslagen", "Een schuld door de terugvordering.")
    policy = make_user("member", groups=["beleid"])
    create_kwestie(policy, {"title": "Schulden door toeslagen", "node": "beleid"})
    before = _entries()
    db.session.execute(delete(SearchEntry))
    db.session.commit()
    assert find(policy, "schulden").total == 0

    assert reindex() == 2
    assert _entries() == before
    assert find(policy, "schulden").total == 1  # the kwestie; the signal is not theirs
    assert find(reporter, "schulden").total == 1


def _entries() -> list[tuple[str, int, str]]:
    db.session.expire_all()
    rows = db.session.execute(
        select(SearchEntry.kind, SearchEntry.object_id, SearchEntry.vector).order_by(
            SearchEntry.kind, SearchEntry.object_id
        )
    )
    return [(kind, object_id, str(vector)) for kind, object_id, vector in rows]


def test_a_common_word_ranks_among_the_newest_and_says_there_are_more(
    reporter: User, signal_data: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("signals.search.services.CANDIDATES", 3)
    made = [report(reporter, signal_data, f"Knelpunt {n}", "Over de bijstand.") for n in range(5)]

    signals = next(kind for kind in find(reporter, "bijstand").kinds if kind.kind == "signal")

    assert (signals.kind, signals.count, signals.more) == ("signal", 3, True)
    assert {hit.key for hit in signals.hits} == {signal.reference for signal in made[2:]}
    assert CANDIDATES == 100


# Bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "Dit veld is verplicht."),
        ("x" * 201, "Maximaal 200 tekens."),
        ("zoek\nmet regel", None),
        ("BSN 111222333", None),
    ],
)
def test_a_bad_query_is_refused_per_field(reporter: User, query: str, message: str | None) -> None:
    with pytest.raises(InputInvalid) as refused:
        search(reporter, {"q": query})

    assert list(refused.value.fields) == ["q"]
    if message is not None:
        assert refused.value.fields["q"] == [message]


def test_the_api_answers_best_first_with_counts(
    api: Api, reporter: User, signal_data: dict[str, Any]
) -> None:
    in_title = report(reporter, signal_data, "Schulden", "Over de schulden.")
    in_text = report(reporter, signal_data, "Knelpunt", "Een schuld.")

    answer = api(reporter).get("/search", q="schuld")

    assert answer.status_code == 200, json_of(answer)
    body = json_of(answer)
    assert [item["key"] for item in body["items"]] == [in_title.reference, in_text.reference]
    assert body["counts"]["signal"] == 2 and body["more"]["signal"] is False
    first = body["items"][0]
    assert first["url"] == f"/api/v1/signals/{in_title.reference}"
    start, end = first["fragment"]["highlights"][0]
    assert first["fragment"]["text"][start:end] == "schulden"


def test_the_api_refuses_a_missing_query_with_422(api: Api, reporter: User) -> None:
    answer = api(reporter).get("/search")

    assert answer.status_code == 422
    assert json_of(answer)["error"]["fields"] == {"q": ["Dit veld is verplicht."]}


def test_the_page_goes_to_a_reference_and_keeps_a_bad_query(
    login: Login, reporter: User, signal_data: dict[str, Any]
) -> None:
    signal = report(reporter, signal_data, "Knelpunt", "Over de schulden.")
    web = login(reporter)

    assert web.get(f"/zoeken?q={signal.reference}").headers["Location"] == (
        f"/signalen/{signal.reference}"
    )
    page = web.get("/zoeken?q=schuld")
    assert page.status_code == 200 and "<mark>schulden</mark>" in page.text
    refused = web.get("/zoeken?q=" + "lang" * 60)
    assert refused.status_code == 422
    assert "Maximaal 200 tekens." in refused.text and 'value="' + "lang" * 60 in refused.text


def json_of(response: TestResponse) -> dict[str, Any]:
    body = response.get_json()
    assert isinstance(body, dict), response.text
    return body


# Knowledge ------------------------------------------------------------------------------------


def test_every_one_finds_an_article_by_its_own_words_never_by_its_sources(
    reporter: User,
    manager: User,
    partner_reporter: User,
    outsider: User,
    signal_data: dict[str, Any],
) -> None:
    signal = report(reporter, signal_data, "Knelpunt", "De huurtoeslag van mevrouw stopte.")
    resolve_signal(
        manager,
        signal.reference,
        {"outcome": "solved_individually", "rationale": "Bijzondere bijstand.", "message": "."},
    )
    publish_signal(
        manager,
        signal.reference,
        {"summary": "Een voorschot overbrugt de maanden tot de nieuwe beschikking.", "title": "T"},
    )

    for reader in (partner_reporter, outsider, manager):
        assert keys(find(reader, "voorschotten"), "article") != []
        assert keys(find(reader, "huurtoeslag"), "article") == []  # the situation is not in it
    assert keys(find(outsider, "huurtoeslag")) == []  # nor is the signal theirs to find


def test_a_similar_article_is_shown_while_writing(
    reporter: User, manager: User, signal_data: dict[str, Any]
) -> None:
    signal = report(reporter, signal_data, "Knelpunt", "Tekst.")
    resolve_signal(
        manager,
        signal.reference,
        {"outcome": "solved_individually", "rationale": "Maatwerk.", "message": "."},
    )
    publish_signal(
        manager,
        signal.reference,
        {
            "title": "Kostendelersnorm bij een inwonende zoon",
            "summary": "Met art. 18 lid 1 Participatiewet bleef de bijstand van moeder op peil.",
        },
    )
    draft = {"title": "Kostendelersnorm", "situation": "Bijstand lager door een inwonende zoon."}

    assert [hit.title for hit in similar_to_draft(reporter, draft).articles] == [
        "Kostendelersnorm bij een inwonende zoon"
    ]


@pytest.mark.parametrize("role", sorted({role for kind in SEES for role in SEES[kind]}))
def test_who_reaches_many_signals_finds_the_same_along_the_newest_matches(
    world: World, role: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Searched from their own few signals (the usual case in these tests) or along the newest
    # matches of everyone's (someone who reaches more than FEW): the same answer.
    searcher = world.users[role]
    from_their_own = {word: keys(find(searcher, word)) for word in world.words.values()}
    monkeypatch.setattr("signals.search.services.FEW", 0)

    assert {word: keys(find(searcher, word)) for word in world.words.values()} == from_their_own


def test_every_kind_indexed_has_its_own_full_text_index() -> None:
    assert indexing.KINDS == search_models.KINDS
