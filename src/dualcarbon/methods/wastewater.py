"""Wastewater treatment and discharge (IPCC category 4.D): domestic CH4 and N2O, industrial CH4.

Domestic CH4, IPCC 2006 Vol. 5 Ch. 6 Eq. 6.1-6.3:
TOW = P × BOD × 0.001 × I × 365 (kg BOD/yr; BOD per person Table 6.4, I = 1.25 for collected wastewater,
1.0 otherwise, p. 6.14), EF_j = Bo × MCF_j (Bo = 0.6 kg CH4/kg BOD, p. 6.12; MCF Table 6.3),
CH4 = Σ_i,j (U_i × T_i,j × EF_j) × TOW (sludge removed S and recovery R taken as 0). The pathways are the
row's ``treatment`` (one system), or China's urbanisation U_i and degrees of utilisation T_i,j of Table 6.5
(``factors/data/wastewater_treatments.csv`` pairs each Table 6.5 pathway with a Table 6.3 system).

Domestic N2O from effluent, Eq. 6.7-6.8: N_effluent = P × Protein × F_NPR × F_NON-CON × F_IND-COM (N in
sludge taken as 0); N2O = N_effluent × EF_effluent × 44/28 (EF 0.005 kg N2O-N/kg N). Protein per person
is the row's ``protein_kg_per_person_yr`` (required: the FAO figures are not bundled).

Industrial CH4, Eq. 6.4-6.6: TOW_i = P_i × W_i × COD_i (kg COD/yr; W and COD by industry, p. 6.22),
CH4 = TOW_i × Bo × MCF (Bo = 0.25 kg CH4/kg COD; MCF of the row's ``treatment`` or ``mcf``).
"""

from __future__ import annotations

import polars as pl

from dualcarbon.errors import Problem, msg
from dualcarbon.factors.library import DATA
from dualcarbon.methods.common import KG_PER_T, fmt, shape
from dualcarbon.methods.waste_params import Value, WasteDefaults

DOMESTIC = "wastewater/domestic"
N2O_PER_N = 44.0 / 28.0
GROUPS = {"rural": "rural_population", "urban_high": "urban_high_income", "urban_low": "urban_low_income"}
PATHWAYS = ["septic_tank", "latrine", "other", "sewer", "none"]
#: Catalogue slug → EFDB id slug of the p. 6.22 industries
INDUSTRY_IDS = {"pulp_paper": "pulp_paper_combined"}
FORMULA_DOMESTIC_CH4 = (
    "CH4 = Σ_i,j(U_i × T_ij × Bo × MCF_j) × TOW, TOW = P × BOD × 0.001 × I × 365 "
    "(IPCC 2006 Vol. 5 Ch. 6 Eq. 6.1-6.3; Tables 6.3-6.5)"
)
FORMULA_DOMESTIC_N2O = (
    "N2O = P × Protein × F_NPR × F_NON-CON × F_IND-COM × EF × 44/28 (IPCC 2006 Vol. 5 Ch. 6 Eq. 6.7-6.8)"
)
FORMULA_INDUSTRIAL = "CH4 = P × W × COD × Bo × MCF (IPCC 2006 Vol. 5 Ch. 6 Eq. 6.4-6.6; p. 6.21-6.22)"


def treatments() -> pl.DataFrame:
    """Wastewater systems a row may name in ``treatment`` (Table 6.3) and the Table 6.5 pathway of each."""
    with DATA.joinpath("wastewater_treatments.csv").open("rb") as fh:
        return pl.read_csv(fh.read(), infer_schema=False).with_columns(pl.col("collected") == "true")


def compute(acts: pl.DataFrame, defaults: WasteDefaults) -> tuple[pl.DataFrame, list[Problem], list[dict]]:
    """CH4 and N2O rows of domestic (persons served) and industrial (t product) wastewater."""
    systems = treatments()
    known = systems["treatment"].to_list()
    problems: list[Problem] = []
    for r in acts.filter(pl.col("treatment").is_not_null() & ~pl.col("treatment").is_in(known)).iter_rows(named=True):
        problems.append(
            Problem(
                r["_file"],
                r["_row"],
                "treatment",
                r["treatment"],
                msg("problem.wastewater_system", choices=", ".join(known)),
            )
        )
    domestic = acts.filter(pl.col("key") == DOMESTIC)
    industrial = acts.filter(pl.col("key") != DOMESTIC)
    for r in domestic.filter(pl.col("dimension") != "count").iter_rows(named=True):
        problems.append(Problem(r["_file"], r["_row"], "unit", r["unit"], msg("problem.persons_unit")))
    for r in industrial.filter(pl.col("dimension") != "mass").iter_rows(named=True):
        problems.append(Problem(r["_file"], r["_row"], "unit", r["unit"], msg("problem.product_mass_unit")))
    for r in domestic.filter(pl.col("protein_kg_per_person_yr").is_null()).head(200).iter_rows(named=True):
        problems.append(
            Problem(
                r["_file"],
                r["_row"],
                "protein_kg_per_person_yr",
                None,
                msg("problem.protein_required"),
            )
        )
    for r in industrial.filter(pl.col("treatment").is_null() & pl.col("mcf").is_null()).iter_rows(named=True):
        problems.append(
            Problem(
                r["_file"],
                r["_row"],
                "treatment",
                None,
                msg("problem.treatment_required", choices=", ".join(known)),
            )
        )
    if problems:
        return shape(pl.DataFrame()), problems, []
    parts = []
    try:
        mcf = _system_mcf(systems, defaults)
        if domestic.height:
            parts += _domestic(domestic, defaults, mcf)
        if industrial.height:
            parts.append(_industrial(industrial, defaults, mcf))
    except LookupError as exc:
        unnamed = domestic.filter(pl.col("treatment").is_null() & pl.col("mcf").is_null())
        row = (unnamed if unnamed.height else acts).row(0, named=True)
        return shape(pl.DataFrame()), [Problem(row["_file"], row["_row"], "activity", row["key"], str(exc))], []
    return shape(pl.concat([shape(p) for p in parts])), [], []


def _system_mcf(systems: pl.DataFrame, defaults: WasteDefaults) -> pl.DataFrame:
    """Each system's MCF (Table 6.3) and I (collected or not, p. 6.14), with labels and ids."""
    i_collected = defaults.value("I", "waste/i/collected", note="collected")
    i_other = defaults.value("I", "waste/i/uncollected", note="uncollected")
    rows = []
    for s in systems.iter_rows(named=True):
        mcf = defaults.value("MCF", s["mcf_key"], s["condition"], note=s["treatment"], unit="fraction")
        i = i_collected if s["collected"] else i_other
        rows.append(
            (
                s["treatment"],
                s["table_6_5_pathway"],
                mcf.value,
                mcf.label,
                i.value,
                i.label,
                f"{mcf.factor_id};{i.factor_id}",
            )
        )
    return pl.DataFrame(
        rows,
        schema={
            "treatment": pl.String,
            "_pathway": pl.String,
            "_mcf": pl.Float64,
            "_mcf_text": pl.String,
            "_i": pl.Float64,
            "_i_text": pl.String,
            "_sys_ids": pl.String,
        },
        orient="row",
    )


def _pathways(defaults: WasteDefaults, mcf: pl.DataFrame) -> tuple[float, float, str, str]:
    """Table 6.5 (China): Σ_i,j U_i × T_ij × I_j × MCF_j and Σ U_i × T_ij × I_j, with the trace text and ids."""
    by_path = {r["_pathway"]: r for r in mcf.filter(pl.col("_pathway").is_not_null()).iter_rows(named=True)}
    weighted = weight_i = 0.0
    texts, ids = [], []
    for group, suffix in GROUPS.items():
        u = defaults.value(f"U_{group}", f"wastewater/urbanization/{group}", unit="fraction")
        ids.append(u.factor_id)
        texts.append(u.label)
        for path in PATHWAYS:
            t = defaults.value(
                f"T_{group},{path}", f"wastewater/degree_of_utilization/{path}_{suffix}", unit="fraction"
            )
            system = by_path[path]
            weighted += u.value * t.value * system["_i"] * system["_mcf"]
            weight_i += u.value * t.value * system["_i"]
            if t.value:
                texts.append(f"{t.label.split(' (')[0]} → {system['treatment']}")
            ids += [t.factor_id, *system["_sys_ids"].split(";")]
    texts.append(
        "MCF and I per system: " + ", ".join(f"{p}: {by_path[p]['_mcf']:g}/{by_path[p]['_i']:g}" for p in PATHWAYS)
    )
    return weighted, weight_i, "; ".join(texts), ";".join(dict.fromkeys(i for i in ids if i))


def _domestic(acts: pl.DataFrame, defaults: WasteDefaults, mcf: pl.DataFrame) -> list[pl.DataFrame]:
    bo = defaults.value("Bo", "waste/bo/bod_based", unit="kg CH4/kg BOD")
    bod = defaults.value("BOD", "waste/bod/bod5", unit="g/person/day")
    acts = acts.join(mcf, on="treatment", how="left")
    needs_mix = acts.filter(pl.col("treatment").is_null() & pl.col("mcf").is_null()).height > 0
    try:
        mix_mcf_i, mix_i, mix_text, mix_ids = _pathways(defaults, mcf) if needs_mix else (0.0, 1.0, "", "")
    except LookupError as exc:
        raise LookupError(
            f"{exc}; without the IPCC 2006 Vol. 5 Table 6.5 pathways of the country, name the row's treatment"
        ) from exc
    bod_used = pl.coalesce(pl.col("bod_g_per_person_day"), pl.lit(bod.value))
    bod_text = (
        pl.when(pl.col("bod_g_per_person_day").is_not_null())
        .then(pl.concat_str([pl.lit("BOD="), fmt(pl.col("bod_g_per_person_day")), pl.lit(" g/person/day (row)")]))
        .otherwise(pl.lit(bod.label))
    )
    tow_per_i = pl.col("quantity_base") * bod_used * 0.001 * 365  # kg BOD/yr before the factor I
    i_used = pl.coalesce(pl.col("_i"), pl.lit(1.0))
    # Σ U×T×I×MCF over the pathways (Table 6.5), one system's I×MCF, or the row's MCF with that system's I
    i_mcf = (
        pl.when(pl.col("mcf").is_not_null())
        .then(i_used * pl.col("mcf"))
        .when(pl.col("treatment").is_not_null())
        .then(pl.col("_i") * pl.col("_mcf"))
        .otherwise(pl.lit(mix_mcf_i))
    )
    path_text = (
        pl.when(pl.col("mcf").is_not_null())
        .then(pl.concat_str([pl.lit("MCF="), fmt(pl.col("mcf")), pl.lit(" (row); I="), fmt(i_used)]))
        .when(pl.col("treatment").is_not_null())
        .then(pl.concat_str([pl.col("_mcf_text"), pl.lit("; "), pl.col("_i_text")]))
        .otherwise(pl.lit(mix_text))
    )
    ch4 = acts.with_columns(
        pl.lit("CH4").alias("gas"),
        (tow_per_i * i_mcf * bo.value / KG_PER_T).alias("mass_t"),
        pl.concat_str(
            [pl.lit(bo.factor_id), pl.lit(bod.factor_id), pl.coalesce(pl.col("_sys_ids"), pl.lit(mix_ids))],
            separator=";",
        ).alias("factor_ids"),
        pl.lit(FORMULA_DOMESTIC_CH4).alias("formula"),
        pl.concat_str(
            [
                pl.lit("P="),
                fmt(pl.col("quantity_base")),
                pl.lit(" persons; "),
                bod_text,
                pl.lit(f"; {bo.label}; "),
                path_text,
            ]
        ).alias("parameters"),
        pl.lit(bod.region).alias("region_used"),
    )
    f_npr = defaults.value("F_NPR", "waste/f_npr/factor_of_nitrogen_in_protein", unit="kg N/kg protein")
    f_non_con = defaults.value("F_NON-CON", "waste/f_non_con/not_using_garbage_disposals")
    f_ind_com = defaults.value("F_IND-COM", "waste/f_ind_com/discharged_to_sewer")
    ef = defaults.value("EF", "waste/ef/domestic_wastewater_nitrogen_effluent", unit="kg N2O-N/kg -N")
    n_kg = (
        pl.col("quantity_base") * pl.col("protein_kg_per_person_yr") * f_npr.value * f_non_con.value * f_ind_com.value
    )
    labels = "; ".join(v.label for v in (f_npr, f_non_con, f_ind_com, ef))
    n2o = acts.with_columns(
        pl.lit("N2O").alias("gas"),
        (n_kg * ef.value * N2O_PER_N / KG_PER_T).alias("mass_t"),
        pl.lit(";".join(_ids(f_npr, f_non_con, f_ind_com, ef))).alias("factor_ids"),
        pl.lit(FORMULA_DOMESTIC_N2O).alias("formula"),
        pl.concat_str(
            [
                pl.lit("P="),
                fmt(pl.col("quantity_base")),
                pl.lit(" persons; Protein="),
                fmt(pl.col("protein_kg_per_person_yr")),
                pl.lit(f" kg/person/yr (row); {labels}"),
            ]
        ).alias("parameters"),
        pl.lit(f_non_con.region).alias("region_used"),
    )
    return [_sets(ch4), _sets(n2o)]


def _industrial(acts: pl.DataFrame, defaults: WasteDefaults, mcf: pl.DataFrame) -> pl.DataFrame:
    bo = defaults.value("Bo", "waste/bo/cod_based", unit="kg CH4/kg COD")
    records = []
    for key in acts["key"].unique().sort().to_list():
        slug = key.removeprefix("wastewater/industrial/")
        slug = INDUSTRY_IDS.get(slug, slug)
        w = defaults.value("W", f"waste/wastewater_generation/{slug}", unit="m3/tonne")
        cod = defaults.value("COD", f"waste/cod/{slug}", unit="kg COD/m3 wastewater")
        records.append((key, w.value, cod.value, f"{w.label}; {cod.label}", ";".join(_ids(bo, w, cod))))
    table = pl.DataFrame(
        records,
        schema={
            "key": pl.String,
            "_wgen": pl.Float64,
            "_cod": pl.Float64,
            "_ind_text": pl.String,
            "factor_ids": pl.String,
        },
        orient="row",
    )
    rows = acts.join(table, on="key", how="left").join(mcf, on="treatment", how="left")
    mcf_used = pl.coalesce(pl.col("mcf"), pl.col("_mcf"))
    mcf_text = (
        pl.when(pl.col("mcf").is_not_null())
        .then(pl.concat_str([pl.lit("MCF="), fmt(pl.col("mcf")), pl.lit(" (row)")]))
        .otherwise(pl.col("_mcf_text"))
    )
    out = rows.with_columns(
        pl.lit("CH4").alias("gas"),
        (pl.col("quantity_base") * pl.col("_wgen") * pl.col("_cod") * bo.value * mcf_used / KG_PER_T).alias("mass_t"),
        pl.concat_str(
            [pl.col("factor_ids"), pl.col("_sys_ids").str.split(";").list.first()], separator=";", ignore_nulls=True
        ).alias("factor_ids"),
        pl.lit(FORMULA_INDUSTRIAL).alias("formula"),
        pl.concat_str(
            [
                pl.lit("P="),
                fmt(pl.col("quantity_base")),
                pl.lit(" t product; "),
                pl.col("_ind_text"),
                pl.lit(f"; {bo.label}; "),
                mcf_text,
            ]
        ).alias("parameters"),
        pl.lit("GLOBAL").alias("region_used"),
    )
    return _sets(out)


def _ids(*values: Value) -> list[str]:
    return [v.factor_id for v in values if v.factor_id]


def _sets(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        pl.col("factor_ids")
        .str.split(";")
        .list.eval(pl.element().str.split(":").list.first())
        .list.unique(maintain_order=True)
        .list.join(";")
        .alias("factor_sets")
    )
