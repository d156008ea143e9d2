"""The problems of an input as a workbook (``dualcarbon validate --problems``, the dashboard's download):
one row per problem, with the file, row, column, the value found and what is expected, in zh or en.

Values the user typed are written as text, and a value a spreadsheet would take for a formula is
quoted (``project.spreadsheet``), so opening the workbook never runs what an input held.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from dualcarbon.errors import Problem
from dualcarbon.i18n import translator
from dualcarbon.project.spreadsheet import TRIGGERS

COLUMNS = ("file", "row", "column", "value", "expected")
WIDTHS = {"file": 28, "row": 8, "column": 20, "value": 24, "expected": 90}


def _safe(text: object) -> object:
    """Text a spreadsheet would take for a formula, quoted (as ``spreadsheet.neutralise`` does)."""
    if isinstance(text, str) and text and (text[0] in TRIGGERS or text[0] == "'" and text[1:2] in TRIGGERS + "'"):
        return "'" + text
    return text


def records(problems: Iterable[Problem], lang: str, web: bool = False) -> list[Mapping[str, Any]]:
    """The problems as rows of the workbook, sorted by file, row and column."""
    rows = [
        {"file": p.file or "", "row": p.row, "column": p.column or "", "value": p.value, "expected": p.text(lang, web)}
        for p in problems
    ]
    return in_order(rows)


def in_order(rows: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Rows by file, row and column, as the dashboard lists them."""
    return sorted(rows, key=lambda r: (str(r.get("file") or ""), r.get("row") or 0, str(r.get("column") or "")))


def workbook_bytes(rows: Iterable[Mapping[str, Any]], lang: str) -> bytes:
    """An .xlsx of problem rows (``records``, or the API's problem records), headers in ``lang``."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    t = translator(lang)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = t("validate.sheet")
    sheet.append([t(f"web.problem.{c}") for c in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_safe(row.get(c)) if c != "row" else row.get(c) for c in COLUMNS])
    for i, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[chr(64 + i)].width = WIDTHS[column]
    for cells in sheet.iter_rows(min_row=2, min_col=5, max_col=5):
        for cell in cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_problems(problems: Iterable[Problem], path: Path | str, lang: str) -> Path:
    """Write the problems' workbook to ``path`` (replacing it) and return the path."""
    path = Path(path)
    data = workbook_bytes(records(problems, lang), lang)
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(path)
    return path
