"""The dashboard's and the report's charts: SVG drawn by pygal on the server, with their data.

Each :class:`Chart` carries the numbers it draws as a table (rows = labels, columns = series),
which the page shows beside the picture for screen readers and for reading exact values. A
number hidden because it counts fewer than 5 signals is ``None``: a gap in the chart, "< 5" in
the table. The SVG is embedded as a ``data:`` image: it needs no request, no script, and its
own style sheet is not subject to the page's Content-Security-Policy.
"""

import base64
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any, Literal

import pygal
from pygal.style import Style

from signals.codes import label
from signals.figures.cube import REPORTER_KINDS, suppressed
from signals.figures.dashboard import Dashboard
from signals.routing.services import node_label
from signals.trust.services import TRUST_BASELINE
from signals.wording import MONTHS

Unit = Literal["count", "share", "days"]
WIDTH = 760
KIND_LABELS = {"staff": "Medewerker gemeente", "partner": "Partnerorganisatie"}
CLOCK_LABELS = {
    "accept": "Aangenomen op tijd",
    "feedback": "Teruggekoppeld op tijd",
    "update": "Bericht van een persoon",
}
STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#1b1b1b",
    foreground_strong="#1b1b1b",
    foreground_subtle="#595959",
    opacity="1",
    opacity_hover="1",
    colors=("#01689b", "#ca005d", "#275937", "#e17000", "#42145f", "#8f8f8f"),
    font_family="Verdana, sans-serif",
    label_font_size=13,
    major_label_font_size=13,
    legend_font_size=13,
    title_font_size=15,
    value_font_size=12,
)


@dataclass(frozen=True)
class Chart:
    """One chart: what it shows, its numbers, and how to draw them."""

    key: str
    title: str
    labels: Sequence[str]
    series: Sequence[tuple[str, Sequence[float | None]]]
    unit: Unit = "count"
    drawing: Literal["bar", "horizontal", "line"] = "bar"
    note: str = ""
    empty: str = "Geen signalen om te tonen in deze periode."

    @cached_property
    def data_uri(self) -> str:
        svg = self._render().encode("utf-8")
        return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")

    @property
    def height(self) -> int:
        """The drawing's height in pixels (its width is :data:`WIDTH`)."""
        if self.drawing == "horizontal":
            return max(240, 60 + 34 * len(self.labels))
        return 380

    @property
    def has_data(self) -> bool:
        """Anything to show: a count hidden as "< 5" is something, only zeros are not."""
        return bool(self.labels) and any(
            value != 0 for _name, values in self.series for value in values
        )

    def rows(self) -> list[tuple[str, list[str]]]:
        """The table: per label, each series' value as text."""
        return [
            (name, [shown(values[index], self.unit) for _series, values in self.series])
            for index, name in enumerate(self.labels)
        ]

    def _render(self) -> str:
        kinds: dict[str, Callable[..., Any]] = {
            "bar": pygal.Bar,
            "horizontal": pygal.HorizontalBar,
            "line": pygal.Line,
        }
        chart = kinds[self.drawing](
            style=STYLE,
            width=WIDTH,
            height=self.height,
            js=[],
            legend_at_bottom=True,
            legend_at_bottom_columns=3,
            no_data_text="Geen gegevens",
            truncate_label=-1,
            truncate_legend=-1,
            x_label_rotation=30 if self.drawing != "horizontal" and len(self.labels) > 6 else 0,
            print_values=False,
            allow_interruptions=True,
            value_formatter=lambda value: shown(value, self.unit),
            range=(0, 100) if self.unit == "share" else None,
            include_x_axis=True,
        )
        chart.title = self.title
        chart.x_labels = list(self.labels)
        for name, values in self.series:
            chart.add(name, [_drawn(value, self.unit) for value in values])
        rendered: str = chart.render(is_unicode=True)
        return rendered


def shown(value: float | None, unit: Unit) -> str:
    """A number as the table shows it: "< 5" or "–" where it is hidden."""
    if value is None:
        return "< 5" if unit == "count" else "–"
    if unit == "share":
        return f"{round(value * 100) if value <= 1 else round(value)}%"
    if unit == "days":
        return f"{value:.1f}".replace(".", ",")
    return f"{int(value):,}".replace(",", ".")


def _drawn(value: float | None, unit: Unit) -> float | None:
    if value is None:
        return None
    return value * 100 if unit == "share" else value


def month_label(month: date) -> str:
    return f"{MONTHS[month.month - 1][:3]} {month.year}"


def dashboard_charts(board: Dashboard) -> dict[str, Chart]:
    """Every chart of the dashboard and the report, by key."""
    charts = [
        _volume(board),
        _entries_and_ends(board),
        _open_per_node(board),
        _on_time_per_month(board),
        _on_time_per_node(board),
        _reporter_kinds(board),
        _outcomes(board),
        _regulations(board),
        _levels(board),
        _trust(board),
    ]
    return {chart.key: chart for chart in charts}


def _volume(board: Dashboard) -> Chart:
    cube = board.cube
    return Chart(
        key="volume",
        title="Signalen per maand van indienen",
        labels=[month_label(month) for month in board.months],
        series=[
            (title, [suppressed(cube.total(measure, month=month)) for month in board.months])
            for measure, title in (
                ("submitted", "Ingediend"),
                ("open", "Nog open"),
                ("resolved", "Afgehandeld"),
            )
        ],
    )


def _entries_and_ends(board: Dashboard) -> Chart:
    cube = board.cube
    entries = cube.by_key("entry")
    nodes = sorted(set(cube.keys("node_resolved")) | set(entries))
    return Chart(
        key="places",
        title="Waar signalen binnenkomen en waar ze eindigen",
        labels=[node_label(node) for node in nodes],
        series=[
            ("Binnengekomen", [suppressed(entries.get(node, 0)) for node in nodes]),
            ("Afgehandeld", [suppressed(cube.total("node_resolved", node)) for node in nodes]),
        ],
        drawing="horizontal",
    )


def _open_per_node(board: Dashboard) -> Chart:
    cube = board.cube
    nodes = cube.keys("node_open")
    return Chart(
        key="open_nodes",
        title="Waar de open signalen nu liggen",
        labels=[node_label(node) for node in nodes],
        series=[("Open", [suppressed(cube.total("node_open", node)) for node in nodes])],
        drawing="horizontal",
    )


def _on_time_per_month(board: Dashboard) -> Chart:
    cube = board.cube
    return Chart(
        key="on_time_months",
        title="De belofte per maand: termijnen gehaald",
        labels=[month_label(month) for month in board.months],
        series=[
            (title, [cube.on_time(clock, month=month) for month in board.months])
            for clock, title in CLOCK_LABELS.items()
        ],
        unit="share",
        drawing="line",
    )


def _on_time_per_node(board: Dashboard) -> Chart:
    cube = board.cube
    nodes = [node for node in cube.keys("arrival") if node]
    return Chart(
        key="on_time_nodes",
        title="De belofte per plek: termijnen gehaald",
        labels=[node_label(node) for node in nodes],
        series=[
            (CLOCK_LABELS[clock], [cube.on_time(clock, node=node) for node in nodes])
            for clock in ("accept", "feedback")
        ],
        unit="share",
        drawing="horizontal",
    )


def _reporter_kinds(board: Dashboard) -> Chart:
    cube = board.cube
    measures = (("submitted", "Ingediend"), ("open", "Nog open"), ("resolved", "Afgehandeld"))
    return Chart(
        key="reporter_kinds",
        title="Partners en medewerkers van de gemeente naast elkaar",
        labels=[title for _measure, title in measures],
        series=[
            (
                KIND_LABELS[kind],
                [suppressed(cube.total(measure, kind=kind)) for measure, _title in measures],
            )
            for kind in REPORTER_KINDS
        ],
    )


def _outcomes(board: Dashboard) -> Chart:
    cube = board.cube
    outcomes = cube.keys("outcome")
    return Chart(
        key="outcomes",
        title="Wat het opleverde: uitkomsten",
        labels=[label("outcome", outcome) for outcome in outcomes],
        series=[
            (
                KIND_LABELS[kind],
                [suppressed(cube.total("outcome", outcome, kind=kind)) for outcome in outcomes],
            )
            for kind in REPORTER_KINDS
        ],
        drawing="horizontal",
    )


def _regulations(board: Dashboard) -> Chart:
    counts = board.cube.by_key("regulation")
    most = sorted(counts, key=lambda code: (-counts[code], code))[:10]
    return Chart(
        key="regulations",
        title="Welke regels het meest knellen (de tien meest genoemde)",
        labels=[label("regulations", code) for code in most],
        series=[("Signalen", [suppressed(counts[code]) for code in most])],
        drawing="horizontal",
    )


def _levels(board: Dashboard) -> Chart:
    counts = board.cube.by_key("level")
    return Chart(
        key="levels",
        title="Op welk niveau het knelt",
        labels=[label("level", level) for level in counts],
        series=[("Signalen", [suppressed(count) for count in counts.values()])],
    )


def _trust(board: Dashboard) -> Chart:
    """The trust pulse per round: the share agreeing, staff and partners, and the baseline."""
    rounds = board.trust
    series: list[tuple[str, Sequence[float | None]]] = []
    for kind in REPORTER_KINDS:
        series.append(
            (
                f"Vertrouwt erop – {KIND_LABELS[kind].lower()}",
                [pulse.by_kind[kind].trusting for pulse in rounds],
            )
        )
        series.append(
            (
                f"Voelt zich gehoord – {KIND_LABELS[kind].lower()}",
                [pulse.by_kind[kind].heard for pulse in rounds],
            )
        )
    series.append(("Nulmeting onderzoek: vertrouwt erop", [TRUST_BASELINE for _pulse in rounds]))
    return Chart(
        key="trust",
        title="Vertrouwen en gehoord voelen (vertrouwenspeiling)",
        labels=[pulse.label for pulse in rounds],
        series=series,
        unit="share",
        drawing="line",
        empty="Geen vertrouwenspeiling in deze periode.",
        note=(
            "Het aandeel dat het (helemaal) eens is (4 of 5 op een schaal van 1 tot 5), per "
            "peiling; anonieme antwoorden, niet getoond bij minder dan 5 antwoorden."
        ),
    )
