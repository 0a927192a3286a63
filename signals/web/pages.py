"""What the web's pages share: the person looking, a signal's page, and taking an action on it.

The signal pages (:mod:`.views`) and the kwestie pages (:mod:`.kwestie_views`) both show a
signal's page again after a form went wrong, and both take signal actions from the registry
(:mod:`signals.workflow.actions`): they do it here.
"""

from collections.abc import Callable
from typing import Any, TypeVar

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from signals.auth.models import User
from signals.clock import now
from signals.errors import Forbidden, InputInvalid, StateConflict
from signals.knowledge import services as knowledge
from signals.knowledge.models import KnowledgeArticle
from signals.kwesties.models import Kwestie
from signals.kwesties.services import may_see_kwestie
from signals.ownership.services import owner_people
from signals.web.forms import form_data
from signals.web.signal_context import StaleForm, signal_extras, stale_form
from signals.workflow import access, services
from signals.workflow.actions import Action, SignalAction
from signals.workflow.models import Signal

Page = str | Response | tuple[str, int]
Key = TypeVar("Key")  # what names the object acted on: a reference, an id


def current_person() -> User:
    """The person logged in (every page but the login page requires one)."""
    user: User = current_user._get_current_object()
    return user


def take_signal_action(reference: str, action: SignalAction) -> Page:
    """Take ``action`` on signal ``reference`` with the form's fields (see :func:`take_action`)."""
    return take_action(
        action,
        reference,
        page_again=signal_page,
        stale_page=stale_signal_page,
        then=url_for("web.show_signal", reference=reference),
    )


def take_action(
    action: Action[Key, Any],
    key: Key,
    *,
    page_again: Callable[..., str],
    stale_page: Callable[[Key, str, dict[str, Any], StateConflict | Forbidden], Page],
    then: str,
) -> Page:
    """Take a registry ``action`` on the object ``key`` with the form's fields.

    Done: its notice, and to ``then``. Input that does not do: the object's page again
    (``page_again``) with the form open, what was typed and a message per field (422). Refused
    because the object changed since the page was shown: ``stale_page``.
    """
    values = form_data(request.form, action.schema())
    try:
        action.service(current_person(), key, values)
    except InputInvalid as error:
        return page_again(key, form=action.name, values=values, errors=error.fields), 422
    except (StateConflict, Forbidden) as error:
        return stale_page(key, action.name, values, error)
    flash(action.done, "success")
    return redirect(then)


def stale_signal_page(
    reference: str, form: str, values: dict[str, Any], error: StateConflict | Forbidden
) -> tuple[str, int]:
    """After a form from an older page: the signal now, what changed, the typed text (409).

    A refusal that has nothing to do with a change since that page is raised again.
    """
    signal = access.get_visible_signal(current_person(), reference)
    stale = stale_form(error, signal.events, request.form, signal.version)
    if stale is None:
        raise error
    return signal_page(reference, form=form, values=values, stale=stale), 409


def signal_page(
    reference: str,
    form: str | None = None,
    values: dict[str, Any] | None = None,
    errors: dict[str, list[str]] | None = None,
    stale: StaleForm | None = None,
) -> str:
    """The page of signal ``reference``; ``form`` open with ``values`` and ``errors`` if given."""
    user = current_person()
    signal = access.get_visible_signal(user, reference)
    if access.visibility(user, signal) == access.Visibility.WHEREABOUTS:
        return render_template("web/signal_whereabouts.html", signal=signal)
    access.record_view(user, signal)
    actions = services.actions_for(user, signal)
    article = knowledge.article_of_signal(signal)
    return render_template(
        "web/signal_detail.html",
        signal=signal,
        actions=actions,
        article=article,
        publish_defaults=publish_defaults(article, signal.title),
        shows_reporter=access.shows_reporter(user, signal),
        kwestie=_visible_kwestie_of(user, signal),
        owners=owner_people(signal.owner),
        forward_targets=services.forward_targets(signal) if "forward" in actions else {},
        form=form,
        values=values or {},
        errors=errors or {},
        stale=stale,
        **signal_extras(signal, now()),
    )


def _visible_kwestie_of(user: User, signal: Signal) -> Kwestie | None:
    """The kwestie ``signal`` is linked to, if ``user`` may see it (its reporter may)."""
    if signal.kwestie_id is None or not may_see_kwestie(user, signal.kwestie_id):
        return None
    return signal.kwestie


def publish_defaults(article: KnowledgeArticle | None, title: str) -> dict[str, Any]:
    """What the form to publish a signal or kwestie holds at first.

    The article's texts if it was published before, else the title of its source.
    """
    if article is None:
        return {"title": title}
    return {
        "title": article.title,
        "summary": article.summary,
        "what_was_done": article.what_was_done,
    }
