"""Managed soils N2O (IPCC 2006 Vol. 4 Ch. 11) and rice cultivation CH4 (Vol. 4 Ch. 5), Tier 1.

* Direct N2O from managed soils (3.C.4), Eq. 11.1: N2O = (F_SN + F_ON) × EF1 × 44/28, with EF1 = 0.01
  kg N2O-N/kg N (Table 11.1), or EF1FR = 0.003 for N applied to flooded rice (the row's
  ``flooded_rice``). F_SN synthetic fertiliser N (``soils/synthetic_n``), F_ON organic N applied
  (``soils/organic_n``: manure, compost, sludge), in kg N.
* Indirect N2O (3.C.5): volatilisation Eq. 11.9 N2O = (F_SN × FracGASF + F_ON × FracGASM) × EF4 × 44/28,
  leaching/runoff Eq. 11.10 N2O = (F_SN + F_ON) × FracLEACH-(H) × EF5 × 44/28 (Table 11.3). FracLEACH
  applies where leaching occurs (wet climates, irrigation other than drip); a project in a dry region
  sets ``soils/n2o/frac_leach`` = 0 in its factors/*.csv.
* Rice (3.C.7), Eq. 5.1–5.3: CH4 = EF_c × SF_w × SF_p × SF_o × t × A / 1000 (t), EF_c the baseline for
  continuously flooded fields without organic amendments (Table 5.11, kg CH4/ha/day), SF_w the water
  regime of the key (Table 5.12), SF_p the pre-season water regime (Table 5.13; the aggregated value
  where the project gives none), SF_o = 1 (no organic amendment) unless the project gives ``rice/sfo``,
  t the cultivation period (the row's ``season_days``), A the harvested area (ha).
"""

from __future__ import annotations

import polars as pl

from dualcarbon.errors import Problem
from dualcarbon.methods.agri_params import AgriParameters, cite, lookup, row_problems, table
from dualcarbon.methods.common import KG_PER_T, empty_emissions, shape

N2O_PER_N2O_N = 44.0 / 28.0
SOIL_DIRECT_FORMULA = "N2O = F_N × EF1 × 44/28 (IPCC 2006 Vol. 4 Ch. 11 Eq. 11.1; 3.C.4)"
SOIL_INDIRECT_FORMULA = (
    "N2O = F_N × (Frac_GAS × EF4 + FracLEACH × EF5) × 44/28 (IPCC 2006 Vol. 4 Ch. 11 Eq. 11.9, 11.10; 3.C.5)"
)
RICE_FORMULA = "CH4 = EF_c × SF_w × SF_p × SF_o × t × A / 1000 (IPCC 2006 Vol. 4 Ch. 5 Eq. 5.1, 5.2)"


def compute(acts: pl.DataFrame, params: AgriParameters):
    """Emission rows of ``soils`` (N applied, t in ``quantity_base``) and ``rice`` (ha) rows."""
    parts, problems = [], []
    soils = acts.filter(pl.col("kind") == "soils")
    if soils.height:
        frames, found = _soils(soils, params)
        parts += frames
        problems += found
    rice = acts.filter(pl.col("kind") == "rice")
    if rice.height:
        frames, found = _rice(rice, params)
        parts += frames
        problems += found
    return (pl.concat(parts, how="diagonal_relaxed") if parts else empty_emissions()), problems


def _soils(rows: pl.DataFrame, params: AgriParameters):
    rows = rows.with_columns(
        (pl.col("key") == "soils/synthetic_n").alias("_synthetic"),
        pl.col("flooded_rice").fill_null(False).alias("_flooded"),
    )

    def solve(req):
        region = req["region"]
        ef1 = params.pick(region, ["soils/n2o/ef1fr" if req["_flooded"] else "soils/n2o/ef1"])
        frac_gas = params.pick(region, ["soils/n2o/frac_gasf" if req["_synthetic"] else "soils/n2o/frac_gasm"])
        frac_leach = params.pick(region, ["soils/n2o/frac_leach"])
        ef4, ef5 = params.pick(region, ["soils/n2o/ef4"]), params.pick(region, ["soils/n2o/ef5"])
        if None in (ef1, frac_gas, frac_leach, ef4, ef5):
            return "no managed-soils N2O parameters (IPCC 2006 Tables 11.1, 11.3) in the factor sets"
        assert ef1 and frac_gas and frac_leach and ef4 and ef5
        gas_name = "FracGASF" if req["_synthetic"] else "FracGASM"
        return {
            "_ef1": ef1.value,
            "_indirect_ef": frac_gas.value * ef4.value + frac_leach.value * ef5.value,
            "_direct_ids": ef1.factor_id,
            "_indirect_ids": ";".join(p.factor_id for p in (frac_gas, ef4, frac_leach, ef5)),
            "factor_sets": ";".join(dict.fromkeys(p.factor_set for p in (ef1, frac_gas, frac_leach, ef4, ef5))),
            "region_used": ef1.region,
            "_direct_params": cite("EF1FR" if req["_flooded"] else "EF1", ef1, "kg N2O-N/kg N"),
            "_indirect_params": "; ".join(
                [
                    cite(gas_name, frac_gas, ""),
                    cite("EF4", ef4, "kg N2O-N/kg N volatilised"),
                    cite("FracLEACH", frac_leach, ""),
                    cite("EF5", ef5, "kg N2O-N/kg N leached"),
                ]
            ),
        }

    looked = lookup(rows.select("region", "_synthetic", "_flooded").unique(), solve)
    rows = rows.join(looked, on=["region", "_synthetic", "_flooded"], how="left")
    problems = _failed(rows, "activity", None)
    ok = rows.filter(pl.col("_error").is_null())
    if ok.height == 0:
        return [], problems
    n_kg = pl.col("quantity_base") * KG_PER_T  # t N → kg N
    n_text = pl.concat_str([pl.lit("; F_N="), n_kg.round_sig_figs(9).cast(pl.String), pl.lit(" kg N")])
    direct = ok.with_columns(
        pl.lit("N2O").alias("gas"),
        (n_kg * pl.col("_ef1") * N2O_PER_N2O_N / KG_PER_T).alias("mass_t"),
        pl.col("_direct_ids").alias("factor_ids"),
        pl.lit(SOIL_DIRECT_FORMULA).alias("formula"),
        pl.concat_str([pl.col("_direct_params"), n_text]).alias("parameters"),
    )
    indirect = ok.with_columns(
        pl.lit("N2O").alias("gas"),
        (n_kg * pl.col("_indirect_ef") * N2O_PER_N2O_N / KG_PER_T).alias("mass_t"),
        pl.col("_indirect_ids").alias("factor_ids"),
        pl.lit(SOIL_INDIRECT_FORMULA).alias("formula"),
        pl.concat_str([pl.col("_indirect_params"), n_text]).alias("parameters"),
        pl.lit("3.C.5").alias("ipcc_category"),
    )
    return [shape(direct), shape(indirect)], problems


def _rice(rows: pl.DataFrame, params: AgriParameters):
    regimes = {r["regime"]: r["sfw_key"] for r in table("rice_water_regimes.csv").iter_rows(named=True)}
    rows = rows.with_columns(pl.col("key").str.strip_prefix("rice/").alias("_regime"))

    def solve(req):
        region, regime = req["region"], req["_regime"]
        ef_c = params.pick(region, ["rice/ef/continuously_flooded"])
        sf_w = params.pick(region, [regimes[regime]]) if regime in regimes else None
        sf_p = params.pick(region, ["rice/sfp/aggregated"])
        sf_o = params.pick(region, ["rice/sfo"])
        if ef_c is None or sf_w is None or sf_p is None:
            return f"no rice parameters (IPCC 2006 Tables 5.11–5.13) for water regime {regime} in the factor sets"
        if ef_c.unit_numerator and (ef_c.unit_numerator, ef_c.unit_denominator) != ("kg CH4", "ha/day"):
            return f"{ef_c.factor_id}: unit {ef_c.unit}, expected kg CH4/ha/day"
        ids = [ef_c.factor_id, sf_w.factor_id, sf_p.factor_id] + ([sf_o.factor_id] if sf_o else [])
        return {
            "_ef_i": ef_c.value * sf_w.value * sf_p.value * (sf_o.value if sf_o else 1.0),
            "factor_ids": ";".join(ids),
            "factor_sets": ";".join(dict.fromkeys(p.factor_set for p in (ef_c, sf_w, sf_p, sf_o) if p)),
            "region_used": ef_c.region,
            "parameters": "; ".join(
                [
                    cite("EF_c", ef_c),
                    cite("SF_w", sf_w, ""),
                    cite("SF_p", sf_p, ""),
                    cite("SF_o", sf_o, "") if sf_o else "SF_o=1 (no organic amendment)",
                ]
            ),
        }

    looked = lookup(rows.select("region", "_regime").unique(), solve)
    rows = rows.join(looked, on=["region", "_regime"], how="left")
    problems = _failed(rows, "activity", None)
    ok = rows.filter(pl.col("_error").is_null())
    if ok.height == 0:
        return [], problems
    out = ok.with_columns(
        pl.lit("CH4").alias("gas"),
        (pl.col("_ef_i") * pl.col("season_days") * pl.col("quantity_base") / KG_PER_T).alias("mass_t"),
        pl.lit(RICE_FORMULA).alias("formula"),
        pl.concat_str(
            [
                pl.col("parameters"),
                pl.lit("; EF_i="),
                pl.col("_ef_i").round_sig_figs(6).cast(pl.String),
                pl.lit(" kg CH4/ha/day; t="),
                pl.col("season_days").cast(pl.String),
                pl.lit(" days; A="),
                pl.col("quantity_base").round_sig_figs(9).cast(pl.String),
                pl.lit(" ha"),
            ]
        ).alias("parameters"),
    )
    return [shape(out)], problems


def _failed(rows: pl.DataFrame, column: str, value_column: str | None) -> list[Problem]:
    bad = rows.filter(pl.col("_error").is_not_null())
    return [
        p
        for err in bad["_error"].unique().to_list()
        for p in row_problems(
            bad.filter(pl.col("_error") == err), column, value_column, err + "; add it to the project's factors/*.csv"
        )
    ]
