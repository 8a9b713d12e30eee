"""Charts of a report's figures as PNG (matplotlib, Agg: no display, no system libraries). The same PNGs
go on the web page, into the PDF and inline into the email; every chart has a table alternative."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any, cast

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.ticker import MaxNLocator

# GOV.UK colours: this week in blue, last week in mid-grey, down moves in red.
BLUE, GREY, GREEN, RED = "#1d70b8", "#b1b4b6", "#00703c", "#d4351c"


@dataclass(frozen=True)
class Chart:
    name: str
    title: str
    alt: str
    png: bytes


def _png(fig: Any) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def _this_vs_last(rows: list[dict[str, Any]], title: str, limit: int = 10) -> bytes:
    rows = rows[:limit]
    labels = [r["label"][:32] for r in rows][::-1]
    fig, ax = plt.subplots(figsize=(7, 0.45 * max(len(rows), 2) + 1))
    positions = range(len(rows))
    ax.barh([p + 0.2 for p in positions], [r["this"] for r in rows][::-1], height=0.4, color=BLUE, label="This week")
    ax.barh([p - 0.2 for p in positions], [r["prev"] for r in rows][::-1], height=0.4, color=GREY, label="Last week")
    ax.set_yticks(list(positions), labels)
    ax.set_title(title, loc="left", fontsize=11)
    # A linear axis starts with an AutoLocator, which is a MaxNLocator and so takes integer=.
    cast(MaxNLocator, ax.xaxis.get_major_locator()).set_params(integer=True)
    ax.legend(loc="lower right", frameon=False, fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def _summary(figures: dict[str, Any]) -> bytes:
    pairs = [
        ("Engagements", figures["engagements"]["total"]),
        ("Stage moves up", figures["stages"]["up"]),
        ("Stage moves down", figures["stages"]["down"]),
        ("Commitments made", figures["commitments"]["made"]),
        ("Commitments done", figures["commitments"]["done"]),
        ("Meetings held", figures["meetings"]["held"]),
        ("Papers submitted", figures["meetings"]["papers"]),
    ]
    return _this_vs_last([{"label": k, **v} for k, v in pairs], "The week at a glance")


def _goals(goals: list[dict[str, Any]]) -> bytes:
    goals = goals[:12]
    fig, ax = plt.subplots(figsize=(7, 0.45 * max(len(goals), 2) + 1))
    labels = [f"{g['campaign'][:18]}: {g['goal'][:28]}" for g in goals][::-1]
    percents = [g["percent"] for g in goals][::-1]
    ax.barh(range(len(goals)), [100] * len(goals), color="#f3f2f1")
    ax.barh(range(len(goals)), percents, color=GREEN)
    ax.set_yticks(list(range(len(goals))), labels)
    ax.set_xlim(0, 100)
    ax.set_xlabel("% of target reached by the end of the week")
    ax.set_title("Campaign goals", loc="left", fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def report_charts(figures: dict[str, Any]) -> list[Chart]:
    """The report's charts in page order. A chart with nothing to show is left out (its table says so)."""
    charts = [
        Chart(
            "summary",
            "The week at a glance",
            "Bar chart of this week's and last week's headline figures; the table below gives the numbers.",
            _summary(figures),
        )
    ]
    engagements = figures["engagements"]
    if engagements["by_kind"]:
        charts.append(
            Chart(
                "engagements-by-kind",
                "Engagements by kind",
                "Bar chart of engagements by kind, this week against last week; the table below gives the numbers.",
                _this_vs_last(engagements["by_kind"], "Engagements by kind"),
            )
        )
    if engagements["by_area"]:
        charts.append(
            Chart(
                "engagements-by-area",
                "Engagements by area (top 10)",
                "Bar chart of the ten busiest areas this week against last week; the table below lists every area.",
                _this_vs_last(engagements["by_area"], "Engagements by area (top 10)"),
            )
        )
    if figures["campaigns"]["goals"]:
        charts.append(
            Chart(
                "campaign-goals",
                "Campaign goals",
                "Bar chart of each campaign goal's progress as a percentage of its target; the table lists them.",
                _goals(figures["campaigns"]["goals"]),
            )
        )
    return charts
