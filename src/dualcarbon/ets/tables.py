"""The guideline's tables per unit and month as an XLSX workbook (openpyxl), in the report's language:
the units by year, fuel combustion per fuel row and month (FC, NCV, CC, OF, CO2 with where each value
comes from), the units by month (generation, own use, supplied power and heat, heat ratio, emissions of
power and heat, intensities, evidence flags), the checks and the parameters with their sources."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import polars as pl

from dualcarbon.ets.rules import document_name
from dualcarbon.i18n import translator

if TYPE_CHECKING:  # openpyxl is imported where a workbook is written: every run imports this module
    from openpyxl import Workbook

UNIT_COLUMNS = [
    "unit",
    "facility",
    "fuel_class",
    "capacity_mw",
    "cooling",
    "chp",
    "year",
    "fuel_co2_t",
    "electricity_co2_t",
    "emissions_t",
    "generation_mwh",
    "supplied_mwh",
    "own_use_mwh",
    "heat_supplied_gj",
    "heat_ratio",
    "power_emissions_t",
    "heat_emissions_t",
    "intensity_power_t_per_mwh",
    "intensity_generation_t_per_mwh",
    "intensity_heat_t_per_gj",
    "load_factor",
    "months",
    "measured_months",
    "default_months",
    "allowance_t",
    "surplus_t",
]
FUEL_COLUMNS = [
    "unit",
    "month",
    "id",
    "source_row",
    "activity",
    "fuel",
    "consumption",
    "consumption_unit",
    "ncv_gj_per_unit",
    "ncv_source",
    "carbon_content_t_per_gj",
    "carbon_content_source",
    "oxidation",
    "oxidation_source",
    "energy_gj",
    "co2_t",
]
MONTH_COLUMNS = [
    "unit",
    "month",
    "generation_mwh",
    "own_use_mwh",
    "supplied_mwh",
    "heat_supplied_gj",
    "load_factor",
    "fuel_co2_t",
    "electricity_mwh",
    "grid_factor_t_per_mwh",
    "electricity_co2_t",
    "emissions_t",
    "heat_ratio",
    "heat_ratio_source",
    "power_emissions_t",
    "heat_emissions_t",
    "intensity_power_t_per_mwh",
    "intensity_heat_t_per_gj",
    "evidence",
]
#: columns whose values are ids of the catalogue (``ets.<prefix>.<value>``)
CODED = {
    "fuel_class": "fuel_class",
    "cooling": "cooling",
    "fuel": "fuel",
    "ncv_source": "source",
    "carbon_content_source": "source",
    "oxidation_source": "source",
    "heat_ratio_source": "source",
    "status": "status",
}


def _format(column: str) -> str | None:
    if column in ("carbon_content_t_per_gj",):
        return "0.00000"
    if column.startswith("intensity") or column in ("heat_ratio", "load_factor", "oxidation", "grid_factor_t_per_mwh"):
        return "0.0000"
    if column.endswith(("_t", "_mwh", "_gj")) or column in ("consumption", "capacity_mw", "ncv_gj_per_unit"):
        return "#,##0.00"
    return None


def _cell(column: str, value: Any, t: Callable[..., str]) -> Any:
    if value is None:
        return None
    if column in CODED:
        return t(f"ets.{CODED[column]}.{value}")
    if column == "chp":
        return t("ets.yes") if value else t("ets.no")
    if column == "evidence":
        return "；".join(t(f"ets.flag.{f}") for f in str(value).split(";") if f) or None
    return value


def _sheet(wb: Workbook, title: str, columns: Sequence[str], rows: list[dict], t: Callable[..., str]) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title[:31])
    ws.append([t(f"ets.col.{c}") for c in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        ws.append([_cell(c, row.get(c), t) for c in columns])
    for i, c in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = 16
        fmt = _format(c)
        if fmt:
            for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                cell.number_format = fmt
    ws.freeze_panes = "C2"


def workbook(summary: dict, fuel: pl.DataFrame, months: pl.DataFrame, years: pl.DataFrame, lang: str) -> bytes:
    """ets_units.xlsx: the sheets of the module docstring, headers and coded values in ``lang``."""
    t = translator(lang)
    g = summary["guideline"]
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    about = wb.active
    assert about is not None
    about.title = t("ets.sheet.about")
    year = min((u["year"] for u in summary["units"] if u["year"] is not None), default=None)
    title = g["title_zh"] if lang == "zh" else g["title_en"]
    lines = [
        t("ets.about.title", year=year),
        t(
            "ets.about.guideline",
            title=title,
            number=document_name(g["number"], lang),
            version=g["version"],
            status=t(f"ets.status.{g['status']}"),
        ),
        t("ets.about.plan_year", year=summary["plan_year"]),
        t("ets.about.formula"),
    ]
    unread = [parameter_label(p, t) for p in summary["parameters"] if p["status"] != "read"]
    if unread:
        lines.append(t("ets.about.unconfirmed", names=t("ets.list_sep").join(unread)))
    if summary["totals"]["allowance_t"] is None:
        lines.append(t("ets.about.allowance_pending"))
    for line in lines:
        about.append([line])
    about["A1"].font = Font(bold=True)
    about.column_dimensions["A"].width = 120
    allowances = {(u["unit"], u["year"]): u for u in summary["units"]}
    unit_rows = [
        r | {k: allowances.get((r["unit"], r["year"]), {}).get(k) for k in ("allowance_t", "surplus_t")}
        for r in years.to_dicts()
    ]
    _sheet(wb, t("ets.sheet.units"), UNIT_COLUMNS, unit_rows, t)
    _sheet(wb, t("ets.sheet.fuel"), FUEL_COLUMNS, fuel.to_dicts(), t)
    _sheet(wb, t("ets.sheet.months"), MONTH_COLUMNS, months.to_dicts(), t)
    checks = [
        {"check": t(f"ets.check.{c['id']}", **_check_fields(c)), "unit": c["unit"], "month": c["month"]}
        for c in summary["checks"]
    ]
    _sheet(wb, t("ets.sheet.checks"), ["unit", "month", "check"], checks, t)
    params = [
        p
        | {
            "parameter": parameter_name(p, t),
            "unit_of_value": p["unit"],
            "document": document_name(p["document"], lang),
        }
        for p in summary["parameters"]
    ]
    _sheet(
        wb,
        t("ets.sheet.parameters"),
        ["guideline", "fuel", "parameter", "value", "unit_of_value", "document", "clause", "status", "source"],
        params,
        t,
    )
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def parameter_name(p: dict, t: Callable[..., str]) -> str:
    """A parameter's name in the reader's language (the grid factor with its year)."""
    name = str(p["parameter"])
    if name.startswith("grid_factor_"):
        return t("ets.parameter.grid_factor", year=name.removeprefix("grid_factor_"))
    return t(f"ets.parameter.{name}")


def parameter_label(p: dict, t: Callable[..., str]) -> str:
    """A parameter's name with its fuel, in the reader's language."""
    if p["fuel"]:
        return t("ets.parameter.with_fuel", name=parameter_name(p, t), fuel=t(f"ets.fuel.{p['fuel']}"))
    return parameter_name(p, t)


def _check_fields(c: dict) -> dict[str, Any]:
    def show(v: Any) -> str:
        if v is None:
            return ""
        return f"{v:,.5g}" if isinstance(v, float) else str(v)

    return {"unit": c["unit"], "month": c["month"], "value": show(c["value"]), "limit": show(c["limit"])}


def check_text(c: dict, lang: str) -> str:
    """A check's message in ``lang``."""
    return translator(lang)(f"ets.check.{c['id']}", **_check_fields(c))
