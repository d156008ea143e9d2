"""Own forest removals, Tier 1: annual sequestration of a stand from its area and stock growth.

Biomass expansion factor method of the CCER afforestation methodology CCER-14-001-V01 (stem
volume → stem biomass → above-ground → total biomass → carbon → CO2), which is the IPCC 2006
gain-loss method with G_W = I_V × D × BEF (Vol. 4 Ch. 2, Eq. 2.9-2.10; equation numbers and the
methodology's own parameter appendix unverified, see docs/neutrality.md):

    ΔC_i (t CO2/yr) = A_i × I_V,i × D_i × BEF_i × (1 + R_i) × CF_i × 44/12

Defaults come from the bundled ``data/forest_parameters.csv`` (every value with its source,
table, year and reference id); a stand's own value overrides a default. Wood harvested from a
stand in the period is a loss (IPCC 2006 Vol. 4 Eq. 2.12, with BCEF_R = D × BEF):
``L = H × D × BEF × (1 + R) × CF × 44/12``; a stand whose loss exceeds its gain is a net emission.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from importlib import resources

import polars as pl

#: The five parameters of the formula, as sinks.csv names its override columns.
PARAMETERS = ("volume_growth_m3_per_ha_yr", "wood_density_t_per_m3", "bef", "root_shoot", "carbon_fraction")
CO2_PER_C = 44 / 12
TYPES = ("afforestation", "forest_management")
FORMULA = (
    "ΔC = A × I_V × D × BEF × (1 + R) × CF × 44/12 × years; loss = H × D × BEF × (1 + R) × CF × 44/12 "
    "(CCER-14-001-V01 biomass expansion factor method, Tier 1; IPCC 2006 Vol. 4 Eq. 2.9-2.10, 2.12)"
)


@cache
def parameter_table() -> pl.DataFrame:
    """The bundled defaults: one row per species group and parameter, with source, table and year."""
    raw = resources.files("dualcarbon.neutrality").joinpath("data", "forest_parameters.csv").read_bytes()
    return pl.read_csv(raw, schema_overrides={"value": pl.Float64, "year": pl.Int32, "reference_id": pl.String})


@cache
def species_names() -> dict[str, str]:
    """Species-group id, Chinese or English name (lower case) → species-group id."""
    groups = parameter_table().select("species_group", "name_zh", "name_en").unique()
    names: dict[str, str] = {}
    for group, zh, en in groups.iter_rows():
        for name in (group, zh, en, *zh.split("/")):
            names[name.strip().lower()] = group
    return names


def resolve(stands: pl.DataFrame, table: pl.DataFrame | None = None) -> pl.DataFrame:
    """Each stand's five parameters: its own value (``<p>``), else the table's default.

    Adds ``<p>_source`` ("<source>, <table>, <year>, <reference id>", or "stand's own value:
    <evidence>") and ``<p>_default`` (True where the bundled default was taken: "Tier 1
    default"). A parameter with neither stays null: the reader reports it.
    """
    table = parameter_table() if table is None else table
    cited = table.select(
        "species_group",
        "parameter",
        "value",
        pl.concat_str(
            ["source", "table", pl.col("year").cast(pl.String), "reference_id"], separator=", ", ignore_nulls=True
        ).alias("cited"),
    )
    out = stands
    for p in PARAMETERS:
        default = cited.filter(pl.col("parameter") == p).select(
            "species_group", pl.col("value").alias(f"_{p}_default"), pl.col("cited").alias(f"_{p}_cited")
        )
        out = out.join(default, on="species_group", how="left")
        own = pl.col(p).is_not_null()
        out = out.with_columns(
            pl.coalesce(pl.col(p), pl.col(f"_{p}_default")).alias(p),
            pl.when(own)
            .then(pl.concat_str([pl.lit("stand's own value: "), pl.col("evidence").fill_null("(no evidence given)")]))
            .otherwise(pl.col(f"_{p}_cited"))
            .alias(f"{p}_source"),
            (~own & pl.col(f"_{p}_default").is_not_null()).alias(f"{p}_default"),
        ).drop(f"_{p}_default", f"_{p}_cited")
    return out


def year_weights(start: dt.date, end: dt.date) -> pl.DataFrame:
    """Per calendar year of the period, the share of that year the period covers (1.0 for a full year)."""
    rows = []
    for year in range(start.year, end.year + 1):
        first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
        days = (min(end, last) - max(start, first)).days + 1
        rows.append((year, days / ((last - first).days + 1)))
    return pl.DataFrame(rows, schema={"year": pl.Int32, "weight": pl.Float64}, orient="row")


def estimate(resolved: pl.DataFrame, start: dt.date, end: dt.date) -> pl.DataFrame:
    """Removals of each stand in the period (t CO2), with the trace of the formula: growth
    A × I_V × D × BEF × (1 + R) × CF × 44/12 per year (CCER-14-001-V01 biomass expansion factor
    method; IPCC 2006 Vol. 4 Eq. 2.9-2.10) and harvest loss H × D × BEF × (1 + R) × CF × 44/12
    (Eq. 2.12); equation numbers unverified.

    Growth counts from the first full calendar year after planting (no growth is credited in the
    planting year: conservative, ISO 14068-1 principle of conservativeness) and in proportion to
    the part of each year the period covers. Adds ``years``, ``annual_t_co2``, ``gain_t_co2``,
    ``loss_t_co2``, ``net_t_co2``, ``formula`` and ``parameters``.
    """
    per_m3 = (
        pl.col("wood_density_t_per_m3")
        * pl.col("bef")
        * (1 + pl.col("root_shoot"))
        * pl.col("carbon_fraction")
        * CO2_PER_C
    )  # t CO2 per m3 of stem volume
    years = (
        resolved.select("id", "planting_year")
        .join(year_weights(start, end), how="cross")
        .filter(pl.col("year") > pl.col("planting_year"))
        .group_by("id")
        .agg(pl.col("weight").sum().alias("years"))
    )
    out = resolved.join(years, on="id", how="left").with_columns(pl.col("years").fill_null(0.0))
    out = out.with_columns(
        (pl.col("area_ha") * pl.col("volume_growth_m3_per_ha_yr") * per_m3).alias("annual_t_co2"),
        (pl.col("harvest_m3").fill_null(0.0) * per_m3).alias("loss_t_co2"),
    ).with_columns((pl.col("annual_t_co2") * pl.col("years")).alias("gain_t_co2"))
    trace = pl.concat_str(
        [
            pl.lit("A="),
            pl.col("area_ha").round(4).cast(pl.String),
            pl.lit(" ha; I_V="),
            pl.col("volume_growth_m3_per_ha_yr").cast(pl.String),
            pl.lit(" m3/ha/yr; D="),
            pl.col("wood_density_t_per_m3").cast(pl.String),
            pl.lit(" t/m3; BEF="),
            pl.col("bef").cast(pl.String),
            pl.lit("; R="),
            pl.col("root_shoot").cast(pl.String),
            pl.lit("; CF="),
            pl.col("carbon_fraction").cast(pl.String),
            pl.lit("; years="),
            pl.col("years").round(6).cast(pl.String),
            pl.lit("; H="),
            pl.col("harvest_m3").fill_null(0.0).cast(pl.String),
            pl.lit(" m3"),
        ]
    )
    return out.with_columns(
        (pl.col("gain_t_co2") - pl.col("loss_t_co2")).alias("net_t_co2"),
        pl.lit(FORMULA).alias("formula"),
        trace.alias("parameters"),
    )


def annual_removals(resolved: pl.DataFrame | None, years: list[int]) -> dict[int, float]:
    """t CO2 removed in each of ``years`` by the stands (``resolve``d), for pathways: each stand's
    annual growth A × I_V × D × BEF × (1 + R) × CF × 44/12 from the first full year after planting,
    held constant (Tier 1 assumes a constant stock growth; no future harvest is assumed)."""
    if resolved is None or resolved.height == 0:
        return {y: 0.0 for y in years}
    growth = estimate(resolved, dt.date(years[0], 1, 1), dt.date(years[0], 12, 31)).select(
        "planting_year", "annual_t_co2"
    )
    return {y: float(growth.filter(pl.col("planting_year") < y)["annual_t_co2"].sum()) for y in years}
