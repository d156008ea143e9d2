"""From a run's emission rows, the settings and the measures to a solved pathway (pure: no files).

Settings problems are raised as one InputError naming ``dualcarbon.toml`` and the key; measures that
name no emission source of the inventory as problems of their file, row and column.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from dualcarbon.errors import InputError, Problem
from dualcarbon.model import Pathway, Settings, Targets
from dualcarbon.pathway import optimize, projection, targets
from dualcarbon.pathway import sources as src
from dualcarbon.pathway.measures import Measure

SETTINGS_FILE = "dualcarbon.toml"
DEFAULT_HORIZON_YEARS = 25


@dataclass
class Result:
    """A pathway with what it was computed from."""

    goal: targets.Goal
    plan: optimize.Plan
    settings: Pathway
    inventory_year: int
    base_t: float
    sources: pl.DataFrame
    measures: list[Measure]

    def summary(self) -> dict:
        """The ``pathway.json`` record (schema ``dualcarbon.pathway/1``)."""
        g, p = self.goal, self.plan
        return {
            "schema": "dualcarbon.pathway/1",
            "status": p.status,
            "unit": "t CO2e",
            "currency": self.settings.currency,
            "inventory_year": self.inventory_year,
            "years": [p.years[0], p.years[-1]],
            "targets": {
                "template": g.template,
                "name_zh": g.name_zh,
                "name_en": g.name_en,
                "status": g.status,
                "source": g.source,
                "base_year": g.base_year,
                "base_emissions_t": self.base_t,
                "peak_year": g.peak_year,
                "neutral_year": g.neutral_year,
                "annual_rate": g.annual_rate,
                "cuts": [
                    {"year": c.year, "percent": c.percent, "against": c.against, "covers": c.covers} for c in g.cuts
                ],
                "offsets": g.offsets,
                "residual_max_percent": g.residual_max_percent,
                "removals_count": g.removals_count,
            },
            "bau_peak": {"year": p.bau_peak.year, "emissions_t": p.bau_peak.emissions_t, "reached": p.bau_peak.reached},
            "pathway_peak": {
                "year": p.pathway_peak.year,
                "emissions_t": p.pathway_peak.emissions_t,
                "reached": p.pathway_peak.reached,
            },
            "cost_discounted": p.cost_discounted,
            "discount_rate": self.settings.discount_rate,
            "mip_gap": p.mip_gap,
            "solve_s": round(p.solve_s, 3),
            "chosen": p.measures.filter(pl.col("chosen")).select("id", "start_year", "adoption").to_dicts(),
            "shortfalls": [
                {
                    "year": s.year,
                    "kind": s.kind,
                    "target": s.label,
                    "covers": s.covers,
                    "missing_t": s.missing_t,
                    "message_zh": s.message("zh"),
                    "message_en": s.message("en"),
                }
                for s in p.shortfalls
            ],
        }


def _with_stands(removals: dict[int, float], stands: dict[int, float] | None) -> dict[int, float]:
    return {y: t + (stands or {}).get(y, 0.0) for y, t in removals.items()}


def removals_by_year(spec: float | dict[int, float], years: list[int]) -> dict[int, float]:
    """Removals outside the measures: a constant, or {year: t} interpolated linearly, held flat outside."""
    if not isinstance(spec, dict):
        return {y: float(spec) for y in years}
    points = sorted(spec.items())
    out = {}
    for y in years:
        if y <= points[0][0]:
            out[y] = float(points[0][1])
        elif y >= points[-1][0]:
            out[y] = float(points[-1][1])
        else:
            (y0, v0), (y1, v1) = next((a, b) for a, b in zip(points, points[1:], strict=False) if a[0] <= y <= b[0])
            out[y] = v0 + (v1 - v0) * (y - y0) / (y1 - y0)
    return out


def _problem(key: str, expected: str, value: object = None) -> Problem:
    return Problem(SETTINGS_FILE, None, key, None if value is None else str(value), expected)


def compute(
    emissions: pl.DataFrame,
    settings: Settings,
    measures: list[Measure],
    measures_file: str = "measures.csv",
    stand_removals: dict[int, float] | None = None,
) -> Result:
    """The least-cost pathway of a project whose inventory produced ``emissions`` (engine rows).

    ``stand_removals``: t CO2 a year removed by the project's own forest stands (sinks.csv,
    ``neutrality.sinks.annual_removals``), added to ``[pathway] removals_t``."""
    tgt = settings.targets or Targets()
    pw = settings.pathway or Pathway()
    inventory_year = settings.period.start.year
    problems: list[Problem] = []
    try:
        goal = targets.resolve(tgt, inventory_year)
    except ValueError as exc:
        key, _, text = str(exc).partition(": ")
        raise InputError(_problem(key, text)) from exc
    start = pw.start_year or inventory_year + 1
    end = pw.end_year or max([*goal.years(), start + DEFAULT_HORIZON_YEARS - 1])
    if start < inventory_year:
        problems.append(_problem("pathway.start_year", f"expected the inventory year {inventory_year} or later", start))
    if end < start:
        problems.append(_problem("pathway.end_year", f"expected a year after start_year {start}", end))
    if goal.peak_year is not None and not inventory_year <= goal.peak_year <= end:
        problems.append(
            _problem(
                "targets.peak_year",
                f"expected a year from the inventory year {inventory_year} "
                f"(earlier emissions are unknown) to end_year {end}",
                goal.peak_year,
            )
        )
    if goal.base_year > inventory_year and tgt.base_emissions_t is None and goal.base_year > end:
        problems.append(_problem("targets.base_year", f"expected a year up to end_year {end}", goal.base_year))
    if goal.offsets and pw.offset_price is None:
        problems.append(
            _problem(
                "pathway.offset_price",
                "purchased offsets are allowed ([targets] offsets = true): give their price per t CO2e",
            )
        )
    for key, text in projection.check_growth(pw.growth):
        problems.append(_problem(f"pathway.growth.{key}", text))
    for c in goal.cuts:
        if c.covers is not None:
            try:
                src.parse(c.covers)
            except ValueError as exc:
                problems.append(_problem("targets.cuts.covers", str(exc), c.covers))
    if problems:
        raise InputError(problems)

    sources = src.base_sources(emissions, pw.scopes, pw.scope2)
    if sources.height == 0:
        raise InputError(_problem("pathway.scopes", "the inventory has no emissions in these scopes", pw.scopes))
    for m in measures:  # a selector that names nothing is a typo more often than not
        if m.applies_to and sources.filter(src.mask(m.applies_to)).height == 0:
            problems.append(
                Problem(
                    measures_file,
                    m.row,
                    "applies_to",
                    m.applies_to,
                    "names no emission source of the inventory (its activity keys: "
                    + ", ".join(sources["key"].unique().sort().to_list())
                    + ")",
                )
            )
    if problems:
        raise InputError(problems)

    years = list(range(start, end + 1))
    bau = projection.project(sources, pw.growth, inventory_year, max(end, goal.base_year))
    bau_total = projection.totals(bau, sources)
    if tgt.base_emissions_t is not None:
        base_t = float(tgt.base_emissions_t)
    else:
        base_t = bau_total[goal.base_year]
    covered = {}
    for c in goal.cuts:
        if c.covers is not None:
            covered[c.covers] = (
                projection.totals(bau, sources, c.covers)[goal.base_year] if goal.base_year >= inventory_year else None
            )
    try:
        caps = targets.caps(goal, years, base_t, covered)
    except ValueError as exc:
        key, _, text = str(exc).partition(": ")
        raise InputError(_problem(key, text)) from exc
    inputs = optimize.Inputs(
        sources=sources,
        bau=bau.filter(pl.col("year") <= end),
        measures=measures,
        caps=caps,
        years=years,
        discount_rate=pw.discount_rate,
        removals_t=_with_stands(removals_by_year(pw.removals_t, list(range(inventory_year, end + 1))), stand_removals),
        offsets=goal.offsets,
        offset_price=pw.offset_price or 0.0,
        peak_year=goal.peak_year,
        macc_year=pw.macc_year,
        time_limit_s=pw.time_limit_s,
        mip_gap=pw.mip_gap,
    )
    plan = optimize.solve(inputs)
    return Result(goal, plan, pw, inventory_year, base_t, sources, measures)
