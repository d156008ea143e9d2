"""Cement process emissions: clinker calcination, kiln dust and raw-meal organic carbon.

* Clinker output method, GB/T 32151.8-2015 (and the CSI Cement CO2 Protocol v3 §, IPCC 2006
  Vol. 3 Ch. 2 Eq. 2.2/2.4): EF_cli = (CaO − CaO_nc) × 44/56 + (MgO − MgO_nc) × 44/40 (t CO2 / t
  clinker, mass fractions in the clinker, non-carbonate sources subtracted); E = Q_cli × EF_cli.
  Without measured oxides, the EF comes from the first factor set that has one: the IPCC
  default 0.52 t/t (Vol. 3 Ch. 2 Eq. 2.4, which already includes the 2 % CKD correction, so
  no CF_ckd is applied on top) or the CSI default 525 kg/t (clinker only; dust leaving the
  kiln is reported in its own rows, as GB/T 32151.8 requires).
* Raw meal method (CSI protocol, input method): E = Q_rawmeal × (CaO × 44/56 + MgO × 44/40)
  with the oxides of the carbonate part of the raw meal.
* Kiln dust leaving the kiln system, GB/T 32151.8: E = Q_ckd × EF_cli (dust treated as
  calcined like clinker); with a measured calcination rate d, the CSI protocol's
  EF_ckd = (EF_cli/(1+EF_cli)) × d / (1 − (EF_cli/(1+EF_cli)) × d).
* Organic (non-fuel) carbon of the raw meal, GB/T 32151.8: E = Q_rawmeal × TOC × 44/12.
"""

from __future__ import annotations

import polars as pl

from dualcarbon.factors.library import FactorLibrary
from dualcarbon.factors.resolve import candidates, first_per
from dualcarbon.methods.common import CO2_PER_C, KG_PER_T, fmt, shape, unresolved_problems, with_requests

CO2_PER_CAO = 44.0 / 56.0  # CaCO3 → CaO + CO2, molar masses 44.01/56.08 as rounded in the standards
CO2_PER_MGO = 44.0 / 40.0  # MgCO3 → MgO + CO2


def oxide_ef() -> pl.Expr:
    """t CO2 per t of clinker (or raw meal) from its CaO and MgO mass fractions."""
    cao = pl.col("clinker_cao") - pl.col("noncarbonate_cao").fill_null(0)
    mgo = pl.col("clinker_mgo").fill_null(0) - pl.col("noncarbonate_mgo").fill_null(0)
    return cao * CO2_PER_CAO + mgo * CO2_PER_MGO


def default_clinker_ef(acts: pl.DataFrame, library: FactorLibrary, factor_sets: list[str]) -> pl.DataFrame:
    """Per row: the default clinker EF (t CO2/t clinker) of the first factor set that has one."""
    acts2 = acts.with_columns(
        pl.lit("process/cement_clinker").alias("key"),
        pl.lit("mass").alias("dimension"),
        pl.lit("2.A.1").alias("sector"),
    )  # IPCC 2006 source category: cement production
    acts2, reqs = with_requests(acts2)
    ef = first_per(
        candidates(reqs, library, factor_sets, ["ef", "ef_clinker"]).filter(~pl.col("energy_route")), ["req_id"]
    ).select(
        "req_id",
        (pl.col("value_norm") / KG_PER_T).alias("ef_default"),
        pl.col("factor_id").alias("ef_id"),
        pl.col("factor_set").alias("ef_set"),
    )
    return acts2.join(ef, on="req_id", how="left")


def compute(acts: pl.DataFrame, library: FactorLibrary, factor_sets: list[str]):
    """Process CO2 rows for the four cement activity kinds."""
    measured = pl.col("clinker_cao").is_not_null()
    rows = default_clinker_ef(acts, library, factor_sets)
    # Dust without its own analysis is calcined like the facility's clinker: the
    # output-weighted oxide EF of that facility's clinker rows, else the default EF.
    plant = (
        rows.filter((pl.col("kind") == "cement_clinker") & measured)
        .group_by("facility")
        .agg(((pl.col("quantity_base") * oxide_ef()).sum() / pl.col("quantity_base").sum()).alias("ef_plant"))
    )
    rows = rows.join(plant, on="facility", how="left")
    ef_cli = (
        pl.when(measured)
        .then(oxide_ef())
        .when(pl.col("kind") == "cement_kiln_dust")
        .then(pl.coalesce(pl.col("ef_plant"), pl.col("ef_default")))
        .otherwise(pl.col("ef_default"))
    )
    d = pl.col("ckd_calcination")
    ratio = ef_cli / (1 + ef_cli)
    ef_ckd = pl.when(d.is_not_null()).then(ratio * d / (1 - ratio * d)).otherwise(ef_cli)
    kind = pl.col("kind")
    ef_t = (
        pl.when(kind == "cement_clinker")
        .then(ef_cli)
        .when(kind == "cement_raw_meal")
        .then(oxide_ef())
        .when(kind == "cement_kiln_dust")
        .then(ef_ckd)
        .otherwise(pl.col("toc") * CO2_PER_C)
    )
    formula = (
        pl.when((kind == "cement_clinker") & measured)
        .then(
            pl.lit("E = Q_cli × [(CaO−CaO_nc)×44/56 + (MgO−MgO_nc)×44/40] (GB/T 32151.8-2015; CSI Cement CO2 Protocol)")
        )
        .when(kind == "cement_clinker")
        .then(pl.lit("E = Q_cli × EF_cli (default EF: IPCC 2006 Vol. 3 Ch. 2 Eq. 2.4, CKD included, or CSI 525 kg/t)"))
        .when(kind == "cement_raw_meal")
        .then(pl.lit("E = Q_rm × (CaO×44/56 + MgO×44/40) (CSI Cement CO2 Protocol, raw meal method)"))
        .when((kind == "cement_kiln_dust") & d.is_not_null())
        .then(pl.lit("E = Q_ckd × EF_cli/(1+EF_cli)×d / (1 − EF_cli/(1+EF_cli)×d) (CSI Cement CO2 Protocol)"))
        .when(kind == "cement_kiln_dust")
        .then(pl.lit("E = Q_ckd × EF_cli (GB/T 32151.8-2015, dust fully calcined; EF_cli of the facility's clinker)"))
        .otherwise(pl.lit("E = Q_rm × TOC × 44/12 (GB/T 32151.8-2015, non-fuel carbon of raw meal)"))
    )

    def part(label: str, value: pl.Expr) -> pl.Expr:
        return pl.when(value.is_not_null()).then(pl.concat_str([pl.lit(label), fmt(value)]))

    params = pl.concat_str(
        [
            pl.concat_str([pl.lit("EF="), fmt(ef_t), pl.lit(" tCO2/t")]),
            part("CaO=", pl.col("clinker_cao")),
            part("MgO=", pl.col("clinker_mgo")),
            part("CaO_nc=", pl.col("noncarbonate_cao")),
            part("MgO_nc=", pl.col("noncarbonate_mgo")),
            part("d=", d),
            part("TOC=", pl.col("toc")),
        ],
        separator="; ",
        ignore_nulls=True,
    )
    out = rows.with_columns(
        pl.lit("CO2").alias("gas"),
        (pl.col("quantity_base") * ef_t).alias("mass_t"),
        pl.when(measured | (kind == "cement_organic_carbon") | (kind == "cement_raw_meal"))
        .then(pl.lit("row:measured"))
        .when((kind == "cement_kiln_dust") & pl.col("ef_plant").is_not_null())
        .then(pl.lit("facility:clinker_oxides"))
        .otherwise(pl.col("ef_id"))
        .alias("factor_ids"),
        pl.when(measured).then(pl.lit("row")).otherwise(pl.col("ef_set")).alias("factor_sets"),
        formula.alias("formula"),
        params.alias("parameters"),
    )
    ok = out.filter(pl.col("mass_t").is_not_null())
    problems = unresolved_problems(
        acts, ok["_idx"], "clinker emission factor or oxide analysis (clinker_cao)", factor_sets
    )
    return shape(ok), problems
