"""The periodic report for bestuur and raad: written by ``signals report`` as PDF and HTML on
the demo data (its pages rendered to PNG in test-artifacts/), and mailed once a quarter by the
sweep, PDF attached, to SIGNALS_REPORT_RECIPIENTS and the bestuur node's group."""

from datetime import UTC, date, datetime, timedelta
from io import BytesIO
from pathlib import Path

import pypdfium2
from flask.testing import FlaskCliRunner
from pypdf import PdfReader
from sqlalchemy import select

from signals.auth.models import User
from signals.clock import Clock
from signals.extensions import db
from signals.figures.models import PeriodicReport
from signals.figures.report import previous_quarter, report_html
from signals.kwesties.services import create_kwestie, decide_kwestie
from signals.notifications.delivery import deliver_pending
from signals.notifications.models import OutboxMessage
from signals.scheduler.jobs import sweep
from signals.workflow.services import submit_signal
from tests.fixtures.app import START, Configure
from tests.fixtures.people import VALID_SIGNAL
from tests.fixtures.smtp import SmtpServer
from tests.helpers import MakeUser
from tests.integration.test_demo import load_demo_at

# The first working day of 2027, in office hours (Amsterdam): the fourth quarter is due.
NEW_YEAR = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)


def test_the_demo_report_as_pdf_and_html_with_its_pages_as_pictures(
    runner: FlaskCliRunner, clock: Clock, tmp_path: Path, artifacts_dir: Path
) -> None:
    load_demo_at(runner, clock, START)
    pdf_file, html_file = tmp_path / "rapportage.pdf", tmp_path / "rapportage.html"

    for out in (pdf_file, html_file):
        args = ["report", "--from", "2026-01-01", "--to", "2026-12-31", "--out", str(out)]
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
        assert "rapportage 2026-01-01 t/m 2026-12-31 geschreven" in result.output

    html = html_file.read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>") and 'lang="nl"' in html
    assert html.count('src="data:image/svg+xml;base64,') >= 6
    assert "Kerncijfers" in html and "Partners en medewerkers van de gemeente" in html
    assert "KM-" not in html  # no signal by reference: examples by their codes only

    reader = PdfReader(BytesIO(pdf_file.read_bytes()))
    text = "".join(page.extract_text() for page in reader.pages)
    assert len(reader.pages) >= 3
    assert "Signalen over knellende mechanismen" in text and "Voorbeelden (geanonimiseerd)" in text
    document = pypdfium2.PdfDocument(str(pdf_file))
    try:
        for number, page in enumerate(document, start=1):
            picture = page.render(scale=1.2).to_pil()
            picture.save(artifacts_dir / f"report-demo-page-{number}.png")
            colours = picture.convert("L").getextrema()
            assert colours[0] < 100 < colours[1], f"page {number} is blank"
            page.close()
    finally:
        document.close()


def test_the_command_refuses_a_period_it_cannot_read(
    runner: FlaskCliRunner, tmp_path: Path
) -> None:
    out = tmp_path / "r.pdf"
    wrong = runner.invoke(args=["report", "--from", "1-1-2026", "--to", "2026-03-31", "--out", out])
    assert wrong.exit_code != 0 and "geen datum JJJJ-MM-DD: 1-1-2026" in wrong.output
    backwards = ["report", "--from", "2026-03-31", "--to", "2026-01-01", "--out", str(out)]
    result = runner.invoke(args=backwards)
    assert result.exit_code != 0 and "de laatste dag ligt vóór de eerste" in result.output
    assert not out.exists()


def test_the_quarter_before(clock: Clock) -> None:
    assert previous_quarter(date(2027, 1, 4)) == (date(2026, 10, 1), date(2026, 12, 31))
    assert previous_quarter(date(2026, 5, 20)) == (date(2026, 1, 1), date(2026, 3, 31))
    assert previous_quarter(date(2026, 7, 1)) == (date(2026, 4, 1), date(2026, 6, 30))


def test_each_quarter_the_sweep_mails_the_report_once_with_the_pdf(
    clock: Clock,
    configure: Configure,
    make_user: MakeUser,
    reporter: User,
    smtp_server: SmtpServer,
) -> None:
    configure(report_recipients=("griffie@gemeente.test",))
    board = make_user("member", groups=["bestuur"], name="Bert Bestuur")
    make_user("member", groups=["beleid"], name="Niet Bestuur")
    clock.set(START)
    for number in range(6):
        submit_signal(reporter, {**VALID_SIGNAL, "title": f"Signaal {number}"})

    before = sweep(NEW_YEAR - timedelta(days=1))  # a Sunday: no report yet
    assert not any(line.startswith("kwartaalrapportage") for line in before)
    assert "kwartaalrapportage verstuurd aan: 2" in sweep(NEW_YEAR)
    sweep(NEW_YEAR + timedelta(hours=2))  # once a quarter, however often it sweeps
    deliver_pending(NEW_YEAR + timedelta(hours=2))

    rows = db.session.scalars(select(PeriodicReport)).all()
    assert [(row.first_day, row.last_day, row.recipients) for row in rows] == [
        (date(2026, 10, 1), date(2026, 12, 31), 2)
    ]
    reports = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "periodic_report")
    ).all()
    assert sorted(row.recipient for row in reports) == ["griffie@gemeente.test", board.email]
    mail = smtp_server.by_recipient("griffie@gemeente.test")[0]
    assert mail["Subject"] == (
        "Rapportage signalen knellende mechanismen, 1 oktober 2026 t/m 31 december 2026"
    )
    attachments = list(mail.iter_attachments())
    assert [part.get_filename() for part in attachments] == [
        "signalen-rapportage-2026-10-01-2026-12-31.pdf"
    ]
    pdf = PdfReader(BytesIO(attachments[0].get_content()))
    assert "Signalen over knellende mechanismen" in pdf.pages[0].extract_text()
    html = mail.get_body(("html",))
    assert html is not None and "/overzicht?van=2026-10&amp;tot=2026-12" in html.get_content()


def test_no_report_for_a_quarter_before_the_first_signal(
    clock: Clock, configure: Configure, reporter: User
) -> None:
    configure(report_recipients=("griffie@gemeente.test",))
    clock.set(NEW_YEAR + timedelta(days=1))
    submit_signal(reporter, VALID_SIGNAL)  # in January: the fourth quarter had none

    sweep(NEW_YEAR + timedelta(days=1, hours=1))

    assert db.session.scalars(select(PeriodicReport)).all() == []
    # Asked for, that quarter's report says there was nothing to count.
    assert "Geen signalen om te tonen in deze periode." in report_html(
        date(2026, 10, 1), date(2026, 12, 31)
    )


def test_the_report_counts_every_decided_kwestie_but_names_none_of_the_ombudsman(
    clock: Clock, make_user: MakeUser, manager: User
) -> None:
    clock.set(START)
    policy = make_user("member", groups=["beleid"], name="Bas Beleid")
    ombuds = make_user("member", groups=["ombudsman"], name="Olga Ombuds")
    decision = {"outcome": "policy_changed", "rationale": "Aangepast.", "message": "Dank."}
    for title, node, decider in (
        ("Voorschot op het eerste loon", "beleid", policy),
        ("Onbereikbaar loket", "ombudsman", ombuds),
    ):
        kwestie = create_kwestie(
            manager,
            {"title": title, "regulation": "participatiewet", "level": "municipal_practice"}
            | {"node": node},
        )
        decide_kwestie(decider, kwestie.id, decision)

    html = report_html(date(2026, 10, 1), date(2026, 12, 31))

    assert "Voorschot op het eerste loon" in html
    assert "Onbereikbaar loket" not in html
    assert '<th scope="row">Kwesties met een besluit</th><td>2</td>' in html
