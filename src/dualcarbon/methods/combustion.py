"""Stationary and mobile fuel combustion.

Two formulas, chosen per gas by factor-set precedence:

* IPCC 2006 Vol. 2 Ch. 2 Eq. 2.1 (Tier 1): Emissions_gas = Fuel consumed (TJ) × EF_gas (kg/TJ),
  with fuel converted to energy by its net calorific value (Vol. 2 Ch. 1 Table 1.2) and CH4/N2O
  factors by source category (Tables 2.2-2.5: 1.A.1, 1.A.2, 1.A.4.a, 1.A.4.b).
* GB/T 32150-2015 clause 7 (核算步骤与方法) and Annex B: E_CO2 = Σ AD_i × EF_i with AD_i = FC_i × NCV_i and
  EF_i = CC_i × OF_i × 44/12 (carbon content per unit heat × oxidation rate).

US EPA Hub rows per physical unit (kg CO2/scf, g CH4/gallon) apply directly when the activity
is in that dimension. The Hub separates stationary combustion (Table 1: CO2, CH4, N2O) from mobile
combustion (Table 2: CO2 per gallon; Tables 3-5: CH4 and N2O per vehicle-mile by vehicle type, fuel
and model year, or per gallon for non-road equipment): a mobile row (category ``1.mobile`` or an
IPCC 1.A.3 sector) takes only mobile tables, a stationary row only Table 1. A mobile fuel row whose
CO2 comes from Table 2 gets its CH4 and N2O from the ``vehicle/*`` and ``nonroad/*`` rows, not from
another set's stationary factors; a warning says so. Per-row Tier 2/3 overrides: ``ncv`` (energy per unit), ``carbon_content``
(t C per GJ) and ``oxidation`` (fraction).
"""

from __future__ import annotations

import polars as pl

from dualcarbon.factors.library import FactorLibrary
from dualcarbon.factors.resolve import candidates, first_per
from dualcarbon.methods.common import CO2_PER_C, KG_PER_T, fmt, shape, unresolved_problems, with_requests

COMBUSTION_GASES = ["CO2", "CH4", "N2O"]
REQ = ["key", "region", "year", "sector", "dimension", "has_ncv", "has_cc", "mobile"]


def is_mobile(acts: pl.DataFrame) -> pl.Expr:
    """Mobile combustion: the row's category is 1.mobile, or its IPCC sector is transport (1.A.3)."""
    category = pl.col("category") if "category" in acts.columns else pl.lit(None, pl.String)
    return (category.fill_null("") == "1.mobile") | pl.col("sector").fill_null("").str.starts_with("1.A.3")


def table_use(table: pl.Expr) -> pl.Expr:
    """'mobile' / 'stationary' for the US EPA Hub's combustion tables, null for every other table."""
    return (
        pl.when(table.str.contains("Mobile Combustion"))
        .then(pl.lit("mobile"))
        .when(table.str.contains("Stationary Combustion"))
        .then(pl.lit("stationary"))
        .otherwise(pl.lit(None, pl.String))
    )


def _fits_use() -> pl.Expr:
    use = table_use(pl.col("table").fill_null(""))
    return use.is_null() | (use == pl.when(pl.col("mobile")).then(pl.lit("mobile")).otherwise(pl.lit("stationary")))


def compute(acts: pl.DataFrame, library: FactorLibrary, factor_sets: list[str]):
    """Emission rows (activity × gas), problems for rows with no factor, and the count of mobile rows
    whose CO2 is the Hub's mobile CO2 (their CH4 and N2O come from vehicle or non-road rows)."""
    acts = acts.with_columns(
        pl.col("ncv_gj_per_base").is_not_null().alias("has_ncv"),
        pl.col("carbon_content_t_per_gj").is_not_null().alias("has_cc"),
        is_mobile(acts).alias("mobile"),
    )
    acts, reqs = with_requests(acts, REQ)

    # Energy content per factor set (NCV, or EPA's HHV heat content), in GJ per base unit.
    ncv = candidates(reqs, library, factor_sets, ["ncv", "heat_content"], match_dimension=False).filter(
        pl.col("denominator_dim") == pl.col("dimension")
    )
    ncv_by_set = first_per(ncv, ["req_id", "factor_set"]).select(
        "req_id", "factor_set", pl.col("value_norm").alias("ncv_same"), pl.col("factor_id").alias("ncv_same_id")
    )
    ncv_any = first_per(ncv, ["req_id"]).select(
        "req_id",
        pl.col("value_norm").alias("ncv_any"),
        pl.col("factor_id").alias("ncv_any_id"),
    )

    ef = candidates(reqs, library, factor_sets, ["ef"]).filter(pl.col("gas").is_in(COMBUSTION_GASES) & _fits_use())
    ef = ef.with_columns(
        pl.lit(0, pl.Int32).alias("via_cc"), pl.lit(None, pl.Float64).alias("cc"), pl.lit(None, pl.Float64).alias("ox")
    )

    # Carbon content × oxidation × 44/12 as a CO2 factor of its set (GB/T 32150 EF_i).
    cc = candidates(reqs, library, factor_sets, ["carbon_content"])
    ox = first_per(
        candidates(reqs, library, factor_sets, ["carbon_oxidation_factor"], match_dimension=False),
        ["req_id", "factor_set"],
    ).select("req_id", "factor_set", pl.col("value_norm").alias("ox"), pl.col("factor_id").alias("ox_id"))
    cc = (
        first_per(cc, ["req_id", "factor_set"])
        .join(ox, on=["req_id", "factor_set"], how="left")
        .with_columns(
            pl.col("value_norm").alias("cc"),
            pl.col("ox").fill_null(1.0),
            (pl.col("value_norm") * pl.col("ox").fill_null(1.0) * CO2_PER_C * KG_PER_T).alias("value_norm"),
            pl.concat_str([pl.col("factor_id"), pl.col("ox_id")], separator="+", ignore_nulls=True).alias("factor_id"),
            pl.lit("CO2").alias("gas"),
            pl.lit(1, pl.Int32).alias("via_cc"),
        )
    )
    keep = [c for c in ef.columns if c in cc.columns]
    allef = pl.concat([ef.select(keep), cc.select(keep)], how="vertical_relaxed")
    allef = allef.join(ncv_by_set, on=["req_id", "factor_set"], how="left").join(ncv_any, on="req_id", how="left")
    usable = (
        ~pl.col("energy_route") | pl.col("has_ncv") | pl.col("ncv_same").is_not_null() | pl.col("ncv_any").is_not_null()
    )
    chosen = first_per(allef.filter(usable), ["req_id", "gas"], ["energy_route", "via_cc"])
    # A mobile row whose CO2 is the Hub's mobile CO2 (Table 2) takes CH4 and N2O only from the Hub's
    # mobile tables (vehicle-miles, non-road fuel rows), never another set's stationary factors.
    mobile_co2 = chosen.filter(
        pl.col("mobile") & (pl.col("gas") == "CO2") & (table_use(pl.col("table").fill_null("")) == "mobile")
    ).select("req_id")
    chosen = chosen.filter(
        ~(
            pl.col("req_id").is_in(mobile_co2["req_id"].implode())
            & (pl.col("gas") != "CO2")
            & (table_use(pl.col("table").fill_null("")).fill_null("") != "mobile")
        )
    )

    # A row-level carbon content gives CO2 even where no set has a CO2 factor.
    ox_any = first_per(
        candidates(reqs, library, factor_sets, ["carbon_oxidation_factor"], match_dimension=False), ["req_id"]
    ).select("req_id", pl.col("value_norm").alias("ox_any"), pl.col("factor_id").alias("ox_any_id"))
    override_co2 = (
        reqs.filter(pl.col("has_cc"))
        .select("req_id")
        .join(chosen.filter(pl.col("gas") == "CO2").select("req_id"), on="req_id", how="anti")
        .join(ncv_any, on="req_id", how="left")
        .join(ox_any, on="req_id", how="left")
        .with_columns(
            pl.lit("CO2").alias("gas"),
            pl.lit(1, pl.Int32).alias("via_cc"),
            pl.lit(True).alias("energy_route"),
            pl.col("ox_any").alias("ox"),
            pl.lit(None, pl.Float64).alias("cc"),
            pl.lit("row").alias("factor_set"),
            pl.lit(None, pl.String).alias("factor_id"),
        )
    )
    chosen = pl.concat([chosen, override_co2], how="diagonal_relaxed")

    chosen = chosen.select(
        "req_id",
        "gas",
        "value_norm",
        "factor_id",
        "factor_set",
        "energy_route",
        "via_cc",
        "cc",
        "ox",
        "ncv_same",
        "ncv_same_id",
        "ncv_any",
        "ncv_any_id",
        "region_used",
        "year_used",
    )
    rows = acts.join(chosen, on="req_id", how="inner")
    problems = unresolved_problems(
        acts, rows.filter(pl.col("gas") == "CO2")["_idx"], "CO2 emission factor or carbon content", factor_sets
    )
    q = pl.col("quantity_base")
    ncv_used = pl.coalesce(pl.col("ncv_gj_per_base"), pl.col("ncv_same"), pl.col("ncv_any"))
    energy_gj = pl.when(pl.col("dimension") == "energy").then(q).otherwise(q * ncv_used)
    cc_used = pl.coalesce(pl.col("carbon_content_t_per_gj"), pl.col("cc"))
    ox_used = pl.coalesce(pl.col("oxidation"), pl.col("ox"), pl.lit(1.0))
    by_carbon = (pl.col("gas") == "CO2") & (pl.col("has_cc") | (pl.col("via_cc") == 1))
    direct = ~pl.col("energy_route") & (pl.col("dimension") != "energy")
    mass_kg = (
        pl.when(by_carbon)
        .then(energy_gj * cc_used * ox_used * CO2_PER_C * KG_PER_T)
        .when(direct)
        .then(q * pl.col("value_norm"))
        .otherwise(energy_gj * pl.col("value_norm"))
    )
    ncv_id = (
        pl.when(pl.col("dimension") == "energy")
        .then(pl.lit(None, pl.String))
        .when(pl.col("has_ncv"))
        .then(pl.lit("row:ncv"))
        .otherwise(pl.coalesce(pl.col("ncv_same_id"), pl.col("ncv_any_id")))
    )
    cc_id = pl.when(pl.col("has_cc")).then(pl.lit("row:carbon_content")).otherwise(pl.col("factor_id"))
    formula = (
        pl.when(by_carbon)
        .then(pl.lit("CO2 = Q × NCV × CC × OF × 44/12 (GB/T 32150-2015 cl. 7, Annex B)"))
        .when(direct)
        .then(pl.lit("E = Q × EF (per physical unit; US EPA GHG Emission Factors Hub Table 1/2)"))
        .otherwise(pl.lit("E = Q × NCV × EF (IPCC 2006 Vol. 2 Ch. 2 Eq. 2.1, Tier 1)"))
    )
    params = (
        pl.when(by_carbon)
        .then(
            pl.concat_str(
                [
                    pl.lit("NCV="),
                    fmt(ncv_used),
                    pl.lit(" GJ/base; CC="),
                    fmt(cc_used),
                    pl.lit(" tC/GJ; OF="),
                    fmt(ox_used),
                ],
                ignore_nulls=True,
            )
        )
        .when(direct)
        .then(pl.concat_str([pl.lit("EF="), fmt(pl.col("value_norm")), pl.lit(" kg/base")]))
        .when(pl.col("dimension") == "energy")
        .then(pl.concat_str([pl.lit("EF="), fmt(pl.col("value_norm")), pl.lit(" kg/GJ")]))
        .otherwise(
            pl.concat_str(
                [pl.lit("NCV="), fmt(ncv_used), pl.lit(" GJ/base; EF="), fmt(pl.col("value_norm")), pl.lit(" kg/GJ")],
                ignore_nulls=True,
            )
        )
    )
    out = rows.with_columns(
        (mass_kg / KG_PER_T).alias("mass_t"),
        pl.when(pl.col("gas") == "CO2").then(energy_gj).alias("energy_gj"),
        pl.concat_str(
            [ncv_id, pl.when(by_carbon).then(cc_id).otherwise(pl.col("factor_id"))], separator="; ", ignore_nulls=True
        ).alias("factor_ids"),
        pl.col("factor_set").alias("factor_sets"),
        formula.alias("formula"),
        params.alias("parameters"),
    )
    weight = pl.col("_n") if "_n" in acts.columns else pl.lit(1)
    mobile_rows = int(
        acts.filter(pl.col("req_id").is_in(mobile_co2["req_id"].implode())).select(weight.sum()).item() or 0
    )
    return shape(out), problems, mobile_rows
