"""Disclosure exports rendered: the XLSX workbook of one framework (cover, fields, missing) and the
report's overview of every framework (docs/disclosure.md)."""

from __future__ import annotations

import io
from collections.abc import Callable

from dualcarbon.disclosure.fill import Disclosure, Filled, Revenue, RunState, fill
from dualcarbon.disclosure.frameworks import framework, framework_ids

NUMBER_FORMAT = "#,##0.00"
INTENSITY_FORMAT = "#,##0.0000"


def state_lines(state: RunState, t: Callable[..., str]) -> tuple[str, str]:
    """The run's lock and verification state as two lines a reader sees first."""
    if not state.locked:
        return t("disclosure.state.not_locked"), t("disclosure.state.not_verified")
    lock = t("disclosure.state.locked", number=state.report_number or "", date=state.locked_at or "")
    if state.signature_valid is False:
        return lock, t("disclosure.state.signature_broken")
    if not state.verified:
        return lock, t("disclosure.state.not_verified")
    verified = t(
        "disclosure.state.verified",
        name=state.verified_by,
        organisation=state.verifier_organisation or "",
        date=state.verified_on or "",
    )
    return lock, verified


def display_value(field: Filled, t: Callable[..., str], lang: str) -> float | str | None:
    """The value as a reader sees it: the consolidation approach, the GWP set and the categories of a
    breakdown in words of ``lang``."""
    if field.spec.fill == "consolidation" and isinstance(field.value, str):
        return t(f"boundary.{field.value}")
    if field.spec.fill == "gwp_set" and isinstance(field.value, str):
        return t("disclosure.value.gwp", gwp=field.value)
    if field.parts:
        from dualcarbon.report.html import _category_names  # the report's names of categories (categories.csv)

        names = {code: name for (scheme, code), name in _category_names(lang).items() if scheme.startswith("ghgp_")}
        separator = t("term.list_separator")
        return separator.join(
            t("term.label", label=names.get(code) or code) + f"{co2e_t:,.2f}" for code, co2e_t in field.parts
        )
    return field.value


def reason(field: Filled, t: Callable[..., str]) -> str:
    return t(f"disclosure.missing.{field.missing}", **field.missing_fields)


def workbook_bytes(
    disclosure: Disclosure,
    summary: dict,
    summary_sha256: str,
    lang: str,
    t: Callable[..., str],
    run_label: str,
    revenue: Revenue | None = None,
) -> bytes:
    """The export of one framework as an XLSX workbook: a cover (the run's identity, its locked and
    verified state), the fields with value, unit and source, and what is missing with why."""
    from openpyxl import Workbook  # imported where a workbook is written: it is slow to import
    from openpyxl.styles import Font, PatternFill

    fw = disclosure.framework
    book = Workbook()
    cover = book.active
    cover.title = t("disclosure.sheet.cover")
    lock_line, verification_line = state_lines(disclosure.state, t)
    org = summary.get("organization") or {}
    name = org.get("name_en") if lang == "en" and org.get("name_en") else org.get("name", "")
    period = summary.get("period") or {}
    rows: list[tuple[str, str]] = [
        (t("disclosure.cover.publication"), f"{fw.name(lang)} — {fw.publication}"),
        (t("disclosure.cover.organization"), str(name)),
        (t("disclosure.cover.period"), t("header.period_value", start=period.get("start"), end=period.get("end"))),
        (t("disclosure.cover.run"), run_label),
        (t("disclosure.cover.summary_sha256"), summary_sha256),
        (t("disclosure.cover.generator"), str(summary.get("generator", ""))),
        (t("disclosure.cover.lock"), lock_line),
        (t("disclosure.cover.verification"), verification_line),
        (
            t("disclosure.cover.counts"),
            t(
                "disclosure.cover.counts_value",
                filled=len(disclosure.filled),
                missing=len(disclosure.missing),
                total=len(disclosure.fields),
            ),
        ),
    ]
    if revenue is not None:
        rows.append((t("disclosure.cover.revenue"), f"{revenue.amount:,.2f} {revenue.currency}"))
    cover.append([t("disclosure.cover.title", framework=fw.name(lang))])
    cover["A1"].font = Font(bold=True, size=14)
    for label, value in rows:
        cover.append([label, value])
    warn = PatternFill("solid", fgColor="FFE699")
    for row in cover.iter_rows(min_row=2):
        row[0].font = Font(bold=True)
        if row[0].value in (t("disclosure.cover.lock"), t("disclosure.cover.verification")) and not (
            disclosure.state.verified
        ):
            row[1].fill = warn
            row[1].font = Font(bold=True, color="9C0006")
    cover.column_dimensions["A"].width = 24
    cover.column_dimensions["B"].width = 100

    code_none = t("disclosure.code_none")
    fields = book.create_sheet(t("disclosure.sheet.fields"))
    fields.append(
        [
            t("disclosure.col.code"),
            t("disclosure.col.question"),
            t("disclosure.col.value"),
            t("disclosure.col.unit"),
            t("disclosure.col.source"),
            t("disclosure.col.section"),
            t("disclosure.col.status"),
        ]
    )
    for field in disclosure.filled:
        shown = display_value(field, t, lang)
        fields.append(
            [
                field.spec.code or code_none,
                field.spec.question(lang),
                shown,
                field.unit,
                field.source,
                field.spec.section,
                t(f"disclosure.status.{field.spec.status}"),
            ]
        )
        if isinstance(shown, float):
            cell = fields.cell(row=fields.max_row, column=3)
            cell.number_format = INTENSITY_FORMAT if field.unit and "/" in field.unit else NUMBER_FORMAT
    missing = book.create_sheet(t("disclosure.sheet.missing"))
    missing.append(
        [
            t("disclosure.col.code"),
            t("disclosure.col.question"),
            t("disclosure.col.reason"),
            t("disclosure.col.section"),
            t("disclosure.col.status"),
        ]
    )
    for field in disclosure.missing:
        missing.append(
            [
                field.spec.code or code_none,
                field.spec.question(lang),
                reason(field, t),
                field.spec.section,
                t(f"disclosure.status.{field.spec.status}"),
            ]
        )
    for sheet in (fields, missing):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        sheet.column_dimensions["A"].width = 18
        sheet.column_dimensions["B"].width = 70
        sheet.column_dimensions["C"].width = 40
        for column in ("D", "E", "F", "G"):
            sheet.column_dimensions[column].width = 30
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def view(summary: dict, lang: str, t: Callable[..., str]) -> dict:
    """The report's disclosure section: the run's state (locked, verified) and ``overview``."""
    return {"state": state_lines(RunState.of(summary), t), "frameworks": overview(summary, lang, t)}


def overview(summary: dict, lang: str, t: Callable[..., str]) -> list[dict]:
    """For the report: per framework, the number of fields filled and the fields still missing with why."""
    rows = []
    for framework_id in framework_ids():
        disclosure = fill(framework(framework_id), summary)
        rows.append(
            {
                "id": framework_id,
                "name": disclosure.framework.name(lang),
                "filled": len(disclosure.filled),
                "total": len(disclosure.fields),
                "missing": [
                    {
                        "code": f.spec.code or t("disclosure.code_none"),
                        "question": f.spec.question(lang),
                        "reason": reason(f, t),
                    }
                    for f in disclosure.missing
                ],
            }
        )
    return rows
