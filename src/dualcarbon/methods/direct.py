"""Activity data × emission factor, for every gas the first factor set provides.

GHG Protocol Corporate Standard, Ch. 6 ("calculation-based methodologies": activity data ×
emission factor); used for location-based purchased electricity (GHG Protocol Scope 2
Guidance §6.4), purchased heat and steam, and Scope 3 average-data methods (Scope 3 Technical
Guidance: Cat. 4/9 distance-based, Cat. 5 waste-type-specific, Cat. 6 distance-based).
"""

from __future__ import annotations

import polars as pl

from dualcarbon.factors.library import FactorLibrary
from dualcarbon.factors.resolve import candidates, first_per
from dualcarbon.methods.common import KG_PER_T, fmt, shape, unresolved_problems, with_requests

FORMULAS = {
    "electricity": "E = Q × EF_grid (GHG Protocol Scope 2 Guidance §6.4, location-based)",
    "heat": "E = Q × EF_heat (GHG Protocol Scope 2 Guidance, purchased heat/steam)",
    "freight": "E = t·km × EF (GHG Protocol Scope 3 Guidance Cat. 4, distance-based)",
    "travel": "E = passenger·km × EF (GHG Protocol Scope 3 Guidance Cat. 6, distance-based)",
    "waste": "E = mass × EF (GHG Protocol Scope 3 Guidance Cat. 5, waste-type-specific)",
    "vehicle": "E = vehicle-miles or gallons × EF (mobile combustion; US EPA GHG Emission Factors Hub Tables 2-5)",
    "spend": "E = spend (USD, factor price year) × EEIO EF (GHG Protocol Scope 3 Guidance Cat. 1, spend-based)",
}


def resolve(
    acts: pl.DataFrame, library: FactorLibrary, factor_sets: list[str], per_factor: list[pl.Expr] | None = None
) -> pl.DataFrame:
    """Per activity row and gas, the winning factor whose denominator matches the row's dimension."""
    acts, reqs = with_requests(acts)
    cand = candidates(reqs, library, factor_sets, ["ef"]).filter(~pl.col("energy_route") & pl.col("gas").is_not_null())
    # The first set that has the key at all supplies every gas it publishes: no mixing of
    # one set's CO2 with another's CH4 for the same activity.
    best_set = first_per(cand, ["req_id"]).select("req_id", pl.col("set_rank").alias("_best"))
    cand = cand.join(best_set, on="req_id").filter(pl.col("set_rank") == pl.col("_best"))
    # Sources that print a CO2e total beside its per-gas parts (UK DESNZ) must not be summed
    # twice: the total is kept only where the set gives no individual gas.
    total = pl.col("gas_source").str.to_uppercase() == "CO2E"
    has_parts = (~total).any().over("req_id")
    cand = cand.filter(~(total & has_parts))
    chosen = first_per(cand, ["req_id", "gas"])
    if per_factor:  # trace text built once per request × gas, not once per row
        chosen = chosen.with_columns(per_factor)
    return acts.join(chosen.drop(["key", "region", "year", "sector", "dimension"]), on="req_id", how="inner")


def compute(acts: pl.DataFrame, library: FactorLibrary, factor_sets: list[str], kind: str):
    params = pl.concat_str([pl.lit("EF="), fmt(pl.col("value_norm")), pl.lit(" kg/base")]).alias("parameters")
    rows = resolve(acts, library, factor_sets, [params])
    problems = unresolved_problems(acts, rows["_idx"], "emission factor", factor_sets)
    out = rows.with_columns(
        (pl.col("quantity_base") * pl.col("value_norm") / KG_PER_T).alias("mass_t"),
        pl.col("factor_id").alias("factor_ids"),
        pl.col("factor_set").alias("factor_sets"),
        pl.lit(FORMULAS[kind]).alias("formula"),
        pl.when(pl.lit(kind) == "electricity").then(pl.lit("location")).otherwise(None).alias("scope2_method"),
    )
    return shape(out), problems
