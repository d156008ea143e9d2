"""PCAF data quality scores (Part A, 2nd edition, December 2022: the score tables of §5.1–5.7 and the
outstanding-weighted portfolio score).

The score tables are data (``financed/data/quality_scores.csv``: asset class × emissions basis → score 1–5,
with the PCAF option and the clause it comes from); a holding's own ``data_quality`` overrides the derived
score. The portfolio's score is the average of the holdings' scores weighted by their outstanding amounts,
and so is each group's (asset class, sector, scope group).
"""

from __future__ import annotations

from functools import cache

import polars as pl

from dualcarbon.financed.holdings import DATA


@cache
def score_table() -> pl.DataFrame:
    """``asset_class, emissions_basis, revenue_known (true/false/null = either), score, pcaf_option, source``."""
    with DATA.joinpath("quality_scores.csv").open("rb") as fh:
        return pl.read_csv(fh, schema_overrides={"revenue_known": pl.Boolean, "score": pl.Int64})


def score(attributed: pl.DataFrame) -> pl.DataFrame:
    """The holdings with ``score`` (1 best … 5) and ``pcaf_option``: the given ``data_quality`` where there is
    one, else the score table's for the asset class and basis (a sector-average estimate scores 4 when the
    counterparty's revenue is known, option 3a, and 5 otherwise)."""
    table = score_table()
    either = table.filter(pl.col("revenue_known").is_null()).drop("revenue_known", "source")
    by_revenue = table.filter(pl.col("revenue_known").is_not_null()).drop("source")
    out = (
        attributed.with_columns(pl.col("revenue").is_not_null().alias("_revenue_known"))
        .join(either, on=["asset_class", "emissions_basis"], how="left")
        .join(
            by_revenue.rename({"score": "_score_r", "pcaf_option": "_option_r", "revenue_known": "_revenue_known"}),
            on=["asset_class", "emissions_basis", "_revenue_known"],
            how="left",
        )
    )
    return out.with_columns(
        pl.coalesce("data_quality", "score", "_score_r").alias("score"),
        pl.when(pl.col("data_quality").is_not_null())
        .then(pl.lit("given"))
        .otherwise(pl.coalesce("pcaf_option", "_option_r"))
        .alias("pcaf_option"),
    ).drop("_revenue_known", "_score_r", "_option_r")


def weighted(scored: pl.DataFrame) -> float | None:
    """The outstanding-weighted data quality score, Σ(outstanding × score) / Σ outstanding (PCAF Part A 2nd ed.)."""
    total = float(scored["outstanding"].sum())
    if not total:
        return None
    return float((scored["outstanding"] * scored["score"]).sum()) / total


def by(scored: pl.DataFrame, key: str) -> list[dict]:
    """The weighted score and outstanding per value of ``key`` (asset class, sector), sorted by key."""
    rows = (
        scored.with_columns(pl.col(key).fill_null("other"))
        .group_by(key)
        .agg(
            pl.col("outstanding").sum().alias("outstanding"),
            ((pl.col("outstanding") * pl.col("score")).sum() / pl.col("outstanding").sum()).alias("score"),
            pl.len().alias("holdings"),
        )
        .sort(key)
    )
    return rows.to_dicts()


def by_scope(scored: pl.DataFrame) -> list[dict]:
    """The weighted score of the Scope 1+2 figures (every holding) and of the Scope 3 figures (holdings that
    report Scope 3), as PCAF asks Scope 3 to be reported apart (§5.1)."""
    groups = [("scope1_2", scored), ("scope3", scored.filter(pl.col("scope3").is_not_null()))]
    return [
        {"scope": name, "outstanding": float(g["outstanding"].sum()), "score": weighted(g), "holdings": g.height}
        for name, g in groups
    ]
