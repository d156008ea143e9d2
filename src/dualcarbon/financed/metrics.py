"""Fund metrics over attributed holdings (PCAF Part A, 2nd edition, December 2022: absolute emissions and the
economic emission intensity of its reporting requirements; TCFD 2021 Guidance on Metrics, Targets and
Transition Plans for WACI).

    absolute financed emissions      Σ attribution × emissions                                 t CO2e
    emissions per million invested   Σ financed emissions / (Σ outstanding / 10^6)             t CO2e per million
    WACI                             Σ (outstanding_i / Σ outstanding) × emissions_i / (revenue_i / 10^6)
                                                                                               t CO2e per million revenue

Against a benchmark, the WACI difference is split by sector like a Brinson attribution of returns:
``allocation_s = (w_p,s − w_b,s) × (I_b,s − I_b)`` (over- or under-weighting carbon-intensive sectors) and
``selection_s = w_p,s × (I_p,s − I_b,s)`` (choosing cleaner or dirtier issuers within a sector); they add
up exactly to WACI_p − WACI_b. Between two years, the change of financed emissions is split by the
log-mean Divisia index (Ang 2004, LMDI-I, exact and without residual) of F = outstanding × emissions /
denominator into the issuers' real emission change, the move of the denominator (the market's move of
EVIC for listed issuers, which PCAF §5.1 notes changes financed emissions with no change in the real
economy), the change of the amounts held, and the holdings bought or sold.
"""

from __future__ import annotations

import math

import polars as pl

MILLION = 1_000_000.0
#: Asset classes of companies, which have revenue for WACI.
CORPORATE = ("listed_equity", "corporate_bond", "business_loan", "unlisted_equity")


def absolute(attributed: pl.DataFrame) -> dict[str, float]:
    """Absolute financed emissions: Scope 1+2 (``total_t``), Scope 3 where the phase-in asks it (``total_scope3_t``,
    apart), the sovereigns' LULUCF (``lulucf_t``, apart: PCAF §5.7 reports sovereign emissions with and
    without LULUCF)."""
    scope3 = attributed.filter(pl.col("scope3_required"))["financed_scope3_t"].fill_null(0.0).sum()
    return {
        "total_t": float(attributed["financed_t"].sum()),
        "total_scope3_t": float(scope3),
        "lulucf_t": float(attributed["financed_lulucf_t"].fill_null(0.0).sum()),
    }


def per_million_invested(total_t: float, outstanding: float) -> float | None:
    """Financed emissions per million invested (PCAF Part A 2nd ed., "economic emission intensity")."""
    return total_t / (outstanding / MILLION) if outstanding > 0 else None


def intensities(frame: pl.DataFrame, weight: str = "outstanding") -> pl.DataFrame:
    """The corporate rows with revenue, their weight (``w``, share of ``weight`` among them) and their
    emission intensity (``intensity``, t CO2e per million revenue, emissions_t / revenue)."""
    rows = frame.filter(pl.col("revenue").is_not_null() & pl.col("emissions_t").is_not_null())
    if "asset_class" in rows.columns:
        rows = rows.filter(pl.col("asset_class").is_in(CORPORATE))
    return rows.with_columns(
        (pl.col(weight) / pl.col(weight).sum()).alias("w"),
        (pl.col("emissions_t") / (pl.col("revenue") / MILLION)).alias("intensity"),
        pl.col("sector").fill_null("other"),
    )


def waci(frame: pl.DataFrame, weight: str = "outstanding") -> float | None:
    """Weighted average carbon intensity, Σ w_i × emissions_i / revenue_i (t CO2e per million revenue; TCFD 2021)."""
    rows = intensities(frame, weight)
    return float((rows["w"] * rows["intensity"]).sum()) if rows.height else None


def by_sector(frame: pl.DataFrame, weight: str = "outstanding") -> pl.DataFrame:
    """``sector, w, intensity``: each sector's weight and its weight-averaged intensity."""
    rows = intensities(frame, weight)
    return rows.group_by("sector").agg(
        pl.col("w").sum().alias("w"), ((pl.col("w") * pl.col("intensity")).sum() / pl.col("w").sum()).alias("intensity")
    )


def compare(portfolio: pl.DataFrame, benchmark: pl.DataFrame) -> dict:
    """The portfolio's WACI against the benchmark's (benchmark weighted by ``weight``), the difference split
    into allocation and selection per sector (Brinson form, exact)."""
    p, b = by_sector(portfolio, "outstanding"), by_sector(benchmark, "weight")
    waci_p, waci_b = waci(portfolio, "outstanding"), waci(benchmark, "weight")
    if waci_p is None or waci_b is None:
        return {"waci_t_per_million_revenue": waci_b, "difference": None, "by_sector": []}
    table = (
        p.join(b, on="sector", how="full", coalesce=True, suffix="_b")
        .with_columns(pl.col("w").fill_null(0.0), pl.col("w_b").fill_null(0.0))
        # a sector the benchmark lacks is measured against the benchmark as a whole: no allocation effect
        .with_columns(pl.col("intensity_b").fill_null(waci_b))
        .with_columns(
            ((pl.col("w") - pl.col("w_b")) * (pl.col("intensity_b") - waci_b)).alias("allocation"),
            (pl.col("w") * (pl.col("intensity").fill_null(0.0) - pl.col("intensity_b"))).alias("selection"),
        )
        .with_columns(pl.when(pl.col("w") == 0).then(0.0).otherwise(pl.col("selection")).alias("selection"))
        .sort("sector")
    )
    return {
        "waci_t_per_million_revenue": waci_b,
        "difference": waci_p - waci_b,
        "allocation": float(table["allocation"].sum()),
        "selection": float(table["selection"].sum()),
        "by_sector": [
            {
                "sector": r["sector"],
                "weight": r["w"],
                "benchmark_weight": r["w_b"],
                "intensity": r["intensity"],
                "benchmark_intensity": r["intensity_b"],
                "allocation": r["allocation"],
                "selection": r["selection"],
            }
            for r in table.iter_rows(named=True)
        ],
    }


def _log_mean(a: float, b: float) -> float:
    return a if math.isclose(a, b, rel_tol=1e-12) else (a - b) / (math.log(a) - math.log(b))


def change(previous: pl.DataFrame, current: pl.DataFrame) -> dict:
    """The change of Scope 1+2 financed emissions from ``previous`` to ``current`` (attributed holdings of two
    years), by counterparty (the id where there is none), split by LMDI-I into ``emissions`` (the issuers'
    real change), ``denominator`` (EVIC's market move for listed issuers, values and GDP for the others),
    ``outstanding`` (amounts held) and ``entries_exits`` (counterparties held in one year only, or with a zero
    that a log cannot take); the parts add up to ``total``."""

    def per_counterparty(frame: pl.DataFrame) -> pl.DataFrame:
        return (
            frame.with_columns(pl.coalesce("counterparty", "id").alias("key"))
            .group_by("key")
            .agg(
                pl.col("outstanding").sum(),
                pl.col("denominator").first(),
                pl.col("emissions_t").first(),
                pl.col("financed_t").sum(),
                pl.col("capped").any(),
            )
        )

    both = per_counterparty(previous).join(per_counterparty(current), on="key", how="full", coalesce=True, suffix="_1")
    parts = {"emissions": 0.0, "denominator": 0.0, "outstanding": 0.0, "entries_exits": 0.0}
    for r in both.iter_rows(named=True):  # one row per counterparty (hundreds), not per activity
        f0, f1 = r["financed_t"] or 0.0, r["financed_t_1"] or 0.0
        values = [r["outstanding"], r["outstanding_1"], r["denominator"], r["denominator_1"], r["emissions_t"]]
        values.append(r["emissions_t_1"])
        if any(v is None or v <= 0 for v in values) or r["capped"] or r["capped_1"]:
            parts["entries_exits"] += f1 - f0
            continue
        weight = _log_mean(f1, f0)
        parts["emissions"] += weight * math.log(r["emissions_t_1"] / r["emissions_t"])
        parts["denominator"] -= weight * math.log(r["denominator_1"] / r["denominator"])
        parts["outstanding"] += weight * math.log(r["outstanding_1"] / r["outstanding"])
    total_0, total_1 = float(previous["financed_t"].sum()), float(current["financed_t"].sum())
    return {"previous_t": total_0, "current_t": total_1, "total": total_1 - total_0, **parts}
