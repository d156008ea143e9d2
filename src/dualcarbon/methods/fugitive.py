"""Refrigerants and other fugitive gases.

Leaked mass × GWP (IPCC 2006 Vol. 3 Ch. 7; GHG Protocol "Calculating HFC and PFC emissions from
the use of refrigeration and air conditioning equipment"), or the simplified material balance of
US EPA "Greenhouse Gas Inventory Guidance: Direct Fugitive Emissions from Refrigeration, Air
Conditioning, Fire Suppression, and Industrial Gases" (2014), Eq. 1:
E = (inventory_start − inventory_end) + purchased − disposed + capacity_retired − capacity_new.
Blends are split into their components by mass fraction (ANSI/ASHRAE Standard 34), so each
gas is reported as a mass and weighted with the project's GWP set.
"""

from __future__ import annotations

import polars as pl

from dualcarbon.methods.common import shape

BALANCE_COLUMNS = ["inventory_start", "inventory_end", "purchased", "disposed", "capacity_retired", "capacity_new"]


def compute(acts: pl.DataFrame, blends: dict[str, list[tuple[str, float]]]):
    """Emission rows per component gas; ``acts`` carries ``gas_or_blend`` and ``leak_t``."""
    comp = pl.DataFrame(
        [(b, g, f) for b, parts in blends.items() for g, f in parts],
        schema={"gas_or_blend": pl.String, "gas": pl.String, "fraction": pl.Float64},
        orient="row",
    )
    pure = acts.filter(~pl.col("gas_or_blend").is_in(list(blends))).with_columns(
        pl.col("gas_or_blend").alias("gas"), pl.lit(1.0).alias("fraction")
    )
    mixed = acts.join(comp, on="gas_or_blend", how="inner")
    rows = pl.concat([pure, mixed], how="diagonal_relaxed")
    balance = pl.col("balance_used")
    out = rows.with_columns(
        (pl.col("leak_t") * pl.col("fraction")).alias("mass_t"),
        pl.concat_str([pl.lit("gwp:"), pl.col("gas")]).alias("factor_ids"),
        pl.lit("gwp").alias("factor_sets"),
        pl.when(balance)
        .then(pl.lit("E = (I_start − I_end) + P − D + C_retired − C_new (US EPA fugitive guidance 2014, Eq. 1) × GWP"))
        .otherwise(pl.lit("E = leaked mass × mass fraction × GWP (IPCC 2006 Vol. 3 Ch. 7)"))
        .alias("formula"),
        pl.concat_str(
            [
                pl.lit("leak="),
                pl.col("leak_t").round_sig_figs(6).cast(pl.String),
                pl.lit(" t; fraction="),
                pl.col("fraction").cast(pl.String),
            ]
        ).alias("parameters"),
    )
    return shape(out), []
