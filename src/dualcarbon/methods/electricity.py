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
the facility; otherwise it is reported in the warnings and not applied. No residual mix is
bundled, so uncovered consumption takes the location-based grid factor (flagged, §6.11.3).
"""

from __future__ import annotations

import polars as pl

from dualcarbon.methods.common import KG_PER_T, shape

MWH_PER_GJ = 1 / 3.6
HIERARCHY = {"PPA": 0, "GEC": 1, "I-REC": 1, "REC": 1, "GO": 1, "supplier_factor": 2}
SCOPE2_TYPES = set(HIERARCHY)
ZERO_EMISSION = {"GEC", "I-REC", "REC", "GO"}
ACCEPTED_STATUS = {None, "", "retired", "cancelled", "redeemed", "已注销", "已核销"}


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
            reason = f"status {row['status']!r} is not retired/cancelled"
        elif row["vintage"] is not None and row["vintage"] not in period_years:
            reason = f"vintage {row['vintage']} is outside the reporting period {period_years}"
        elif row["region"] and row["facility_region"] and row["region"] not in chains.get(row["facility_region"], []):
            reason = f"market {row['region']} does not cover the facility's region {row['facility_region']}"
        if reason:
            warnings.append(
                {
                    "code": "scope2_instrument_not_applied",
                    "message_en": f"Scope 2 instrument {row['id']} not applied: {reason}",
                    "message_zh": f"范围二合同工具 {row['id']} 未使用：{reason}",
                }
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
):
    """Market-based emission rows for purchased electricity, plus warnings.

    ``elec``: activity rows (``_idx``, ``facility``, ``region``, ``date``, ``quantity_base`` in GJ).
    ``location_rows``: their location-based emission rows (the grid-average fallback).
    ``instruments``: Scope 2 rows of credits.csv with ``id``, ``type``, ``mwh``,
    ``factor_kg_per_kwh``, ``facility``, ``region``, ``vintage``, ``status``.
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
            {
                "code": "scope2_instrument_unused",
                "message_en": f"Scope 2 instrument {row['id']}: {row['unused']:.3f} MWh not used (no matching consumption left)",
                "message_zh": f"范围二合同工具 {row['id']}：{row['unused']:.3f} 兆瓦时未使用（无剩余匹配用电量）",
            }
        )

    per_row = cover.group_by("_idx").agg(pl.col("covered_mwh").sum().alias("covered"))
    share = rows.join(per_row, on="_idx", how="left").select(
        "_idx",
        (1 - pl.col("covered").fill_null(0) / pl.col("mwh")).clip(lower_bound=0).fill_nan(0).alias("residual_share"),
    )
    residual = location_rows.join(share, on="_idx", how="inner").with_columns(
        (pl.col("mass_t") * pl.col("residual_share")).alias("mass_t"),
        pl.lit("market").alias("scope2_method"),
        pl.lit(
            "E = uncovered MWh × grid-average EF (no residual mix bundled; GHG Protocol Scope 2 Guidance §6.11.3)"
        ).alias("formula"),
        pl.concat_str(
            [pl.col("parameters"), pl.lit("; uncovered share="), pl.col("residual_share").round(6).cast(pl.String)]
        ).alias("parameters"),
    )
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
    out = pl.concat([shape(residual), shape(contractual)])
    return out, warnings
