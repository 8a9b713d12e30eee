"""The report as a PDF (reportlab), charts included as the same PNGs the web page shows."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .charts import report_charts
from .exports import figure_rows


def _uk(iso: str) -> str:
    day = dt.date.fromisoformat(iso)
    return f"{day.day} {day:%B %Y}"


def _table(rows: list[list[Any]], widths: list[float]) -> Table:
    table = Table([[Paragraph(escape(str(c)), _STYLES["BodyText"]) for c in row] for row in rows], colWidths=widths,
                  repeatRows=1)  # fmt: skip
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3f2f1")),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#b1b4b6")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


_STYLES = getSampleStyleSheet()


def report_pdf(*, figures: dict[str, Any], rebuilt_note: str = "") -> bytes:
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=f"Weekly progress report {figures['week']}",
        author="Common Ground",
    )
    width = A4[0] - 36 * mm
    story: list[Any] = [
        Paragraph(f"Weekly progress report, {figures['week']}", _STYLES["Title"]),
        Paragraph(
            f"Monday {_uk(figures['week_start'])} to Sunday {_uk(figures['week_end'])}, "
            f"compared with {figures['previous_week']}.",
            _STYLES["BodyText"],
        ),
    ]
    if rebuilt_note:
        story.append(Paragraph(escape(rebuilt_note), _STYLES["Italic"]))
    story.append(Spacer(1, 6 * mm))
    for chart in report_charts(figures):
        image = Image(io.BytesIO(chart.png))
        scale = min(1.0, width / image.drawWidth)
        image.drawWidth, image.drawHeight = image.drawWidth * scale, image.drawHeight * scale
        story += [Paragraph(escape(chart.title), _STYLES["Heading3"]), image, Spacer(1, 4 * mm)]
    story.append(Paragraph("All figures", _STYLES["Heading2"]))
    rows = [["Section", "Item", "This week", "Last week", "Change"], *figure_rows(figures)]
    story.append(_table(rows, [38 * mm, width - 38 * mm - 66 * mm, 20 * mm, 20 * mm, 26 * mm]))
    moves = figures["stages"]["moves"]
    if moves:
        story.append(Paragraph("Stage moves and their evidence", _STYLES["Heading2"]))
        story.append(
            _table(
                [["Board or area", "Move", "Evidence", "By"]]
                + [
                    [m["subject"], f"{m['from']} → {m['to']} ({m['direction']})", m["evidence"], m["by"]] for m in moves
                ],
                [50 * mm, 45 * mm, width - 125 * mm, 30 * mm],
            )
        )
    changes = figures["readiness"]["list"]
    if changes:
        story.append(Paragraph("Readiness indicator changes", _STYLES["Heading2"]))
        story.append(
            _table(
                [["Area", "Indicator", "Change", "Evidence"]]
                + [[c["area"], c["indicator"], f"{c['from']} → {c['to']}", c["evidence"]] for c in changes],
                [35 * mm, 45 * mm, 40 * mm, width - 120 * mm],
            )
        )
    doc.build(story)
    return out.getvalue()
