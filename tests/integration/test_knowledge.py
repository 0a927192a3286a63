"""Knowledge articles: who may publish what and when, what an article never holds, reading.

The owner of a resolved signal or a decided kwestie publishes it; publishing again updates
the one article of that source. An article holds the publisher's words and the source's
codes, never its situation, the resident's experience, the rationale or the reporter (the
signal here carries distinctive words in each, and none may appear in an answer or a page).
Every signed-in person reads every article; its kwestie only if they may see that kwestie.
"""

from typing import Any

import pytest
from sqlalchemy import func, select

from signals import codes
from signals.auth.models import User
from signals.clock import Clock
from signals.errors import Forbidden, InputInvalid, NotFound, StateConflict
from signals.extensions import db
from signals.knowledge import services as knowledge
from signals.knowledge.models import KnowledgeArticle
from signals.kwesties.models import Kwestie, KwestieEvent
from signals.kwesties.services import create_kwestie, decide_kwestie, link_signal
from signals.privacy import BSN_MESSAGE
from signals.workflow import lifecycle
from signals.workflow.models import Signal, SignalEvent
from signals.workflow.services import resolve_signal, submit_signal, withdraw_signal
from tests.helpers import Api, Login, MakeUser, fresh

BSN = "111222333"  # passes the elfproef
SITUATION_WORD = "Zebrapadvlinder"
EXPERIENCE_WORD = "Kwartelkoning"
RATIONALE_WORD = "Merelzangbundel"
REPORTER_NAME = "Wendelmoet Oosterhout"
SUMMARY = (
    "Wie vanuit de bijstand gaat werken, valt een maand zonder inkomen. Een voorschot op het "
    "eerste loon via bijzondere bijstand overbrugt dat gat."
)
DONE = "Voorschot verstrekt en de werkinstructie aangepast."
RESOLUTION = {
    "outcome": "solved_individually",
    "rationale": f"Maatwerk op grond van art. 18 lid 1; {RATIONALE_WORD}.",
    "message": "Opgelost met een voorschot.",
}
DECISION = {
    "outcome": "policy_changed",
    "rationale": f"De werkinstructie is aangepast; {RATIONALE_WORD}.",
    "message": "Dank voor uw signalen.",
}


def count(model: type, *where: Any) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


@pytest.fixture
def named_reporter(make_user: MakeUser, manager: User) -> User:
    return make_user("professional", manager=manager, name=REPORTER_NAME)


@pytest.fixture
def policy_member(make_user: MakeUser) -> User:
    return make_user("member", groups=["beleid"], name="Bas Beleid")


def distinctive_signal(reporter: User, signal_data: dict[str, Any], **changes: Any) -> Signal:
    data = {
        **signal_data,
        "situation": f"{signal_data['situation']} {SITUATION_WORD}.",
        "resident_experience": f"De inwoner voelt zich een {EXPERIENCE_WORD}.",
        "regulations": ["participatiewet", "awb"],
        "source_organisation": "uwv",
        "maatwerk": "applied",
        "maatwerk_grounds": ["pw_18_1", "awb_4_84"],
        **changes,
    }
    return submit_signal(reporter, data)


@pytest.fixture
def resolved(
    clock: Clock, named_reporter: User, manager: User, signal_data: dict[str, Any]
) -> Signal:
    """A resolved signal, owned by the manager, full of words no article may show."""
    signal = distinctive_signal(named_reporter, signal_data)
    return resolve_signal(manager, signal.reference, RESOLUTION)


def decided_kwestie(owner: User, signal: Signal | None = None, **changes: Any) -> Kwestie:
    kwestie = create_kwestie(
        owner,
        {
            "title": "Inkomensgat bij de overgang van bijstand naar werk",
            "description": f"Beschrijving met {SITUATION_WORD}.",
            "regulation": "participatiewet",
            "level": "municipal_practice",
            "node": "beleid",
            **({"from_signal": signal.reference} if signal is not None else {}),
            **changes,
        },
    )
    return decide_kwestie(owner, kwestie.id, DECISION)


def assert_no_source_text(text: str) -> None:
    """Nothing of the source's free text, its reporter or anyone's e-mail address."""
    for word in (SITUATION_WORD, EXPERIENCE_WORD, RATIONALE_WORD, REPORTER_NAME):
        assert word not in text, word
    assert "@" not in text


# Publishing a signal -------------------------------------------------------------------------


def test_the_owner_publishes_a_resolved_signal_with_its_codes_and_their_own_words(
    api: Api, resolved: Signal, manager: User
) -> None:
    response = api(manager).act(resolved.reference, "publish", summary=SUMMARY, what_was_done=DONE)
    assert response.status_code == 200, response.text
    assert response.get_json()["events"][-1]["type"] == "published"

    [article] = db.session.scalars(select(KnowledgeArticle))
    assert article.title == resolved.title  # the source's title by default
    assert (article.summary, article.what_was_done) == (SUMMARY, DONE)
    assert article.regulations == ["participatiewet", "awb"]
    assert (article.level, article.source_organisation) == ("municipal_practice", "uwv")
    assert (article.outcome, article.maatwerk) == ("solved_individually", "applied")
    assert article.maatwerk_grounds == ["pw_18_1", "awb_4_84"]
    assert article.published_by_id == manager.id and article.kwestie_id is None
    event = db.session.scalars(select(SignalEvent).where(SignalEvent.type == "published")).one()
    assert event.actor_id == manager.id and event.data["article"] == article.id


def test_an_article_never_holds_the_situation_the_experience_the_rationale_or_the_reporter(
    api: Api, login: Login, resolved: Signal, manager: User, outsider: User
) -> None:
    api(manager).act(resolved.reference, "publish", summary=SUMMARY, what_was_done=DONE)
    article = db.session.scalars(select(KnowledgeArticle)).one()

    for reader in (manager, outsider):
        one = api(reader).get(f"/knowledge/{article.id}")
        assert one.status_code == 200, one.text
        listed = api(reader).get("/knowledge")
        for answer in (one.text, listed.text):
            assert_no_source_text(answer)
            assert resolved.reference not in answer
        body = one.get_json()
        assert set(body) == {
            "id",
            "title",
            "summary",
            "what_was_done",
            "regulations",
            "level",
            "source_organisation",
            "outcome",
            "maatwerk",
            "maatwerk_grounds",
            "kwestie",
            "published_by",
            "published_at",
            "updated_at",
            "version",
            "url",
        }
        assert body["published_by"] == manager.name
        assert body["url"].endswith(f"/kennis/{article.id}")

        page = login(reader).get(f"/kennis/{article.id}")
        assert page.status_code == 200
        content = page.text.split('id="inhoud"', 1)[1]
        assert_no_source_text(content)
        assert resolved.reference not in content and manager.email not in content
        assert SUMMARY in content and DONE in content


def test_only_the_owner_of_the_signal_may_publish_it(
    api: Api, resolved: Signal, named_reporter: User, outsider: User, admin: User
) -> None:
    body = {"summary": SUMMARY}
    for person, status in ((named_reporter, 403), (admin, 403), (outsider, 404)):
        response = api(person).act(resolved.reference, "publish", **body)
        assert response.status_code == status, (person.name, response.text)
    with pytest.raises(Forbidden, match="Alleen de eigenaar"):
        knowledge.publish_signal(named_reporter, resolved.reference, body)
    assert count(KnowledgeArticle) == 0
    assert count(SignalEvent, SignalEvent.type == "published") == 0


def test_an_open_or_withdrawn_signal_is_not_published(
    clock: Clock,
    api: Api,
    reporter: User,
    manager: User,
    signal_data: dict[str, Any],
) -> None:
    open_signal = submit_signal(reporter, signal_data)
    response = api(manager).act(open_signal.reference, "publish", summary=SUMMARY)
    assert response.status_code == 409
    assert "pas als kennisartikel worden gepubliceerd als het is afgehandeld" in response.text

    withdrawn = submit_signal(reporter, signal_data)
    withdraw_signal(reporter, withdrawn.reference, {"reason": "Het speelt niet meer."})
    with pytest.raises(StateConflict, match="ingetrokken"):
        knowledge.publish_signal(manager, withdrawn.reference, {"summary": SUMMARY})
    assert count(KnowledgeArticle) == 0


@pytest.mark.parametrize("field", ["title", "summary", "what_was_done"])
def test_a_bsn_is_refused_in_every_field_and_nothing_is_stored(
    api: Api, resolved: Signal, manager: User, field: str
) -> None:
    body = {"summary": SUMMARY, field: f"Het gaat om BSN {BSN} bij de gemeente, zie dossier."}
    response = api(manager).act(resolved.reference, "publish", **body)
    assert response.status_code == 422, response.text
    assert response.get_json()["error"]["fields"] == {field: [BSN_MESSAGE]}
    assert count(KnowledgeArticle) == 0


def test_the_summary_is_required_and_long_enough_and_messages_are_dutch(
    api: Api, resolved: Signal, manager: User
) -> None:
    client = api(manager)
    missing = client.act(resolved.reference, "publish", what_was_done=DONE)
    assert missing.get_json()["error"]["fields"] == {"summary": ["Dit veld is verplicht."]}
    short = client.act(resolved.reference, "publish", summary="   Te kort.   ")
    [message] = short.get_json()["error"]["fields"]["summary"]
    assert message.startswith("Schrijf ten minste 20 tekens")
    long_title = client.act(resolved.reference, "publish", summary=SUMMARY, title="x" * 201)
    assert long_title.get_json()["error"]["fields"] == {"title": ["Maximaal 200 tekens."]}
    assert count(KnowledgeArticle) == 0


def test_publishing_again_updates_the_one_article_of_the_signal(
    api: Api, resolved: Signal, manager: User
) -> None:
    client = api(manager)
    client.act(resolved.reference, "publish", summary=SUMMARY)
    first = db.session.scalars(select(KnowledgeArticle)).one()
    first_id, published_at = first.id, first.published_at
    again = client.act(
        resolved.reference,
        "publish",
        title="Voorschot op het eerste loon",
        summary=SUMMARY + " Aangevuld.",
        what_was_done=DONE,
    )
    assert again.status_code == 200, again.text

    article = fresh(first)
    assert count(KnowledgeArticle) == 1 and article.id == first_id
    assert article.title == "Voorschot op het eerste loon"
    assert article.summary.endswith("Aangevuld.") and article.what_was_done == DONE
    assert article.published_at == published_at and article.version == 2
    query = select(SignalEvent).where(SignalEvent.type == "published").order_by(SignalEvent.id)
    events = list(db.session.scalars(query))
    assert [event.data["again"] for event in events] == [False, True]


def test_the_article_and_its_event_commit_together(
    resolved: Signal, manager: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing_record(signal: Signal, event_type: str, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(lifecycle, "record", failing_record)
    with pytest.raises(RuntimeError):
        knowledge.publish_signal(manager, resolved.reference, {"summary": SUMMARY})
    monkeypatch.undo()
    assert count(KnowledgeArticle) == 0
    assert fresh(resolved).version == resolved.version


def test_the_database_keeps_one_article_per_source(resolved: Signal, manager: User) -> None:
    knowledge.publish_signal(manager, resolved.reference, {"summary": SUMMARY})
    duplicate = KnowledgeArticle(
        title="Tweede",
        summary=SUMMARY,
        outcome="solved_individually",
        signal_id=resolved.id,
        published_by_id=manager.id,
    )
    duplicate.set_regulations([])
    db.session.add(duplicate)
    with pytest.raises(Exception, match="(?i)unique"):
        db.session.flush()
    db.session.rollback()


def test_the_article_links_the_signals_kwestie_never_the_signal(
    clock: Clock,
    api: Api,
    named_reporter: User,
    manager: User,
    policy_member: User,
    outsider: User,
    signal_data: dict[str, Any],
) -> None:
    signal = distinctive_signal(named_reporter, signal_data)
    kwestie = create_kwestie(
        policy_member, {"title": "Inkomensgat na werkaanvaarding", "node": "beleid"}
    )
    link_signal(manager, signal.reference, {"kwestie": kwestie.id})
    resolve_signal(manager, signal.reference, RESOLUTION)
    knowledge.publish_signal(manager, signal.reference, {"summary": SUMMARY})
    article_id = db.session.scalars(select(KnowledgeArticle.id)).one()

    seen = api(manager).get(f"/knowledge/{article_id}").get_json()
    assert seen["kwestie"] == {"id": kwestie.id, "title": "Inkomensgat na werkaanvaarding"}
    unseen = api(outsider).get(f"/knowledge/{article_id}").get_json()
    assert unseen["kwestie"] is None


# Publishing a kwestie ------------------------------------------------------------------------


def test_the_owner_publishes_a_decided_kwestie(
    clock: Clock, api: Api, policy_member: User, named_reporter: User, signal_data: dict[str, Any]
) -> None:
    kwestie = decided_kwestie(policy_member)
    response = api(policy_member).post(
        f"/kwesties/{kwestie.id}/actions",
        {"action": "publish", "summary": SUMMARY, "title": "Voorschot op het eerste loon"},
    )
    assert response.status_code == 200, response.text
    assert response.get_json()["version"] == fresh(kwestie).version

    article = db.session.scalars(select(KnowledgeArticle)).one()
    assert (article.title, article.outcome) == ("Voorschot op het eerste loon", "policy_changed")
    assert article.regulations == ["participatiewet"] and article.level == "municipal_practice"
    assert (article.maatwerk, article.maatwerk_grounds) == (None, [])
    assert article.kwestie_id == kwestie.id and article.signal_id is None
    event = db.session.scalars(select(KwestieEvent).where(KwestieEvent.type == "published")).one()
    assert event.data["article"] == article.id

    again = api(policy_member).post(
        f"/kwesties/{kwestie.id}/actions", {"action": "publish", "summary": SUMMARY + " Meer."}
    )
    assert again.status_code == 200 and count(KnowledgeArticle) == 1
    assert fresh(article).title == kwestie.title  # the default again: the kwestie's title
    body = api(named_reporter).get(f"/knowledge/{article.id}").text
    assert_no_source_text(body)


def test_an_open_kwestie_or_someone_elses_is_not_published(
    clock: Clock, policy_member: User, manager: User, make_user: MakeUser
) -> None:
    kwestie = create_kwestie(policy_member, {"title": "Nog open", "node": "beleid"})
    with pytest.raises(StateConflict, match="nog niet besloten"):
        knowledge.publish_kwestie(policy_member, kwestie.id, {"summary": SUMMARY})
    decided = decide_kwestie(policy_member, kwestie.id, DECISION)
    with pytest.raises(Forbidden, match="Alleen de eigenaar van deze kwestie"):
        knowledge.publish_kwestie(manager, decided.id, {"summary": SUMMARY})
    with pytest.raises(NotFound):
        knowledge.publish_kwestie(make_user("professional"), decided.id, {"summary": SUMMARY})
    with pytest.raises(InputInvalid) as refused:
        knowledge.publish_kwestie(policy_member, decided.id, {"summary": f"BSN {BSN} " * 3})
    assert refused.value.fields == {"summary": [BSN_MESSAGE]}
    assert count(KnowledgeArticle) == 0


# Reading -------------------------------------------------------------------------------------


@pytest.fixture
def three_articles(
    clock: Clock,
    named_reporter: User,
    manager: User,
    policy_member: User,
    signal_data: dict[str, Any],
) -> dict[str, int]:
    """One from a signal with maatwerk, one from a signal without, one from a kwestie."""
    with_maatwerk = resolve_signal(
        manager, distinctive_signal(named_reporter, signal_data).reference, RESOLUTION
    )
    without = distinctive_signal(
        named_reporter,
        signal_data,
        regulations=["toeslagen"],
        level="national_law",
        maatwerk="not_possible",
        maatwerk_grounds=[],
    )
    resolve_signal(manager, without.reference, {**RESOLUTION, "outcome": "escalated"})
    kwestie = decided_kwestie(policy_member)
    knowledge.publish_signal(manager, with_maatwerk.reference, {"summary": SUMMARY})
    knowledge.publish_signal(manager, without.reference, {"summary": SUMMARY})
    knowledge.publish_kwestie(
        policy_member, kwestie.id, {"summary": SUMMARY, "title": "Voorschot op het loon"}
    )
    ids = list(db.session.scalars(select(KnowledgeArticle.id).order_by(KnowledgeArticle.id)))
    return dict(zip(("maatwerk", "escalated", "kwestie"), ids, strict=True))


def test_every_signed_in_person_reads_every_article(
    api: Api,
    login: Login,
    three_articles: dict[str, int],
    named_reporter: User,
    partner_reporter: User,
    intake_member: User,
    outsider: User,
    admin: User,
    make_user: MakeUser,
) -> None:
    partner_manager = make_user("manager", organisation="Buurtteam Teststad", kind="partner")
    readers = [named_reporter, partner_reporter, partner_manager, intake_member, outsider, admin]
    newest_first = sorted(three_articles.values(), reverse=True)
    for reader in readers:
        listed = api(reader).get("/knowledge")
        assert listed.status_code == 200, (reader.name, listed.text)
        assert [item["id"] for item in listed.get_json()["items"]] == newest_first
        for article_id in newest_first:
            assert api(reader).get(f"/knowledge/{article_id}").status_code == 200
        session = login(reader)
        page = session.get("/kennis")
        assert page.status_code == 200 and page.text.count('class="article-summary"') == 3
        assert 'href="/kennis"' in page.text  # the navigation's link
        assert session.get(f"/kennis/{newest_first[0]}").status_code == 200
        assert session.get("/kennis/maatwerkgronden").status_code == 200


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"regulation": "participatiewet"}, ["kwestie", "maatwerk"]),
        ({"regulation": "toeslagen"}, ["escalated"]),
        ({"regulation": "wmo"}, []),
        ({"level": "national_law"}, ["escalated"]),
        ({"outcome": "policy_changed"}, ["kwestie"]),
        ({"maatwerk": "applied"}, ["maatwerk"]),
        ({"maatwerk": "not_applied"}, ["kwestie", "escalated"]),
        ({"maatwerk": "applied", "regulation": "awb"}, ["maatwerk"]),
    ],
)
def test_the_list_filters(
    api: Api,
    login: Login,
    three_articles: dict[str, int],
    outsider: User,
    query: dict[str, str],
    expected: list[str],
) -> None:
    listed = api(outsider).get("/knowledge", **query)
    assert listed.status_code == 200, listed.text
    assert [item["id"] for item in listed.get_json()["items"]] == [
        three_articles[name] for name in expected
    ]
    page = login(outsider).get("/kennis?" + "&".join(f"{k}={v}" for k, v in query.items()))
    assert page.text.count('class="article-summary"') == len(expected)


def test_the_list_comes_a_page_at_a_time(
    api: Api, three_articles: dict[str, int], outsider: User
) -> None:
    client = api(outsider)
    first = client.get("/knowledge", limit="2").get_json()
    assert [item["id"] for item in first["items"]] == [three_articles["kwestie"]] + [
        three_articles["escalated"]
    ]
    rest = client.get("/knowledge", limit="2", cursor=first["next_cursor"]).get_json()
    assert [item["id"] for item in rest["items"]] == [three_articles["maatwerk"]]
    assert rest["next_cursor"] is None


def test_invalid_filters_are_refused_per_field_in_dutch(
    api: Api, login: Login, outsider: User
) -> None:
    response = api(outsider).get(
        "/knowledge", regulation="maanwet", level="", maatwerk="ja", limit="0"
    )
    assert response.status_code == 422
    fields = response.get_json()["error"]["fields"]
    assert fields["regulation"] == ["Onbekende keuze: maanwet."]
    assert fields["maatwerk"] == ["Onbekende keuze: ja."]
    assert set(fields) == {"regulation", "level", "maatwerk", "limit"}
    page = login(outsider).get("/kennis?regulation=maanwet&level=")
    assert page.status_code == 422
    assert "Onbekende keuze: maanwet." in page.text and 'href="#regulation"' in page.text


def test_an_unknown_article_is_not_found(api: Api, login: Login, outsider: User) -> None:
    response = api(outsider).get("/knowledge/999")
    assert response.status_code == 404
    assert response.get_json()["error"]["message"] == knowledge.NOT_FOUND
    assert api(outsider).get("/knowledge/2147483648").status_code == 404
    assert login(outsider).get("/kennis/999").status_code == 404


def test_the_kwestie_shows_only_to_a_reader_who_may_see_it(
    login: Login, three_articles: dict[str, int], manager: User, outsider: User
) -> None:
    kwestie_title = "Inkomensgat bij de overgang van bijstand naar werk"
    shown = login(manager).get(f"/kennis/{three_articles['kwestie']}").text
    assert 'id="kwestie"' in shown and kwestie_title in shown
    hidden = login(outsider).get(f"/kennis/{three_articles['kwestie']}").text
    assert 'id="kwestie"' not in hidden and kwestie_title not in hidden
    assert "/kwesties/" not in hidden.split('id="inhoud"', 1)[1]


# The web pages -------------------------------------------------------------------------------


def test_the_signal_page_offers_the_form_and_then_links_the_article(
    login: Login, resolved: Signal, manager: User, named_reporter: User
) -> None:
    session = login(manager)
    page = session.get(f"/signalen/{resolved.reference}").text
    assert "Publiceren als kennisartikel" in page
    assert f'id="publish-title" name="title" value="{resolved.title}"' in page
    assert "Noem geen inwoners" in page

    done = session.post(
        f"/signalen/{resolved.reference}/publiceren",
        {"summary": SUMMARY, "what_was_done": DONE, "version": resolved.version},
    )
    assert done.status_code == 302, done.text
    article = db.session.scalars(select(KnowledgeArticle)).one()
    after = session.get(f"/signalen/{resolved.reference}").text
    assert "Het signaal is gepubliceerd als kennisartikel." in after
    assert f'href="/kennis/{article.id}"' in after and "Kennisartikel bijwerken" in after
    assert codes.EVENT_LABELS["published"] in after
    # The reporter sees that it was published, but no form.
    theirs = login(named_reporter).get(f"/signalen/{resolved.reference}").text
    assert f'href="/kennis/{article.id}"' in theirs and "publish-summary" not in theirs


def test_the_form_keeps_what_was_typed_and_names_the_field_with_a_bsn(
    login: Login, resolved: Signal, manager: User
) -> None:
    typed = f"Bij deze inwoner (BSN {BSN}) stopte de uitkering te vroeg, een maand lang."
    response = login(manager).post(
        f"/signalen/{resolved.reference}/publiceren",
        {"title": "Mijn titel", "summary": typed, "what_was_done": DONE},
    )
    assert response.status_code == 422
    page = response.text
    assert BSN_MESSAGE in page and 'href="#publish-summary"' in page
    assert typed in page and 'value="Mijn titel"' in page and DONE in page
    assert 'id="publish-summary" name="summary" rows="6" required aria-describedby' in page
    assert count(KnowledgeArticle) == 0


def test_the_kwestie_page_offers_the_form_once_decided_and_then_links_the_article(
    clock: Clock, login: Login, policy_member: User
) -> None:
    kwestie = create_kwestie(policy_member, {"title": "Nog open", "node": "beleid"})
    session = login(policy_member)
    assert "Publiceren als kennisartikel" not in session.get(f"/kwesties/{kwestie.id}").text
    decide_kwestie(policy_member, kwestie.id, DECISION)
    page = session.get(f"/kwesties/{kwestie.id}").text
    assert 'id="publish-title" name="title" value="Nog open"' in page

    short = session.post(f"/kwesties/{kwestie.id}/publiceren", {"summary": "Te kort"})
    assert short.status_code == 422 and "Schrijf ten minste 20 tekens" in short.text
    done = session.post(f"/kwesties/{kwestie.id}/publiceren", {"summary": SUMMARY})
    assert done.status_code == 302, done.text
    article = db.session.scalars(select(KnowledgeArticle)).one()
    after = session.get(f"/kwesties/{kwestie.id}").text
    assert "De kwestie is gepubliceerd als kennisartikel." in after
    assert f'href="/kennis/{article.id}"' in after
    assert codes.KWESTIE_EVENT_LABELS["published"] in after


def test_the_grounds_are_explained_on_their_page_the_form_the_article_and_the_codes(
    api: Api, login: Login, three_articles: dict[str, int], reporter: User
) -> None:
    session = login(reporter)
    grounds = session.get("/kennis/maatwerkgronden").text
    form = session.get("/signalen/nieuw").text
    for code, label in codes.MAATWERK_GROUNDS.items():
        explanation = codes.MAATWERK_GROUND_EXPLANATIONS[code]
        assert label in grounds and explanation.allows in grounds and explanation.where in grounds
        assert explanation.allows in form
    assert "Awb" in codes.MAATWERK_GROUND_EXPLANATIONS["awb_4_84"].where + grounds
    assert 'href="/kennis/maatwerkgronden"' in form
    assert 'href="/kennis/maatwerkgronden"' in session.get("/kennis").text
    article = session.get(f"/kennis/{three_articles['maatwerk']}").text
    assert codes.MAATWERK_GROUND_EXPLANATIONS["pw_18_1"].allows in article
    assert codes.MAATWERK_GROUND_EXPLANATIONS["hardheidsclausule"].allows not in article

    answer = api(reporter).get("/codes").get_json()
    assert answer["lists"]["maatwerk_grounds"][0] == {
        "code": "awb_4_84",
        "label": codes.MAATWERK_GROUNDS["awb_4_84"],
    }
    assert [ground["code"] for ground in answer["maatwerk_grounds"]] == list(codes.MAATWERK_GROUNDS)
    assert set(answer["maatwerk_grounds"][0]) == {"code", "label", "where", "allows"}
