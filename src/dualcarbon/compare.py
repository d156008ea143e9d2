"""Year-on-year comparison of two runs: totals, intensity, scopes and categories, and the change of
the location-based total split, source by source, into method, emission-factor and activity effects.

The split is a sequential substitution in a fixed order (method, then factor, then activity), the
order of the GHG Protocol Corporate Standard, ch. 5 ("Tracking emissions over time"): the older
run is first restated with the newer run's methods (as a base-year recalculation would), what is
left of the change in emissions per unit of activity is the factor effect, and what the quantities
add at the newer intensity is the activity effect. For a source s with quantity q and emissions E
(its implied intensity f = E / q), older run 0, newer run 1:

* method  M = E0' − E0, with E0' the older emissions restated: each gas's CO2e scaled by
  GWP1(gas) / GWP0(gas) when the GWP sets differ; when the source's formulas differ (another
  calculation method or tier) the whole change of intensity is method: M = q0 · (f1 − f0); so too,
  with another GWP set, for a source with factors published in CO2e only (gas ``CO2e``: a spend-based
  set's other gases), which the GWP set decides and which cannot be restated gas by gas;
* factor  F = q0 · f1 − E0' (zero when the formulas differ);
* activity A = (q1 − q0) · f1.

M + F + A = q1 · f1 − E0 = E1 − E0 exactly, for every source, so the effects add up to the
change of the total without a residual (the property Ang 2004, "Decomposition analysis for
policymaking in energy", Energy Policy 32, asks of a decomposition; unlike LMDI, Ang 2015, the
substitution also holds for zero and negative values, such as removals). Sources only in the newer
run are *new*, only in the older *dropped*, each on its own line; a changed organisational boundary
is named as a method change of the whole comparison (GHG Protocol ch. 5, structural change).

Pure: two runs' ``summary.json`` (dicts), ``sources.csv`` and, optionally, their emission rows
(frames) in, one comparison (a dict, schema ``dualcarbon.compare/1``) out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import polars as pl

SCHEMA = "dualcarbon.compare/1"

# The totals compared, in summary.json's order.
TOTALS = ("scope1", "scope2_location", "scope2_market", "scope3", "total_location", "total_market", "biogenic_co2")

# A source: one line of sources.csv (activity key, scope, category and the base unit of its quantity).
SOURCE_KEY = ["activity", "scope", "category", "unit"]

# The columns of the per-source decomposition (compare.csv).
SOURCE_COLUMNS = [
    "activity",
    "activity_name_zh",
    "activity_name_en",
    "scope",
    "category",
    "unit",
    "status",
    "quantity_old",
    "quantity_new",
    "co2e_t_old",
    "co2e_t_new",
    "change_t",
    "method_t",
    "factor_t",
    "activity_t",
    "method_reason",
]


@dataclass(frozen=True)
class RunResults:
    """What the comparison reads of one run: its summary, its sources and (optionally) its emission
    rows, of which ``key``, ``scope``, ``category``, ``scope2_method``, ``gas``, ``gwp``, ``co2e_t`` and
    ``formula`` are used."""

    summary: dict
    sources: pl.DataFrame
    emissions: pl.LazyFrame | None = None
    label: str = ""


def _percent(old: float | None, new: float | None) -> float | None:
    if old is None or new is None or old == 0:
        return None
    return (new - old) / abs(old) * 100.0


def _line(old: float | None, new: float | None) -> dict:
    change = None if old is None or new is None else new - old
    return {"old": old, "new": new, "change": change, "change_percent": _percent(old, new)}


def _sources(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(
        pl.col("activity").cast(pl.String),
        pl.col("activity_name_zh").cast(pl.String),
        pl.col("activity_name_en").cast(pl.String),
        pl.col("scope").cast(pl.String),
        pl.col("category").cast(pl.String),
        pl.col("unit").cast(pl.String),
        pl.col("quantity").cast(pl.Float64),
        pl.col("co2e_t").cast(pl.Float64),
    )


def _location_rows(emissions: pl.LazyFrame) -> pl.LazyFrame:
    """The emission rows of the location-based total (sources.csv's co2e_t): every row but Scope 2's market-based."""
    return emissions.filter(pl.col("scope2_method").cast(pl.String).fill_null("") != "market").with_columns(
        pl.col("key").cast(pl.String).alias("activity"),
        pl.col("scope").cast(pl.String),
        pl.col("category").cast(pl.String),
    )


def _formulas(emissions: pl.LazyFrame) -> pl.DataFrame:
    """Per source (activity key, scope, category), its set of formulas, sorted and joined (the calculation
    method and tier of its rows), and whether it has rows published in CO2e only (gas ``CO2e``)."""
    return (
        _location_rows(emissions)
        .group_by("activity", "scope", "category")
        .agg(
            pl.col("formula").cast(pl.String).unique().sort().str.join("\n").alias("formulas"),
            (pl.col("gas").cast(pl.String) == "CO2e").any().alias("co2e_only"),
        )
        .collect()
    )


def _gwp_restated(emissions: pl.LazyFrame, gwp_new: dict[str, float]) -> pl.DataFrame:
    """Per source, the change of its CO2e restated with the GWP values ``gwp_new``: each row's CO2e ×
    (GWP_new / GWP_old − 1); gases without a GWP in either set (CO2e-only rows) are left as they are."""
    table = pl.DataFrame(
        {"gas": list(gwp_new), "gwp_new": [float(v) for v in gwp_new.values()]},
        schema={"gas": pl.String, "gwp_new": pl.Float64},
    ).lazy()
    rows = _location_rows(emissions).with_columns(pl.col("gas").cast(pl.String), pl.col("gwp").cast(pl.Float64))
    return (
        rows.join(table, on="gas", how="left")
        .with_columns(
            pl.when(pl.col("gwp_new").is_not_null() & (pl.col("gwp") > 0))
            .then(pl.col("co2e_t").cast(pl.Float64) * (pl.col("gwp_new") / pl.col("gwp") - 1.0))
            .otherwise(0.0)
            .alias("gwp_method_t")
        )
        .group_by("activity", "scope", "category")
        .agg(pl.col("gwp_method_t").sum())
        .collect()
    )


def decompose(old: RunResults, new: RunResults) -> tuple[pl.DataFrame, list[str]]:
    """One row per source of either run (``SOURCE_COLUMNS``) with its change split into method, factor
    and activity effects (module docstring), and the warnings of what could not be told apart."""
    warnings: list[str] = []
    a = _sources(old.sources)
    b = _sources(new.sources)
    joined = a.join(b, on=SOURCE_KEY, how="full", coalesce=True, suffix="_new").rename(
        {"quantity": "quantity_old", "co2e_t": "co2e_t_old"}
    )
    joined = joined.with_columns(
        pl.coalesce("activity_name_zh_new", "activity_name_zh").alias("activity_name_zh"),
        pl.coalesce("activity_name_en_new", "activity_name_en").alias("activity_name_en"),
    ).drop("activity_name_zh_new", "activity_name_en_new")

    gwp_old, gwp_new = old.summary.get("gwp_set"), new.summary.get("gwp_set")
    gwp_changed = gwp_old != gwp_new
    formula_known = old.emissions is not None and new.emissions is not None
    keys = ["activity", "scope", "category"]
    if formula_known:
        assert old.emissions is not None and new.emissions is not None
        fa = _formulas(old.emissions).rename({"formulas": "formulas_old", "co2e_only": "co2e_only_old"})
        fb = _formulas(new.emissions).rename({"formulas": "formulas_new", "co2e_only": "co2e_only_new"})
        joined = joined.join(fa, on=keys, how="left").join(fb, on=keys, how="left")
        formula_changed = (
            pl.col("formulas_old").is_not_null()
            & pl.col("formulas_new").is_not_null()
            & (pl.col("formulas_old") != pl.col("formulas_new"))
        )
        # Factors published in CO2e (a spend-based set's other gases) follow the GWP set the run chose, and
        # cannot be restated gas by gas: with another GWP set their whole change of intensity is method.
        co2e_only = pl.col("co2e_only_old").fill_null(False) | pl.col("co2e_only_new").fill_null(False)
    else:
        warnings.append("no_emission_rows")
        formula_changed = pl.lit(False)
        co2e_only = pl.lit(False)
    if gwp_changed and old.emissions is not None:
        restated = _gwp_restated(old.emissions, new.summary.get("gwp_values") or {})
        joined = joined.join(restated, on=keys, how="left").with_columns(pl.col("gwp_method_t").fill_null(0.0))
        gwp_whole = pl.lit(False)
    else:
        joined = joined.with_columns(pl.lit(0.0).alias("gwp_method_t"))
        # The GWP sets differ but the older run's gases are unknown: its whole change of intensity is method.
        gwp_whole = pl.lit(gwp_changed)
        if gwp_changed:
            warnings.append("gwp_without_emission_rows")

    continuing = pl.col("co2e_t_old").is_not_null() & pl.col("co2e_t_new").is_not_null()
    q0, q1 = pl.col("quantity_old"), pl.col("quantity_new")
    e0, e1 = pl.col("co2e_t_old"), pl.col("co2e_t_new")
    # q0 · f1: the older quantity at the newer intensity (E0 when the newer run has no quantity to divide by).
    q0f1 = pl.when(q1 != 0).then(q0 * e1 / q1).otherwise(e0 + pl.col("gwp_method_t"))
    whole = formula_changed | gwp_whole | (co2e_only & pl.lit(gwp_changed))
    method = pl.when(whole).then(q0f1 - e0).otherwise(pl.col("gwp_method_t"))
    factor = pl.when(whole).then(0.0).otherwise(q0f1 - e0 - pl.col("gwp_method_t"))
    reason = (
        pl.when(formula_changed & pl.lit(gwp_changed))
        .then(pl.lit("gwp_formula"))
        .when(formula_changed)
        .then(pl.lit("formula"))
        .when(pl.lit(gwp_changed) & ((pl.col("gwp_method_t") != 0) | gwp_whole | co2e_only))
        .then(pl.lit("gwp"))
        .otherwise(pl.lit(None, pl.String))
    )
    joined = joined.with_columns(
        pl.when(continuing)
        .then(pl.lit("continuing"))
        .when(pl.col("co2e_t_old").is_null())
        .then(pl.lit("new"))
        .otherwise(pl.lit("dropped"))
        .alias("status"),
        (e1.fill_null(0.0) - e0.fill_null(0.0)).alias("change_t"),
        pl.when(continuing).then(method).otherwise(None).alias("method_t"),
        pl.when(continuing).then(factor).otherwise(None).alias("factor_t"),
        pl.when(continuing).then(reason).otherwise(None).alias("method_reason"),
    ).with_columns(
        pl.when(continuing)
        .then(pl.col("change_t") - pl.col("method_t") - pl.col("factor_t"))
        .otherwise(None)
        .alias("activity_t"),
    )
    order = pl.col("change_t").abs()
    return joined.sort([order, "activity", "scope", "category"], descending=[True, False, False, False]).select(
        SOURCE_COLUMNS
    ), warnings


def _intensity(old: dict, new: dict) -> list[dict]:
    """summary.json ``intensity.products`` of both runs, product by product (matched by id)."""

    def products(summary: dict) -> dict[str, dict]:
        block = summary.get("intensity") or {}
        return {p["id"]: p for p in block.get("products") or []}

    a, b = products(old), products(new)

    def value(p: dict | None, key: str) -> float | None:
        return None if p is None else p.get(key)

    lines = []
    for pid in [*a, *(p for p in b if p not in a)]:
        pa, pb = a.get(pid), b.get(pid)
        ref = pb or pa or {}
        lines.append(
            {
                "id": pid,
                "name_zh": ref.get("name_zh"),
                "name_en": ref.get("name_en"),
                "unit": ref.get("unit"),
                "quantity": _line(value(pa, "quantity"), value(pb, "quantity")),
                "emissions_t": _line(value(pa, "emissions_t"), value(pb, "emissions_t")),
                "intensity_t": _line(value(pa, "intensity_t"), value(pb, "intensity_t")),
            }
        )
    return lines


def _categories(old: dict, new: dict) -> list[dict]:
    def table(summary: dict) -> dict[tuple[str, str], float]:
        return {(str(c["scope"]), str(c["category"])): float(c["co2e_t"]) for c in summary.get("by_category") or []}

    a, b = table(old), table(new)
    keys = sorted(set(a) | set(b))
    return [{"scope": s, "category": c, **_line(a.get((s, c), 0.0), b.get((s, c), 0.0))} for s, c in keys]


def _run(results: RunResults) -> dict:
    s = results.summary
    org = s.get("organization") or {}
    return {
        "label": results.label,
        "organization": org.get("name"),
        "organization_en": org.get("name_en"),
        "boundary": org.get("boundary"),
        "period": s.get("period"),
        "gwp_set": s.get("gwp_set"),
        "factor_sets": [f"{f.get('dataset')} {f.get('version')}" for f in s.get("factor_sets") or []],
    }


def _finite(value: object) -> object:
    """NaN and infinities (0/0 of an empty source) as null, so the JSON stays valid."""
    return None if isinstance(value, float) and not math.isfinite(value) else value


def compare(old: RunResults, new: RunResults) -> dict:
    """The comparison of two runs (module docstring): schema ``dualcarbon.compare/1``."""
    sources, warnings = decompose(old, new)
    a, b = old.summary.get("totals") or {}, new.summary.get("totals") or {}
    totals = [{"item": k, **_line(a.get(k), b.get(k))} for k in TOTALS if k in a or k in b]

    def total(status: str, column: str) -> float:
        return float(sources.filter(pl.col("status") == status)[column].sum())

    change_sources = float(sources["change_t"].sum())
    total_change = (b.get("total_location") or 0.0) - (a.get("total_location") or 0.0)
    decomposition = {
        "total_change_t": total_change,
        "method_t": total("continuing", "method_t"),
        "factor_t": total("continuing", "factor_t"),
        "activity_t": total("continuing", "activity_t"),
        "new_sources_t": total("new", "change_t"),
        "dropped_sources_t": total("dropped", "change_t"),
        # What the sources do not explain of the total (zero when both sources.csv list every source).
        "other_t": total_change - change_sources,
    }
    boundary_old = (old.summary.get("organization") or {}).get("boundary")
    boundary_new = (new.summary.get("organization") or {}).get("boundary")
    method_changes = {
        "gwp_set": None
        if old.summary.get("gwp_set") == new.summary.get("gwp_set")
        else [old.summary.get("gwp_set"), new.summary.get("gwp_set")],
        "boundary": None if boundary_old == boundary_new else [boundary_old, boundary_new],
        "formula_sources": int(sources.filter(pl.col("method_reason").str.contains("formula").fill_null(False)).height),
    }
    rows = [{k: _finite(v) for k, v in row.items()} for row in sources.to_dicts()]
    return {
        "schema": SCHEMA,
        "old": _run(old),
        "new": _run(new),
        "method_changes": method_changes,
        "totals": totals,
        "intensity": _intensity(old.summary, new.summary),
        "by_category": _categories(old.summary, new.summary),
        "decomposition": decomposition,
        "sources": rows,
        "warnings": warnings,
    }
