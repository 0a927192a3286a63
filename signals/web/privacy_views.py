"""The privacy pages under ``/beheer`` (blueprint ``privacy``): access log, person export, groups.

Thin: the access log is :mod:`signals.audit.services`', a person's data
:mod:`signals.audit.person_data`'s, group membership :mod:`signals.auth.groups`'. The access
log and the export are for administrators and privacy officers; the groups page for whoever
manages a group (the municipality's administrators, the ombudsman's administrator).
"""

import json
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for

from signals.audit import person_data
from signals.audit.services import (
    AccessLogFilters,
    AccessLogPage,
    access_log_page,
    may_read_access_log,
)
from signals.auth import groups as group_service
from signals.auth.services import user_by_email
from signals.errors import InputInvalid
from signals.settings import settings
from signals.web.forms import form_data
from signals.web.pages import Page, current_person

bp = Blueprint("privacy", __name__)


@bp.get("/beheer/toegangslog")
def access_log() -> Page:
    """Who read or exported what, and what administrators did; newest first."""
    reader = current_person()
    if not may_read_access_log(reader):
        abort(403)
    values = form_data(request.args, AccessLogFilters())
    try:
        page = access_log_page(reader, values)
    except InputInvalid as error:
        return _access_log_page(None, values, error.fields), 422
    return _access_log_page(page, values, {})


def _access_log_page(page: AccessLogPage | None, values: Any, errors: Any) -> str:
    return render_template(
        "web/access_log.html",
        page=page,
        values=values,
        errors=errors,
        retention_months=settings().access_log_retention_months,
    )


@bp.route("/beheer/privacy", methods=["GET", "POST"])
def person_export() -> Page | Response:
    """Enter an e-mail address, download everything stored about that person as JSON."""
    actor = current_person()
    if not may_read_access_log(actor):
        abort(403)
    if request.method == "GET":
        return render_template("web/person_export.html", values={}, errors={})
    email = request.form.get("email", "")
    try:
        data = person_data.export_person(actor, email)
    except InputInvalid as error:
        values = {"email": email}
        return render_template("web/person_export.html", values=values, errors=error.fields), 422
    name = "gegevens-" + "".join(c if c.isalnum() else "-" for c in data["user"]["email"])
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}.json"'},
    )


@bp.get("/beheer/groepen")
def manage_groups() -> Page:
    """The groups the person manages, with their members; add and remove members."""
    actor = current_person()
    managed = group_service.manageable_groups(actor)
    if not managed:
        abort(403)
    members = {group: group_service.members_of(group) for group in managed}
    return render_template(
        "web/groups.html",
        managed=managed,
        members=members,
        ombudsman=actor.is_ombudsman_admin,
        errors={},
        failed_group=None,
        values={},
    )


@bp.post("/beheer/groepen/<group>/leden")
def add_member(group: str) -> Page:
    actor = current_person()
    email = request.form.get("email", "").strip()
    member = user_by_email(email) if email else None
    try:
        if member is None:
            raise InputInvalid({"email": [group_service.UNKNOWN_PERSON]})
        group_service.add_to_group(actor, group, member)
    except InputInvalid as error:
        return _groups_page_with_errors(group, {"email": email}, error.fields), 422
    flash(f"{member.name} zit nu in de groep.", "success")
    return redirect(url_for("privacy.manage_groups"))


@bp.post("/beheer/groepen/<group>/leden/<int:user_id>/verwijderen")
def remove_member(group: str, user_id: int) -> Page:
    actor = current_person()
    member = group_service.member_by_id(user_id)
    group_service.remove_from_group(actor, group, member)
    flash(f"{member.name} zit niet meer in de groep.", "success")
    return redirect(url_for("privacy.manage_groups"))


def _groups_page_with_errors(
    group: str, values: dict[str, Any], errors: dict[str, list[str]]
) -> str:
    actor = current_person()
    managed = group_service.manageable_groups(actor)
    if group not in managed:
        abort(403)
    members = {key: group_service.members_of(key) for key in managed}
    return render_template(
        "web/groups.html",
        managed=managed,
        members=members,
        ombudsman=actor.is_ombudsman_admin,
        errors=errors,
        failed_group=group,
        values=values,
    )
