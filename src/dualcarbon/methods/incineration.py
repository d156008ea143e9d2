"""Incineration of solid waste (IPCC category 4.C): fossil and biogenic CO2, CH4 and N2O.

IPCC 2006 Vol. 5 Ch. 5 Eq. 5.1 (and 5.2 for MSW): CO2 = SW × Σ_j (WF_j × dm_j × CF_j × FCF_j × OF_j) × 44/12, with
WF_j the share of component j in the waste (Vol. 5 Ch. 2 Table 2.3, by region: Eastern Asia for China),
dm_j its dry matter, CF_j the carbon in its dry matter and FCF_j the fossil share of that carbon (Table 2.4),
OF the oxidation factor of incineration (Table 5.2: 100 %). The same sum with (1 − FCF_j) is the biogenic CO2,
reported apart (``biogenic`` = true) and outside the totals. A row's ``fossil_carbon_fraction`` replaces the
components' FCF: fossil CO2 = total carbon × fcf × 44/12, biogenic = total carbon × (1 − fcf) × 44/12.

Table 2.4 prints no total carbon for metal and glass and no fossil carbon for food and wood ('-'): those
count as 0. The regional shares of Table 2.3 are used as printed (Eastern Asia's sum to 80.5 %: the rest of
the waste is of unknown composition and adds no carbon).

CH4: Vol. 5 Table 5.3, continuous incineration with a stoker (the table prints factors measured in Japan;
the EFDB files them under that country), 0.2 kg per Gg wet waste. N2O: Table 5.6, continuous and
semi-continuous MSW incinerators, 50 g per t wet waste (Eq. 5.5).
"""

from __future__ import annotations

import polars as pl

from dualcarbon.errors import Problem
from dualcarbon.methods.common import CO2_PER_C, fmt, shape
from dualcarbon.methods.waste_params import Value, WasteDefaults

#: Table 2.3 composition id → Table 2.4 component id
COMPONENTS = {
    "food_waste": "food_waste",
    "paper_and_cardboard": "paper_cardboard",
    "wood": "wood",
    "textiles": "textile",
    "rubber_and_leather": "rubber_and_leather",
    "plastics": "plastics",
    "metal": "metal",
    "glass_and_pottery_and_china": "glass",
    "other": "other_inert_waste",
}
OF_ID = "waste/oxidation_factor/incineration"
CH4_ID, CH4_CONDITION = "waste/ef/incineration_of_msw", "Continuous incineration - stoker"
N2O_ID, N2O_CONDITION = "waste/ef/incineration_of_msw", "continuous and semi-continuous incinerators; wet weight"
FORMULA_CO2 = (
    "CO2 = SW × Σ_j(WF_j × dm_j × CF_j × FCF_j × OF) × 44/12; biogenic with (1 − FCF_j) "
    "(IPCC 2006 Vol. 5 Ch. 5 Eq. 5.1/5.2; Ch. 2 Tables 2.3, 2.4; Table 5.2)"
)
FORMULA_CH4 = "CH4 = SW × EF (IPCC 2006 Vol. 5 Ch. 5 Eq. 5.4; Table 5.3, continuous stoker)"
FORMULA_N2O = "N2O = SW × EF (IPCC 2006 Vol. 5 Ch. 5 Eq. 5.5; Table 5.6, continuous/semi-continuous MSW)"


def compute(acts: pl.DataFrame, defaults: WasteDefaults) -> tuple[pl.DataFrame, list[Problem], list[dict]]:
    """Fossil CO2, biogenic CO2, CH4 and N2O rows of incinerated MSW (t wet)."""
    try:
        carbon = _carbon_per_t(defaults)
        ch4 = defaults.value("EF_CH4", CH4_ID, CH4_CONDITION, "CH4", unit="kg/Gg waste wet weight", japan=True)
        n2o = defaults.value("EF_N2O", N2O_ID, N2O_CONDITION, "N2O", unit="g N2O/tonne waste")
    except LookupError as exc:
        return shape(pl.DataFrame()), [Problem("dualcarbon.toml", None, "method.factor_sets", None, str(exc))], []
    total_c, fossil_c, text, ids = carbon
    fcf = pl.col("fossil_carbon_fraction")
    fossil_t = pl.when(fcf.is_not_null()).then(total_c * fcf).otherwise(pl.lit(fossil_c))
    biogenic_t = pl.when(fcf.is_not_null()).then(total_c * (1 - fcf)).otherwise(pl.lit(total_c - fossil_c))
    row_fcf = pl.when(fcf.is_not_null()).then(pl.concat_str([pl.lit("; FCF="), fmt(fcf), pl.lit(" (row)")]))
    co2_text = pl.concat_str(
        [
            pl.lit("SW="),
            fmt(pl.col("quantity_base")),
            pl.lit(f" t wet; carbon per t wet waste {total_c:.6g} t C of which fossil {fossil_c:.6g} t C ({text})"),
            row_fcf.otherwise(pl.lit("")),
        ]
    )
    sw = pl.col("quantity_base")
    base = acts.select("_idx", "quantity_base", "fossil_carbon_fraction")

    def part(gas: str, mass: pl.Expr, formula: str, params: pl.Expr, factor_ids: str, biogenic: bool | None):
        return base.with_columns(
            pl.lit(gas).alias("gas"),
            mass.alias("mass_t"),
            pl.lit(factor_ids).alias("factor_ids"),
            pl.lit("ipcc2006").alias("factor_sets"),
            pl.lit("IPCC:Eastern Asia" if gas == "CO2" else "GLOBAL").alias("region_used"),
            pl.lit(formula).alias("formula"),
            params.alias("parameters"),
            pl.lit(biogenic, pl.Boolean).alias("biogenic"),
        )

    rows = [
        part("CO2", sw * fossil_t * CO2_PER_C, FORMULA_CO2, co2_text, ids, False),
        part("CO2", sw * biogenic_t * CO2_PER_C, FORMULA_CO2 + "; biogenic CO2, reported apart", co2_text, ids, True),
        # kg per Gg = 10^-6 kg per kg: t CH4 = t waste × EF × 10^-6
        part("CH4", sw * ch4.value * 1e-6, FORMULA_CH4, _text(ch4), ch4.factor_id or "", None),
        # g per t = 10^-6 t per t
        part("N2O", sw * n2o.value * 1e-6, FORMULA_N2O, _text(n2o), n2o.factor_id or "", None),
    ]
    out = pl.concat(rows).with_columns(pl.col("factor_ids").str.split(":").list.first().alias("factor_sets"))
    return shape(out.sort("_idx", "gas", "biogenic")), [], []


def _text(ef: Value) -> pl.Expr:
    return pl.concat_str([pl.lit("SW="), fmt(pl.col("quantity_base")), pl.lit(f" t wet; {ef.label}")])


def _carbon_per_t(defaults: WasteDefaults) -> tuple[float, float, str, str]:
    """Total and fossil carbon (t C per t wet MSW) from Tables 2.3 and 2.4, with the trace text and ids."""
    of = defaults.value("OF", OF_ID)
    total = fossil = 0.0
    texts, ids = [], [of.factor_id]
    for comp_id, table_id in COMPONENTS.items():
        wf = defaults.value("WF", f"waste/msw_composition/{comp_id}", note="MSW composition, wet weight")
        dm = defaults.value("dm", f"waste/dry_matter/{table_id}")
        cf = _or_zero(defaults, "CF", f"waste/total_carbon/{table_id}")
        fcf = _or_zero(defaults, "FCF", f"waste/fossil_carbon_fraction/{table_id}")
        carbon = wf.value * dm.value * cf.value * of.value
        total += carbon
        fossil += carbon * fcf.value
        texts.append(
            f"{table_id}: {wf.label.split(' (')[0]}, {dm.label.split(' (')[0]}, {cf.label.split(' (')[0]}, {fcf.label.split(' (')[0]}"
        )
        ids += [wf.factor_id, dm.factor_id, cf.factor_id, fcf.factor_id]
    where = "Tables 2.3 (Eastern Asia for China), 2.4; " + of.label
    return total, fossil, "; ".join(texts) + f"; {where}", ";".join(dict.fromkeys(i for i in ids if i))


def _or_zero(defaults: WasteDefaults, name: str, key: str) -> Value:
    """Table 2.4 prints '-' (no value) for the carbon of metal and glass and the fossil carbon of food and wood."""
    try:
        return defaults.value(name, key)
    except LookupError:
        return Value(0.0, None, f"{name}=0 (Table 2.4 '-')")
