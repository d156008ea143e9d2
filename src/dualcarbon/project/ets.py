"""The plant's ETS accounting in a project (docs/ets.md): its inputs read and checked with the project's
(``inputs``, called by ``project.load``), and the results a run writes (``compute``): summary.json
``ets``, the guideline's tables (ets_units.xlsx) and the report's section."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from dualcarbon.errors import InputError, Msg, Problem, msg
from dualcarbon.ets import accounting, checks, rules
from dualcarbon.ets import units as ets_units
from dualcarbon.ets.allocation import Allowance, Compliance
from dualcarbon.ets.model import PowerUnit
from dualcarbon.model import Settings
from dualcarbon.project.limits import ReadLimits

XLSX = "ets_units.xlsx"


@dataclass
class EtsInputs:
    """What the accounting reads: the guideline's revision, the units, their months, fuel and electricity rows."""

    guideline: rules.Guideline
    plan_year: int
    units: list[PowerUnit]
    generation: pl.DataFrame
    fuel_rows: pl.DataFrame
    electricity_rows: pl.DataFrame


@dataclass
class EtsResult:
    """The accounting's results: per fuel row, per unit and month, per unit and year; the checks; the
    grid factors and parameters used with their sources."""

    inputs: EtsInputs
    fuel: pl.DataFrame
    months: pl.DataFrame
    years: pl.DataFrame
    checks: pl.DataFrame
    grid_factors: list[rules.GridFactor] = field(default_factory=list)
    parameters: list[rules.Parameter] = field(default_factory=list)
    summary: dict = field(default_factory=dict)
    allowances: list[Allowance] = field(default_factory=list)
    allocation_problems: list[dict] = field(default_factory=list)
    compliance: Compliance | None = None


def inputs(
    root: Path, settings: Settings, limits: ReadLimits, activities: pl.DataFrame | None, grouped: bool = False
) -> tuple[EtsInputs | None, list[Problem]]:
    """The ETS inputs of a project with units.csv (None without); every problem of units.csv,
    generation.csv, ``[ets]`` and the units' fuel rows."""
    start, end = settings.period.start, settings.period.end
    plant, problems = ets_units.load_plant(root, limits, start, end)
    ets = settings.ets
    if ets is not None and ets_units.find(root, "units") is None:
        problems.append(Problem("units.csv", None, None, None, msg("problem.ets.units_required")))
    version = ets.guideline if ets is not None else "2022"
    if version not in rules.guidelines():
        choices = ", ".join(sorted(rules.guidelines()))
        problems.append(
            Problem("dualcarbon.toml", None, "ets.guideline", version, msg("problem.one_of", choices=choices))
        )
    if plant is None or problems:
        return None, problems
    if grouped:
        return None, [Problem("activities", None, None, None, msg("problem.ets.grouped"))]
    guideline = rules.guideline(version)
    years = sorted({int(m[:4]) for m in plant.generation["month"].to_list()} | set(settings.period.years))
    missing = [y for y in years if rules.grid_factor(y) is None]
    if missing:
        known = ", ".join(str(y) for y in sorted(rules.grid_factors()))
        problems.append(
            Problem(
                None,
                None,
                None,
                None,
                msg("problem.ets.no_grid_factor", years=", ".join(map(str, missing)), known=known),
            )
        )
    fuel, electricity, found = (
        ets_units.unit_rows(activities, plant.units, guideline) if activities is not None else (None, None, [])
    )
    problems += found
    if problems or fuel is None or electricity is None:
        return None, problems
    plan_year = (ets.plan_year if ets is not None else None) or end.year
    return EtsInputs(guideline, plan_year, plant.units, plant.generation, fuel, electricity), []


def compute(ets: EtsInputs) -> EtsResult:
    """The guideline's accounting of the units (``ets.accounting``) and the checks (``ets.checks``)."""
    fuel = accounting.combustion(ets.fuel_rows, ets.guideline)
    factors = rules.grid_factors()
    e = accounting.electricity(ets.electricity_rows, {y: f.factor_t_per_mwh for y, f in factors.items()})
    months = accounting.unit_months(fuel, e, ets.generation)
    years = accounting.unit_years(months, ets.units)
    flags = checks.run(fuel, months, ets.guideline)
    used_years = sorted({int(m[:4]) for m in months.filter(pl.col("electricity_mwh") > 0)["month"].to_list()})
    grid = [factors[y] for y in used_years]
    used: list[rules.Parameter] = []
    for (fuel_class, name), p in sorted(ets.guideline.parameters.items()):
        if fuel_class not in set(fuel["fuel"].to_list()):
            continue
        source = {"carbon_content_default": "carbon_content_source", "ncv_default": "ncv_source"}.get(name)
        if source is None and name == "oxidation":
            source = "oxidation_source"
        if source is None or fuel.filter((pl.col("fuel") == fuel_class) & (pl.col(source) == "default")).height:
            used.append(p)
    result = EtsResult(ets, fuel, months, years, flags, grid, used)
    allocate(result)
    result.summary = summary(result)
    return result


def allocate(result: EtsResult) -> None:
    """Each unit's allowance under the plan of ``[ets] plan_year`` for the period's last year
    (``ets.allocation``), and the entity's compliance. Where the plan lacks a value (or a month's load
    factor is missing) nothing is allocated and the problems are kept to be shown, not raised: the
    emissions stand without the allowances."""
    from dualcarbon.ets import allocation

    year = last_year(result)
    for row in result.years.filter(pl.col("year") == year).iter_rows(named=True):
        m = result.months.filter(pl.col("unit") == row["unit"]).sort("month")
        try:
            load = allocation.annual_load_factor(
                zip(m["generation_mwh"].to_list(), m["load_factor"].to_list(), strict=True)
            )
            unit = allocation.AllocationUnit(
                row["unit"],
                row["fuel_class"],
                row["capacity_mw"],
                row["cooling"],
                row["chp"],
                row["generation_mwh"],
                row["supplied_mwh"],
                row["heat_supplied_gj"],
                load,
                row["emissions_t"],
                row["heat_ratio"],
            )
            result.allowances.append(allocation.allocate(unit, result.inputs.plan_year))
        except InputError as exc:
            result.allocation_problems += [
                {"unit": row["unit"], "message_en": p.message("en"), "message_zh": p.message("zh")}
                for p in exc.problems
            ]
        except ValueError as exc:  # a month with generation but no load factor (allocation.annual_load_factor)
            text = exc.args[0] if exc.args else str(exc)
            en = text.render("en") if isinstance(text, Msg) else str(text)
            zh = text.render("zh") if isinstance(text, Msg) else str(text)
            result.allocation_problems.append({"unit": row["unit"], "message_en": en, "message_zh": zh})
    if result.allowances and not result.allocation_problems:
        result.compliance = allocation.compliance(result.allowances, plan_year=result.inputs.plan_year)


def summary(result: EtsResult) -> dict:
    """summary.json ``ets`` (DESIGN.md): per unit its emissions, intensities, allowance and surplus; the
    totals; and, beyond the pinned keys, the guideline, the plan year, the parameters used with their status
    and the checks' flags."""
    g = result.inputs.guideline
    allowances = {a.unit: a for a in result.allowances} if not result.allocation_problems else {}
    year = last_year(result)
    units = []
    for row in result.years.iter_rows(named=True):
        a = allowances.get(row["unit"]) if row["year"] == year else None
        units.append(
            {
                "unit": row["unit"],
                "year": row["year"],
                "fuel_class": row["fuel_class"],
                "capacity_mw": row["capacity_mw"],
                "emissions_t": row["emissions_t"],
                "fuel_co2_t": row["fuel_co2_t"],
                "electricity_co2_t": row["electricity_co2_t"],
                "generation_mwh": row["generation_mwh"],
                "supplied_mwh": row["supplied_mwh"],
                "heat_supplied_gj": row["heat_supplied_gj"],
                "heat_ratio": row["heat_ratio"],
                "intensity_power_t_per_mwh": row["intensity_power_t_per_mwh"],
                "intensity_heat_t_per_gj": row["intensity_heat_t_per_gj"],
                "load_factor": row["load_factor"],
                "measured_months": row["measured_months"],
                "default_months": row["default_months"],
                "allowance_t": None if a is None else a.allowance_t,
                "surplus_t": None if a is None else a.surplus_t,
                "obligation_t": None if a is None else a.obligation_t,
                "category": None if a is None else a.category,
                "power_benchmark_t_per_mwh": None if a is None else a.power_benchmark_t_per_mwh,
                "heat_benchmark_t_per_gj": None if a is None else a.heat_benchmark_t_per_gj,
                "corrections": None if a is None else dict(a.corrections),
                "output_basis": None if a is None else a.output_basis,
            }
        )
    parameters = [
        {
            "guideline": p.guideline,
            "fuel": p.fuel,
            "parameter": p.parameter,
            "value": p.value,
            "unit": p.unit,
            "document": p.document,
            "clause": p.clause,
            "status": p.status,
            "source": p.source,
        }
        for p in result.parameters
    ] + [
        {
            "guideline": None,
            "fuel": None,
            "parameter": f"grid_factor_{f.year}",
            "value": f.factor_t_per_mwh,
            "unit": "t CO2/MWh",
            "document": f.document,
            "clause": f.clause,
            "status": f.status,
            "source": f.source,
        }
        for f in result.grid_factors
    ]
    return {
        "guideline": {
            "version": g.version,
            "number": g.number,
            "title_zh": g.title_zh,
            "title_en": g.title_en,
            "year": g.year,
            "status": g.status,
        },
        "plan_year": result.inputs.plan_year,
        "units": units,
        "totals": {
            "emissions_t": float(result.years["emissions_t"].sum()),
            "allowance_t": math.fsum(a.allowance_t for a in allowances.values()) if allowances else None,
            "surplus_t": math.fsum(a.surplus_t for a in allowances.values()) if allowances else None,
        },
        "plan": result.allowances[0].plan if allowances else None,
        "compliance": None if result.compliance is None else _compliance(result.compliance),
        "allocation_sources": sorted({s for a in allowances.values() for s in a.sources}),
        "allocation_unconfirmed": sorted({s for a in allowances.values() for s in a.unconfirmed}),
        "allocation_problems": result.allocation_problems,
        "parameters": parameters,
        "unconfirmed": [
            f"{p['fuel']}.{p['parameter']}" if p["fuel"] else str(p["parameter"])
            for p in parameters
            if p["status"] != "read"
        ],
        "checks": result.checks.to_dicts(),
    }


def _compliance(c: Compliance) -> dict:
    keep = ["plan_year", "plan", "emissions_t", "allowance_t", "units_obligation_t", "obligation_t", "cap_applied"]
    keep += ["banked_t", "available_t", "balance_t", "shortfall_t", "borrowing_limit_t", "carry_forward_limit_t"]
    keep += ["carry_forward_t"]
    return {k: getattr(c, k) for k in keep} | {"unconfirmed": list(c.unconfirmed)}


def last_year(result: EtsResult) -> int | None:
    """The last year of the units' data, whose allowances are computed."""
    years = [y for y in result.years["year"].to_list() if y is not None]
    return max(years) if years else None
