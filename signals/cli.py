"""The ``signals`` command line: organisations, users, demo data, outbox, scheduler, report."""

from collections.abc import Callable
from datetime import date, datetime
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext
from werkzeug.serving import WSGIRequestHandler

from signals.anonymous import ANONYMOUS_PATHS
from signals.codes import ROLES
from signals.errors import InputInvalid, SignalsError
from signals.settings import settings_of

if TYPE_CHECKING:
    from signals.auth.models import User


def main() -> None:
    """Entry point of the ``signals`` console script (the Flask CLI bound to this app).

    Debug mode is ``SIGNALS_DEBUG``, read by the factory like every setting. Flask's CLI would
    set the app's debug flag again from ``FLASK_DEBUG`` after the factory (unset: off, which
    made ``SIGNALS_DEBUG=true`` a no-op); here it leaves the flag alone, and the ``--debug``
    option, which only sets ``FLASK_DEBUG``, is not offered.
    """
    cli = FlaskGroup(
        create_app=_create_app,
        set_debug_flag=False,
        help="Signalen knellende mechanismen. Ontwikkelmodus: SIGNALS_DEBUG=true.",
    )
    cli.params = [param for param in cli.params if param.name != "debug"]
    cli.add_command(routes)  # works without the app, so an invalid route file can be checked
    cli.main(prog_name="signals")


def _create_app() -> Flask:
    """The app for a command; a setting that does not do is said in one message, not a trace."""
    from signals.app import create_app
    from signals.settings import SettingsError

    try:
        return create_app()
    except SettingsError as error:
        raise click.ClickException(str(error)) from None


def register(app: Flask) -> None:
    for group in (orgs, users, demo, outbox, scheduler, routes, search, privacy_group):
        app.cli.add_command(group)
    app.cli.add_command(report)


@click.group(help="Routekaarten (routes_config/*.yaml).")
def routes() -> None:
    pass


@routes.command("check", help="Controleer routebestanden; zonder FILE: routes_config/*.yaml.")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@click.option(
    "--strict",
    is_flag=True,
    help="Eis ook bij elke stap en elke pijl een bron in het rapport (source).",
)
def routes_check(files: tuple[str, ...], strict: bool) -> None:
    from pathlib import Path

    from signals.routing.loader import check_route_files
    from signals.wording import counted

    paths = [Path(name) for name in files]
    if not paths:
        paths = sorted((Path(__file__).resolve().parent.parent / "routes_config").glob("*.yaml"))
    problems = check_route_files(paths, strict=strict)
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        raise SystemExit(1)
    checked = counted(len(paths), "routebestand", "routebestanden")
    click.echo(f"{checked} in orde: {', '.join(path.name for path in paths)}")


def _reports_invalid_input(command: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except InputInvalid as error:
            for field, messages in error.fields.items():
                for message in messages:
                    click.echo(f"{field}: {message}", err=True)
            raise SystemExit(1) from error
        except SignalsError as error:  # refused for another reason: say why, no traceback
            click.echo(error.message, err=True)
            raise SystemExit(1) from error

    return wrapper


@click.group(help="Organisaties: gemeentelijke afdelingen en gecontracteerde partners.")
def orgs() -> None:
    pass


@orgs.command("create", help="Voeg een organisatie toe (bestaat ze al, dan verandert er niets).")
@click.option("--name", required=True)
@click.option("--kind", required=True, type=click.Choice(["staff", "partner"]))
@with_appcontext
@_reports_invalid_input
def create_org(name: str, kind: str) -> None:
    from signals.auth.services import create_organisation

    organisation, created = create_organisation({"name": name, "kind": kind})
    state = "aangemaakt" if created else "bestond al"
    click.echo(f"Organisatie {organisation.name} ({organisation.kind}) {state}.")


@orgs.command("set-contact", help="Leg de contactpersoon van de gemeente voor een partner vast.")
@click.option("--name", required=True, help="Naam van de partnerorganisatie.")
@click.option("--contact", required=True, help="E-mailadres van de contactpersoon.")
@with_appcontext
@_reports_invalid_input
def set_contact(name: str, contact: str) -> None:
    from signals.auth.services import set_partner_contact

    organisation = set_partner_contact({"organisation": name, "contact": contact})
    click.echo(f"Contactpersoon van {organisation.name}: {contact}.")


BY_HELP = (
    "E-mailadres van wie dit doet (wordt gelogd); verplicht voor de groep van een "
    "onafhankelijke plek (de ombudsman): dan de beheerder van de ombudsman."
)


@click.group(help="Gebruikers.")
def users() -> None:
    pass


@users.command("create", help="Voeg een gebruiker toe.")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--org", "organisation", required=True, help="Naam van de organisatie.")
@click.option("--role", required=True, type=click.Choice(list(ROLES)))
@click.option("--manager", default=None, help="E-mailadres van de leidinggevende.")
@click.option("--groups", default="", help="Routegroepen, komma-gescheiden (bv. intake,beleid).")
@click.option("--password", default=None, help="Zonder deze optie wordt er een gegenereerd.")
@click.option("--by", "by", default=None, help=BY_HELP)
@with_appcontext
@_reports_invalid_input
def create_user_command(
    email: str,
    name: str,
    organisation: str,
    role: str,
    manager: str | None,
    groups: str,
    password: str | None,
    by: str | None,
) -> None:
    import secrets

    from signals.auth.services import create_user

    generated = password is None
    password = password or secrets.token_urlsafe(12)
    wanted = [group.strip() for group in groups.split(",") if group.strip()]
    actor = _actor(by, wanted)
    user = create_user(
        {
            "email": email,
            "name": name,
            "organisation": organisation,
            "role": role,
            "manager": manager,
            "groups": wanted,
            "password": password,
        },
        actor,
    )
    click.echo(f"Gebruiker {user.email} ({user.role}) aangemaakt.")
    if generated:
        click.echo(f"Wachtwoord: {password}")


@users.command(
    "set-password", help="Geef een gebruiker een nieuw wachtwoord; al diens sessies eindigen."
)
@click.argument("email")
@click.option("--password", default=None, help="Zonder deze optie wordt er een gegenereerd.")
@with_appcontext
@_reports_invalid_input
def set_password_command(email: str, password: str | None) -> None:
    import secrets

    from signals.auth.services import set_password

    user = _existing_user(email)
    generated = password is None
    password = password or secrets.token_urlsafe(12)
    set_password(user, {"password": password})
    click.echo(f"Nieuw wachtwoord voor {user.email}; al diens sessies zijn beëindigd.")
    if generated:
        click.echo(f"Wachtwoord: {password}")


@users.command(
    "invite",
    help="Mail iemand een uitnodiging om binnen 72 uur een eigen wachtwoord in te stellen.",
)
@click.argument("email")
@click.option("--by", "by", default=None, help=BY_HELP)
@with_appcontext
@_reports_invalid_input
def invite_command(email: str, by: str | None) -> None:
    from signals.auth.links import invite_user

    user = _existing_user(email)
    invite_user(user, _existing_user(by) if by else None)
    click.echo(f"Uitnodiging voor {user.email} staat in de uitgaande e-mail.")


@users.command(
    "deactivate",
    help="Zet deze gebruiker op inactief: inloggen en API-sleutels werken niet meer, "
    "al diens sessies eindigen.",
)
@click.argument("email")
@with_appcontext
def deactivate_command(email: str) -> None:
    from signals.auth.services import deactivate_user

    user = _existing_user(email)
    deactivate_user(user)
    click.echo(f"Gebruiker {user.email} is gedeactiveerd; al diens sessies zijn beëindigd.")


def _actor(by: str | None, groups: list[str]) -> "User | None":
    """The person ``--by`` names; refuses an independent node's group without one."""
    from signals.auth.groups import INDEPENDENT_GROUP, independent_groups

    if by is None:
        if set(groups) & independent_groups():
            raise click.ClickException(f"{INDEPENDENT_GROUP} Geef --by met diens e-mailadres.")
        return None
    return _existing_user(by)


@users.command("groups", help="Zet iemand in een routegroep of haal iemand eruit (--add/--remove).")
@click.argument("email")
@click.option("--add", "added", multiple=True, help="Groep om iemand in te zetten.")
@click.option("--remove", "removed", multiple=True, help="Groep om iemand uit te halen.")
@click.option("--by", "by", required=True, help=BY_HELP)
@with_appcontext
@_reports_invalid_input
def groups_command(email: str, added: tuple[str, ...], removed: tuple[str, ...], by: str) -> None:
    from signals.auth.groups import add_to_group, remove_from_group

    member = _existing_user(email)
    actor = _existing_user(by)
    for group in added:
        add_to_group(actor, group, member)
    for group in removed:
        remove_from_group(actor, group, member)
    click.echo(f"Groepen van {member.email}: {', '.join(member.groups) or 'geen'}.")


def _existing_user(email: str) -> "User":
    from signals.auth.services import user_by_email

    user = user_by_email(email)
    if user is None:
        raise click.ClickException(f"Geen gebruiker met e-mailadres {email}.")
    return user


@users.command(
    "token", help="Maak een nieuwe API-sleutel voor deze gebruiker en toon die één keer."
)
@click.argument("email")
@click.option("--name", default="", help="Waarvoor de sleutel is (bv. het zaaksysteem).")
@with_appcontext
@_reports_invalid_input
def token_command(email: str, name: str) -> None:
    from signals.audit.services import Subject, log_access
    from signals.auth.tokens import issue_token
    from signals.transaction import unit_of_work

    user = _existing_user(email)
    with unit_of_work():  # the token and its entry in the access log, together
        issued = issue_token(user, {"name": name} if name else {})
        log_access(None, "token_issued", Subject.person(user), detail=name or None)
    click.echo(issued.secret)


@click.group(help="Demonstratiegegevens.")
def demo() -> None:
    pass


@demo.command("load", help="Laad realistische demogegevens (organisaties, gebruikers, signalen).")
@with_appcontext
def demo_load() -> None:
    from signals.demo.loader import load_demo, print_logins

    summary = load_demo()
    click.echo(summary)
    print_logins(click.echo)


@demo.command(
    "run", help="Database bijwerken, demogegevens laden, de planner en de webserver starten."
)
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
@click.option(
    "--no-scheduler",
    "without_scheduler",
    is_flag=True,
    help="Zonder planner: termijnen en e-mail wachten op `signals scheduler tick`.",
)
@with_appcontext
def demo_run(host: str, port: int, without_scheduler: bool) -> None:
    from flask import current_app
    from flask_migrate import upgrade
    from werkzeug.serving import run_simple

    from signals.demo.loader import load_demo, print_logins
    from signals.notifications.services import serve_at
    from signals.scheduler.runner import start_in_background

    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    address = served_address(host, port)
    serve_at(address)  # e-mail links in debug without SIGNALS_BASE_URL, also the demo's own
    upgrade()
    click.echo(load_demo())
    click.echo(f"\nDe dienst draait op {address}/  (stoppen: Ctrl+C)")
    if app.debug:
        click.echo(f"Ontwikkel-mailbox (na inloggen): {address}/dev/mailbox")
    if without_scheduler:
        click.echo("Zonder planner: termijnen en e-mail wachten op `signals scheduler tick`.")
        stop_scheduler = None
    else:
        interval = settings_of(app).scheduler_interval
        click.echo(f"De planner loopt mee: elke {interval} s een ronde (termijnen, e-mail).")
        stop_scheduler = start_in_background(app)
    print_logins(click.echo)
    try:
        run_simple(
            host,
            port,
            app,
            use_reloader=False,
            use_debugger=app.debug,
            threaded=True,
            request_handler=RequestHandlerWithoutAnonymousTraces,
        )
    finally:
        if stop_scheduler is not None:
            stop_scheduler()


class RequestHandlerWithoutAnonymousTraces(WSGIRequestHandler):
    """The demo server's request log, without the anonymous channel's requests.

    A log line holds the client's address, and for the API the receipt in the path: neither
    may be written down for an anonymous reporter (put the same rule in a production proxy).
    """

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if not self.path.startswith(ANONYMOUS_PATHS):
            super().log_request(code, size)


def served_address(host: str, port: int) -> str:
    """The address a browser on this machine reaches ``host:port`` at."""
    if host in {"", "0.0.0.0", "::"}:  # noqa: S104 (every interface: this machine is one)
        host = "localhost"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


@click.group(help="De uitgaande e-mail (outbox).")
def outbox() -> None:
    pass


@outbox.command("deliver", help="Verstuur alle e-mail die klaarstaat.")
@with_appcontext
def outbox_deliver() -> None:
    from signals.clock import now
    from signals.notifications.delivery import deliver_pending, smtp_configured

    if not smtp_configured():
        click.echo("SIGNALS_SMTP_HOST is niet ingesteld: de e-mail blijft in de outbox.")
        return
    click.echo(deliver_pending(now()).summary())


@click.group(help="De zoekindex (signalen, kwesties, notulen, kennisartikelen).")
def search() -> None:
    pass


@search.command(
    "reindex",
    help="Bouw de zoekindex opnieuw op; eenmalig na het bijwerken naar de versie met zoeken.",
)
@with_appcontext
def search_reindex() -> None:
    from signals.search.indexing import reindex

    def progress(kind: str, total: int) -> None:
        if total % 20_000 == 0:
            click.echo(f"… {total} geïndexeerd ({kind})")

    click.echo(f"{reindex(progress=progress)} onderdelen geïndexeerd.")


@click.group(help="De planner: termijnen, herinneringen, automatisch doorzetten en e-mail.")
def scheduler() -> None:
    pass


@scheduler.command("tick", help="Voer één ronde uit alsof de klok --now aangeeft.")
@click.option(
    "--now", "moment", default=None, help="ISO-8601 met tijdzone, bv. 2026-12-01T09:00+01:00"
)
@with_appcontext
def scheduler_tick(moment: str | None) -> None:
    from signals.clock import now
    from signals.scheduler.jobs import sweep

    at = _parse_moment(moment) if moment else now()
    click.echo(f"ronde op {at.isoformat()}")
    for line in sweep(at):
        click.echo(f"- {line}")


@scheduler.command("run", help="Start de planner als eigen proces.")
@with_appcontext
def scheduler_run() -> None:
    from flask import current_app

    from signals.scheduler.runner import run_forever

    run_forever(current_app._get_current_object())  # type: ignore[attr-defined]


@click.group("privacy", help="Privacy (AVG): bewaartermijnen en alle gegevens over één persoon.")
def privacy_group() -> None:
    pass


@privacy_group.command(
    "purge",
    help="Voer het bewaartermijnwerk nu uit: signalen anonimiseren, oude e-mail uit de outbox "
    "en oude mislukte inlogpogingen verwijderen. Met --dry-run: zeg alleen wat er zou gaan.",
)
@click.option("--dry-run", is_flag=True, help="Verander niets; toon wat er zou gaan.")
@click.option(
    "--now", "moment", default=None, help="ISO-8601 met tijdzone, bv. 2028-12-01T09:00+01:00"
)
@with_appcontext
def privacy_purge(dry_run: bool, moment: str | None) -> None:
    from signals.clock import get_clock, now
    from signals.retention.purge import plan_retention, run_retention

    at = _parse_moment(moment) if moment else now()
    with get_clock().frozen_at(at):
        done = plan_retention(at) if dry_run else run_retention(at, limit=None)
    heading = "proefronde (er verandert niets)" if dry_run else "bewaartermijnen"
    click.echo(f"{heading} op {at.isoformat()}")
    lines = done.lines(dry_run=dry_run)
    for line in lines or ["niets te verwijderen of te anonimiseren"]:
        click.echo(f"- {line}")


@click.command(help="Schrijf de rapportage voor bestuur en raad (PDF als FILE op .pdf eindigt).")
@click.option("--from", "start", required=True, help="Eerste dag, JJJJ-MM-DD.")
@click.option("--to", "end", required=True, help="Laatste dag, JJJJ-MM-DD.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def report(start: str, end: str, out: Path) -> None:
    from signals.figures.report import write_report

    first, last = _parse_day(start, "--from"), _parse_day(end, "--to")
    if last < first:
        raise click.BadParameter("de laatste dag ligt vóór de eerste", param_hint="--to")
    write_report(first, last, out)
    click.echo(f"rapportage {first.isoformat()} t/m {last.isoformat()} geschreven naar {out}")


@privacy_group.command(
    "export", help="Schrijf alles wat over deze persoon is opgeslagen als JSON (wordt gelogd)."
)
@click.option("--email", required=True, help="E-mailadres van de persoon.")
@click.option(
    "--output",
    default=None,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Bestand om in te schrijven; zonder deze optie: standaarduitvoer.",
)
@with_appcontext
@_reports_invalid_input
def privacy_export(email: str, output: Path | None) -> None:
    import json

    from signals.audit.person_data import export_person

    text = json.dumps(export_person(None, email), ensure_ascii=False, indent=2)
    if output is None:
        click.echo(text)
    else:
        output.write_text(text + "\n", encoding="utf-8")
        click.echo(f"gegevens van {email} geschreven naar {output}", err=True)


def _parse_day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise click.BadParameter(f"geen datum JJJJ-MM-DD: {text}", param_hint=option) from error


def _parse_moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as error:
        raise click.BadParameter(f"geen ISO-8601 tijdstip: {text}", param_hint="--now") from error
    if moment.tzinfo is None:
        raise click.BadParameter("geef een tijdzone mee, bv. +01:00", param_hint="--now")
    return moment
