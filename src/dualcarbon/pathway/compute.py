"""From a run's emission rows, the settings and the measures to a solved pathway (pure: no files).

Settings problems are raised as one InputError naming ``dualcarbon.toml`` and the key; measures that
name no emission source of the inventory as problems of their file, row and column.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

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
    #: the inventory's covered emissions in each of its years (one year unless the period spans several)
    known_t: dict[int, float] = field(default_factory=dict)
    caps: list[targets.Cap] = field(default_factory=list)

    def summary(self) -> dict:
        """The ``pathway.json`` record (schema ``dualcarbon.pathway/1``)."""
        g, p = self.goal, self.plan
        return {
            "schema": "dualcarbon.pathway/1",
            "status": p.status,
            "unit": "t CO2e",
            "currency": self.settings.currency,
            "inventory_year": self.inventory_year,
            "inventory_by_year": [{"year": y, "emissions_t": t} for y, t in sorted(self.known_t.items())],
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
                "intensity": [
                    {
                        "kind": "intensity",
                        "year": i.year,
                        "percent": i.percent,
                        "base_year": i.base_year,
                        "per": i.per,
                        "covers": i.covers,
                        "target": _intensity_target(self.caps, i),
                        "unit": INTENSITY_UNITS[i.per],
                    }
                    for i in g.intensity
                ],
                "caps": [{"kind": "cap", "year": c.year, "t": c.t} for c in g.caps],
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


#: intensity targets and pathway.csv's intensity columns: t CO2e per 10,000 currency units of GDP (万元), per person
INTENSITY_UNITS = {"gdp": "t CO2e/10k CNY", "capita": "t CO2e/person"}
INTENSITY_SCALE = {"gdp": 1e4, "capita": 1.0}  # the denominators are in currency units and persons


def _intensity_target(caps: list[targets.Cap], spec: targets.IntensitySpec) -> float | None:
    """An intensity target as a number in ``INTENSITY_UNITS`` (the cap of its own year)."""
    for c in caps:
        if c.kind == "intensity" and c.year == spec.year and c.per == spec.per and c.covers == spec.covers:
            return None if c.intensity is None else c.intensity * INTENSITY_SCALE[spec.per]
    return None


def inventory_years(period) -> list[int]:
    """The years whose emissions the inventory gives one by one: every year of a period of whole calendar
    years (a territory's 2020-2024), else the period's first year (a single year, or a fiscal year)."""
    whole = period.start == dt.date(period.start.year, 1, 1) and period.end == dt.date(period.end.year, 12, 31)
    return list(range(period.start.year, period.end.year + 1)) if whole else [period.start.year]


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
    denominators: dict[str, dict[int, float]] | None = None,
) -> Result:
    """The least-cost pathway of a project whose inventory produced ``emissions`` (engine rows).

    ``stand_removals``: t CO2 a year removed by the project's own forest stands (sinks.csv,
    ``neutrality.sinks.annual_removals``), added to ``[pathway] removals_t``. ``denominators``: the
    known GDP (currency units, constant prices) and population by year, {"gdp": …, "capita": …}, for
    intensity targets (``project.indicators.by_year``), extended by ``[pathway] gdp_growth`` and
    ``population_growth``.

    A period of several whole years (``inventory_years``) is projected from its last year; its
    earlier years' emissions are known and serve as base years."""
    tgt = settings.targets or Targets()
    pw = settings.pathway or Pathway()
    known_years = inventory_years(settings.period)
    inventory_year = known_years[-1]
    if len(known_years) > 1:
        emissions = emissions.filter(pl.col("year").is_in(known_years))
    problems: list[Problem] = []
    try:
        goal = targets.resolve(tgt, inventory_year, known_years[0])
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
    for key, spec in (("gdp_growth", pw.gdp_growth), ("population_growth", pw.population_growth)):
        for _, text in projection.check_growth({"default": spec} if spec is not None else {}):
            problems.append(_problem(f"pathway.{key}", text))
    for i in goal.intensity:
        if i.covers is not None:
            try:
                src.parse(i.covers)
            except ValueError as exc:
                problems.append(_problem("targets.intensity.covers", str(exc), i.covers))
    for c in goal.cuts:
        if c.covers is not None:
            try:
                src.parse(c.covers)
            except ValueError as exc:
                problems.append(_problem("targets.cuts.covers", str(exc), c.covers))
    if problems:
        raise InputError(problems)

    if settings.is_territory and "gpc" in emissions.columns:
        from dualcarbon.territory.gpc import counted_rows

        emissions = counted_rows(emissions)
    every_year = emissions
    if len(known_years) > 1:
        emissions = emissions.filter(pl.col("year") == inventory_year)
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
    last_base = max([goal.base_year, *(i.base_year for i in goal.intensity)])
    bau = projection.project(sources, pw.growth, inventory_year, max(end, last_base))

    def emitted(year: int, covers: str | None = None) -> float | None:
        """Covered emissions of a year: the inventory's own (a year of the period), else the BAU."""
        if len(known_years) > 1 and year in known_years:
            of_year = src.base_sources(every_year.filter(pl.col("year") == year), pw.scopes, pw.scope2)
            return projection.totals(_one_year(of_year), of_year, covers).get(0, 0.0)
        return projection.totals(bau, sources, covers).get(year) if year >= inventory_year else None

    base_t = float(tgt.base_emissions_t) if tgt.base_emissions_t is not None else emitted(goal.base_year) or 0.0
    covered = {c.covers: emitted(goal.base_year, c.covers) for c in goal.cuts if c.covers is not None}
    intensity_base: dict[tuple[int, str | None], float] = {}
    for i in goal.intensity:
        if i.base_year == goal.base_year and i.covers is None and tgt.base_emissions_t is not None:
            intensity_base[(i.base_year, i.covers)] = float(tgt.base_emissions_t)
        elif (found := emitted(i.base_year, i.covers)) is not None:
            intensity_base[(i.base_year, i.covers)] = found
    series: dict[str, dict[int, float]] = {}
    for per, spec, key in (("gdp", pw.gdp_growth, "gdp_growth"), ("capita", pw.population_growth, "population_growth")):
        if not any(i.per == per for i in goal.intensity):
            continue
        known = (denominators or {}).get(per, {})
        needed = sorted({i.base_year for i in goal.intensity if i.per == per} | set(years))
        series[per] = projection.extend(known, spec, needed)
        if known and spec is None and max(known) < end:
            what = "GDP" if per == "gdp" else "population"
            problems.append(
                _problem(
                    f"pathway.{key}",
                    f"an intensity target per {'GDP' if per == 'gdp' else 'person'} needs {what} up to {end}: it is "
                    f"known up to {max(known)}; give the growth a year, e.g. {key} = 0.05",
                )
            )
        elif not known:
            problems.append(
                _problem(
                    "targets.intensity",
                    "an intensity target per GDP needs the GDP: [territory] gdp (at gdp_price_year prices) or "
                    "indicators.csv rows of indicator gdp"
                    if per == "gdp"
                    else "a per-capita target needs the population: [territory] population or indicators.csv rows "
                    "of indicator population",
                )
            )
    if problems:
        raise InputError(problems)
    try:
        caps = targets.caps(goal, years, base_t, covered, series, intensity_base)
    except ValueError as exc:
        key, _, text = str(exc).partition(": ")
        raise InputError(_problem(key, text)) from exc
    known_t = {y: emitted(y) or 0.0 for y in known_years}
    history_t = dict(known_t)
    if goal.base_year < known_years[0]:  # a base year before the inventory: its given emissions
        history_t[goal.base_year] = base_t
    removal_years = sorted(set(history_t) | set(range(inventory_year, end + 1)))
    inputs = optimize.Inputs(
        sources=sources,
        bau=bau.filter(pl.col("year") <= end),
        measures=measures,
        caps=caps,
        years=years,
        discount_rate=pw.discount_rate,
        removals_t=_with_stands(removals_by_year(pw.removals_t, removal_years), stand_removals),
        offsets=goal.offsets,
        offset_price=pw.offset_price or 0.0,
        peak_year=goal.peak_year,
        macc_year=pw.macc_year,
        time_limit_s=pw.time_limit_s,
        mip_gap=pw.mip_gap,
        history_t=history_t,
    )
    plan = optimize.solve(inputs)
    plan.table = _intensity_columns(plan.table, caps, series)
    return Result(goal, plan, pw, inventory_year, base_t, sources, measures, known_t, caps)


def _one_year(sources: pl.DataFrame) -> pl.DataFrame:
    """Sources of one year as a BAU frame of that year alone (for ``projection.totals``)."""
    return sources.select("source", pl.lit(0, pl.Int64).alias("year"), pl.col("co2e_t").alias("bau_t"))


def _intensity_columns(
    table: pl.DataFrame, caps: list[targets.Cap], series: dict[str, dict[int, float]]
) -> pl.DataFrame:
    """pathway.csv's intensity columns, for each kind of intensity target: the denominator, the pathway's
    emissions (gross) per unit of it and the target (``INTENSITY_UNITS``)."""
    names = {
        "gdp": ("gdp_10k", "intensity_t_per_10k", "intensity_target_t_per_10k"),
        "capita": ("population", "per_capita_t", "per_capita_target_t"),
    }
    for per, values in series.items():
        scale = INTENSITY_SCALE[per]
        line = targets.intensity_line(caps, table["year"].to_list(), per)
        denominator, value, target = names[per]
        years = table["year"].to_list()
        table = table.with_columns(
            pl.Series(denominator, [values[y] / scale if y in values else None for y in years], pl.Float64),
            pl.Series(target, [None if (v := line[y]) is None else v * scale for y in years], pl.Float64),
        ).with_columns((pl.col("emissions_t") / pl.col(denominator)).alias(value))
        table = table.select([c for c in table.columns if c != target] + [target])
    return table
