"""Attribution factors and financed emissions per holding (PCAF Part A, 2nd edition, December 2022, Chapter 5).

Pure: typed holdings (``holdings.SCHEMA``) in, the same rows with their attribution and financed emissions out.

    financed emissions = attribution factor × counterparty emissions                  (PCAF Part A Chapter 5)
    listed equity, corporate bonds:     outstanding / EVIC                          (§5.1)
    business loans, unlisted equity:    outstanding / EVIC (listed counterparty)
                                        outstanding / (total equity + debt)        (§5.2)
    project finance:                    outstanding / (total equity + debt)        (§5.3)
    commercial real estate, mortgages:  outstanding / property value at origination (§5.4, §5.5)
    motor vehicle loans:                outstanding / vehicle value at origination  (§5.6)
    sovereign debt:                     outstanding / PPP-adjusted GDP              (§5.7)

EVIC is market capitalisation plus book values of debt, minority interests and preferred shares, cash *not*
deducted (the 2nd edition's change, §5.1): with cash deducted, a lender and an owner of the same company
could between them be attributed more than all of its emissions (the EVIC box: equity 50, debt 50, cash 20
gives 50 % + 50 % = 100 %, against 62.5 % + 62.5 % with cash deducted).

No more than 100 % of a counterparty's emissions is attributed: an attribution factor above 1 (an
outstanding amount above the denominator, e.g. a loan above the property's value at origination or an
EVIC out of date) is capped at 1 and flagged (``capped``), and so is a counterparty whose holdings'
factors add up to more than 1 (``counterparty_over_100``), so that the flag reaches the report.
"""

from __future__ import annotations

import polars as pl

from dualcarbon.financed import holdings as holdings_table

#: The columns ``attribute`` adds.
ATTRIBUTED = {
    "denominator": pl.Float64,
    "denominator_kind": pl.String,
    "attribution_uncapped": pl.Float64,
    "attribution": pl.Float64,
    "capped": pl.Boolean,
    "counterparty_over_100": pl.Boolean,
    "emissions_t": pl.Float64,
    "estimated": pl.Boolean,
    "financed_t": pl.Float64,
    "scope3_from": pl.Int64,
    "scope3_required": pl.Boolean,
    "financed_scope3_t": pl.Float64,
    "financed_lulucf_t": pl.Float64,
}


def denominator() -> tuple[pl.Expr, pl.Expr]:
    """(the attribution denominator, its name) per row, by asset class (PCAF Part A §5.1–5.7)."""
    value: pl.Expr | None = None
    kind: pl.Expr | None = None
    for asset_class, columns in holdings_table.DENOMINATORS.items():
        chosen = pl.coalesce([pl.col(c) for c in columns])
        name = pl.coalesce([pl.when(pl.col(c).is_not_null()).then(pl.lit(c)) for c in columns])
        is_class = pl.col("asset_class") == asset_class
        value = pl.when(is_class).then(chosen) if value is None else value.when(is_class).then(chosen)  # type: ignore[attr-defined]
        kind = pl.when(is_class).then(name) if kind is None else kind.when(is_class).then(name)  # type: ignore[attr-defined]
    assert value is not None and kind is not None
    return value.otherwise(None), kind.otherwise(None)  # type: ignore[attr-defined]


def sector_intensity(h: pl.DataFrame) -> pl.DataFrame:
    """Per sector, the Scope 1+2 emissions per unit of revenue of the counterparties that report them
    (``sector``, ``t_per_revenue``): the sector-average emission factor of PCAF option 3a (§5.1, score 4),
    taken from the reported peers in the same file, each counterparty counted once."""
    reported = h.filter(
        pl.col("scope1").is_not_null()
        & pl.col("scope2").is_not_null()
        & pl.col("revenue").is_not_null()
        & pl.col("sector").is_not_null()
        & (pl.col("emissions_basis") != "sector_average")
    ).unique(subset=["counterparty", "sector"], keep="first", maintain_order=True)
    return reported.group_by("sector").agg(
        ((pl.col("scope1") + pl.col("scope2")).sum() / pl.col("revenue").sum()).alias("t_per_revenue")
    )


def attribute(h: pl.DataFrame, reporting_year: int, intensities: pl.DataFrame | None = None) -> pl.DataFrame:
    """Each holding with its attribution factor and financed emissions (t CO2e); Scope 3 counted where
    PCAF's phase-in (§5.1: energy and mining from 2021; transport, construction, buildings, materials and
    industry from 2023; every sector from 2025) reaches the holding's year (``year``, else ``reporting_year``).

    ``intensities``: the sector-average factors for counterparties without reported emissions
    (``sector_intensity``); by default those of ``h`` itself."""
    value, kind = denominator()
    intensities = sector_intensity(h) if intensities is None else intensities
    phase_in = holdings_table.sectors().select("sector", "scope3_from")
    out = (
        h.join(intensities, on="sector", how="left")
        .join(phase_in, on="sector", how="left")
        .with_columns(value.alias("denominator"), kind.alias("denominator_kind"))
        .with_columns((pl.col("outstanding") / pl.col("denominator")).alias("attribution_uncapped"))
        .with_columns(
            pl.min_horizontal(pl.col("attribution_uncapped"), pl.lit(1.0)).alias("attribution"),
            (pl.col("attribution_uncapped") > 1.0).alias("capped"),
            (pl.col("scope1").is_null() & pl.col("scope2").is_null()).alias("estimated"),
        )
        .with_columns(
            pl.when(pl.col("estimated"))
            .then(pl.col("revenue") * pl.col("t_per_revenue"))
            .otherwise(pl.col("scope1").fill_null(0.0) + pl.col("scope2").fill_null(0.0))
            .alias("emissions_t"),
            pl.col("scope3_from").fill_null(2025),
        )
        .with_columns(
            (pl.col("attribution") * pl.col("emissions_t")).alias("financed_t"),
            (pl.col("year").fill_null(reporting_year) >= pl.col("scope3_from")).alias("scope3_required"),
            (pl.col("attribution") * pl.col("scope3")).alias("financed_scope3_t"),
            (pl.col("attribution") * pl.col("lulucf")).alias("financed_lulucf_t"),
        )
    )
    # The same counterparty held through several instruments against one denominator (equity and bonds
    # against its EVIC): their factors add up, and above 1 the denominator is out of date or wrong.
    over = (
        out.filter(pl.col("counterparty").is_not_null())
        .group_by("counterparty", "denominator_kind", "denominator")
        .agg((pl.col("attribution_uncapped").sum() > 1.0 + 1e-9).alias("counterparty_over_100"))
    )
    out = out.join(over, on=["counterparty", "denominator_kind", "denominator"], how="left").with_columns(
        pl.col("counterparty_over_100").fill_null(False)
    )
    return out.select(*holdings_table.SCHEMA, *ATTRIBUTED).cast(pl.Schema({**holdings_table.SCHEMA, **ATTRIBUTED}))
