"""Shared pieces of the calculation methods: requests, emission-row shape, unresolved rows."""

from __future__ import annotations

from typing import Any

import polars as pl

from dualcarbon.errors import Msg, Problem, msg

REQUEST_KEYS = ["key", "region", "year", "sector", "dimension"]

# One row per activity × gas; the engine adds GWP and CO2e.
EMISSION_COLUMNS = {
    "_idx": pl.UInt32,
    "gas": pl.String,
    "mass_t": pl.Float64,
    "scope2_method": pl.String,
    "factor_ids": pl.String,
    "factor_sets": pl.String,
    "region_used": pl.String,
    "year_used": pl.Int32,
    "formula": pl.String,
    "parameters": pl.String,
    # Set by methods whose emissions fall in another year than the activity's (first-order decay of
    # waste deposited earlier: the year the CH4 is emitted), else null.
    "period_year": pl.Int32,
    # Set by methods whose gases fall in another IPCC category than the row's sector (indirect N2O of
    # manure management, 3.C.6), else null; a territory reports by this code.
    "ipcc_category": pl.String,
    # Energy of the fuel burnt (GJ, on the CO2 row of a combustion record only), for a territory's
    # energy consumption in tce; null elsewhere.
    "energy_gj": pl.Float64,
    # Set by methods that split one activity's CO2 into fossil and biogenic parts (waste incineration,
    # IPCC 2006 Vol. 5 Eq. 5.1), else null: the activity's catalogue flag decides.
    "biogenic": pl.Boolean,
}

KG_PER_T = 1000.0
CO2_PER_C = 44.0 / 12.0  # molar mass ratio CO2/C (IPCC 2006 Vol. 2 Ch. 1 Eq. 1.1 note; GB/T 32150 §8)


def with_requests(acts: pl.DataFrame, keys: list[str] = REQUEST_KEYS) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Distinct request rows (a small dimension table) and the activities tagged with ``req_id``."""
    reqs = acts.select(keys).unique(maintain_order=True).with_row_index("req_id")
    return acts.join(reqs, on=keys, how="left", nulls_equal=True), reqs


def empty_emissions() -> pl.DataFrame:
    return pl.DataFrame(schema=EMISSION_COLUMNS)


def shape(frame: pl.DataFrame) -> pl.DataFrame:
    """Select and cast to the emission-row columns (missing ones become null)."""
    cols = []
    for name, dtype in EMISSION_COLUMNS.items():
        if name in frame.columns:
            cols.append(pl.col(name).cast(dtype))
        else:
            cols.append(pl.lit(None, dtype).alias(name))
    return frame.select(cols)


def fmt(expr: pl.Expr, digits: int = 6) -> pl.Expr:
    """A number as short text for the trace (``digits`` significant digits), vectorised."""
    return expr.round_sig_figs(digits).cast(pl.String)


WHAT = {  # what was not found → problem.what.<key>
    "emission factor": "factor",
    "CO2 emission factor or carbon content": "co2",
    "clinker emission factor or oxide analysis (clinker_cao)": "clinker",
}


def unresolved_problems(
    acts: pl.DataFrame, resolved_idx: pl.Series, what: str, factor_sets: list[str]
) -> list[Problem]:
    """A problem for every activity row that found no factor, naming its file and row."""
    missing = acts.filter(~pl.col("_idx").is_in(resolved_idx.implode()))
    problems = []
    for row in (
        missing.select("_file", "_row", "activity", "key", "region", "year", "unit").head(200).iter_rows(named=True)
    ):
        problems.append(
            Problem(
                row["_file"],
                row["_row"],
                "activity",
                row["activity"],
                msg(
                    "problem.no_factor",
                    what=msg(f"problem.what.{WHAT.get(what, 'factor')}"),
                    key=row["key"],
                    region=row["region"],
                    year=row["year"],
                    unit=row["unit"],
                    sets=", ".join(factor_sets),
                ),
            )
        )
    return problems


def warning(code: str, key: str, /, **fields: Any) -> dict[str, str]:
    """A warning of the run (summary.json ``warnings``): its code and the catalogue message ``key`` in
    English and Chinese (a field that is a ``msg`` is rendered in each language)."""
    message = Msg(key, fields)
    return {"code": code, "message_en": message.render("en"), "message_zh": message.render("zh")}
