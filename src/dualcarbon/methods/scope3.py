"""Scope 3 spend-based method with EEIO factors: currency and price year made explicit.

GHG Protocol Scope 3 Calculation Guidance, Cat. 1 spend-based method: E = Σ spend × EEIO factor.
USEEIO / US EPA Supply Chain GHG Emission Factors v1.3.0 are in kg per 2022 US dollar at
purchaser price. A spend in another currency is converted at the reporting year's average
exchange rate, then deflated from the spend year to the factor's price year with a price index:
spend_USD(py) = spend × rate(year) × index(py) / index(year).

EPA publishes two tables of the same factors: kg CO2e per dollar (AR5 GWP100) and kg of each gas per
dollar, both rounded to three significant digits. The by-gas rows give the gas masses; the CO2e of a
row is EPA's published CO2e factor × spend, not the by-gas rows re-weighted (which differ from it by
up to about 1 % through rounding): each gas's CO2e is scaled by published ÷ re-weighted, so the gases
still add up to the total, and the trace shows the factor and the scale.
"""

from __future__ import annotations

import polars as pl

from dualcarbon.errors import Problem, msg
from dualcarbon.factors.gwp import GwpTable
from dualcarbon.factors.library import FactorLibrary
from dualcarbon.factors.resolve import candidates, first_per
from dualcarbon.methods.common import KG_PER_T, fmt, warning, with_requests

#: The GWP set of EPA's published CO2e factors (Supply Chain GHG Emission Factors v1.3: AR5 GWP100).
PUBLISHED_CO2E_GWP = "AR5"


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


def published_co2e_scale(
    rows: pl.DataFrame, acts: pl.DataFrame, library: FactorLibrary, factor_sets: list[str], gwp_ar5: GwpTable
) -> tuple[pl.DataFrame, list[dict]]:
    """Spend emission rows with ``co2e_scale``: the published CO2e factor over the by-gas rows re-weighted.

    ``rows``: the spend rows of ``direct.compute`` (one per activity × gas); ``acts``: their activities
    (``_idx``, ``key``, ``region``, ``year``, ``sector``, ``dimension``, ``quantity_base``). Only a CO2e
    factor of the set that supplied the gases counts. Rows with no published CO2e keep a null scale.
    """
    acts, reqs = with_requests(acts.select("_idx", "key", "region", "year", "sector", "dimension", "quantity_base"))
    cand = candidates(reqs, library, factor_sets, ["ef"]).filter(
        ~pl.col("energy_route") & (pl.col("gas_source").str.to_uppercase() == "CO2E")
    )
    published = acts.join(
        first_per(cand, ["req_id", "factor_set"]).select(
            "req_id",
            pl.col("factor_set").alias("_set"),
            pl.col("value_norm").alias("co2e_kg_per_base"),
            pl.col("factor_id").alias("co2e_factor_id"),
        ),
        on="req_id",
    ).select("_idx", "_set", "co2e_kg_per_base", "co2e_factor_id", "quantity_base")
    gwp = pl.DataFrame({"gas": list(gwp_ar5.values), "_gwp": list(gwp_ar5.values.values())})
    reweighted = (
        rows.join(gwp, on="gas", how="left")
        .group_by("_idx", pl.col("factor_sets").alias("_set"))
        .agg((pl.col("mass_t") * pl.col("_gwp")).sum().alias("_reweighted_t"))
    )
    scale = (
        reweighted.join(published, on=["_idx", "_set"], how="inner")
        .with_columns(
            (pl.col("quantity_base") * pl.col("co2e_kg_per_base") / KG_PER_T).alias("_published_t"),
        )
        .with_columns((pl.col("_published_t") / pl.col("_reweighted_t")).alias("co2e_scale"))
        .filter(pl.col("co2e_scale").is_finite())
    )
    out = rows.join(
        scale.select("_idx", "co2e_scale", "co2e_factor_id", "co2e_kg_per_base"), on="_idx", how="left"
    ).with_columns(
        pl.when(pl.col("co2e_scale").is_not_null())
        .then(
            pl.concat_str(
                [
                    pl.col("parameters"),
                    pl.lit(f"; CO2e from the published factor ({PUBLISHED_CO2E_GWP}) "),
                    fmt(pl.col("co2e_kg_per_base")),
                    pl.lit(" kg CO2e/base: gas CO2e × "),
                    fmt(pl.col("co2e_scale"), 8),
                ]
            )
        )
        .otherwise(pl.col("parameters"))
        .alias("parameters"),
        pl.when(pl.col("co2e_scale").is_not_null())
        .then(pl.concat_str([pl.col("factor_ids"), pl.col("co2e_factor_id")], separator="; "))
        .otherwise(pl.col("factor_ids"))
        .alias("factor_ids"),
    )
    notes = []
    if scale.height:
        totals = scale.select(pl.col("_reweighted_t").sum(), pl.col("_published_t").sum()).row(0)
        gap = (totals[0] / totals[1] - 1) * 100
        worst = scale.select((1 / pl.col("co2e_scale") - 1).abs().max() * 100).item()
        notes.append(
            warning(
                "spend_published_co2e",
                "warning.spend_published_co2e",
                gwp=PUBLISHED_CO2E_GWP,
                gap=f"{gap:+.3f}",
                worst=f"{worst:.3f}",
            )
        )
    return out.drop("co2e_factor_id", "co2e_kg_per_base"), notes
