"""The report's figures as flat rows (section, item, this week, last week, change) for CSV and XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from crm.spreadsheets import neutralise, xlsx_cell

HEADER = ["Section", "Item", "This week", "Last week", "Change"]


def _pair(section: str, item: str, value: dict[str, Any]) -> list[Any]:
    return [section, item, value["this"], value["prev"], value["change"]]


def figure_rows(figures: dict[str, Any]) -> Iterator[list[Any]]:
    e = figures["engagements"]
    yield _pair("Engagements", "All engagements", e["total"])
    for key, title in (
        ("by_kind", "Engagements by kind"),
        ("by_area", "Engagements by area"),
        ("by_board_kind", "Engagements by board kind"),
        ("by_leader", "Engagements by leader"),
    ):
        for row in e[key]:
            yield _pair(title, row["label"], row)
    s = figures["stages"]
    yield _pair("Stage moves", "Up the ladder", s["up"])
    yield _pair("Stage moves", "Down the ladder", s["down"])
    r = figures["readiness"]
    yield _pair("Readiness", "Indicator changes", r["changes"])
    yield _pair("Readiness", "Indicators now in place", r["now_in_place"])
    c = figures["champions"]
    yield _pair("Champions", "New champions", c["new"])
    for row in c["by_stage"]:
        yield ["Champions by stage", row["label"], row["count"], "", ""]
    k = figures["commitments"]
    for key, label in (("made", "Made"), ("done", "Done"), ("overdue", "Overdue at the end of the week")):
        yield _pair("Commitments", label, k[key])
    m = figures["meetings"]
    yield _pair("Meetings and papers", "Meetings held", m["held"])
    yield _pair("Meetings and papers", "Papers submitted", m["papers"])
    p = figures["campaigns"]
    for key, label in (
        ("sends", "Sends started"),
        ("deliveries", "Emails delivered"),
        ("unsubscribes", "Unsubscribes"),
        ("responses", "Responses"),
    ):
        yield _pair("Campaigns", label, p[key])
    for row in p["responses_by_kind"]:
        yield _pair("Responses by kind", row["label"], row)
    for g in p["goals"]:
        yield [
            "Campaign goals",
            f"{g['campaign']}: {g['goal']}",
            g["achieved"],
            "",
            f"{g['percent']}% of the target of {g['target']}",
        ]


def figures_csv(figures: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for row in figure_rows(figures):
        writer.writerow([neutralise(v) for v in row])
    return out.getvalue()


def figures_xlsx(figures: dict[str, Any]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"Week {figures['week']}"
    sheet.append(HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in figure_rows(figures):
        sheet.append([xlsx_cell(v) for v in row])
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 60
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
