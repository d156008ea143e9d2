"""What the report and the dashboard show of a territory, of several years and of indicators,
prepared from the summary record (DESIGN.md "Territories"; summary.json ``territory``, ``by_year``,
``indicators``).

Pure functions, language-neutral: codes and exact tonnes in, rows in display order out. The report's
templates and the dashboard (``GET /api/runs/{id}/sections``) lay out the same rows and name them from
the same catalogue keys (``gpc.*``, ``ipcc.*``, ``indicator.*``), so the two cannot disagree. Only
sums of figures the summary gives are formed here (a GPC sector's subtotal, the IPCC sectors' total).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from functools import cache
from importlib import resources

from dualcarbon.model import GDP_UNITS

# GPC v1.1 (WRI/C40/ICLEI 2021) sectors in reporting order; scopes 1-3 are the city scopes (GPC Ch. 3).
GPC_SECTORS = ["I", "II", "III", "IV", "V", "VI"]
GPC_SCOPES = ["1", "2", "3"]
# The Chinese provincial guideline's view (省级温室气体清单编制指南, 2011): its five parts, each the IPCC
# sector it reports; land use, land-use change and forestry is the removals, apart from agriculture.
IPCC_SECTORS = ["1", "2", "3", "4"]
CNY_UNITS = {"元", "万元", "亿元", "CNY"}
_ROMAN = {numeral: i for i, numeral in enumerate(GPC_SECTORS)}
GPC_MAPPING = resources.files("dualcarbon.factors").joinpath("data", "gpc_mapping.csv")


@cache
def ipcc_names(lang: str) -> dict[str, str]:
    """IPCC 2006 category names of the bundled mapping table (``factors/data/gpc_mapping.csv``)."""
    if not GPC_MAPPING.is_file():
        return {}
    with GPC_MAPPING.open(encoding="utf-8") as fh:
        return {r["ipcc_category"]: r.get(f"ipcc_name_{lang}") or r["ipcc_name_en"] for r in csv.DictReader(fh)}


def ipcc_name(code: str, lang: str, t: Callable[..., str]) -> str:
    """The name of an IPCC category: the catalogue's (``ipcc.category.<code>``), else the mapping
    table's, else its nearest parent's in either ("2.F.1" → "2.F"); "" when none has one."""
    names = ipcc_names(lang)
    parts = code.split(".")
    while parts:
        key = ".".join(parts)
        text = t(f"ipcc.category.{key}")
        if text != f"ipcc.category.{key}":
            return text
        if key in names:
            return names[key]
        parts.pop()
    return ""


def _subsector_key(code: str) -> tuple:
    """Sort "I.4.4" after "I.4" and "II.1" after "I.8": the sector's numeral, then each number."""
    head, *rest = code.split(".")
    return (_ROMAN.get(head, len(_ROMAN)), head, tuple(int(p) if p.isdigit() else 0 for p in rest), code)


def _ipcc_key(code: str) -> tuple:
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"\.", code))


def _row_key(row: dict) -> str:
    """The table row of a GPC line: its sub-sector (``I.1``), except a line reported apart from BASIC
    and BASIC+ under a reference number of its own (``I.4.4`` energy supplied to the grid, ``III.1.3``
    waste from outside the city), which would otherwise share a cell with the sub-sector's own line."""
    ref = row.get("ref") or row["sector"]
    apart = not row.get("in_basic") and not row.get("in_basic_plus")
    return ref if apart and ref.count(".") >= 2 else row["sector"]


def gpc_table(block: dict) -> dict:
    """The GPC table: per sector (I stationary energy … VI other Scope 3) its sub-sectors, each with a
    cell per city scope (CO2e, or a notation key with its reason) and the sub-sector's total, then the
    sector's subtotal of the lines counted in BASIC or BASIC+ (lines reported apart, such as I.4.4, have
    rows of their own, marked ``apart``); BASIC and BASIC+ as the summary gives them (GPC v1.1 Ch. 4)."""
    gpc = block.get("gpc") or {}
    rows: dict[str, dict] = {}
    for line in gpc.get("by_subsector") or []:
        key = _row_key(line)
        row = rows.setdefault(
            key,
            {"sector": key, "cells": {s: None for s in GPC_SCOPES}, "apart": True, "name_zh": None, "name_en": None},
        )
        row["name_zh"] = row["name_zh"] or line.get("name_zh")
        row["name_en"] = row["name_en"] or line.get("name_en")
        counted = bool(line.get("in_basic") or line.get("in_basic_plus"))
        row["apart"] = row["apart"] and not counted
        scope = str(line["scope"])
        cell = {
            "ref": line.get("ref") or line["sector"],
            "co2e_t": None if line.get("notation") else line.get("co2e_t"),
            "notation": line.get("notation"),
            "reason_zh": line.get("notation_reason_zh"),
            "reason_en": line.get("notation_reason_en"),
            "counted": counted,
        }
        old = row["cells"].get(scope)
        if old and not old["notation"] and cell["notation"]:
            continue  # a figure stays over a notation key of another line in the same cell
        if old and not old["notation"] and not cell["notation"]:
            cell["co2e_t"] = (old["co2e_t"] or 0.0) + (cell["co2e_t"] or 0.0)
        row["cells"][scope] = cell
    sectors: dict[str, dict] = {}
    notations: list[dict] = []
    for code in sorted(rows, key=_subsector_key):
        row = rows[code]
        head = code.split(".")[0]
        sector = sectors.setdefault(head, {"sector": head, "subsectors": [], "co2e_t": {s: None for s in GPC_SCOPES}})
        figures = [c["co2e_t"] for c in row["cells"].values() if c and c["co2e_t"] is not None]
        row["co2e_t"] = sum(figures) if figures else None
        sector["subsectors"].append(row)
        for scope, cell in row["cells"].items():
            if cell and cell["co2e_t"] is not None and cell["counted"]:
                sector["co2e_t"][scope] = (sector["co2e_t"][scope] or 0.0) + cell["co2e_t"]
            if cell and cell["notation"]:
                notations.append({"sector": code, "scope": scope} | cell)
    for sector in sectors.values():
        figures = [v for v in sector["co2e_t"].values() if v is not None]
        sector["total_t"] = sum(figures) if figures else None
    return {
        "sectors": [sectors[k] for k in sorted(sectors, key=lambda s: _ROMAN.get(s, len(_ROMAN)))],
        "basic_t": gpc.get("basic"),
        "basic_plus_t": gpc.get("basic_plus"),
        "notations": notations,
        "notation_groups": notation_groups(notations),
    }


def notation_groups(notations: list[dict]) -> list[dict]:
    """The notation keys grouped by key and reason, each with the cells (sub-sector, scope) it marks:
    a territory without waste imports has a dozen "NO" cells of one reason, listed once."""
    groups: dict[tuple, dict] = {}
    for n in notations:
        group = groups.setdefault(
            (n["notation"], n.get("reason_zh"), n.get("reason_en")),
            {"notation": n["notation"], "reason_zh": n.get("reason_zh"), "reason_en": n.get("reason_en"), "cells": []},
        )
        group["cells"].append({"sector": n["sector"], "scope": n["scope"]})
    return list(groups.values())


def ipcc_table(block: dict) -> dict:
    """The IPCC sectors as the Chinese provincial guideline reports them: energy, industrial processes,
    agriculture and waste (in-boundary, GPC scope 1), their total; land use, land-use change and forestry
    as the removals, never netted; the electricity imports' indirect emissions apart."""
    ipcc = block.get("ipcc") or {}
    by_sector = {str(r["sector"]): r.get("co2e_t") for r in ipcc.get("by_sector") or []}
    rows = [{"sector": code, "co2e_t": by_sector.get(code)} for code in IPCC_SECTORS]
    rows += [{"sector": code, "co2e_t": v} for code, v in by_sector.items() if code not in IPCC_SECTORS]
    figures = [r["co2e_t"] for r in rows if r["co2e_t"] is not None]
    removals = block.get("removals_t")
    return {
        "sectors": rows,
        "total_t": sum(figures) if figures else None,
        "lulucf_t": None if removals is None else -removals,
        "indirect_electricity_t": ipcc.get("indirect_electricity_t"),
        "categories": sorted(
            ({"category": r["category"], "co2e_t": r.get("co2e_t")} for r in ipcc.get("by_category") or []),
            key=lambda r: _ipcc_key(str(r["category"])),
        ),
    }


def territory_view(summary: dict) -> dict | None:
    """The territory's sections (its last year): facts, GPC table, IPCC table, intensities and removals;
    None for an organisation."""
    block = summary.get("territory")
    if not block:
        return None
    return {
        "year": block.get("year"),
        "framework": block.get("framework") or ["GPC", "IPCC"],
        "admin_code": block.get("admin_code"),
        "population": block.get("population"),
        "gdp": block.get("gdp"),
        "gdp_unit": block.get("gdp_unit"),
        "gdp_price_year": block.get("gdp_price_year"),
        "area_km2": block.get("area_km2"),
        "intensity_basis": block.get("intensity_basis") or "basic",
        "intensity": {
            key: block.get(key)
            for key in ("per_capita_t", "per_gdp_t_per_10k_cny", "energy_tce", "energy_intensity_tce_per_10k_cny")
        },
        "removals_t": block.get("removals_t"),
        "gpc": gpc_table(block),
        "ipcc": ipcc_table(block),
    }


def trend_rows(summary: dict) -> list[dict]:
    """``by_year`` in year order; for a territory each year also its BASIC, BASIC+, IPCC sectors,
    intensities and removals (the same figures as the last year's block)."""
    out = []
    for entry in sorted(summary.get("by_year") or [], key=lambda r: r["year"]):
        row = {k: entry.get(k) for k in ("year", "scope1", "scope2_location", "scope2_market", "scope3")}
        row |= {k: entry.get(k) for k in ("total_location", "total_market", "biogenic_co2")}
        block = entry.get("territory")
        if block:
            gpc, ipcc = block.get("gpc") or {}, block.get("ipcc") or {}
            by_sector = {str(r["sector"]): r.get("co2e_t") for r in ipcc.get("by_sector") or []}
            row["territory"] = {
                "basic_t": gpc.get("basic"),
                "basic_plus_t": gpc.get("basic_plus"),
                "ipcc": {code: by_sector.get(code) for code in IPCC_SECTORS},
                "indirect_electricity_t": ipcc.get("indirect_electricity_t"),
                "removals_t": block.get("removals_t"),
                "population": block.get("population"),
                "gdp": block.get("gdp"),
                "gdp_unit": block.get("gdp_unit"),
                "per_capita_t": block.get("per_capita_t"),
                "per_gdp_t_per_10k_cny": block.get("per_gdp_t_per_10k_cny"),
                "energy_tce": block.get("energy_tce"),
                "energy_intensity_tce_per_10k_cny": block.get("energy_intensity_tce_per_10k_cny"),
            }
        else:
            row["territory"] = None
        out.append(row)
    return out


def indicator_rows(summary: dict) -> list[dict]:
    """``indicators`` with each series in year order (the summary's figures, nothing recomputed)."""
    out = []
    for ind in summary.get("indicators") or []:
        series = sorted(
            ({"year": p["year"], "value": p.get("value")} for p in ind.get("series") or []), key=lambda p: p["year"]
        )
        out.append(ind | {"series": series})
    return out


def subject_sections(summary: dict) -> dict:
    """Everything above for one summary: ``territory`` (or None), ``trend`` (the years; shown when
    there are several) and ``indicators`` ([] without indicators.csv)."""
    return {
        "territory": territory_view(summary),
        "trend": trend_rows(summary),
        "indicators": indicator_rows(summary),
    }


class Scale:
    """Figures of a territory in the catalogue's display unit: 万吨 CO2e and 亿元 on Chinese pages,
    t CO2e and the GDP's own unit in English (keys ``territory.unit.*``); files keep exact tonnes."""

    def __init__(self, t: Callable[..., str]):
        self.t = t
        self.co2e_per_unit = float(t("territory.unit.co2e_scale"))
        self.co2e_unit = t("territory.unit.co2e")
        self.gdp_target = t("territory.unit.gdp_target")  # "亿元", or "" to keep the GDP's own unit

    def co2e(self, tonnes: float | None) -> str:
        """Tonnes of CO2e in the display unit, 2 decimals with thousands separators; "—" for none."""
        if tonnes is None or tonnes != tonnes:
            return "—"
        value = tonnes / self.co2e_per_unit
        return f"{(value if round(value, 2) != 0 else 0.0):,.2f}"

    def co2e_value(self, tonnes: float | None) -> float | None:
        """The number plotted in charts (display unit, unrounded)."""
        return None if tonnes is None else tonnes / self.co2e_per_unit

    def gdp(self, value: float | None, unit: str | None) -> tuple[str, str]:
        """(figure, unit) of a GDP: converted to 亿元 when the page asks for it and the unit is CNY."""
        if value is None:
            return "—", unit or ""
        unit = unit or ""
        if self.gdp_target in GDP_UNITS and unit in CNY_UNITS:
            value = value * GDP_UNITS[unit] / GDP_UNITS[self.gdp_target]
            unit = self.gdp_target
        return f"{value:,.2f}", unit
