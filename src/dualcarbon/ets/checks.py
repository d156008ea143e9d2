"""What a verifier flags in a plant's monthly data (pure; docs/ets.md, "Checks").

Each check gives rows ``{id, unit, month, status, value, limit}``; ``status`` is ``flagged`` (the reader
looks at it) and the messages are the catalogue's ``ets.check.<id>`` in either language. The tolerances
are this tool's, not the guideline's (which sets none): they are module constants, named and documented.
"""

from __future__ import annotations

import polars as pl

from dualcarbon.ets import rules

#: own use + supplied may differ from generation by this share of generation (metering and rounding)
BALANCE_TOLERANCE = 0.005
#: a month's NCV or measured carbon content further than this share from the unit's median of the year
OUTLIER_SHARE = 0.10
#: plausible ranges of a measured parameter, by fuel (outside: a unit or typing mistake)
RANGES = {
    ("coal", "ncv_gj_per_unit"): (8.0, 32.0),  # GJ/t: lignite and coal slime to anthracite
    ("coal", "carbon_content_t_per_gj"): (0.022, 0.034),  # t C/GJ
    ("gas", "ncv_gj_per_unit"): (300.0, 450.0),  # GJ/万Nm3
    ("gas", "carbon_content_t_per_gj"): (0.013, 0.018),
}
CHECK_IDS = (
    "unmeasured_months",
    "too_few_measured_months",
    "ncv_outlier",
    "carbon_content_outlier",
    "parameter_range",
    "supplied_above_generation",
    "balance",
    "fuel_without_generation",
    "no_generation_row",
    "heat_without_ratio",
)
SCHEMA = {
    "id": pl.String,
    "unit": pl.String,
    "month": pl.String,
    "value": pl.Float64,
    "limit": pl.Float64,
    "source_row": pl.Int64,
}


def run(fuel: pl.DataFrame, months: pl.DataFrame, guideline: rules.Guideline) -> pl.DataFrame:
    """Every flag of the year's data, one row each (``SCHEMA``), in the order of ``CHECK_IDS``."""
    found: list[pl.DataFrame] = []

    def add(frame: pl.DataFrame, check: str, value: pl.Expr, limit: pl.Expr, row: pl.Expr | None = None) -> None:
        found.append(
            frame.select(
                pl.lit(check).alias("id"),
                "unit",
                "month",
                value.cast(pl.Float64).alias("value"),
                limit.cast(pl.Float64).alias("limit"),
                (row if row is not None else pl.lit(None)).cast(pl.Int64).alias("source_row"),
            )
        )

    required = {
        fuel_class: p.value
        for (fuel_class, name), p in guideline.parameters.items()
        if name == "measured_month_share" and p.value > 0
    }
    needs = fuel.filter(pl.col("fuel").is_in(list(required)))
    unmeasured = needs.filter(pl.col("carbon_content_source") == "default")
    add(unmeasured, "unmeasured_months", pl.col("carbon_content_t_per_gj"), pl.lit(None), pl.col("source_row"))
    per_year = (
        needs.with_columns(pl.col("month").str.slice(0, 4).alias("_year"))
        .group_by("unit", "fuel", "_year")
        .agg(
            pl.col("month").filter(pl.col("carbon_content_source") == "measured").n_unique().alias("_measured"),
            pl.col("month").n_unique().alias("_burnt"),
        )
        .with_columns(
            (pl.col("fuel").replace_strict(required, default=None, return_dtype=pl.Float64) * pl.col("_burnt"))
            .ceil()
            .alias("_needed"),
            pl.col("_year").alias("month"),
        )
        .filter(pl.col("_measured") < pl.col("_needed"))
        .sort("unit", "month")
    )
    add(per_year, "too_few_measured_months", pl.col("_measured"), pl.col("_needed"))
    for column, check in (("ncv_gj_per_unit", "ncv_outlier"), ("carbon_content_t_per_gj", "carbon_content_outlier")):
        source = "ncv_source" if column == "ncv_gj_per_unit" else "carbon_content_source"
        measured = fuel.filter(pl.col(source) == "measured").with_columns(
            pl.col(column).median().over("unit", "fuel", pl.col("month").str.slice(0, 4)).alias("_median")
        )
        outliers = measured.filter((pl.col(column) / pl.col("_median") - 1).abs() > OUTLIER_SHARE)
        add(outliers, check, pl.col(column), pl.col("_median"), pl.col("source_row"))
    for (fuel_class, column), (low, high) in RANGES.items():
        source = "ncv_source" if column == "ncv_gj_per_unit" else "carbon_content_source"
        bad = fuel.filter(
            (pl.col("fuel") == fuel_class)
            & (pl.col(source) == "measured")
            & ((pl.col(column) < low) | (pl.col(column) > high))
        )
        limit = pl.when(pl.col(column) < low).then(pl.lit(low)).otherwise(pl.lit(high))
        add(bad, "parameter_range", pl.col(column), limit, pl.col("source_row"))
    add(
        months.filter(pl.col("supplied_mwh") > pl.col("generation_mwh")),
        "supplied_above_generation",
        pl.col("supplied_mwh"),
        pl.col("generation_mwh"),
    )
    gap = pl.col("own_use_mwh") + pl.col("supplied_mwh") - pl.col("generation_mwh")
    add(
        months.filter(pl.col("own_use_mwh").is_not_null() & (gap.abs() > BALANCE_TOLERANCE * pl.col("generation_mwh"))),
        "balance",
        pl.col("own_use_mwh") + pl.col("supplied_mwh"),
        pl.col("generation_mwh"),
    )
    for flag in ("fuel_without_generation", "no_generation_row"):
        add(months.filter(pl.col("evidence").str.contains(flag)), flag, pl.col("fuel_co2_t"), pl.lit(None))
    add(
        months.filter(pl.col("heat_ratio_source") == "output_energy"),
        "heat_without_ratio",
        pl.col("heat_ratio"),
        pl.lit(None),
    )
    if not found:
        return pl.DataFrame(schema=SCHEMA)
    return pl.concat(found).cast(pl.Schema(SCHEMA))
