"""The CSV export of the signals a person may see: filters, visibility, no names, no formulas,
and a long list streamed a batch at a time."""

import csv
import io

import pytest

from signals.auth.models import User
from signals.clock import Clock
from signals.workflow import export
from signals.workflow.export import COLUMNS
from signals.workflow.services import forward_signal, submit_signal
from tests.fixtures.people import VALID_SIGNAL
from tests.helpers import Api, Login, MakeUser


def rows_of(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def test_the_csv_holds_what_the_reader_may_see_with_codes_and_dates(
    api: Api,
    make_user: MakeUser,
    reporter: User,
    manager: User,
    partner_reporter: User,
    clock: Clock,
) -> None:
    first = submit_signal(reporter, {**VALID_SIGNAL, "title": '=HYPERLINK("x")'})
    second = submit_signal(reporter, {**VALID_SIGNAL, "urgency": "high"})
    at_policy = submit_signal(reporter, VALID_SIGNAL)
    forward_signal(manager, at_policy.reference, {"to": "beleid"})
    submit_signal(partner_reporter, {**VALID_SIGNAL, "title": "Van het buurtteam"})

    answer = api(manager).get("/signals.csv")
    assert answer.status_code == 200
    assert answer.mimetype == "text/csv"
    assert 'filename="signalen.csv"' in answer.headers["Content-Disposition"]
    text = answer.get_data(as_text=True)
    assert text.splitlines()[0] == "\ufeff" + ",".join(COLUMNS)
    rows = rows_of(text)
    # The manager sees their reporter's signals (also the one now at beleid), not the partner's.
    assert [row["reference"] for row in rows] == [
        at_policy.reference,
        second.reference,
        first.reference,
    ]
    by_reference = {row["reference"]: row for row in rows}
    assert by_reference[first.reference]["title"] == '\'=HYPERLINK("x")'  # not a formula
    assert by_reference[at_policy.reference]["title"] == ""  # beleid hides its reporters
    assert by_reference[second.reference]["urgency"] == "high"
    row = by_reference[first.reference]
    assert row["reporter_kind"] == "staff" and row["regulations"] == "participatiewet"
    assert row["submitted_at"].startswith("2026-11-23T09:00:00")
    assert reporter.name not in text and reporter.email not in text

    filtered = rows_of(api(manager).get("/signals.csv", node="beleid").get_data(as_text=True))
    assert [row["reference"] for row in filtered] == [at_policy.reference]
    for query, field in (({"status": "kwijt"}, "status"), ({"limit": "5"}, "limit")):
        wrong = api(manager).get("/signals.csv", **query)
        assert wrong.status_code == 422  # before the first byte: no half CSV
        assert set(wrong.get_json()["error"]["fields"]) == {field}
    assert rows_of(api(partner_reporter).get("/signals.csv").get_data(as_text=True))[0][
        "title"
    ] == ("Van het buurtteam")


def test_a_long_export_is_streamed_in_batches(
    api: Api, reporter: User, manager: User, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    for number in range(7):
        submit_signal(reporter, {**VALID_SIGNAL, "title": f"Signaal {number}"})
    monkeypatch.setattr(export, "BATCH", 3)  # three batches: 3, 3 and 1

    answer = api(manager).get("/signals.csv")

    assert answer.is_streamed
    titles = [row["title"] for row in rows_of(answer.get_data(as_text=True))]
    assert titles == [f"Signaal {number}" for number in reversed(range(7))]


def test_the_inbox_downloads_its_signals_with_its_filters(
    login: Login, reporter: User, manager: User, partner_reporter: User, clock: Clock
) -> None:
    urgent = submit_signal(reporter, {**VALID_SIGNAL, "urgency": "high", "title": "Met spoed"})
    submit_signal(reporter, {**VALID_SIGNAL, "title": "Gewoon"})
    submit_signal(partner_reporter, {**VALID_SIGNAL, "title": "Niet van de teamleider"})
    web = login(manager)

    page = web.get("/inbox?urgency=high").text
    assert 'href="/inbox.csv?urgency=high"' in page
    answer = web.get("/inbox.csv?urgency=high")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert [row["reference"] for row in rows_of(answer.get_data(as_text=True))] == [
        urgent.reference
    ]
    everything = rows_of(web.get("/inbox.csv").get_data(as_text=True))
    assert sorted(row["title"] for row in everything) == ["Gewoon", "Met spoed"]
    wrong = web.get("/inbox.csv?urgency=morgen")
    assert wrong.status_code == 302 and wrong.headers["Location"] == "/inbox?urgency=morgen"
    assert login(reporter).get("/inbox.csv").status_code == 403
