"""Factor resolution as joins: activity requests × region fallback chain × factor table.

For every request (a distinct combination of key, region, year, sector and dimension) the
candidates are the factors of the project's factor sets whose key matches, whose region lies
on the request's fallback chain (facility region → grid → country → GLOBAL, DESIGN.md
'region'), whose denominator has the request's dimension and whose IPCC sector code is a
prefix of the request's sector. The winner per (request, gas) is the first by: factor-set
precedence, region fallback level, year distance (same year, then the latest earlier year,
then the nearest later year), most specific sector. The trace records all of these.
"""

from __future__ import annotations

import polars as pl

from dualcarbon.factors.library import FactorLibrary


def region_chains(library: FactorLibrary, regions: list[str]) -> pl.DataFrame:
    """(region, candidate region, level) for each distinct region: a small dimension table."""
    rows = [
        (region, candidate, level) for region in regions for level, candidate in enumerate(library.region_chain(region))
    ]
    return pl.DataFrame(
        rows, schema={"region": pl.String, "cand_region": pl.String, "region_level": pl.Int32}, orient="row"
    )


def precedence_table(factor_sets: list[str]) -> pl.DataFrame:
    return pl.DataFrame(
        {"factor_set": factor_sets, "set_rank": list(range(len(factor_sets)))},
        schema={"factor_set": pl.String, "set_rank": pl.Int32},
    )


def candidates(
    requests: pl.DataFrame,
    library: FactorLibrary,
    factor_sets: list[str],
    parameters: list[str],
    *,
    match_dimension: bool = True,
) -> pl.DataFrame:
    """All usable factors for each request, with their ranking columns (not yet reduced).

    ``requests`` needs ``req_id``, ``key``, ``region``, ``year``, ``sector`` and (when
    ``match_dimension``) ``dimension``: a factor qualifies when its denominator dimension
    equals the request's, or is energy (``energy_route`` = True then).
    """
    factors = library.factors.filter(pl.col("parameter").is_in(parameters) & pl.col("value_norm").is_not_null()).join(
        precedence_table(factor_sets), on="factor_set", how="inner"
    )
    chains = region_chains(library, requests["region"].unique().to_list())
    cand = (
        requests.join(chains, on="region", how="inner")
        .join(
            factors.rename({"region": "cand_region", "year": "year_used", "sector": "factor_sector"}),
            on=["key", "cand_region"],
            how="inner",
        )
        .rename({"cand_region": "region_used"})
    )
    sector_ok = pl.col("ipcc_sector").is_null() | pl.col("sector").fill_null("").str.starts_with(pl.col("ipcc_sector"))
    cand = cand.filter(sector_ok)
    if match_dimension:
        cand = cand.filter(
            (pl.col("denominator_dim") == pl.col("dimension")) | (pl.col("denominator_dim") == "energy")
        ).with_columns(
            ((pl.col("denominator_dim") == "energy") & (pl.col("dimension") != "energy")).alias("energy_route")
        )
    dy = pl.col("year_used").cast(pl.Int32) - pl.col("year").cast(pl.Int32)
    year_rank = (
        pl.when(pl.col("year_used").is_null())
        .then(pl.lit(1, pl.Int32))
        .when(dy == 0)
        .then(pl.lit(0, pl.Int32))
        .when(dy < 0)
        .then(1 - dy)  # earlier years: 2, 3, ...
        .otherwise(1000 + dy)
    )
    return cand.with_columns(
        year_rank.alias("year_rank"),
        (-pl.col("ipcc_sector").fill_null("").str.len_chars().cast(pl.Int32)).alias("sector_rank"),
    )


def first_per(cand: pl.DataFrame, by: list[str], extra_rank: list[str] | None = None) -> pl.DataFrame:
    """The winning candidate per group, by precedence, region level, year, sector specificity."""
    order = ["set_rank", *(extra_rank or []), "region_level", "year_rank", "sector_rank", "factor_id"]
    return cand.sort([*by, *order]).group_by(by, maintain_order=True).first()
