"""The trust pulse's answer page (blueprint ``trust``): no log-in, the link's token is the key."""

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from signals.errors import InputInvalid
from signals.trust import services
from signals.trust.schemas import SCALE, STATEMENTS, PulseAnswerSchema
from signals.validation import reusable
from signals.web.forms import form_data
from signals.web.pages import Page
from signals.wording import calendar_month

bp = Blueprint("trust", __name__)


@bp.route("/peiling/<token>", methods=["GET", "POST"])
def answer_pulse(token: str) -> Page:
    """The pulse's two statements; answered once, while the round is open, anonymously."""
    invitation = services.invitation_for(token)
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        values = form_data(request.form, reusable(PulseAnswerSchema))
        try:
            services.answer_pulse(token, values)
        except InputInvalid as error:
            errors = error.fields
        else:
            flash("Dank u wel. Uw antwoord is anoniem bewaard.", "success")
            return redirect(url_for("trust.answer_pulse", token=token))
    page = render_template(
        "web/trust_pulse.html",
        token=token,
        state=services.pulse_state(invitation).value,
        month=calendar_month(invitation.pulse_round.month),
        closes_at=invitation.pulse_round.closes_at,
        statements=STATEMENTS,
        scale=SCALE,
        values=values,
        errors=errors,
    )
    return (page, 422) if errors else page
