"""What a signal's (or kwestie's) page shows besides the object itself.

- its way through the route, as a list and marked on the route map;
- how late each passed deadline is, in Dutch working days ("3 werkdagen te laat");
- after a form that was sent from a page that is no longer current (the ``version`` it
  carried is stale): what happened since that page was shown, and why the action was not
  taken, so the person can send the text they typed again deliberately.

A page records the last event it showed in the forms it holds (``seen_event``); the events
after it are what changed. Everything listed is also in the page's own timeline, so it shows
nothing the viewer may not see.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from markupsafe import Markup

from signals.errors import SignalsError, StaleVersion
from signals.routing.diagram import render_svg
from signals.routing.services import active_graph
from signals.wording import counted
from signals.workflow.clocks import working_days_late
from signals.workflow.journey import journey_of
from signals.workflow.models import Signal

SEEN_EVENT = "seen_event"  # the hidden form field: the id of the last event the page showed


def late_text(days: int) -> str:
    """``3 werkdagen te laat``, ``1 werkdag te laat``; ``te laat`` before a working day passed."""
    if days <= 0:
        return "te laat"
    return f"{counted(days, 'werkdag', 'werkdagen')} te laat"


def seen_event(form: Mapping[str, Any]) -> int | None:
    """The last event the form's page showed (None: the form did not say, or not readably)."""
    value = str(form.get(SEEN_EVENT) or "").strip()
    if not value.isascii() or not value.isdigit() or len(value) > 18:
        return None
    return int(value)


def last_event_id(events: Sequence[Any]) -> int:
    """The id of the newest of ``events`` (0: none), for the forms' ``seen_event``."""
    return max((event.id for event in events), default=0)


@dataclass(frozen=True)
class StaleForm:
    """A form sent from an older page: the refusal, and the events since that page.

    ``changes`` is None when the form did not say which page it came from (an old page).
    ``refusal`` is the reason the action cannot be taken now at all (it is no longer
    possible, or no longer theirs); None for a plain conflict, which may be sent again.
    """

    changes: list[Any] | None
    refusal: str | None

    @property
    def may_resend(self) -> bool:
        return self.refusal is None


def stale_form(
    error: SignalsError, events: Sequence[Any], form: Mapping[str, Any], version: int
) -> StaleForm | None:
    """What to tell the sender of a refused ``form``; None: the refusal is not about a change.

    ``events`` are the object's history as the sender may see it, ``version`` its version
    now. A :class:`StaleVersion` always is about a change. Another refusal (the action is no
    longer possible in the new state, or it is someone else's now) counts as one only when
    the form carried an older version and something happened since its page was shown;
    otherwise it stands as it is.
    """
    seen = seen_event(form)
    changes = [event for event in events if event.id > seen] if seen is not None else None
    if isinstance(error, StaleVersion):
        return StaleForm(changes=changes, refusal=None)
    carried = str(form.get("version") or "").strip()
    if changes and carried and carried != str(version):
        return StaleForm(changes=changes, refusal=error.message)
    return None


def signal_extras(signal: Signal, moment: datetime) -> dict[str, Any]:
    """The route, lateness and form bookkeeping a signal's page shows, for its template."""
    journey = journey_of(signal)
    # render_svg escapes every text it draws, so its output is safe to embed.
    svg = Markup(render_svg(active_graph(), journey.highlight()))  # noqa: S704
    late = working_days_late(signal, moment)
    return {
        "journey": journey,
        "journey_svg": svg,
        "late": {clock.value: late_text(days) for clock, days in late.items()},
        "seen_event": last_event_id(signal.events),
    }
