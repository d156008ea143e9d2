"""Biological treatment of solid waste (IPCC category 4.B): composting and anaerobic digestion.

IPCC 2006 Vol. 5 Ch. 4: CH4 = Σ_i M_i × EF_i × 10^-3 − R (Eq. 4.1) and N2O = Σ_i M_i × EF_i × 10^-3 (Eq. 4.2),
M_i the wet mass treated and EF_i the Table 4.1 defaults on a wet-weight basis: composting 4 g CH4 and
0.24 g N2O per kg, anaerobic digestion at biogas facilities 0.8 g CH4 per kg (Table 4.1 takes N2O of
digestion as negligible, so none is reported). CH4 recovered from a digester (R) is not subtracted here:
the Table 4.1 factor already stands for the leaks of a digester whose gas is used or flared.
"""

from __future__ import annotations

import polars as pl

from dualcarbon.errors import Problem
from dualcarbon.methods.common import fmt, shape
from dualcarbon.methods.waste_params import WasteDefaults

WET = "wet weight basis"
#: key prefix → (Table 4.1 EF id, gases reported)
TREATMENTS = {
    "waste/composting/": ("waste/ef/composting", ["CH4", "N2O"]),
    "waste/anaerobic_digestion/": ("waste/ef/anaerobic_digestion_at_biogas_facilities", ["CH4"]),
}
FORMULA = "E_gas = M × EF_gas × 10^-3 (IPCC 2006 Vol. 5 Ch. 4 Eq. 4.1 CH4, Eq. 4.2 N2O; Table 4.1, wet weight)"


def compute(acts: pl.DataFrame, defaults: WasteDefaults) -> tuple[pl.DataFrame, list[Problem], list[dict]]:
    """CH4 and N2O rows of composted and digested waste (t wet)."""
    factors = []
    try:
        for prefix, (ef_id, gases) in TREATMENTS.items():
            for gas in gases:
                ef = defaults.value(
                    f"EF_{gas}", ef_id, WET, gas, note="wet weight, Vol. 5 Table 4.1", unit=f"g {gas}/kg waste treated"
                )
                factors.append((prefix, gas, ef.value, ef.factor_id, ef.label))
    except LookupError as exc:
        return shape(pl.DataFrame()), [Problem("dualcarbon.toml", None, "method.factor_sets", None, str(exc))], []
    table = pl.DataFrame(
        factors,
        schema={
            "_prefix": pl.String,
            "gas": pl.String,
            "_ef_g_per_kg": pl.Float64,
            "factor_ids": pl.String,
            "_ef_text": pl.String,
        },
        orient="row",
    )
    treatment_of = pl.lit(None, pl.String)
    for start in TREATMENTS:
        treatment_of = pl.when(pl.col("key").str.starts_with(start)).then(pl.lit(start)).otherwise(treatment_of)
    rows = acts.with_columns(treatment_of.alias("_prefix")).join(table, on="_prefix", how="inner")
    out = rows.with_columns(
        # t waste × g/kg = kg gas per t waste ÷ 1000 → t gas (Eq. 4.1's 10^-3)
        (pl.col("quantity_base") * pl.col("_ef_g_per_kg") * 1e-3).alias("mass_t"),
        pl.lit("GLOBAL").alias("region_used"),
        pl.lit(FORMULA).alias("formula"),
        pl.concat_str([pl.lit("M="), fmt(pl.col("quantity_base")), pl.lit(" t wet; "), pl.col("_ef_text")]).alias(
            "parameters"
        ),
        pl.col("factor_ids").str.split(":").list.first().alias("factor_sets"),
    )
    return shape(out), [], []
