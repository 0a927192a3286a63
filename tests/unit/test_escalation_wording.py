"""Nothing people read says *opgeschaald* or *escalatie*: the report asks to take the weight off
escalating, so a move after a passed deadline is *automatisch doorgezet* and its new owners
hear it was *aan u voorgelegd*. Code and the API keep their names (``escalated_overdue``)."""

import re
from collections.abc import Mapping
from pathlib import Path

import pytest

from signals import codes
from signals.scheduler.clock_sweep import WORK_LABELS

TEMPLATES = Path(__file__).resolve().parents[2] / "signals" / "templates"
LOADED_WORDS = re.compile(r"opgeschaald|opschal|escal|geëscaleerd", re.IGNORECASE)
JINJA = re.compile(r"\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}", re.DOTALL)  # code, not text


def template_texts() -> list[Path]:
    return sorted(path for path in TEMPLATES.rglob("*") if path.suffix in (".html", ".txt"))


@pytest.mark.parametrize("path", template_texts(), ids=lambda path: path.name)
def test_no_template_text_speaks_of_escalating(path: Path) -> None:
    text = JINJA.sub(" ", path.read_text(encoding="utf-8"))

    assert LOADED_WORDS.findall(text) == []


def test_no_label_speaks_of_escalating() -> None:
    labels = [
        label
        for value in vars(codes).values()
        if isinstance(value, Mapping)
        for label in value.values()
        if isinstance(label, str)
    ]
    labels += WORK_LABELS.values()

    assert len(labels) > 50
    assert [label for label in labels if LOADED_WORDS.search(label)] == []


def test_the_automatic_move_is_said_plainly() -> None:
    assert codes.EVENT_LABELS["escalated_overdue"] == "Automatisch doorgezet (termijn verstreken)"
    assert codes.OUTCOMES["escalated"] == "Doorgezet naar regionaal of landelijk niveau"
    for name in ("new_signal.txt", "new_signal.html"):
        mail = (TEMPLATES / "mail" / name).read_text(encoding="utf-8")
        assert "Het signaal is automatisch aan u voorgelegd" in mail
