"""Every page's head: a title of plain text, scripts and styles there, and a site icon."""

import re

import pytest

from signals.auth.models import User
from tests.fixtures.app import IsolatedClient
from tests.helpers import Login, MakeUser

TITLE = re.compile(r"<title>(.*?)</title>", re.DOTALL)
PAGES = [
    "/signalen/nieuw",
    "/signalen",
    "/inbox",
    "/kwesties",
    "/kwesties/nieuw",
    "/kennis",
    "/kennis/maatwerkgronden",
    "/routekaart",
    "/beheer/routes",
    "/beheer/outbox",
    "/beheer/toegangslog",
    "/beheer/privacy",
    "/beheer/groepen",
    "/api-sleutels",
    "/wachtwoord",
    "/account",
]


def head_and_body(page: str) -> tuple[str, str]:
    head, body = page.split("</head>", 1)
    return head, body


@pytest.mark.parametrize("path", PAGES)
def test_the_title_is_plain_text_and_scripts_and_styles_are_in_the_head(
    login: Login, make_user: MakeUser, path: str
) -> None:
    admin = make_user("admin", groups=["intake"])
    response = login(admin).get(path)
    assert response.status_code == 200, path
    head, body = head_and_body(response.text)
    [title] = TITLE.findall(head)
    assert "<" not in title and ">" not in title and title.endswith(" – Signalen"), title
    assert "<script" not in body and "<link" not in body
    assert not TITLE.search(body.split("<svg", 1)[0])  # (an inline drawing has titles of its own)


def test_the_report_forms_script_comes_with_the_head_not_the_title(
    login: Login, reporter: User
) -> None:
    head, _body = head_and_body(login(reporter).get("/signalen/nieuw").text)
    assert "<title>Nieuw signaal – Signalen</title>" in head
    assert head.count('src="/static/route-preview.js"') == 1


def test_every_page_names_the_site_icon(client: IsolatedClient) -> None:
    head, _body = head_and_body(client.get("/inloggen").text)
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in head
    icon = client.get("/static/favicon.svg")
    try:
        assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
        assert icon.text.startswith("<svg") and "<script" not in icon.text
    finally:
        icon.close()


@pytest.mark.parametrize("logged_in", [False, True])
def test_favicon_ico_is_an_icon_for_everyone(
    client: IsolatedClient, login: Login, reporter: User, logged_in: bool
) -> None:
    get = login(reporter).get if logged_in else client.get
    response = get("/favicon.ico")
    data = response.get_data()
    response.close()
    assert response.status_code == 200
    assert response.mimetype == "image/vnd.microsoft.icon"
    assert data[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert int.from_bytes(data[4:6], "little") >= 1  # with at least one image
    assert "max-age" in response.headers["Cache-Control"]
