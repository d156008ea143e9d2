"""Livestock: enteric fermentation and manure management, IPCC 2006 Vol. 4 Ch. 10, Tier 1.

* Enteric fermentation (3.A.1), Eq. 10.19/10.20: CH4 = N × EF / 1000 (t), EF in kg CH4/head/yr from
  Table 10.11 (cattle, by region: Asia for China) or Table 10.10 (other animals, developed/developing);
  with ``[method] ipcc_edition = "2019"`` the 2019 Refinement's Tables 10.10/10.11 first (productivity
  class by the row's ``productivity``, else the average row), the 2006 value where it has none.
* Manure management CH4 (3.A.2), Eq. 10.22: CH4 = N × EF / 1000, EF from Table 10.14 by region and
  mean annual temperature (dairy cows, other cattle, buffalo, swine), Table 10.15 by climate (cool <15,
  temperate 15–25, warm >25 °C) and developed/developing (sheep, goats, camels, horses, mules/asses,
  poultry) or Table 10.16 (others). The 2019 Refinement's manure CH4 is per kg volatile solids and is
  not used here (its Tier 1 needs VS): the 2006 tables apply with either edition.
* Manure management N2O: direct (3.A.2) Eq. 10.25 N2O = N × Nex × EF3 × 44/28, Nex = Nrate × TAM/1000
  × 365 (Eq. 10.30; Nrate Table 10.19 by region, TAM the row's ``animal_mass_kg``, EF3 Table 10.21 by
  the row's ``manure_system``); indirect (3.C.6) from volatilisation Eq. 10.26/10.27
  N × Nex × FracGasMS × EF4 × 44/28 (FracGasMS Table 10.22, EF4 Table 11.3) and leaching
  Eq. 10.28/10.29 N × Nex × FracLeachMS × EF5 × 44/28 where the project gives FracLeachMS (no default
  is bundled). A row is one group of animals whose manure goes to one system (MS = 1): a herd split
  between systems is written as several rows.
"""

from __future__ import annotations

import polars as pl

from dualcarbon.errors import Problem
from dualcarbon.factors.ipcc_params import Param
from dualcarbon.methods.agri_params import (
    AgriParameters,
    cite,
    climate_condition,
    lookup,
    row_problems,
    table,
    temperature_condition,
)
from dualcarbon.methods.common import KG_PER_T, empty_emissions, shape

N2O_PER_N2O_N = 44.0 / 28.0  # IPCC 2006 Vol. 4 Eq. 10.25: N2O-N → N2O
DAYS_PER_YEAR = 365.0  # Eq. 10.30
ENTERIC_FORMULA = "CH4 = N × EF / 1000 (IPCC 2006 Vol. 4 Ch. 10 Eq. 10.19/10.20, Tier 1)"
MANURE_CH4_FORMULA = "CH4 = N × EF / 1000 (IPCC 2006 Vol. 4 Ch. 10 Eq. 10.22, Tier 1)"
DIRECT_FORMULA = (
    "N2O = N × Nex × EF3 × 44/28 / 1000, Nex = Nrate × TAM/1000 × 365 (IPCC 2006 Vol. 4 Ch. 10 Eq. 10.25, 10.30)"
)
INDIRECT_FORMULA = (
    "N2O = N × Nex × (FracGasMS × EF4 + FracLeachMS × EF5) × 44/28 / 1000 "
    "(IPCC 2006 Vol. 4 Ch. 10 Eq. 10.26–10.29; 3.C.6)"
)


def _animals() -> dict[str, dict]:
    return {r["animal"]: r for r in table("livestock.csv").iter_rows(named=True)}


def _keys(text: str | None) -> list[str]:
    return [k for k in (text or "").split(";") if k]


def compute(acts: pl.DataFrame, params: AgriParameters, mean_temperature_c: float | None):
    """Emission rows of ``enteric`` and ``manure`` activity rows (head counts in ``quantity_base``)."""
    animals = _animals()
    acts = acts.with_columns(
        pl.col("key").str.split("/").list.last().alias("_animal"),
        pl.coalesce(pl.col("mean_temperature_c"), pl.lit(mean_temperature_c, pl.Float64)).alias("_temp"),
    )
    parts, problems = [], []
    for kind, fn in (("enteric", _enteric), ("manure", _manure)):
        rows = acts.filter(pl.col("kind") == kind)
        if rows.height:
            frames, found = fn(rows, params, animals)
            parts.extend(frames)
            problems.extend(found)
    return (pl.concat(parts, how="diagonal_relaxed") if parts else empty_emissions()), problems


def _enteric(rows: pl.DataFrame, params: AgriParameters, animals: dict[str, dict]):
    def solve(req):
        keys = _keys(animals.get(req["_animal"], {}).get("enteric_keys"))
        p = params.pick(req["region"], keys, productivity=req["productivity"]) if keys else None
        if p is None:
            return (
                f"no enteric fermentation EF (IPCC Tables 10.10/10.11) for {req['_animal']} in region {req['region']}"
            )
        if not _unit_is(p, "kg CH4", "head/yr"):
            return f"{p.factor_id}: unit {p.unit}, expected kg CH4/head/yr"
        return _ef_record(p)

    looked = lookup(rows.select("region", "_animal", "productivity").unique(), solve)
    rows = rows.join(looked, on=["region", "_animal", "productivity"], how="left", nulls_equal=True)
    bad = rows.filter(pl.col("_error").is_not_null())
    problems = [
        p
        for err in bad["_error"].unique().to_list()
        for p in row_problems(
            bad.filter(pl.col("_error") == err), "activity", None, err + "; add it to the project's factors/*.csv"
        )
    ]
    ok = rows.filter(pl.col("_error").is_null())
    if ok.height == 0:
        return [], problems
    out = ok.with_columns(
        pl.lit("CH4").alias("gas"),
        (pl.col("quantity_base") * pl.col("_ef") / KG_PER_T).alias("mass_t"),
        pl.lit(ENTERIC_FORMULA).alias("formula"),
        pl.concat_str(
            [
                pl.col("parameters"),
                pl.lit("; N="),
                pl.col("quantity_base").round_sig_figs(9).cast(pl.String),
                pl.lit(" head"),
            ]
        ).alias("parameters"),
    )
    return [shape(out)], problems


def _manure(rows: pl.DataFrame, params: AgriParameters, animals: dict[str, dict]):
    problems: list[Problem] = []

    # CH4: the table's condition (temperature or climate) from the row's mean annual temperature
    def ch4_keys(animal: str) -> list[str]:
        return _keys(animals.get(animal, {}).get("manure_ch4_keys"))

    def solve_ch4(req):
        keys = ch4_keys(req["_animal"])
        conds = params.conditions(req["region"], keys)
        condition = None
        if any(c.startswith("annual_avg_temp_C=") for c in conds) or any(c.startswith("climate=") for c in conds):
            if req["_temp"] is None:
                return "temperature"
            # Table 10.14 (by temperature) where the region has it, else Table 10.15 (by climate)
            p = params.pick(req["region"], keys, condition=temperature_condition(req["_temp"]))
            p = p or params.pick(req["region"], keys, condition=climate_condition(req["_temp"]))
        else:
            p = params.pick(req["region"], keys, condition=condition)
        if p is None:
            return f"no manure management CH4 EF (IPCC 2006 Tables 10.14–10.16) for {req['_animal']} in region {req['region']}"
        if not _unit_is(p, "kg CH4", "head/yr"):
            return f"{p.factor_id}: unit {p.unit}, expected kg CH4/head/yr"
        return _ef_record(p)

    looked = lookup(rows.select("region", "_animal", "_temp").unique(), solve_ch4)
    ch4 = rows.join(looked, on=["region", "_animal", "_temp"], how="left", nulls_equal=True)
    no_temp = ch4.filter(pl.col("_error") == "temperature")
    problems += row_problems(
        no_temp,
        "mean_temperature_c",
        "mean_temperature_c",
        "manure CH4 of this animal needs the mean annual temperature of the site (IPCC 2006 Vol. 4 Tables 10.14/10.15 "
        "are by temperature or climate): give it in this column or as [method] mean_temperature_c in dualcarbon.toml",
    )
    bad = ch4.filter(pl.col("_error").is_not_null() & (pl.col("_error") != "temperature"))
    for err in bad["_error"].unique().to_list():
        problems += row_problems(
            bad.filter(pl.col("_error") == err), "activity", None, err + "; add it to the project's factors/*.csv"
        )
    ok = ch4.filter(pl.col("_error").is_null())
    ok = (
        ok
        if ok.height == 0
        else ok.with_columns(
            pl.lit("CH4").alias("gas"),
            (pl.col("quantity_base") * pl.col("_ef") / KG_PER_T).alias("mass_t"),
            pl.lit(MANURE_CH4_FORMULA).alias("formula"),
            pl.concat_str(
                [
                    pl.col("parameters"),
                    pl.lit("; N="),
                    pl.col("quantity_base").round_sig_figs(9).cast(pl.String),
                    pl.lit(" head; T="),
                    pl.col("_temp").cast(pl.String),
                    pl.lit(" °C"),
                ],
                ignore_nulls=True,
            ).alias("parameters"),
        )
    )
    frames = [shape(ok)] if ok.height else []
    n2o, found = _manure_n2o(rows, params, animals)
    return frames + n2o, problems + found


def _manure_n2o(rows: pl.DataFrame, params: AgriParameters, animals: dict[str, dict]):
    losses = table("manure_n_loss.csv")
    systems = {r["system"]: r for r in table("manure_systems.csv").iter_rows(named=True)}

    def solve(req):
        animal, system, region = req["_animal"], req["manure_system"], req["region"]
        spec = animals.get(animal, {})
        group = spec.get("n_loss_group") or "other"
        nrate = params.pick(region, _keys(spec.get("nex_key")))
        if nrate is None or "1000 kg animal mass/day" not in nrate.unit_denominator:
            return f"no N excretion rate Nrate (IPCC 2006 Table 10.19, kg N/1000 kg animal mass/day) for {animal} in region {region}"
        ef3 = params.pick(region, [systems[system]["ef3_key"]]) if system in systems else None
        if ef3 is None:
            return f"no EF3 (IPCC 2006 Table 10.21) for manure system {system}"
        own = f"manure/frac_gasms/{group}/{system}"  # a project's own value comes first
        gas = params.pick(region, [own])
        if gas is None:
            match = losses.filter((pl.col("group") == group) & (pl.col("system") == system))
            if match.height:
                key, cond = match.row(0)[2], match.row(0)[3]
                gas = params.pick(region, [key], condition=cond) if cond else params.pick(region, [key])
        if gas is None:
            return (
                f"IPCC 2006 Table 10.22 gives no FracGasMS for {group.replace('_', ' ')} manure in {system}; "
                f"add the parameter {own} (a fraction) to the project's factors/*.csv"
            )
        leach = params.pick(region, [f"manure/frac_leachms/{group}/{system}", "manure/frac_leachms"])
        ef4 = params.pick(region, ["soils/n2o/ef4"])
        ef5 = params.pick(region, ["soils/n2o/ef5"])
        if ef4 is None or ef5 is None:
            return "no EF4/EF5 (IPCC 2006 Table 11.3) in the factor sets"
        frac_gas = _fraction(gas)
        frac_leach = _fraction(leach) if leach else 0.0
        direct_text = "; ".join([cite("Nrate", nrate), cite("EF3", ef3)])
        leach_text = (
            cite("FracLeachMS", leach) + "; " + cite("EF5", ef5)
            if leach
            else "FracLeachMS: no IPCC 2006 default bundled, leaching not estimated"
        )
        return {
            "_nrate": nrate.value,
            "_ef3": ef3.value,
            "_indirect_ef": frac_gas * ef4.value + frac_leach * ef5.value,
            "_direct_ids": ";".join([nrate.factor_id, ef3.factor_id]),
            "_indirect_ids": ";".join(
                [nrate.factor_id, gas.factor_id, ef4.factor_id] + ([leach.factor_id, ef5.factor_id] if leach else [])
            ),
            "_sets": ";".join(dict.fromkeys([nrate.factor_set, ef3.factor_set, gas.factor_set, ef4.factor_set])),
            "region_used": nrate.region,
            "_direct_params": direct_text,
            "_indirect_params": "; ".join([cite("Nrate", nrate), cite("FracGasMS", gas), cite("EF4", ef4), leach_text]),
        }

    looked = lookup(rows.select("region", "_animal", "manure_system").unique(), solve)
    n = rows.join(looked, on=["region", "_animal", "manure_system"], how="left", nulls_equal=True)
    bad = n.filter(pl.col("_error").is_not_null())
    problems = [
        p
        for err in bad["_error"].unique().to_list()
        for p in row_problems(bad.filter(pl.col("_error") == err), "manure_system", "manure_system", err)
    ]
    ok = n.filter(pl.col("_error").is_null())
    if ok.height == 0:
        return [], problems
    nex = pl.col("_nrate") * pl.col("animal_mass_kg") / 1000 * DAYS_PER_YEAR  # kg N/head/yr, Eq. 10.30
    n_kg = pl.col("quantity_base") * nex
    head = pl.concat_str(
        [
            pl.lit("; N="),
            pl.col("quantity_base").round_sig_figs(9).cast(pl.String),
            pl.lit(" head; TAM="),
            pl.col("animal_mass_kg").cast(pl.String),
            pl.lit(" kg; Nex="),
            nex.round_sig_figs(6).cast(pl.String),
            pl.lit(" kg N/head/yr; system="),
            pl.col("manure_system"),
        ]
    )
    direct = ok.with_columns(
        pl.lit("N2O").alias("gas"),
        (n_kg * pl.col("_ef3") * N2O_PER_N2O_N / KG_PER_T).alias("mass_t"),
        pl.col("_direct_ids").alias("factor_ids"),
        pl.col("_sets").alias("factor_sets"),
        pl.lit(DIRECT_FORMULA).alias("formula"),
        pl.concat_str([pl.col("_direct_params"), head]).alias("parameters"),
    )
    indirect = ok.with_columns(
        pl.lit("N2O").alias("gas"),
        (n_kg * pl.col("_indirect_ef") * N2O_PER_N2O_N / KG_PER_T).alias("mass_t"),
        pl.col("_indirect_ids").alias("factor_ids"),
        pl.col("_sets").alias("factor_sets"),
        pl.lit(INDIRECT_FORMULA).alias("formula"),
        pl.concat_str([pl.col("_indirect_params"), head]).alias("parameters"),
        pl.lit("3.C.6").alias("ipcc_category"),
    )
    return [shape(direct), shape(indirect)], problems


def _fraction(param: Param) -> float:
    """A loss fraction as published: '%' values are percentages (Table 10.22), others fractions."""
    return param.value / 100 if param.unit_numerator.strip() == "%" else param.value


def _unit_is(param: Param, numerator: str, denominator: str) -> bool:
    """Whether a parameter is in the unit a method expects (project rows may omit the unit)."""
    if param.edition == "project" and not param.unit_numerator:
        return True
    return param.unit_numerator.lower() == numerator.lower() and param.unit_denominator.lower() == denominator.lower()


def _ef_record(p: Param) -> dict:
    """An emission factor's value and trace fields (factor id, set, region used, citation)."""
    return {
        "_ef": p.value,
        "factor_ids": p.factor_id,
        "factor_sets": p.factor_set,
        "region_used": p.region,
        "parameters": cite("EF", p),
    }
