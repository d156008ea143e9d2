"""Scope 2 market-based method: contractual instruments allocated to purchased electricity.

GHG Protocol Scope 2 Guidance (2015) §6.11 and Table 6.3: instruments are applied in the
hierarchy energy attribute certificates and direct contracts (PPA; GEC, I-REC, REC) →
supplier-specific emission rates → residual mix → grid average. Each MWh of an instrument is
used once: instruments are laid end to end per facility (then organisation-wide for those
naming no facility) against the facility's monthly consumption in calendar order, and the rows
of a month share its overlap pro rata (the Guidance prescribes no order; this one makes the
result independent of how consumption is split into rows); in a period of several years an
instrument with a vintage covers that year's consumption only. Scope 2 Quality Criteria (Table 7.1): an instrument is applied only if it
is retired/cancelled, its vintage falls in the reporting period and its market (region) covers
the facility; otherwise it is reported in the warnings and not applied.

Uncovered consumption takes a residual-type factor where one is published (§6.11.3): in China the
MEE/NBS national factor that excludes market-traded non-fossil electricity (生态环境部 国家统计局
电力二氧化碳排放因子公告, 表4 "全国电力平均二氧化碳排放因子（不包括市场化交易的非化石能源电量）"),
of the consumption's year or the latest earlier year, never a later one. Where none exists (another
country, or a year before the first such factor), the location-based grid average stands in, and a
warning says which one was used.
"""

from __future__ import annotations

import polars as pl

from dualcarbon.errors import msg
from dualcarbon.factors.library import FactorLibrary
from dualcarbon.methods import direct
from dualcarbon.methods.common import KG_PER_T, fmt, shape, warning

MWH_PER_GJ = 1 / 3.6
HIERARCHY = {"PPA": 0, "GEC": 1, "I-REC": 1, "REC": 1, "GO": 1, "supplier_factor": 2}
SCOPE2_TYPES = set(HIERARCHY)
ZERO_EMISSION = {"GEC", "I-REC", "REC", "GO"}
ACCEPTED_STATUS = {None, "", "retired", "cancelled", "redeemed", "已注销", "已核销"}
#: The residual-type factor key: China's national factor excluding market-traded non-fossil electricity.
RESIDUAL_KEY = "electricity/grid_ex_market_nonfossil"
RESIDUAL_COLUMNS = {
    "_idx": pl.UInt32,
    "resid_kg_per_gj": pl.Float64,
    "resid_factor_id": pl.String,
    "resid_factor_set": pl.String,
    "resid_year": pl.Int32,
    "resid_region": pl.String,
}


def residual_factors(elec: pl.DataFrame, library: FactorLibrary, factor_sets: list[str]) -> pl.DataFrame:
    """Per electricity row whose region has a residual-type factor at all: the one for its year.

    ``resid_kg_per_gj`` is null where the only such factors are of later years (the grid average
    then stands in, disclosed). Rows of regions without any residual-type factor are absent.
    """
    acts = elec.select("_idx", pl.lit(RESIDUAL_KEY).alias("key"), "region", "year", "sector", "dimension")
    found = direct.resolve(acts, library, factor_sets).filter(pl.col("gas") == "CO2")
    if found.height == 0:
        return pl.DataFrame(schema=RESIDUAL_COLUMNS)
    usable = pl.col("year_used").is_null() | (pl.col("year_used") <= pl.col("year"))
    return found.select(
        pl.col("_idx").cast(pl.UInt32),
        pl.when(usable).then(pl.col("value_norm")).alias("resid_kg_per_gj"),
        pl.when(usable).then(pl.col("factor_id")).alias("resid_factor_id"),
        pl.col("factor_set").alias("resid_factor_set"),
        pl.when(usable).then(pl.col("year_used")).cast(pl.Int32).alias("resid_year"),
        pl.col("region_used").alias("resid_region"),
    )


def _key(where: pl.Expr, year: pl.Expr | None) -> pl.Expr:
    """The pool an instrument is laid over: a facility (or ``*``, organisation-wide), and its year."""
    return (pl.concat_str([where, pl.lit("|"), year.cast(pl.String)]) if year is not None else where).alias("_key")


def _overlap(rows: pl.DataFrame, instruments: pl.DataFrame, by: str) -> pl.DataFrame:
    """MWh of each instrument covering each row.

    Within ``by``, monthly consumption is laid end to end in calendar order and the instruments
    end to end in hierarchy order; each month receives the overlap, which its rows share pro
    rata to their MWh. The result does not depend on how a month's consumption is split into
    rows, so grouped and row-by-row calculations agree.
    """
    months = (
        rows.group_by(by, "month")
        .agg(pl.col("open_mwh").sum().alias("m_mwh"))
        .sort(by, "month")
        .with_columns(pl.col("m_mwh").cum_sum().over(by).alias("r1"))
        .with_columns((pl.col("r1") - pl.col("m_mwh")).alias("r0"))
    )
    i = (
        instruments.sort([by, "rank", "id"])
        .with_columns(pl.col("mwh").cum_sum().over(by).alias("i1"))
        .with_columns((pl.col("i1") - pl.col("mwh")).alias("i0"))
    )
    pairs = (
        months.join(i.select("id", by, "i0", "i1", "factor_kg_per_kwh", "type"), on=by)
        .with_columns(
            (pl.min_horizontal("r1", "i1") - pl.max_horizontal("r0", "i0")).clip(lower_bound=0).alias("m_covered")
        )
        .filter(pl.col("m_covered") > 0)
    )
    return (
        rows.select("_idx", by, "month", "open_mwh")
        .join(pairs.select(by, "month", "m_mwh", "m_covered", "id", "factor_kg_per_kwh", "type"), on=[by, "month"])
        .with_columns((pl.col("m_covered") * pl.col("open_mwh") / pl.col("m_mwh")).alias("covered_mwh"))
    )  # (every row of a covered month gets its share, 0 included, however rows are grouped)


def eligible(instruments: pl.DataFrame, period_years: list[int], chains: dict[str, list[str]]):
    """Split instruments into applicable ones and warnings (Scope 2 Quality Criteria)."""
    warnings = []
    keep = []
    for row in instruments.iter_rows(named=True):  # a handful of certificates, not activity rows
        reason = None
        if row["status"] not in ACCEPTED_STATUS:
            reason = msg("warning.instrument.not_retired", status=row["status"])
        elif row["vintage"] is not None and row["vintage"] not in period_years:
            reason = msg("warning.instrument.vintage", vintage=row["vintage"], years=str(period_years))
        elif row["region"] and row["facility_region"] and row["region"] not in chains.get(row["facility_region"], []):
            reason = msg("warning.instrument.market", region=row["region"], facility_region=row["facility_region"])
        if reason:
            warnings.append(
                warning(
                    "scope2_instrument_not_applied",
                    "warning.scope2_instrument_not_applied",
                    id=row["id"],
                    reason=reason,
                )
            )
        else:
            keep.append(row["id"])
    return instruments.filter(pl.col("id").is_in(keep)), warnings


def compute(
    elec: pl.DataFrame,
    location_rows: pl.DataFrame,
    instruments: pl.DataFrame,
    period_years: list[int],
    chains: dict[str, list[str]],
    residual_factors: pl.DataFrame | None = None,
):
    """Market-based emission rows for purchased electricity, plus warnings.

    ``elec``: activity rows (``_idx``, ``facility``, ``region``, ``date``, ``quantity_base`` in GJ).
    ``location_rows``: their location-based emission rows (the grid-average fallback).
    ``instruments``: Scope 2 rows of credits.csv with ``id``, ``type``, ``mwh``,
    ``factor_kg_per_kwh``, ``facility``, ``region``, ``vintage``, ``status``.
    ``residual_factors``: from :func:`residual_factors` (residual-type factor per row, where any).
    """
    warnings: list[dict] = []
    rows = elec.select("_idx", "facility", "region", "month", (pl.col("quantity_base") * MWH_PER_GJ).alias("mwh"))
    # a facility's market region: where most of its electricity is bought (ties: the first code)
    fac_region = (
        rows.group_by("facility", "region")
        .agg(pl.col("mwh").sum())
        .sort("facility", "mwh", "region", descending=[False, True, False])
        .group_by("facility", maintain_order=True)
        .agg(pl.col("region").first().alias("facility_region"))
    )
    inst = instruments.with_columns(
        pl.col("type").replace_strict(HIERARCHY, default=9).alias("rank"),
        pl.when(pl.col("factor_kg_per_kwh").is_null() & pl.col("type").is_in(list(ZERO_EMISSION | {"PPA"})))
        .then(0.0)
        .otherwise(pl.col("factor_kg_per_kwh"))
        .alias("factor_kg_per_kwh"),
    ).join(fac_region, on="facility", how="left")
    inst, warnings = eligible(inst, period_years, chains)

    # In a period of several years a certificate of a vintage covers that year's consumption only
    # (Scope 2 Quality Criteria, Table 7.1); instruments without a vintage, and every instrument of
    # a one-year period, are laid over the whole period as before.
    by_vintage = len(period_years) > 1
    rows = rows.with_columns(pl.col("month").str.slice(0, 4).cast(pl.Int32, strict=False).alias("_year"))
    own = inst.filter(pl.col("facility").is_not_null())
    pooled = inst.filter(pl.col("facility").is_null())
    passes = []
    for group, pool in ((own, False), (pooled, True)):
        dated = group.filter(pl.col("vintage").is_not_null()) if by_vintage else group.clear()
        undated = group.filter(pl.col("vintage").is_null()) if by_vintage else group
        passes += [(dated, pool, True), (undated, pool, False)]
    covered: list[pl.DataFrame] = []
    for instruments_of_pass, pool, dated in passes:
        if instruments_of_pass.height == 0:
            continue
        used = pl.concat(covered).group_by("_idx").agg(pl.col("covered_mwh").sum()) if covered else None
        open_rows = rows.with_columns(pl.col("mwh").alias("open_mwh"))
        if used is not None:
            open_rows = open_rows.join(used, on="_idx", how="left").with_columns(
                (pl.col("mwh") - pl.col("covered_mwh").fill_null(0)).alias("open_mwh")
            )
        where = pl.lit("*") if pool else pl.col("facility")
        covered.append(
            _overlap(
                open_rows.with_columns(_key(where, pl.col("_year") if dated else None)),
                instruments_of_pass.with_columns(_key(where, pl.col("vintage") if dated else None)),
                "_key",
            )
        )
    cover = (
        pl.concat([c.select("_idx", "id", "type", "covered_mwh", "factor_kg_per_kwh") for c in covered])
        if covered
        else pl.DataFrame(
            schema={
                "_idx": pl.UInt32,
                "id": pl.String,
                "type": pl.String,
                "covered_mwh": pl.Float64,
                "factor_kg_per_kwh": pl.Float64,
            }
        )
    )
    for row in (
        inst.join(cover.group_by("id").agg(pl.col("covered_mwh").sum()), on="id", how="left")
        .with_columns((pl.col("mwh") - pl.col("covered_mwh").fill_null(0)).alias("unused"))
        .filter(pl.col("unused") > 1e-9)
        .iter_rows(named=True)
    ):
        warnings.append(
            warning(
                "scope2_instrument_unused", "warning.scope2_instrument_unused", id=row["id"], mwh=f"{row['unused']:.3f}"
            )
        )

    per_row = cover.group_by("_idx").agg(pl.col("covered_mwh").sum().alias("covered"))
    share = rows.join(per_row, on="_idx", how="left").select(
        "_idx",
        (1 - pl.col("covered").fill_null(0) / pl.col("mwh")).clip(lower_bound=0).fill_nan(0).alias("residual_share"),
    )
    resid = residual_factors if residual_factors is not None else pl.DataFrame(schema=RESIDUAL_COLUMNS)
    has_resid = pl.col("resid_kg_per_gj").is_not_null()
    uncovered = location_rows.join(share, on="_idx", how="inner").join(resid, on="_idx", how="left")
    grid_average = uncovered.filter(~has_resid).with_columns(
        (pl.col("mass_t") * pl.col("residual_share")).alias("mass_t"),
        pl.lit("market").alias("scope2_method"),
        pl.lit(
            "E = uncovered MWh × grid-average EF (no residual-type factor for this region and year; "
            "GHG Protocol Scope 2 Guidance §6.11.3)"
        ).alias("formula"),
        pl.concat_str(
            [pl.col("parameters"), pl.lit("; uncovered share="), pl.col("residual_share").round(6).cast(pl.String)]
        ).alias("parameters"),
    )
    # The residual-type factor is a CO2 factor: one CO2 row per activity (its location rows may carry
    # several gases; the first CO2 row holds the quantity).
    residual_rows = (
        uncovered.filter(has_resid & (pl.col("gas") == "CO2"))
        .join(elec.select("_idx", "quantity_base"), on="_idx", how="left")
        .with_columns(
            (pl.col("quantity_base") * pl.col("resid_kg_per_gj") * pl.col("residual_share") / KG_PER_T).alias("mass_t"),
            pl.lit("market").alias("scope2_method"),
            pl.col("resid_factor_id").alias("factor_ids"),
            pl.col("resid_factor_set").alias("factor_sets"),
            pl.col("resid_region").alias("region_used"),
            pl.col("resid_year").alias("year_used"),
            pl.lit(
                "E = uncovered MWh × national EF excluding market-traded non-fossil electricity "
                "(MEE/NBS electricity CO2 factors, Table 4; GHG Protocol Scope 2 Guidance §6.11.3)"
            ).alias("formula"),
            pl.concat_str(
                [
                    pl.lit("EF="),
                    fmt(pl.col("resid_kg_per_gj")),
                    pl.lit(" kg/base; uncovered share="),
                    pl.col("residual_share").round(6).cast(pl.String),
                ]
            ).alias("parameters"),
        )
    )
    warnings += _residual_warnings(uncovered.filter(pl.col("residual_share") > 1e-9), elec)  # not float dust
    contractual = cover.with_columns(
        pl.lit("CO2").alias("gas"),
        (pl.col("covered_mwh") * pl.col("factor_kg_per_kwh") * 1000 / KG_PER_T).alias("mass_t"),
        pl.lit("market").alias("scope2_method"),
        pl.concat_str([pl.lit("credits:"), pl.col("id")]).alias("factor_ids"),
        pl.col("type").alias("factor_sets"),
        pl.lit("E = MWh covered × instrument EF (GHG Protocol Scope 2 Guidance Table 6.3)").alias("formula"),
        pl.concat_str(
            [
                pl.lit("MWh="),
                pl.col("covered_mwh").round(6).cast(pl.String),
                pl.lit("; EF="),
                pl.col("factor_kg_per_kwh").cast(pl.String),
                pl.lit(" kg/kWh"),
            ]
        ).alias("parameters"),
    )
    out = pl.concat([shape(grid_average), shape(residual_rows), shape(contractual)])
    return out, warnings


def _residual_warnings(uncovered: pl.DataFrame, elec: pl.DataFrame) -> list[dict]:
    """Which factor the uncovered consumption of rows in a region with a residual-type factor took."""
    rows = uncovered.filter(pl.col("resid_region").is_not_null()).unique("_idx")
    if rows.height == 0:
        return []
    weight = pl.col("_n") if "_n" in elec.columns else pl.lit(1)  # a grouped row stands for _n rows
    years = rows.join(elec.select("_idx", pl.col("year").alias("_year"), weight.alias("_rows")), on="_idx", how="left")
    out = []
    used = years.filter(pl.col("resid_kg_per_gj").is_not_null())
    for (year_used, kg_per_gj), part in sorted(
        used.group_by("resid_year", "resid_kg_per_gj"), key=lambda g: (g[0][0] or 0, g[0][1] or 0)
    ):  # one warning per factor used (a handful), not per row
        years_text = ", ".join(str(y) for y in sorted(part["_year"].unique().to_list()))
        count = int(part["_rows"].sum())
        rate = f"{kg_per_gj * 3.6 / 1000:.4f}"
        out.append(
            warning(
                "scope2_residual_factor",
                "warning.scope2_residual_factor",
                years=years_text,
                count=count,
                year_used=year_used,
                rate=rate,
            )
        )
    fallback = years.filter(pl.col("resid_kg_per_gj").is_null())
    if fallback.height:
        years_text = ", ".join(str(y) for y in sorted(fallback["_year"].unique().to_list()))
        count = int(fallback["_rows"].sum())
        out.append(
            warning(
                "scope2_grid_average_fallback", "warning.scope2_grid_average_fallback", years=years_text, count=count
            )
        )
    return out
