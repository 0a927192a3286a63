"""The ``signals`` command line: organisations, users, demo data, outbox and scheduler."""

from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any

import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext

from signals.errors import InputInvalid


def main() -> None:
    """Entry point of the ``signals`` console script (the Flask CLI bound to this app)."""
    from signals.app import create_app

    cli = FlaskGroup(create_app=lambda: create_app(), help="Signalen knellende mechanismen.")
    cli.main(prog_name="signals")


def register(app: Flask) -> None:
    for group in (orgs, users, demo, outbox, scheduler):
        app.cli.add_command(group)


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


@click.group(help="Gebruikers.")
def users() -> None:
    pass


@users.command("create", help="Voeg een gebruiker toe.")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--org", "organisation", required=True, help="Naam van de organisatie.")
@click.option(
    "--role", required=True, type=click.Choice(["professional", "manager", "member", "admin"])
)
@click.option("--manager", default=None, help="E-mailadres van de leidinggevende.")
@click.option("--groups", default="", help="Routegroepen, komma-gescheiden (bv. intake,beleid).")
@click.option("--password", default=None, help="Zonder deze optie wordt er een gegenereerd.")
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
) -> None:
    import secrets

    from signals.auth.services import create_user

    generated = password is None
    password = password or secrets.token_urlsafe(12)
    user = create_user(
        {
            "email": email,
            "name": name,
            "organisation": organisation,
            "role": role,
            "manager": manager,
            "groups": [group.strip() for group in groups.split(",") if group.strip()],
            "password": password,
        }
    )
    click.echo(f"Gebruiker {user.email} ({user.role}) aangemaakt.")
    if generated:
        click.echo(f"Wachtwoord: {password}")


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


@demo.command("run", help="Database bijwerken, demogegevens laden en de webserver starten.")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
@with_appcontext
def demo_run(host: str, port: int) -> None:
    from flask import current_app
    from flask_migrate import upgrade

    from signals.demo.loader import load_demo, print_logins

    upgrade()
    click.echo(load_demo())
    click.echo(f"\nDe dienst draait op http://{host}:{port}/  (stoppen: Ctrl+C)")
    print_logins(click.echo)
    from werkzeug.serving import run_simple

    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    run_simple(host, port, app, use_reloader=False, use_debugger=app.debug, threaded=True)


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


@click.group(help="De planner: bezorgt e-mail (later ook termijnen en herinneringen).")
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
    click.echo(sweep(at))


@scheduler.command("run", help="Start de planner als eigen proces.")
@with_appcontext
def scheduler_run() -> None:
    from flask import current_app

    from signals.scheduler.runner import run_forever

    run_forever(current_app._get_current_object())  # type: ignore[attr-defined]


def _parse_moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as error:
        raise click.BadParameter(f"geen ISO-8601 tijdstip: {text}", param_hint="--now") from error
    if moment.tzinfo is None:
        raise click.BadParameter("geef een tijdzone mee, bv. +01:00", param_hint="--now")
    return moment
