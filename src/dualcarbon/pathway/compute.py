"""From a run's emission rows, the settings and the measures to a solved pathway (pure: no files).

Settings problems are raised as one InputError naming ``dualcarbon.toml`` and the key; measures that
name no emission source of the inventory as problems of their file, row and column.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

import polars as pl

from dualcarbon.errors import InputError, Problem, msg
from dualcarbon.model import Pathway, Settings, Targets
from dualcarbon.pathway import optimize, prices, projection, targets
from dualcarbon.pathway import sources as src
from dualcarbon.pathway.fiscal import Instrument
from dualcarbon.pathway.measures import Measure

SETTINGS_FILE = "dualcarbon.toml"
DEFAULT_HORIZON_YEARS = 25
#: with up to this many instruments, the plan is solved once without each of them, to say what each changed
MAX_EFFECTS = 8


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
    instruments: list[Instrument] = field(default_factory=list)
    #: the same plan without any instrument (None: the project has no instruments)
    without: optimize.Plan | None = None
    #: instrument id → what leaving it out changes: {"cost_change", "changes"} (``effect``)
    effects: dict[str, dict] = field(default_factory=dict)
    #: the carbon price used: series, status, points, covers, free allocation (None: no carbon price)
    carbon: dict | None = None

    def fiscal_summary(self) -> dict:
        """pathway.json's carbon price, instruments and the plan without support."""
        p, w = self.plan, self.without
        carbon = None
        if self.carbon is not None:
            carbon = dict(self.carbon, cost_discounted=p.carbon_cost_discounted)
        paid = {r["id"]: r for r in p.instruments.to_dicts()} if p.instruments is not None else {}
        instruments = [
            {
                "id": i.id,
                "kind": i.kind,
                "name_zh": i.name_zh,
                "name_en": i.name_en,
                "measures": list(i.measures),
                "applies_to": i.applies_to,
                **(
                    {
                        "tiers": [{"up_to": None if u == float("inf") else u, "rate": r} for u, r in i.tiers],
                        "output": i.output,
                        "output_unit": i.output_unit,
                    }
                    if i.kind == "levy_tiered"
                    else {}
                ),
                "document": i.document,
                "article": i.article,
                "status": i.status,
                "support": paid.get(i.id, {}).get("support"),
                "support_discounted": paid.get(i.id, {}).get("support_discounted"),
                **self.effects.get(i.id, {"cost_change": None, "changes": None}),
            }
            for i in self.instruments
        ]
        without = None
        if w is not None:
            without = {
                "status": w.status,
                "cost_discounted": w.cost_discounted,
                "chosen": w.measures.filter(pl.col("chosen")).select("id", "start_year", "adoption").to_dicts(),
                "shortfalls": len(w.shortfalls),
                "net_end_t": float(w.table["net_t"][-1]),
                "changes": changes(p, w),
            }
        return {"carbon_price": carbon, "instruments": instruments, "without_support": without}

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
            **self.fiscal_summary(),
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


def _choice(plan: optimize.Plan) -> dict[str, tuple[int, float]]:
    rows = plan.measures.filter(pl.col("chosen")).select("id", "start_year", "adoption").rows()
    return {i: (s, round(a, 6)) for i, s, a in rows}


def changes(plan: optimize.Plan, other: optimize.Plan) -> list[dict]:
    """The measures whose choice, start or adoption differ between ``plan`` and ``other`` (e.g. without
    support): {"id", "with": {"start_year", "adoption"} | None, "without": …}."""
    a, b = _choice(plan), _choice(other)
    out = []
    for mid in [m for m in plan.measures["id"].to_list() if a.get(m) != b.get(m)]:
        out.append(
            {
                "id": mid,
                "with": None if mid not in a else {"start_year": a[mid][0], "adoption": a[mid][1]},
                "without": None if mid not in b else {"start_year": b[mid][0], "adoption": b[mid][1]},
            }
        )
    return out


def effect(plan: optimize.Plan, other: optimize.Plan) -> dict:
    """What the support left out of ``other`` changed: the cost (``other`` − ``plan``) and the measures."""
    return {"cost_change": other.cost_discounted - plan.cost_discounted, "changes": changes(plan, other)}


def effect_words(item: dict, names: dict[str, str], t, lang: str, currency: str) -> str:
    """What leaving an instrument out changes, in words (the cost, then each measure: without → with)."""
    from dualcarbon import figures

    if item.get("cost_change") is None:
        return ""
    delta = item["cost_change"]
    key = "fiscal.effect.cost" if delta >= 0 else "fiscal.effect.cost_less"
    parts = [t(key, delta=figures.money(abs(delta), lang, currency))]

    def state(c: dict | None) -> str:
        if c is None:
            return t("fiscal.not_chosen")
        return t("fiscal.chosen", year=c["start_year"], share=f"{c['adoption'] * 100:.0f}")

    for change in item["changes"] or []:
        parts.append(
            t(
                "fiscal.effect.measure",
                name=names.get(change["id"], change["id"]),
                unsupported=state(change["without"]),
                supported=state(change["with"]),
            )
        )
    if not item["changes"]:
        parts.append(t("fiscal.effect.none"))
    return t("fiscal.sep").join(parts)


def carbon_series(pw: Pathway, given: prices.PriceSeries | None, first_year: int) -> prices.PriceSeries:
    """The price series ``[pathway] carbon_price`` names: a file's (read by the caller), a bundled one, a price
    or {year = price} (status assumption, from dualcarbon.toml)."""
    spec = pw.carbon_price
    if given is not None:
        return given
    where = f"{SETTINGS_FILE} [pathway] carbon_price"
    if isinstance(spec, str):
        found = prices.bundled().get(spec.strip().lower())
        if found is None:
            expected = msg("fiscal.problem.series", choices=", ".join(prices.bundled()))
            raise InputError(_problem("pathway.carbon_price", expected, spec))
        return found
    points = spec if isinstance(spec, dict) else {first_year: float(spec or 0.0)}
    return prices.PriceSeries(
        "dualcarbon.toml",
        pw.currency,
        tuple(prices.PricePoint(int(y), float(v), "assumption", where) for y, v in sorted(points.items())),
    )


def compute(
    emissions: pl.DataFrame,
    settings: Settings,
    measures: list[Measure],
    measures_file: str = "measures.csv",
    stand_removals: dict[int, float] | None = None,
    denominators: dict[str, dict[int, float]] | None = None,
    instruments: list[Instrument] | None = None,
    price_series: prices.PriceSeries | None = None,
    ets: dict | None = None,
    instruments_file: str = "instruments.csv",
) -> Result:
    """The least-cost pathway of a project whose inventory produced ``emissions`` (engine rows).

    ``stand_removals``: t CO2 a year removed by the project's own forest stands (sinks.csv,
    ``neutrality.sinks.annual_removals``), added to ``[pathway] removals_t``. ``denominators``: the
    known GDP (currency units, constant prices) and population by year, {"gdp": …, "capita": …}, for
    intensity targets (``project.indicators.by_year``), extended by ``[pathway] gdp_growth`` and
    ``population_growth``.

    A period of several whole years (``inventory_years``) is projected from its last year; its
    earlier years' emissions are known and serve as base years.

    ``instruments``: the fiscal instruments (instruments.csv); the plan is also solved without them (and, with up
    to ``MAX_EFFECTS`` of them, without each in turn). ``price_series``: the carbon price file ``[pathway]
    carbon_price`` names (read by the caller); ``ets``: summary.json ``ets``, for ``free_allocation = "ets"``."""
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
    keys = ", ".join(sources["key"].unique().sort().to_list())
    for inst in instruments or []:  # a levy's selector, as a measure's
        if inst.applies_to and sources.filter(src.mask(inst.applies_to)).height == 0:
            expected = f"names no emission source of the inventory (its activity keys: {keys})"
            problems.append(Problem(instruments_file, inst.row, "applies_to", inst.applies_to, expected))
    if pw.carbon_price is not None and pw.carbon_covers is not None:
        try:
            names_nothing = sources.filter(src.mask(pw.carbon_covers)).height == 0
        except ValueError:
            names_nothing = False  # a malformed selector: reported with the carbon price's other problems
        if names_nothing:
            expected = f"names no emission source of the inventory (its activity keys: {keys})"
            problems.append(_problem("pathway.carbon_covers", expected, pw.carbon_covers))
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
    carbon = None
    if pw.carbon_price is not None:
        carbon = _carbon(pw, price_series, years, bau, sources, inventory_year, ets)
        inputs.carbon_price, inputs.carbon_covers = carbon.pop("_price"), pw.carbon_covers
        inputs.free_allocation_t = carbon.pop("_free")
    instruments = list(instruments or [])
    inputs.instruments = instruments
    plan = optimize.solve(inputs)
    plan.table = _intensity_columns(plan.table, caps, series)
    without, effects = None, {}
    if instruments:
        without = optimize.solve(replace(inputs, instruments=[]))
        without.table = _intensity_columns(without.table, caps, series)
        if len(instruments) == 1:
            effects[instruments[0].id] = effect(plan, without)
        elif len(instruments) <= MAX_EFFECTS:
            for inst in instruments:
                rest = [i for i in instruments if i.id != inst.id]
                effects[inst.id] = effect(plan, optimize.solve(replace(inputs, instruments=rest)))
        plan.table = plan.table.with_columns(
            without.table["net_t"].alias("net_t_no_support"), without.table["cost"].alias("cost_no_support")
        )
        plan.measures = plan.measures.join(
            without.measures.select(
                "id",
                pl.col("chosen").alias("chosen_no_support"),
                pl.col("start_year").alias("start_year_no_support"),
                pl.col("adoption").alias("adoption_no_support"),
            ),
            on="id",
            how="left",
        )
    return Result(
        goal, plan, pw, inventory_year, base_t, sources, measures, known_t, caps, instruments, without, effects, carbon
    )


def _carbon(
    pw: Pathway,
    given: prices.PriceSeries | None,
    years: list[int],
    bau: pl.DataFrame,
    sources: pl.DataFrame,
    inventory_year: int,
    ets: dict | None,
) -> dict:
    """The carbon price a year (``_price``), the free allocation a year (``_free``) and what pathway.json says
    of them. The free allocation "ets": the ETS run's allowances of the inventory year, scaled with the
    covered BAU (an intensity benchmark × an output that grows as the covered emissions do)."""
    problems: list[Problem] = []
    series = carbon_series(pw, given, years[0])
    fx = 1.0
    if series.currency and series.currency.upper() != pw.currency.upper():
        if pw.carbon_price_fx is None:
            expected = msg("fiscal.problem.fx", series_currency=series.currency, currency=pw.currency)
            problems.append(_problem("pathway.carbon_price_fx", expected))
        fx = pw.carbon_price_fx or 1.0
    growth = pw.carbon_price_growth
    if any(v <= -1 for v in (growth.values() if isinstance(growth, dict) else [growth])) or growth == {}:
        problems.append(_problem("pathway.carbon_price_growth", msg("fiscal.problem.growth"), growth))
    if pw.carbon_covers is not None:
        try:
            src.parse(pw.carbon_covers)
        except ValueError as exc:
            problems.append(_problem("pathway.carbon_covers", str(exc), pw.carbon_covers))
    if problems:
        raise InputError(problems)
    covered = projection.totals(bau, sources, pw.carbon_covers)
    spec = pw.free_allocation
    if spec == "ets":
        allowance = ((ets or {}).get("totals") or {}).get("allowance_t")
        if allowance is None:
            raise InputError(_problem("pathway.free_allocation", msg("fiscal.problem.free_allocation_ets"), spec))
        base = covered.get(inventory_year) or 0.0
        free = {y: float(allowance) * (covered.get(y, 0.0) / base if base else 1.0) for y in years}
    else:
        free = removals_by_year(spec, years)  # a number, or {year = t} linear between the years
    price = prices.trajectory(series.known(), years, growth, fx)
    return {
        "_price": price,
        "_free": free,
        "series": series.name,
        "series_currency": series.currency or pw.currency,
        "fx": fx,
        "growth": growth,
        "covers": pw.carbon_covers,
        "free_allocation": spec if isinstance(spec, (str, dict)) else float(spec),
        "points": [
            {
                "year": p.year,
                "price": p.price,
                "status": p.status,
                "source": p.source,
                "source_zh": p.source_in("zh"),
                "basis": p.basis,
            }
            for p in series.points
        ],
        "by_year": [{"year": y, "price": price[y], "free_allocation_t": free[y]} for y in years],
    }


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
