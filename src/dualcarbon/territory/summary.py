"""The ``territory`` block and the per-year figures of ``summary.json`` (docs/territory.md).

Pure: emission rows (classified by ``gpc.classify``), the settings, the forest stands and the
population and GDP of each year in; plain records out. GPC BASIC and BASIC+ (GPC v1.1 2021, Ch. 4),
IPCC 2006 sectors counted on in-boundary (GPC scope 1) emissions, with the indirect emissions of
electricity brought in reported apart as the Chinese provincial inventory guideline does
(电力调入调出间接排放); removals never netted into a sector.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import polars as pl

from dualcarbon import inventory
from dualcarbon.errors import InputError, Problem, msg
from dualcarbon.i18n import translator
from dualcarbon.model import GDP_UNITS, Settings
from dualcarbon.neutrality.sinks import annual_removals
from dualcarbon.sums import exact_sum, total
from dualcarbon.territory import gpc

#: GB/T 2589-2020 §3.6: 1 kgce = 29 307.6 kJ, so 1 tce = 29.3076 GJ
GJ_PER_TCE = 29.3076
#: GB/T 2589-2020 Appendix A: electricity at its equivalent (当量值) calorific value, 0.1229 kgce/kWh
TCE_PER_KWH = 0.1229e-3
GJ_PER_KWH = 0.0036
#: GDP units in yuan, for t CO2e per 万元
CNY_UNITS = {"元", "万元", "亿元", "CNY"}
IPCC_SECTORS = ["1", "2", "3", "4"]


def _counted(method: str) -> pl.Expr:
    """Rows counted under one Scope 2 method, biogenic CO2 apart (as ``inventory`` counts them)."""
    return ~pl.col("biogenic") & (pl.col("scope2_method").is_null() | (pl.col("scope2_method") == method))


def check_notation(settings: Settings) -> list[Problem]:
    """``[territory] notation`` keys must be GPC reference numbers (I.4.4) or sub-sectors (V.1)."""
    if settings.territory is None:
        return []
    table = gpc.lines()
    known = set(table["ref"].to_list()) | set(table["subsector"].to_list())
    return [
        Problem(
            "dualcarbon.toml",
            None,
            f"territory.notation.{code}",
            code,
            msg("problem.gpc_notation"),
        )
        for code in settings.territory.notation
        if code not in known
    ]


def _notation(settings: Settings, ref: str, subsector: str) -> tuple[str, str, str]:
    """The notation key of a line without emission rows: the user's (``[territory] notation``, by
    reference number, else by sub-sector), else NO (GPC Ch. 4: not occurring)."""
    declared = settings.territory.notation if settings.territory else {}
    found = declared.get(ref) or declared.get(subsector)
    if found is not None:
        return found.key, found.reason, found.reason_en or found.reason
    zh, en = translator("zh"), translator("en")
    return "NO", zh("territory.notation_no_rows"), en("territory.notation_no_rows")


def _per(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def energy_tce(e: pl.DataFrame) -> float:
    """Energy consumption in tce: in-boundary fuel combustion (not energy generation supplied to the
    grid, GPC I.4.4, whose product is counted where it is used) at its calorific value, grid electricity
    at the equivalent value 0.1229 kgce/kWh and grid heat at its heat content (GB/T 2589-2020)."""
    fuel = e.filter(
        (pl.col("kind") == "combustion")
        & (pl.col("gas") == "CO2")
        & (pl.col("scope") == "1")
        & (pl.col("gpc") != "I.4.4")
    )
    fuel_gj = total(fuel["energy_gj"].drop_nulls()) if "energy_gj" in fuel.columns else 0.0
    grid = e.filter(pl.col("kind").is_in(["electricity", "heat"]) & (pl.col("scope") == "2")).unique(subset=["_idx"])
    elec_gj = total(grid.filter(pl.col("kind") == "electricity")["quantity_base"])
    heat_gj = total(grid.filter(pl.col("kind") == "heat")["quantity_base"])
    return fuel_gj / GJ_PER_TCE + elec_gj / GJ_PER_KWH * TCE_PER_KWH + heat_gj / GJ_PER_TCE


def _gdp_10k_cny(settings: Settings, gdp: float | None) -> float | None:
    """GDP in 万元 (None without a GDP or in a currency that is not CNY)."""
    if gdp is None or settings.territory is None or settings.territory.gdp_unit not in CNY_UNITS:
        return None
    return gdp * GDP_UNITS[settings.territory.gdp_unit] / 1e4


def year_block(
    e: pl.DataFrame,
    settings: Settings,
    year: int,
    population: float | None,
    gdp: float | None,
    removals_t: float,
) -> dict:
    """The territory figures of one year (``summary.json`` ``territory``, docs/territory.md)."""
    assert settings.territory is not None
    loc = _counted("location")
    located = e.filter(loc)
    sums = {r["gpc"]: r["co2e_t"] for r in located.group_by("gpc").agg(exact_sum("co2e_t")).iter_rows(named=True)}
    present = set(e.filter(~pl.col("biogenic"))["gpc"].drop_nulls().unique().to_list())
    table = gpc.lines()
    rows = []
    for line in table.iter_rows(named=True):
        ref = line["ref"]
        record = {
            "sector": line["subsector"],
            "scope": line["scope"],
            "ref": ref,
            "name_zh": line["subsector_zh"],
            "name_en": line["subsector_en"],
            "co2e_t": sums.get(ref, 0.0),
            "notation": None,
            "notation_reason_zh": None,
            "notation_reason_en": None,
            "in_basic": line["in_basic"],
            "in_basic_plus": line["in_basic_plus"],
        }
        if ref not in present:
            key, zh, en = _notation(settings, ref, line["subsector"])
            record |= {"notation": key, "notation_reason_zh": zh, "notation_reason_en": en}
        rows.append(record)
    basic = math.fsum(r["co2e_t"] for r in rows if r["in_basic"])
    basic_plus = math.fsum(r["co2e_t"] for r in rows if r["in_basic_plus"])
    counted = {"basic": basic, "basic_plus": basic_plus}[gpc.INTENSITY_BASIS]  # intensities' numerator
    inside = located.filter(pl.col("scope") == "1")
    by_category = inside.group_by("category").agg(exact_sum("co2e_t")).sort("category")
    sector_sums = {
        r["sector"]: r["co2e_t"]
        for r in inside.group_by(pl.col("category").str.slice(0, 1).alias("sector"))
        .agg(exact_sum("co2e_t"))
        .iter_rows(named=True)
    }
    by_sector = [{"sector": s, "co2e_t": sector_sums.get(s, 0.0)} for s in IPCC_SECTORS]
    by_sector += [{"sector": s, "co2e_t": v} for s, v in sorted(sector_sums.items()) if s not in IPCC_SECTORS]
    indirect = total(located.filter((pl.col("scope") == "2") & (pl.col("kind") == "electricity"))["co2e_t"])
    energy = energy_tce(e)
    gdp_10k = _gdp_10k_cny(settings, gdp)
    t = settings.territory
    return {
        "year": year,
        "framework": ["GPC", "IPCC"],
        "admin_code": t.admin_code,
        "population": population,
        "gdp": gdp,
        "gdp_unit": t.gdp_unit,
        "gdp_price_year": t.gdp_price_year,
        "area_km2": t.area_km2,
        "intensity_basis": gpc.INTENSITY_BASIS,
        "per_capita_t": _per(counted, population),
        "per_gdp_t_per_10k_cny": _per(counted, gdp_10k),
        "energy_tce": energy,
        "energy_intensity_tce_per_10k_cny": _per(energy, gdp_10k),
        "removals_t": removals_t,
        "gpc": {"basic": basic, "basic_plus": basic_plus, "by_subsector": rows},
        "ipcc": {
            "by_sector": by_sector,
            "by_category": by_category.to_dicts(),
            "indirect_electricity_t": indirect,
        },
    }


def summarize(
    emissions: pl.DataFrame,
    settings: Settings,
    stands: pl.DataFrame | None,
    population_by_year: Mapping[int, float],
    gdp_by_year: Mapping[int, float],
) -> tuple[dict, dict[int, dict]]:
    """The ``territory`` block (the period's last year) and each year's block without ``by_subsector``.

    ``population_by_year`` and ``gdp_by_year`` (GDP in ``[territory] gdp_unit``): a year missing from
    them has null intensities. Emission rows must carry ``gpc`` (``gpc.classify`` on the activities,
    ``gpc.emission_lines`` in the engine)."""
    if settings.territory is None:
        raise ValueError("settings have no [territory] table")
    e = emissions
    unknown = e.filter(pl.col("gpc").is_null())
    if unknown.height:
        raise InputError(
            [
                Problem(r["_file"], r["_row"], "sector", r["category"], msg("problem.no_gpc_line"))
                for r in unknown.select("_file", "_row", "category").unique().head(50).iter_rows(named=True)
            ]
        )
    years = inventory.years_of(e, settings)
    removals = annual_removals(stands, years)
    blocks = {
        y: year_block(
            e.filter(pl.col("year") == y),
            settings,
            y,
            population_by_year.get(y),
            gdp_by_year.get(y),
            removals[y],
        )
        for y in years
    }
    last = blocks[settings.period.end.year]
    per_year = {y: {**b, "gpc": {k: v for k, v in b["gpc"].items() if k != "by_subsector"}} for y, b in blocks.items()}
    return last, per_year
