"""Pages of the anonymous channel (blueprint ``anonymous``), open to anyone without logging in.

``/anoniem`` is the report form; the receipt is shown once, in the answer to the POST (never
in an address). ``/anoniem/volgen`` takes the receipt in a form, so that it stays out of
addresses, browser history and server logs too. Nothing of the request is kept: its client
address only counts requests per day (:mod:`signals.anonymous.services`).
"""

from typing import Any

from flask import Blueprint, flash, render_template, request

from signals.anonymous import services
from signals.anonymous.schemas import AnonymousReplySchema, AnonymousSignalSchema, ReceiptSchema
from signals.errors import InputInvalid, NotFound, StateConflict
from signals.routing.services import direct_choices
from signals.web.forms import form_data
from signals.web.pages import Page

bp = Blueprint("anonymous", __name__)


@bp.before_request
def _channel_open() -> None:
    services.check_channel_open()


@bp.route("/anoniem", methods=["GET", "POST"])
def new_signal() -> Page:
    if request.method == "GET":
        return _form({})
    values = form_data(request.form, AnonymousSignalSchema())
    try:
        made = services.submit_anonymous_signal(values, request.remote_addr)
    except InputInvalid as error:
        return _form(values, error.fields), 422
    return render_template(
        "web/anonymous_receipt.html", reference=made.signal.reference, receipt=made.receipt
    )


def _form(values: dict[str, Any], errors: dict[str, list[str]] | None = None) -> str:
    return render_template(
        "web/anonymous_form.html",
        values=values,
        errors=errors or {},
        direct_options={node.key: node.label for node in direct_choices(None)},
    )


@bp.route("/anoniem/volgen", methods=["GET", "POST"])
def follow() -> Page:
    if request.method == "GET":
        return _follow_page(values={})
    values = form_data(request.form, ReceiptSchema())
    receipt = str(values.get("receipt") or "")
    try:
        view = services.follow_signal(receipt, request.remote_addr)
    except NotFound as refused:
        return _follow_page(values=values, errors={"receipt": [refused.message]}), 404
    return _follow_page(view=view, receipt=receipt)


@bp.post("/anoniem/volgen/antwoord")
def reply() -> Page:
    receipt = str(request.form.get("receipt") or "")
    values = form_data(request.form, AnonymousReplySchema())
    try:
        services.reply_anonymously(receipt, values, request.remote_addr)
    except NotFound as refused:
        return _follow_page(values={}, errors={"receipt": [refused.message]}), 404
    except (InputInvalid, StateConflict) as error:
        fields = error.fields if isinstance(error, InputInvalid) else {"message": [error.message]}
        view = services.follow_signal(receipt, request.remote_addr)
        status = 422 if isinstance(error, InputInvalid) else 409
        return _follow_page(view=view, receipt=receipt, values=values, errors=fields), status
    flash("Uw antwoord is verstuurd. De eigenaar gaat weer verder met uw signaal.", "success")
    return _follow_page(view=services.follow_signal(receipt, request.remote_addr), receipt=receipt)


def _follow_page(
    *,
    view: services.AnonymousView | None = None,
    receipt: str = "",
    values: dict[str, Any] | None = None,
    errors: dict[str, list[str]] | None = None,
) -> str:
    return render_template(
        "web/anonymous_follow.html",
        view=view,
        receipt=receipt,
        values=values or {},
        errors=errors or {},
    )
