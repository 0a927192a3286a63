"""The append-only history of signals and kwesties, and its one permitted change.

On PostgreSQL a trigger (made by the migration) refuses every UPDATE and DELETE of a row of
``signal_events`` and ``kwestie_events``, also from outside the service. The one exception
is retention's anonymisation: inside its transaction it sets ``signals.anonymising`` (a
setting local to that transaction), and then the trigger lets an event's free text and actor
be blanked, and nothing else (its id, signal, type and moment stay). The anonymisation
records that it did so: the signal's ``anonymised`` event. On SQLite there is no trigger;
the ORM never deletes events (the relationships do not cascade deletes).
"""

from sqlalchemy import text

from signals.extensions import db

ANONYMISING_SETTING = "signals.anonymising"


def allow_anonymising() -> None:
    """Let this transaction blank events (PostgreSQL: the trigger checks the setting)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(
            text("SELECT set_config(:name, 'on', true)"), {"name": ANONYMISING_SETTING}
        )
