"""Solid waste disposal (IPCC category 4.A): first-order decay, or the methane commitment method.

First-order decay (FOD), IPCC 2006 Vol. 5 Ch. 3, Eq. 3.1–3.6:

* DDOCm = W × DOC × DOCf × MCF (Eq. 3.2), for each waste component (mixed MSW: the regional
  composition of Vol. 5 Ch. 2 Table 2.3 × the DOC of each component, Table 2.4, each component
  decaying with its own k, Table 3.3);
* DDOCma_T = DDOCmd_T + DDOCma_{T−1} × e^(−k) (Eq. 3.4) and DDOCm decomposed_T = DDOCma_{T−1} × (1 − e^(−k))
  (Eq. 3.5). As printed, waste deposited in year x starts decaying in x + 1 (no half-year delay), so a
  deposit contributes DDOCm × e^(−k(T−x−1)) × (1 − e^(−k)) in year T > x and nothing in its own year;
* CH4 generated_T = DDOCm decomposed_T × F × 16/12 (Eq. 3.6);
* CH4 emitted_T = (Σ CH4 generated_T − R_T) × (1 − OX) (Eq. 3.1), R_T the CH4 recovered at the site
  (``waste/landfill/methane_recovered`` rows, t CH4 per site and year), shared over the site's deposits
  in proportion to what they generate, and never more than they generate.

Methane commitment (GPC 2014 ch. 8, section 8.3, Tier 1 where no deposit history exists): the CH4 a
year's waste will ever generate is reported in the year it is landfilled:
CH4 = W × L0 × (1 − f_rec) × (1 − OX), L0 = MCF × DOC × DOCf × F × 16/12.

Defaults: DOCf 0.5 (Vol. 5 p. 3.13), F 0.5 (p. 3.15), MCF by site type (Table 3.1; a site of unknown type
takes "uncategorised", 0.6), OX 0 (Table 3.2: managed, unmanaged and uncategorised sites; 0.1 only for
well-managed sites covered with CH4-oxidising material, which a row states with ``ox``).
"""

from __future__ import annotations

import polars as pl

from dualcarbon.errors import Problem, msg
from dualcarbon.methods.common import fmt, shape, warning
from dualcarbon.methods.waste_params import Value, WasteDefaults
from dualcarbon.sums import exact_sum

CH4_PER_C = 16.0 / 12.0
RECOVERED_KEY = "waste/landfill/methane_recovered"
TOML = "dualcarbon.toml"

#: Landfill keys → IPCC component (Vol. 5 Table 2.4 DOC id, Table 3.3 k id). None: DOC not bundled.
COMPONENTS: dict[str, tuple[str | None, str]] = {
    "food": ("waste/doc/food_waste_wet_weight", "waste/k/food_waste_sewage_sludge"),
    "garden": (
        "waste/doc/garden_and_park_waste_wet_weight",
        "waste/k/other_non_food_organic_putrescible_garden_and_park_waste",
    ),
    "paper": ("waste/doc/paper_cardboard_wet_weight", "waste/k/paper_textiles"),
    "wood": ("waste/doc/wood_wet_weight", "waste/k/wood_straw_waste"),
    "textiles": ("waste/doc/textile_wet_weight", "waste/k/paper_textiles"),
    "sludge": (None, "waste/k/food_waste_sewage_sludge"),
    "industrial": (None, "bulk"),
    "bulk": (None, "bulk"),
}
#: Keys whose rows are waste deposited in a landfill (the activity data of first-order decay): mixed
#: MSW and each waste type of ``COMPONENTS``.
DEPOSIT_KEYS = frozenset({"waste/landfill/msw", *(f"waste/landfill/{c}" for c in COMPONENTS if c != "bulk")})

#: Mixed MSW: the degradable components of Vol. 5 Table 2.3 (% of wet weight) that the FOD model decays.
#: Plastics, metal, glass and "other" hold no DOC; rubber and leather are not decayed either (the IPCC
#: FOD spreadsheet model has no rubber component, and its Table 2.4 DOC row disagrees between sources).
MSW_COMPOSITION = {
    "food": "waste/msw_composition/food_waste",
    "paper": "waste/msw_composition/paper_and_cardboard",
    "wood": "waste/msw_composition/wood",
    "textiles": "waste/msw_composition/textiles",
}
#: ``swds_type`` → Vol. 5 Table 3.1 MCF id (unmanaged shallow, 0.4, is not in the bundled data).
MCF_IDS = {
    "managed_anaerobic": "waste/mcf/managed_anaerobic",
    "managed_semi_aerobic": "waste/mcf/managed_semi_anaerobic",
    "unmanaged_deep": "waste/mcf/unmanaged_deep",
    "uncategorised": "waste/mcf/uncategorized_swds",
}
DOCF_ID = "waste/doc_f/under_the_assumption_that_the_swds_environment_is_anaerobic_"
F_ID = "waste/f_ch4/f_fraction_of_methane_in_generated_landfill_gas"
OX_ID = "waste/ox/managed_but_not_covered_with_aerated_material_unmanaged_and_"
BULK_K_IDS = ["waste/k/bulk_waste", "waste/k/bulk"]

FOD_FORMULA = (
    "CH4_T = [Σ_x DDOCm_x × e^(−k(T−x−1)) × (1 − e^(−k)) × F × 16/12 − R_T] × (1 − OX), DDOCm = W × DOC × DOCf × MCF "
    "(IPCC 2006 Vol. 5 Ch. 3 Eq. 3.1-3.6, first-order decay; deposits of year x decay from x+1, Eq. 3.4/3.5 as printed)"
)
MC_FORMULA = (
    "CH4 = W × L0 × (1 − f_rec) × (1 − OX), L0 = MCF × DOC × DOCf × F × 16/12 "
    "(GPC 2014 ch. 8 §8.3, methane commitment; IPCC 2006 Vol. 5 Ch. 2-3 parameters)"
)


def compute(
    acts: pl.DataFrame, defaults: WasteDefaults, method: str, climate_zone: str | None, years: list[int]
) -> tuple[pl.DataFrame, list[Problem], list[dict]]:
    """CH4 rows of landfilled waste (one per deposit row × emission year), problems and warnings."""
    deposits = acts.filter(pl.col("key") != RECOVERED_KEY)
    recovered = acts.filter(pl.col("key") == RECOVERED_KEY)
    warnings: list[dict] = []
    first = min(years)
    history = deposits.filter(pl.col("year") < first)
    if method == "methane_commitment":
        if history.height:
            warnings.append(_note("waste_history_ignored", history.height))
        deposits = deposits.filter(pl.col("year") >= first)
    elif deposits.height and history.height == 0:
        warnings.append(_note("fod_no_history", deposits.height, first))
    if deposits.height == 0:
        return shape(pl.DataFrame()), [], warnings

    deposits = deposits.with_columns(
        pl.when((pl.col("key") == "waste/landfill/msw") & pl.col("doc").is_not_null())
        .then(pl.lit("bulk"))
        .otherwise(pl.col("key").str.strip_prefix("waste/landfill/"))
        .alias("_ctype"),
        pl.col("swds_type").fill_null("uncategorised").alias("_swds"),
    )
    problems = _row_problems(deposits, method, climate_zone)
    if problems:
        return shape(pl.DataFrame()), problems, warnings
    try:
        comps = _components(deposits, defaults, method, climate_zone)
        sites = _site_parameters(deposits, defaults)
    except LookupError as exc:
        return shape(pl.DataFrame()), [Problem(TOML, None, "method.factor_sets", None, str(exc))], warnings

    rows = deposits.join(sites, on="_swds", how="left").join(comps, on="_ctype", how="inner")
    rows = rows.with_columns(
        pl.coalesce(pl.col("doc"), pl.col("_doc")).alias("_doc_used"),
        pl.coalesce(pl.col("k"), pl.col("_k")).alias("_k_used"),
        pl.coalesce(pl.col("docf"), pl.col("_docf")).alias("_docf_used"),
        pl.coalesce(pl.col("mcf"), pl.col("_mcf")).alias("_mcf_used"),
        pl.coalesce(pl.col("swds_ox"), pl.col("_ox")).alias("_ox_used"),
    ).with_columns(
        (
            pl.col("quantity_base")
            * pl.col("_share")
            * pl.col("_doc_used")
            * pl.col("_docf_used")
            * pl.col("_mcf_used")
        ).alias("_ddocm"),
        _component_text().alias("_ctext"),
        _site_text().alias("_site_text"),
        pl.when(pl.col("swds_ox").is_not_null())
        .then(pl.concat_str([pl.lit("OX="), fmt(pl.col("swds_ox")), pl.lit(" (row)")]))
        .otherwise(pl.col("_ox_default_text"))
        .alias("_ox_text"),
    )
    if method == "methane_commitment":
        per_year = rows.with_columns(
            pl.col("year").alias("_T"), (pl.col("_ddocm") * pl.col("_f") * CH4_PER_C).alias("_gen")
        )
    else:
        grid = pl.DataFrame({"_T": years}, schema={"_T": pl.Int32})
        per_year = (
            rows.join(grid, how="cross")
            .filter(pl.col("_T") >= pl.col("year"))
            .with_columns(
                pl.when(pl.col("_T") > pl.col("year"))
                .then(
                    pl.col("_ddocm")
                    * (-pl.col("_k_used") * (pl.col("_T") - pl.col("year") - 1)).exp()
                    * (1 - (-pl.col("_k_used")).exp())
                )
                .otherwise(0.0)
                .alias("_decomposed")
            )
            .with_columns((pl.col("_decomposed") * pl.col("_f") * CH4_PER_C).alias("_gen"))
        )
    # exact sums: the components' and the sites' generation add up the same in every order (sums.py)
    out = per_year.group_by("_idx", "_T").agg(
        exact_sum("_gen").alias("_gen"),
        pl.col("facility").first(),
        pl.col("year").first(),
        pl.col("quantity_base").first().alias("_mass_t"),
        pl.col("_ctext").str.join("; "),
        pl.col("_ids").str.join(";"),
        pl.col("_region").drop_nulls().first(),
        pl.col("_site_text").first(),
        pl.col("_ox_used").first(),
        pl.col("_ox_text").first(),
        pl.col("_f_text").first(),
        pl.col("_site_ids").first(),
    )
    out, notes = _recovery(out, recovered)
    warnings += notes
    emitted = pl.col("_gen") * pl.col("_kept") * (1 - pl.col("_ox_used"))
    age = pl.col("_T") - pl.col("year")
    text = pl.concat_str(
        [
            pl.lit("W="),
            fmt(pl.col("_mass_t")),
            pl.lit(" t deposited "),
            pl.col("year").cast(pl.String),
            pl.lit("; "),
            pl.col("_ctext"),
            pl.lit("; "),
            pl.col("_site_text"),
            pl.lit("; "),
            pl.col("_f_text"),
            pl.lit("; "),
            pl.col("_ox_text"),
            pl.lit("; CH4 generated="),
            fmt(pl.col("_gen")),
            pl.lit(" t"),
            pl.when(pl.col("_r") > 0)
            .then(
                pl.concat_str(
                    [
                        pl.lit("; R="),
                        fmt(pl.col("_r")),
                        pl.lit(" t CH4 recovered at the site in "),
                        pl.col("_T").cast(pl.String),
                        pl.lit(", share of generation kept "),
                        fmt(pl.col("_kept"), 4),
                    ]
                )
            )
            .otherwise(pl.lit("")),
            pl.when(pl.lit(method == "fod") & (age == 0))
            .then(pl.lit("; deposited this year: decays from next year (Eq. 3.4/3.5)"))
            .otherwise(pl.lit("")),
        ]
    )
    ids = pl.concat_str([pl.col("_ids"), pl.col("_site_ids")], separator=";")
    result = out.with_columns(
        pl.lit("CH4").alias("gas"),
        emitted.alias("mass_t"),
        ids.str.split(";").list.unique(maintain_order=True).list.join(";").alias("factor_ids"),
        _sets(ids).alias("factor_sets"),
        pl.coalesce(pl.col("_region"), pl.lit("GLOBAL")).alias("region_used"),
        (pl.lit(MC_FORMULA) if method == "methane_commitment" else pl.lit(FOD_FORMULA)).alias("formula"),
        text.alias("parameters"),
        (pl.lit(None, pl.Int32) if method == "methane_commitment" else pl.col("_T")).alias("period_year"),
    )
    return shape(result.sort("_idx", "_T")), [], warnings


def _row_problems(deposits: pl.DataFrame, method: str, climate_zone: str | None) -> list[Problem]:
    problems = []
    no_doc = deposits.filter(pl.col("_ctype").is_in(["sludge", "industrial"]) & pl.col("doc").is_null())
    for r in no_doc.head(200).iter_rows(named=True):
        problems.append(
            Problem(
                r["_file"],
                r["_row"],
                "doc",
                None,
                msg("problem.doc_required", key=r["key"]),
            )
        )
    shallow = deposits.filter((pl.col("_swds") == "unmanaged_shallow") & pl.col("mcf").is_null())
    for r in shallow.head(200).iter_rows(named=True):
        problems.append(
            Problem(
                r["_file"],
                r["_row"],
                "mcf",
                None,
                msg("problem.mcf_required"),
            )
        )
    if method == "fod" and climate_zone is None:
        need_k = deposits.filter(pl.col("k").is_null())
        if need_k.height:
            r = need_k.row(0, named=True)
            problems.append(
                Problem(
                    TOML,
                    None,
                    "method.climate_zone",
                    None,
                    msg("problem.climate_zone_required", file=r["_file"], row=r["_row"], key=r["key"]),
                )
            )
    return problems


def _components(deposits: pl.DataFrame, defaults: WasteDefaults, method: str, climate_zone: str | None) -> pl.DataFrame:
    """Per component type: share of the row's mass, default DOC and k, their labels and ids."""
    records = []
    for ctype in deposits["_ctype"].unique().sort().to_list():
        if ctype == "msw":
            parts = []
            for comp, key in MSW_COMPOSITION.items():
                share = defaults.value(f"{comp} share", key, note="MSW composition, wet weight")
                parts.append((comp, share))
        else:
            parts = [(ctype, Value(1.0, None, ""))]
        for comp, share in parts:
            doc_id, k_id = COMPONENTS[comp]
            doc = defaults.value("DOC", doc_id, note=f"{comp}, wet weight") if doc_id else None
            k = None
            if method == "fod" and climate_zone is not None:
                k = _k(defaults, k_id, climate_zone, comp)
            records.append(
                {
                    "_ctype": ctype,
                    "_comp": comp,
                    "_share": share.value,
                    "_share_text": share.label,
                    "_doc": doc.value if doc else None,
                    "_doc_text": doc.label if doc else None,
                    "_k": k.value if k else None,
                    "_k_text": k.label if k else None,
                    "_ids": ";".join(
                        filter(None, [share.factor_id, doc.factor_id if doc else None, k.factor_id if k else None])
                    ),
                    "_region": share.region if ctype == "msw" else None,
                }
            )
    schema = {
        "_ctype": pl.String,
        "_comp": pl.String,
        "_share": pl.Float64,
        "_share_text": pl.String,
        "_doc": pl.Float64,
        "_doc_text": pl.String,
        "_k": pl.Float64,
        "_k_text": pl.String,
        "_ids": pl.String,
        "_region": pl.String,
    }
    return pl.DataFrame(records, schema=schema, orient="row")


def _k(defaults: WasteDefaults, k_id: str, zone: str, comp: str) -> Value:
    if k_id != "bulk":
        return defaults.climate_value("k", k_id, zone, comp)
    for key in BULK_K_IDS:
        try:
            return defaults.climate_value("k", key, zone, "bulk waste")
        except LookupError:
            continue
    raise LookupError(f"no IPCC bulk-waste k for climate zone {zone}; give the row's k")


def _site_parameters(deposits: pl.DataFrame, defaults: WasteDefaults) -> pl.DataFrame:
    """Per site type: MCF (Table 3.1), and the site-independent DOCf, F and OX defaults."""
    docf = defaults.value("DOCf", DOCF_ID)
    f = defaults.value("F", F_ID)
    ox = defaults.value("OX", OX_ID, note="managed/unmanaged/uncategorised site without oxidising cover")
    records = []
    for swds in deposits["_swds"].unique().sort().to_list():
        mcf = defaults.value("MCF", MCF_IDS[swds], note=swds) if swds in MCF_IDS else None
        records.append(
            {
                "_swds": swds,
                "_mcf": mcf.value if mcf else None,
                "_mcf_text": mcf.label if mcf else None,
                "_docf": docf.value,
                "_docf_text": docf.label,
                "_f": f.value,
                "_f_text": f.label,
                "_ox": ox.value,
                "_ox_default_text": ox.label,
                "_site_ids": ";".join(
                    filter(None, [mcf.factor_id if mcf else None, docf.factor_id, f.factor_id, ox.factor_id])
                ),
            }
        )
    frame = pl.DataFrame(records, orient="row")
    return frame.with_columns(pl.col("_mcf").cast(pl.Float64), pl.col("_mcf_text").cast(pl.String))


def _component_text() -> pl.Expr:
    """One component's share, DOC and k as the trace shows them (row values marked as the row's)."""
    share = pl.when(pl.col("_share_text") != "").then(pl.concat_str([pl.col("_share_text"), pl.lit(", ")]))
    doc = (
        pl.when(pl.col("doc").is_not_null())
        .then(pl.concat_str([pl.lit("DOC="), fmt(pl.col("doc")), pl.lit(" (row)")]))
        .otherwise(pl.col("_doc_text"))
    )
    k = (
        pl.when(pl.col("k").is_not_null())
        .then(pl.concat_str([pl.lit(", k="), fmt(pl.col("k")), pl.lit(" (row)")]))
        .when(pl.col("_k_text").is_not_null())
        .then(pl.concat_str([pl.lit(", "), pl.col("_k_text")]))
        .otherwise(pl.lit(""))
    )
    return pl.concat_str([pl.col("_comp"), pl.lit(": "), share.otherwise(pl.lit("")), doc, k])


def _site_text() -> pl.Expr:
    """DOCf and MCF of a row (the row's own values, or the defaults with their tables)."""
    return pl.concat_str(
        [
            pl.when(pl.col("docf").is_not_null())
            .then(pl.concat_str([pl.lit("DOCf="), fmt(pl.col("docf")), pl.lit(" (row)")]))
            .otherwise(pl.col("_docf_text")),
            pl.lit("; "),
            pl.when(pl.col("mcf").is_not_null())
            .then(pl.concat_str([pl.lit("MCF="), fmt(pl.col("mcf")), pl.lit(" (row)")]))
            .otherwise(pl.col("_mcf_text")),
        ]
    )


def _sets(ids: pl.Expr) -> pl.Expr:
    """The factor sets of ';'-joined factor ids (``ipcc2006:waste.12`` → ipcc2006)."""
    return (
        ids.str.split(";")
        .list.eval(pl.element().str.split(":").list.first())
        .list.unique(maintain_order=True)
        .list.join(";")
    )


def _recovery(out: pl.DataFrame, recovered: pl.DataFrame) -> tuple[pl.DataFrame, list[dict]]:
    """Share of each deposit's generation kept after the site's recovery of that year (Eq. 3.1's R_T)."""
    rec = (
        recovered.group_by(pl.col("facility"), pl.col("year").alias("_T"))
        .agg(exact_sum("quantity_base").alias("_r"))
        .with_columns(pl.col("_T").cast(pl.Int32))
    )
    gen = out.group_by("facility", "_T").agg(exact_sum("_gen").alias("_site_gen"))
    sites = gen.join(rec, on=["facility", "_T"], how="full", coalesce=True).with_columns(
        pl.col("_site_gen").fill_null(0.0), pl.col("_r").fill_null(0.0)
    )
    notes = []
    for r in sites.filter(pl.col("_r") > pl.col("_site_gen")).sort("facility", "_T").iter_rows(named=True):
        notes.append(
            warning(
                "landfill_recovery_exceeds_generation",
                "warning.landfill_recovery_exceeds_generation",
                site=r["facility"],
                year=r["_T"],
                recovered=f"{r['_r']:.6g}",
                generated=f"{r['_site_gen']:.6g}",
            )
        )
    kept = (
        pl.when(pl.col("_site_gen") > 0)
        .then(((pl.col("_site_gen") - pl.col("_r")) / pl.col("_site_gen")).clip(0.0, 1.0))
        .otherwise(1.0)
    )
    out = out.join(sites.select("facility", "_T", "_site_gen", "_r"), on=["facility", "_T"], how="left").with_columns(
        kept.alias("_kept"), pl.col("_r").fill_null(0.0)
    )
    return out, notes


def _note(code: str, count: int, first: int | None = None) -> dict:
    if code == "fod_no_history":
        return warning(code, "warning.fod_no_history", first=first)
    return warning(code, "warning.waste_history_ignored", count=count)
