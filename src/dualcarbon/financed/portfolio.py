"""A project's financed emissions (docs/financed.md): ``holdings.csv`` (with ``[financed]``'s benchmark and
comparison-year holdings) read, attributed, scored and summed into ``summary.json`` ``financed`` and
``financed.csv``. The edge between the project folder and the pure ``attribution``, ``quality`` and
``metrics``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from dualcarbon.errors import InputError, Problem, msg
from dualcarbon.financed import attribution, issuers, metrics, quality
from dualcarbon.financed import holdings as holdings_table
from dualcarbon.project import reader
from dualcarbon.project.limits import ReadLimits

#: financed.csv's columns, in order.
COLUMNS = [
    "id",
    "asset_class",
    "counterparty",
    "sector",
    "year",
    "outstanding",
    "denominator_kind",
    "denominator",
    "attribution",
    "capped",
    "counterparty_over_100",
    "emissions_t",
    "estimated",
    "financed_t",
    "scope3",
    "scope3_required",
    "financed_scope3_t",
    "lulucf",
    "financed_lulucf_t",
    "emissions_basis",
    "score",
    "pcaf_option",
]


@dataclass
class Portfolio:
    """The attributed and scored holdings (``table``, financed.csv) and ``summary.json`` ``financed`` (``summary``)."""

    table: pl.DataFrame
    summary: dict


def _peers(*frames: pl.DataFrame) -> pl.DataFrame:
    cols = ["counterparty", "sector", "revenue", "scope1", "scope2", "emissions_basis"]
    return attribution.sector_intensity(pl.concat([f.select(cols) for f in frames if f.height], how="vertical"))


def _unestimated(frame: pl.DataFrame, name: str) -> list[Problem]:
    """Rows left without emissions: a sector-average estimate whose sector has no reporting peer."""
    return [
        Problem(name, r["_row"], "sector", r["sector"], msg("financed.problem.no_peer", sector=r["sector"]))
        for r in frame.filter(pl.col("emissions_t").is_null()).head(200).iter_rows(named=True)
    ]


def _benchmark_emissions(b: pl.DataFrame, intensities: pl.DataFrame) -> pl.DataFrame:
    return b.join(intensities, on="sector", how="left").with_columns(
        pl.when(pl.col("scope1").is_null() & pl.col("scope2").is_null())
        .then(pl.col("revenue") * pl.col("t_per_revenue"))
        .otherwise(pl.col("scope1").fill_null(0.0) + pl.col("scope2").fill_null(0.0))
        .alias("emissions_t")
    )


def assess(root: Path, settings, limits: ReadLimits = reader.DEFAULT_LIMITS) -> Portfolio | None:  # noqa: ANN001
    """The project's financed emissions, or None without a holdings file; InputError naming every problem of
    the holdings, the benchmark and the comparison year's holdings."""
    root = Path(root)
    path = holdings_table.find(root)
    if path is None:
        return None
    conf = settings.financed
    reporting_year = settings.period.end.year
    problems: list[Problem] = []
    current, found = holdings_table.load_holdings(path, path.name, limits)
    problems += found
    scope2 = conf.issuer_scope2 if conf is not None else "location"
    inside_only = limits.origin == "this server"  # a server's project is one tenant's folder
    if not found:
        current, found = issuers.join(current, root, path.name, scope2, inside_only)
        problems += found
    bench = None
    if conf is not None and conf.benchmark:
        bench, found = _load_other(root, conf.benchmark, holdings_table.load_benchmark, limits)
        problems += found
    prev = None
    if conf is not None and conf.previous:
        prev, found = _load_other(root, conf.previous, holdings_table.load_holdings, limits)
        problems += found
        if prev is not None and not found:
            prev, found = issuers.join(prev, root, str(conf.previous), scope2, inside_only)
            problems += found
    if problems:
        raise InputError(problems)
    bench_frame = bench if bench is not None else pl.DataFrame(schema=holdings_table.BENCHMARK_SCHEMA)
    attributed = attribution.attribute(current, reporting_year, _peers(current, bench_frame))
    problems += _unestimated(attributed, path.name)
    previous = None
    if prev is not None:
        previous = attribution.attribute(prev, reporting_year - 1, _peers(prev))
        problems += _unestimated(previous, str(conf.previous))
    bench_rows = None
    if bench is not None:
        bench_rows = _benchmark_emissions(bench, _peers(current, bench))
        problems += _unestimated(bench_rows, str(conf.benchmark))
    if problems:
        raise InputError(problems)
    scored = quality.score(attributed)
    return Portfolio(scored.select(COLUMNS), summarize(scored, bench_rows, previous))


def _load_other(root: Path, relative: str, load, limits: ReadLimits):  # noqa: ANN001, ANN202
    path = root / relative
    if not path.is_file():
        return None, [Problem(relative, None, None, None, msg("financed.problem.missing_file"))]
    return load(path, relative, limits)


def summarize(
    scored: pl.DataFrame, benchmark: pl.DataFrame | None = None, previous: pl.DataFrame | None = None
) -> dict:
    """``summary.json`` ``financed`` (DESIGN.md, pinned keys first, extended after)."""
    totals = metrics.absolute(scored)
    outstanding = float(scored["outstanding"].sum())
    currency = scored["currency"].drop_nulls()
    by_class = (
        scored.group_by("asset_class")
        .agg(
            pl.col("outstanding").sum(),
            pl.col("financed_t").sum(),
            pl.col("financed_scope3_t").filter(pl.col("scope3_required")).sum().alias("financed_scope3_t"),
            pl.len().alias("holdings"),
        )
        .sort("asset_class")
    )
    by_sector = (
        scored.with_columns(pl.col("sector").fill_null("other"))
        .group_by("sector")
        .agg(pl.col("outstanding").sum(), pl.col("financed_t").sum(), pl.len().alias("holdings"))
        .sort("financed_t", descending=True)
    )
    flags = [
        {"id": r["id"], "flag": flag}
        for flag in ("capped", "counterparty_over_100")
        for r in scored.filter(pl.col(flag)).select("id").iter_rows(named=True)
    ]
    benchmark_block = None if benchmark is None else metrics.compare(scored, benchmark)
    names = {r["sector"]: r for r in holdings_table.sectors().iter_rows(named=True)}
    for row in [*(benchmark_block or {}).get("by_sector", [])]:  # display names from sectors.csv, both languages
        known = names.get(row["sector"], {})
        row["name_zh"], row["name_en"] = known.get("name_zh", row["sector"]), known.get("name_en", row["sector"])
    return {
        "total_t": totals["total_t"],
        "total_scope3_t": totals["total_scope3_t"],
        "per_million_invested_t": metrics.per_million_invested(totals["total_t"], outstanding),
        "waci_t_per_million_revenue": metrics.waci(scored),
        "data_quality": {
            "weighted": quality.weighted(scored),
            "by_asset_class": quality.by(scored, "asset_class"),
            "by_sector": quality.by(scored, "sector"),
            "by_scope": quality.by_scope(scored),
        },
        "by_holding": scored.select(COLUMNS).to_dicts(),
        "currency": currency[0] if currency.len() else None,
        "outstanding": outstanding,
        "holdings": scored.height,
        "lulucf_t": totals["lulucf_t"],
        "total_with_lulucf_t": totals["total_t"] + totals["lulucf_t"],
        "by_asset_class": by_class.to_dicts(),
        "by_sector": by_sector.to_dicts(),
        "flags": flags,
        "benchmark": benchmark_block,
        "change": None if previous is None else metrics.change(previous, scored),
    }


def check_upload(root: Path, settings, relative: str, limits: ReadLimits = reader.DEFAULT_LIMITS) -> int:  # noqa: ANN001
    """An uploaded holdings-kind file checked alone (the API's upload validation): the benchmark or the
    comparison year's holdings where ``[financed]`` names it, else ``holdings.*``; its number of rows, or
    InputError with every problem."""
    conf = settings.financed
    name = Path(relative).name
    if conf is not None and conf.benchmark and Path(conf.benchmark).name == name:
        frame, problems = holdings_table.load_benchmark(Path(root) / relative, name, limits)
    elif (conf is not None and conf.previous and Path(conf.previous).name == name) or Path(name).stem == "holdings":
        frame, problems = holdings_table.load_holdings(Path(root) / relative, name, limits)
    else:
        raise InputError.single(msg("financed.problem.unnamed_file"), file=name)
    if problems:
        raise InputError(problems)
    return frame.height
