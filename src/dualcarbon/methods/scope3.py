"""Scope 3 spend-based method with EEIO factors: currency and price year made explicit.

GHG Protocol Scope 3 Calculation Guidance, Cat. 1 spend-based method: E = Σ spend × EEIO factor.
USEEIO / US EPA Supply Chain GHG Emission Factors v1.3.0 are in kg per 2022 US dollar at
purchaser price. A spend in another currency is converted at the reporting year's average
exchange rate, then deflated from the spend year to the factor's price year with a price index:
spend_USD(py) = spend × rate(year) × index(py) / index(year).
"""

from __future__ import annotations

import polars as pl

from dualcarbon.errors import Problem, msg


def to_factor_dollars(
    acts: pl.DataFrame, rates: pl.DataFrame, index: pl.DataFrame, factor_price_year: int
) -> tuple[pl.DataFrame, list[Problem]]:
    """Spend rows re-expressed in USD of the factor's price year (``dimension`` → currency:USD).

    ``rates``: ``currency``, ``year``, ``usd_per_unit``; ``index``: ``year``, ``value``.
    """
    currency = pl.col("dimension").str.strip_prefix("currency:")
    acts = acts.with_columns(currency.alias("currency"))
    joined = acts.join(rates, on=["currency", "year"], how="left").with_columns(
        pl.when(pl.col("currency") == "USD").then(1.0).otherwise(pl.col("usd_per_unit")).alias("usd_per_unit")
    )
    base = index.filter(pl.col("year") == factor_price_year)["value"]
    joined = joined.join(index.rename({"value": "index_year"}), on="year", how="left").with_columns(
        pl.lit(base[0] if base.len() else None, pl.Float64).alias("index_base")
    )
    problems = []
    for row in (
        joined.filter(pl.col("usd_per_unit").is_null() | pl.col("index_year").is_null()).head(100).iter_rows(named=True)
    ):
        missing = msg("problem.what.exchange_rate" if row["usd_per_unit"] is None else "problem.what.price_index")
        problems.append(
            Problem(
                row["_file"],
                row["_row"],
                "unit",
                row["unit"],
                msg("problem.no_spend_table", missing=missing, currency=row["currency"], year=row["year"]),
            )
        )
    out = joined.with_columns(
        (pl.col("quantity_base") * pl.col("usd_per_unit") * pl.col("index_base") / pl.col("index_year")).alias(
            "quantity_base"
        ),
        pl.lit("currency:USD").alias("dimension"),
    ).drop("usd_per_unit", "index_year", "index_base", "currency")
    return out, problems
