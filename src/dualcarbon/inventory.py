"""Inventory totals from emission rows: scopes, categories, gases, facilities, months.

GHG Protocol Corporate Standard Ch. 9 (report Scopes 1 and 2 separately, biogenic CO2
outside the scopes), Scope 2 Guidance §7.1 (dual reporting: location- and market-based) and
ISO 14064-1:2018 §5.2.4 (categories 1-6). Scope 2 rows are either location-based
(``scope2_method`` = location), market-based (market) or both (null, e.g. purchased heat).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import polars as pl

from dualcarbon import __version__, units
from dualcarbon.factors.library import FactorLibrary
from dualcarbon.gas_groups import CO2E_ONLY, by_gas_group
from dualcarbon.model import Settings
from dualcarbon.sums import exact_sum, total

SCHEMA = "dualcarbon.summary/1"
#: ``summary.json`` ``by_facility`` lists every facility up to this many; above, the ``TOP`` largest and one
#: record of the rest, and the report shows as many facilities and activity sources (facilities.csv and
#: sources.csv hold them all). 50 rows are about two A4 pages of the report and 9 KB of JSON; every bundled
#: example has fewer than 10 facilities, so its summary lists them all as before.
TOP = 50
FACILITY_COLUMNS = ["scope1", "scope2_location", "scope2_market", "scope3"]


@dataclass
class Inventory:
    summary: dict
    inventory: pl.DataFrame
    by_source: pl.DataFrame
    factor_sources: pl.DataFrame
    #: every facility (``facility_table``): facilities.csv, of which ``summary["by_facility"]`` lists the largest
    facilities: pl.DataFrame


def _counted(method: str) -> pl.Expr:
    """Rows that count towards a total under one Scope 2 method (biogenic CO2 never counts)."""
    return ~pl.col("biogenic") & (pl.col("scope2_method").is_null() | (pl.col("scope2_method") == method))


def _sum(frame: pl.DataFrame, expr: pl.Expr) -> float:
    return total(frame.filter(expr)["co2e_t"])


def facility_lines(emissions: pl.DataFrame) -> pl.DataFrame:
    """CO2e by facility and inventory line, straight from emission rows (biogenic CO2 excluded)."""
    return (
        emissions.filter(~pl.col("biogenic"))
        .group_by(pl.col("facility").fill_null(""), "scope", "category", "iso_category", "scope2_method")
        .agg(exact_sum("co2e_t"))
    )


def summarize(
    emissions: pl.DataFrame,
    settings: Settings,
    library: FactorLibrary,
    warnings: list[dict],
    activity_rows: int,
    lines: pl.DataFrame | None = None,
) -> Inventory:
    """The ``summary.json`` record and the aggregated frames behind outputs and the report.

    ``lines``: CO2e by facility and inventory line (facility, scope, category, iso_category, scope2_method) when the emission rows
    are groups spanning facilities; computed from ``emissions`` otherwise.
    """
    # Aggregations read a narrow frame: filters then copy numbers and codes, not the trace text.
    narrow = [
        "_idx",
        "_n",
        "key",
        "gas",
        "scope",
        "category",
        "iso_category",
        "facility",
        "month",
        "year",
        "scope2_method",
        "biogenic",
        "mass_t",
        "co2e_t",
        "quantity_base",
        "dimension",
    ]
    e = emissions.select([c for c in narrow if c in emissions.columns])
    loc = _counted("location")
    totals = totals_of(e)

    located = e.filter(loc)
    by_gas = (
        located.group_by("gas")
        .agg(exact_sum("mass_t"), exact_sum("co2e_t"))
        .sort("co2e_t", "gas", descending=[True, False])
    )
    co2e_only_t = float(by_gas.filter(pl.col("gas") == CO2E_ONLY)["co2e_t"].sum())
    by_category = (
        e.filter(~pl.col("biogenic"))
        .group_by("scope", "category", "scope2_method")
        .agg(exact_sum("co2e_t"))
        .sort("scope", "category", "scope2_method", nulls_last=False)
    )
    by_iso = located.group_by("iso_category").agg(exact_sum("co2e_t")).sort("iso_category")
    if lines is None:
        lines = facility_lines(e)
    inventory = lines.select("scope", "category", "iso_category", "facility", "scope2_method", "co2e_t").sort(
        "scope", "category", "facility", "scope2_method", "iso_category", nulls_last=False
    )
    facilities = facility_table(lines)
    summary = {
        "schema": SCHEMA,
        "generator": f"dualcarbon {__version__}",
        "organization": {
            "name": settings.organization.name,
            "name_en": settings.organization.name_en,
            "boundary": settings.organization.boundary,
            "country": settings.organization.country,
            "region": settings.organization.region,
            "sector": settings.organization.sector,
        },
        "method": {"factor_sets": settings.factor_sets(), "proxy_regions": list(settings.method.proxy_regions)},
        "period": {"start": settings.period.start.isoformat(), "end": settings.period.end.isoformat()},
        "gwp_set": settings.method.gwp,
        "unit": "t CO2e",
        "scope2_headline": settings.method.scope2,
        "totals": totals,
        # factors published only as CO2e are not a gas: apart from by_gas (gas_groups.py)
        "by_gas": [
            {"gas": r["gas"], "mass_t": r["mass_t"], "co2e_t": r["co2e_t"]}
            for r in by_gas.iter_rows(named=True)
            if r["gas"] != CO2E_ONLY
        ],
        "co2e_only_t": co2e_only_t,
        "by_gas_group": by_gas_group(
            [
                {"gas": r["gas"], "mass_t": r["mass_t"], "co2e_t": r["co2e_t"]}
                for r in by_gas.iter_rows(named=True)
                if r["gas"] != CO2E_ONLY
            ],
            co2e_only_t,
        ),
        "by_category": [_category_record(r) for r in by_category.iter_rows(named=True)],
        "by_iso_category": by_iso.rename({"iso_category": "category"}).to_dicts(),
        "by_facility": listed_facilities(facilities),
        "facilities": facilities.height,
        "by_facility_complete": facilities.height <= TOP,
        "by_month": _by_month(e),
        "factor_sets": _factor_sets(emissions, library),
        "by_method": methods_used(emissions),
        "gwp_values": _gwp_values(emissions),
        "warnings": warnings,
        "activity_rows": activity_rows,
        "emission_rows": int(e["_n"].sum()) if "_n" in e.columns else e.height,
        "by_year": by_year(e, settings),
        "territory": None,
        "intensity": None,  # per unit of product, from [output] (project.job; intensity.summarize)
        "neutrality": None,
    }
    return Inventory(summary, inventory, _by_source(e, library), _factor_sources(emissions, library), facilities)


TOTAL_KEYS = ["scope1", "scope2_location", "scope2_market", "scope3", "total_location", "total_market", "biogenic_co2"]


def totals_of(e: pl.DataFrame) -> dict[str, float]:
    """Scope 1, Scope 2 (location- and market-based), Scope 3, the two totals and biogenic CO2 (outside
    the scopes) of emission rows (GHG Protocol Corporate Standard Ch. 9; Scope 2 Guidance §7.1)."""
    loc, mkt = _counted("location"), _counted("market")
    scope = pl.col("scope")
    totals = {
        "scope1": _sum(e, loc & (scope == "1")),
        "scope2_location": _sum(e, loc & (scope == "2")),
        "scope2_market": _sum(e, mkt & (scope == "2")),
        "scope3": _sum(e, loc & (scope == "3")),
        "biogenic_co2": total(e.filter(pl.col("biogenic"))["mass_t"]),
    }
    totals["total_location"] = totals["scope1"] + totals["scope2_location"] + totals["scope3"]
    totals["total_market"] = totals["scope1"] + totals["scope2_market"] + totals["scope3"]
    return {k: totals[k] for k in TOTAL_KEYS}


def years_of(e: pl.DataFrame, settings: Settings) -> list[int]:
    """The period's calendar years, and any other year an emission falls in."""
    found = {int(y) for y in e["year"].drop_nulls().unique().to_list()} if "year" in e.columns else set()
    return sorted(set(settings.period.years) | found)


def by_year(e: pl.DataFrame, settings: Settings) -> list[dict]:
    """``summary.json`` ``by_year``: the totals of each calendar year, by the year an emission occurs
    (the methane of waste deposited earlier falls in the year the method says); ``territory`` is
    filled for a territory (``territory.summary``)."""
    if "year" not in e.columns:  # rows without their year (hand-made frames): only a one-year period is known
        years = settings.period.years
        return [{"year": years[0], **totals_of(e), "territory": None}] if len(years) == 1 else []
    return [{"year": y, **totals_of(e.filter(pl.col("year") == y)), "territory": None} for y in years_of(e, settings)]


def _category_record(row: dict) -> dict:
    record = {"scope": row["scope"], "category": row["category"], "co2e_t": row["co2e_t"]}
    if row["scope"] == "2":
        record["scope2_method"] = row["scope2_method"] or "both"
    return record


METHOD_KEYS = ["scope", "category", "kind", "scope2_method", "formula"]


def methods_used(emissions: pl.DataFrame) -> list[dict]:
    """Each calculation method applied in each category, as the trace states it: the formula (with
    its standard and clause), the gases, the activity records, the CO2e it gave (biogenic CO2
    excluded, GHG Protocol Corporate Standard Ch. 9) and the ids of the factors it used.

    A verifier reads, per category, which formula and which factors produced its figure.
    """
    keys = [k for k in METHOD_KEYS if k in emissions.columns]
    n = pl.col("_n") if "_n" in emissions.columns else pl.lit(1, pl.Int64)
    first = pl.col("_idx").is_first_distinct()  # one row per activity record (a group stands for _n)
    out = (
        emissions.group_by(keys)
        .agg(
            exact_sum(pl.col("co2e_t").filter(~pl.col("biogenic"))),
            n.filter(first).sum().alias("records"),
            pl.col("gas").unique().sort().alias("gases"),
            pl.col("factor_ids").drop_nulls().unique(),
        )
        .sort(
            "scope",
            "category",
            "scope2_method",
            "co2e_t",
            "kind",
            "formula",
            descending=[False, False, False, True, False, False],
            nulls_last=False,
        )
    )
    methods = out.to_dicts()  # a few rows per category: the trace's "a; b+c" id lists split here
    for m in methods:
        m["factor_ids"] = sorted(
            {i.strip() for ids in m["factor_ids"] for part in ids.split(";") for i in part.split("+")}
        )
    return methods


def _gwp_values(emissions: pl.DataFrame) -> dict[str, float]:
    """The GWP (100-year, the project's set) of each gas in the inventory, as the rows applied it."""
    if "gwp" not in emissions.columns:
        return {}
    pairs = emissions.select("gas", "gwp").unique().sort("gas")
    return {r["gas"]: r["gwp"] for r in pairs.iter_rows(named=True)}


def _split_frame(frame: pl.DataFrame, by: str) -> pl.DataFrame:
    """CO2e by ``by``: Scope 1, Scope 2 location- and market-based, Scope 3."""
    loc, mkt = _counted("location"), _counted("market")
    scope = pl.col("scope")
    return frame.group_by(by).agg(
        exact_sum(pl.col("co2e_t").filter(loc & (scope == "1"))).alias("scope1"),
        exact_sum(pl.col("co2e_t").filter(loc & (scope == "2"))).alias("scope2_location"),
        exact_sum(pl.col("co2e_t").filter(mkt & (scope == "2"))).alias("scope2_market"),
        exact_sum(pl.col("co2e_t").filter(loc & (scope == "3"))).alias("scope3"),
    )


def _split_columns(frame: pl.DataFrame, by: str) -> list[dict]:
    return _split_frame(frame, by).sort(by).to_dicts()


def facility_table(lines: pl.DataFrame) -> pl.DataFrame:
    """Every facility's CO2e (facilities.csv): Scope 1, Scope 2 both ways, Scope 3 and the two totals, the
    largest location-based total first (ties by name). ``lines``: CO2e by facility and inventory line."""
    split = _split_frame(lines.with_columns(pl.lit(False).alias("biogenic")), "facility")
    return split.with_columns(
        (pl.col("scope1") + pl.col("scope2_location") + pl.col("scope3")).alias("total_location"),
        (pl.col("scope1") + pl.col("scope2_market") + pl.col("scope3")).alias("total_market"),
    ).sort(["total_location", "facility"], descending=[True, False], nulls_last=True)


def listed_facilities(facilities: pl.DataFrame, top: int = TOP) -> list[dict]:
    """``summary.json`` ``by_facility`` of a ``facility_table``: every facility by name when there are at most
    ``top`` (as before the table had a bound); otherwise the ``top`` largest, largest first, and one record
    of the others: ``facility`` null, ``facilities`` their number, each column the sum of every facility less
    the listed ones, correctly rounded, so that the records add up (``math.fsum``) to the last digit to the
    sum of every facility's, as the complete list did."""
    columns = ["facility", *FACILITY_COLUMNS]
    if facilities.height <= top:
        return facilities.select(columns).sort("facility", nulls_last=False).to_dicts()
    listed = facilities.head(top).select(columns).to_dicts()
    others: dict = {"facility": None, "facilities": facilities.height - top}
    for c in FACILITY_COLUMNS:
        every = math.fsum(facilities[c].to_list())
        others[c] = math.fsum([every, *(-r[c] for r in listed)])
    return [*listed, others]


def _by_month(e: pl.DataFrame) -> list[dict]:
    return _split_columns(e, "month")


def _factor_sets(e: pl.DataFrame, library: FactorLibrary) -> list[dict]:
    """Factor sets that supplied at least one factor, with version and content hash."""
    used: set[str] = set()
    for value in e["factor_sets"].drop_nulls().unique().to_list():
        used.update(v.strip() for v in value.split(";"))
    return [
        {"factor_set": s.factor_set, "dataset": s.dataset, "version": s.version, "sha256": s.sha256}
        for name, s in library.sets.items()
        if name in used
    ]


def _by_source(e: pl.DataFrame, library: FactorLibrary) -> pl.DataFrame:
    names = library.catalog.select(
        pl.col("key").alias("activity"),
        pl.col("name_en").alias("activity_name_en"),
        pl.col("name_zh").alias("activity_name_zh"),
        pl.col("kind").alias("activity_kind"),
    )
    located = e.filter(_counted("location"))
    # quantities in the base unit of their dimension, so kWh and 万千瓦时 add up correctly
    qty = (
        e.select("_idx", "key", "quantity_base", "dimension")
        .unique(subset=["_idx"])
        .group_by("key")
        .agg(exact_sum("quantity_base").alias("quantity"), pl.col("dimension").first())
        .with_columns(pl.col("dimension").replace_strict(units.BASE_UNITS, default=None).alias("unit"))
        .drop("dimension")
    )
    return (
        located.group_by("key", "scope", "category")
        .agg(exact_sum("co2e_t"))
        .join(qty, on="key", how="left")
        .rename({"key": "activity"})
        .join(names, on="activity", how="left")
        .sort("co2e_t", "activity", "scope", "category", descending=[True, False, False, False])
    )


def _factor_sources(e: pl.DataFrame, library: FactorLibrary) -> pl.DataFrame:
    """The distinct bundled/project factors used, with their citation, for the report."""
    ids = set()
    for value in e["factor_ids"].drop_nulls().unique().to_list():
        for part in value.replace("+", ";").split(";"):
            ids.add(part.strip())
    f = library.factors.filter(pl.col("factor_id").is_in(list(ids)))
    return f.select(
        pl.col("key").alias("activity"),
        "gas",
        "factor_set",
        "dataset",
        "version",
        "table",
        "citation",
        "check",
        "value",
        pl.concat_str(["unit_numerator", "unit_denominator"], separator=" / ", ignore_nulls=True).alias("unit"),
        "region",
        "year",
        "factor_id",
        "mapping_note",
    ).sort("activity", "gas", "factor_id")
