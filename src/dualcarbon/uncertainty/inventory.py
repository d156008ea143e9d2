"""Uncertainty of an organisational inventory: IPCC 2006 Vol. 1 Ch. 3, Approaches 1 and 2.

Every emission row is ``E = AD × F1 × F2 × … × GWP`` for the purpose of its uncertainty: the
activity data AD of its activity record, times the factors its trace names (``factor_ids``) that
have a published 95 % interval (the library's ``lower`` and ``upper`` columns: the IPCC defaults'
ranges, or a project's own ``factors/*.csv``). Factors without a range, parameters given on the row
(``row:ncv``) and GWP values are taken as exact. An uncertainty U is, as in the guideline, the
half-width of the 95 % interval relative to the central value (0.05 = ±5 %).

Correlation, the point of a Monte Carlo over an inventory: one factor used by many rows is one
uncertain number, sampled once per iteration and applied to every row that uses it (the error of
the natural-gas CO2 factor does not average out over a thousand meter readings). Likewise the
activity data of one activity key with one stated uncertainty are one estimate: a source category's
activity data, as the guideline's Approach 1 table treats them (Table 3.2, one AD uncertainty per
category and gas); rows of different keys or of different stated uncertainty are independent.

Scale: nothing is sampled per row. Rows are first summed into *sources* (one per distinct set of
uncertain factors × activity-data class, over the Scope 2 bases), a table of a few hundred or
thousand lines even for 10 M rows; each iteration then draws one multiplier per factor and per
activity class (``iterations × (factors + classes)`` numbers) and the total is the sum over sources
of ``E_source × AD multiplier × Π factor multipliers``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from dualcarbon.uncertainty.distributions import LOGNORMAL, NORMAL, Uncertain

#: the 97.5th percentile of the standard normal: a 95 % interval is mean ± Z95 σ
Z95 = 1.959963984540054
#: IPCC 2006 Vol. 1 Ch. 3 §3.2.3.1: Approach 1 holds while σ/mean < 0.3, i.e. U below about 60 %
APPROACH1_LIMIT = 0.6
#: a published interval whose two sides differ by less than this share of its width is treated as symmetric
SYMMETRY_TOLERANCE = 0.05
HISTOGRAM_BINS = 30
#: the Scope 2 bases a total is computed for (``inventory.totals_of``)
BASES = ("location", "market")


def product_uncertainty(u: np.ndarray | list[float], exact: bool = False) -> float:
    """U of a product of independent uncertain quantities, IPCC 2006 Vol. 1 Ch. 3 Eq. 3.1: √(ΣUᵢ²).

    ``exact``: the exact relative variance of a product of independent quantities,
    Π(1 + sᵢ²) − 1 with sᵢ = Uᵢ/1.96 (Goodman, JASA 55, 1960), of which Eq. 3.1 is the first-order
    term; the two part where the guideline warns that Approach 1 understates large uncertainties."""
    arr = np.asarray(u, dtype=np.float64)
    if not exact:
        return float(np.sqrt(np.sum(arr**2)))
    s = arr / Z95
    return float(Z95 * np.sqrt(np.prod(1.0 + s**2) - 1.0))


def sum_uncertainty(x: np.ndarray | list[float], u: np.ndarray | list[float]) -> float:
    """U of a sum of independent quantities xᵢ with uncertainties Uᵢ, IPCC 2006 Vol. 1 Ch. 3 Eq. 3.2:
    √Σ(Uᵢxᵢ)² / |Σxᵢ|."""
    xs, us = np.asarray(x, dtype=np.float64), np.asarray(u, dtype=np.float64)
    return float(np.sqrt(np.sum((us * xs) ** 2)) / abs(np.sum(xs)))


def factor_multipliers(value: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> tuple[Uncertain, np.ndarray]:
    """Relative multipliers (mean 1) of factors with a published 95 % interval, and their U for Approach 1.

    A symmetric interval is a normal with σ = (upper − lower)/(2 × 1.96). An asymmetric one with a
    positive lower bound is a lognormal with σ = ln(upper/lower)/(2 × 1.96) whose mean is the published
    value (so a Monte Carlo's mean stays the inventory's central value), as IPCC 2006 Vol. 1 Ch. 3
    §3.2.2.4 advises for skewed quantities. U for Approach 1 is the larger side relative to the value
    (the guideline's instruction for asymmetric ranges in Table 3.2)."""
    value, lower, upper = (np.asarray(a, dtype=np.float64) for a in (value, lower, upper))
    u = np.maximum(upper - value, value - lower) / value
    width = upper - lower
    skewed = np.abs((upper - value) - (value - lower)) > SYMMETRY_TOLERANCE * width
    lognormal = skewed & (lower > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        sigma_ln = np.where(lognormal, np.log(upper / lower) / (2 * Z95), np.nan)
    kind = np.where(lognormal, LOGNORMAL, NORMAL).astype(np.int8)
    amount = np.where(lognormal, np.exp(-(sigma_ln**2) / 2), 1.0)
    scale = np.where(lognormal, np.exp(sigma_ln), width / (2 * Z95) / value)
    nan = np.full(value.shape, np.nan)
    return Uncertain(amount, kind, scale, nan, nan.copy()), u


def activity_multipliers(u: np.ndarray) -> Uncertain:
    """Relative multipliers of activity data with uncertainty U: normal, mean 1, σ = U/1.96 (IPCC 2006
    Vol. 1 Ch. 3 §3.2.2.4: activity data from statistics and meters are usually normal)."""
    u = np.asarray(u, dtype=np.float64)
    nan = np.full(u.shape, np.nan)
    return Uncertain(np.ones(u.shape), np.full(u.shape, NORMAL, np.int8), u / Z95, nan, nan.copy())


@dataclass(frozen=True)
class Sources:
    """An inventory reduced to what its uncertainty needs.

    ``co2e_t`` (sources × bases): the CO2e of each source counted in each total; ``factor_of``
    (sources × k): the uncertain factors of each source, −1 padding; ``activity_of``: each source's
    activity class, −1 for exact activity data."""

    co2e_t: np.ndarray
    factor_of: np.ndarray
    activity_of: np.ndarray
    factor_ids: list[str]
    factors: Uncertain
    factor_u: np.ndarray
    factor_labels: list[str]
    activity_labels: list[str]
    activity_u: np.ndarray

    @property
    def central_t(self) -> np.ndarray:
        return self.co2e_t.sum(axis=0)


def uncertain_factors(library_factors: pl.DataFrame) -> pl.DataFrame:
    """Factor ids with a usable published interval (lower ≤ value ≤ upper, value > 0), one row each."""
    num = {c: pl.col(c).cast(pl.String).str.strip_chars().cast(pl.Float64, strict=False) for c in ("lower", "upper")}
    return (
        library_factors.select(
            "factor_id",
            pl.col("value").cast(pl.Float64, strict=False),
            num["lower"].alias("lower"),
            num["upper"].alias("upper"),
            pl.concat_str([pl.col("key"), pl.col("gas"), pl.col("parameter")], separator=" ", ignore_nulls=True).alias(
                "label"
            ),
        )
        .filter(
            (pl.col("value") > 0)
            & (pl.col("lower") <= pl.col("value"))
            & (pl.col("value") <= pl.col("upper"))
            & (pl.col("lower") < pl.col("upper"))
        )
        .unique("factor_id", keep="first", maintain_order=True)
    )


def sources(emissions: pl.DataFrame, activity_u: pl.DataFrame, library_factors: pl.DataFrame) -> Sources:
    """Emission rows summed into sources (module docstring) in polars; rows are never looped over.

    ``emissions``: the engine's rows (``key``, ``factor_ids``, ``co2e_t``, ``biogenic``,
    ``scope2_method``, ``_idx``); ``activity_u``: ``_idx`` → ``uncertainty`` (a fraction, null for exact)."""
    counted = [
        pl.when(~pl.col("biogenic") & (pl.col("scope2_method").is_null() | (pl.col("scope2_method") == b)))
        .then(pl.col("co2e_t"))
        .otherwise(0.0)
        .alias(b)
        for b in BASES
    ]
    rows = (
        emissions.select("_idx", "key", pl.col("factor_ids").fill_null(""), "co2e_t", "biogenic", "scope2_method")
        .join(activity_u, on="_idx", how="left")
        .with_columns(*counted, pl.col("uncertainty").fill_null(0.0))
        .group_by("factor_ids", "key", "uncertainty")
        .agg(pl.col(b).sum() for b in BASES)
        .sort("factor_ids", "key", "uncertainty")
        .with_row_index("_source")
    )
    known = uncertain_factors(library_factors).with_row_index("_factor")
    links = (
        rows.select("_source", pl.col("factor_ids").str.split("; ").alias("factor_id"))
        .explode("factor_id")
        .with_columns(pl.col("factor_id").str.strip_chars())
        .unique()
        .join(known.select("factor_id", "_factor"), on="factor_id", how="inner")
    )
    used = links["_factor"].unique().sort()
    table = known.filter(pl.col("_factor").is_in(used.implode())).sort("_factor")
    remap = np.full(known.height + 1, -1, np.int64)
    remap[table["_factor"].to_numpy()] = np.arange(table.height)
    n = rows.height
    per = links.group_by("_source").agg(pl.col("_factor").sort()).sort("_source")
    k = int(per["_factor"].list.len().to_numpy().max()) if per.height else 0
    factor_of = np.full((n, max(k, 1)), -1, np.int64)
    for j in range(k):
        col = per.select("_source", pl.col("_factor").list.get(j, null_on_oob=True)).drop_nulls()
        factor_of[col["_source"].to_numpy(), j] = remap[col["_factor"].to_numpy()]
    factors, factor_u = factor_multipliers(
        table["value"].to_numpy(), table["lower"].to_numpy(), table["upper"].to_numpy()
    )
    classes = (
        rows.filter(pl.col("uncertainty") > 0).select("key", "uncertainty").unique().sort("key", "uncertainty")
    ).with_row_index("_class")
    activity_of = (
        rows.join(classes, on=["key", "uncertainty"], how="left")
        .sort("_source")["_class"]
        .cast(pl.Int64)
        .fill_null(-1)
        .to_numpy()
    )
    return Sources(
        co2e_t=rows.select(BASES).to_numpy().astype(np.float64),
        factor_of=factor_of,
        activity_of=activity_of,
        factor_ids=table["factor_id"].to_list(),
        factors=factors,
        factor_u=factor_u,
        factor_labels=table["label"].to_list(),
        activity_labels=classes["key"].fill_null("").to_list(),
        activity_u=classes["uncertainty"].to_numpy().astype(np.float64),
    )


def _weights(src: Sources) -> tuple[np.ndarray, np.ndarray]:
    """CO2e that depends on each factor and on each activity class (factors × bases, classes × bases)."""
    nf, nc, nb = len(src.factor_ids), len(src.activity_labels), src.co2e_t.shape[1]
    by_factor = np.zeros((nf + 1, nb))
    for j in range(src.factor_of.shape[1]):
        np.add.at(by_factor, src.factor_of[:, j], src.co2e_t)  # -1 (no factor) lands in the spare last row
    by_class = np.zeros((nc + 1, nb))
    np.add.at(by_class, src.activity_of, src.co2e_t)
    return by_factor[:nf], by_class[:nc]


def approach1(src: Sources) -> list[dict]:
    """IPCC 2006 Vol. 1 Ch. 3 Approach 1 for each total: Eq. 3.1 within a source, Eq. 3.2 over sources.

    Linear propagation with the correlation kept: Var(total) ≈ Σ_factors (U_f E_f)² + Σ_classes (U_c E_c)²,
    E_f the CO2e computed with factor f. It is Eq. 3.1 and 3.2 exactly when every source has its own
    factors and activity data (the guideline's table), and counts a shared factor's error once in full
    rather than as independent pieces. ``valid`` is false when a combined U exceeds 60 % (§3.2.3.1:
    Approach 1 then understates the spread; use Approach 2)."""
    by_factor, by_class = _weights(src)
    var = ((src.factor_u[:, None] * by_factor) ** 2).sum(axis=0) + ((src.activity_u[:, None] * by_class) ** 2).sum(
        axis=0
    )
    central = src.central_t
    out = []
    for b in range(len(BASES)):
        u = float(np.sqrt(var[b]) / abs(central[b])) if central[b] else 0.0
        out.append(
            {
                "u": u,
                "low": float(central[b] * (1 - u)),
                "high": float(central[b] * (1 + u)),
                "valid": bool(u <= APPROACH1_LIMIT and _sources_valid(src)),
            }
        )
    return out


def _sources_valid(src: Sources) -> bool:
    """Every source's combined U (Eq. 3.1) within Approach 1's range."""
    uf = np.append(src.factor_u, 0.0)[src.factor_of]  # −1 → the appended 0
    ua = np.append(src.activity_u, 0.0)[src.activity_of]
    combined = np.sqrt((uf**2).sum(axis=1) + ua**2)
    return bool(np.all(combined <= APPROACH1_LIMIT))


def approach2(src: Sources, iterations: int, seed: int, chunk_cells: int = 2_000_000) -> np.ndarray:
    """IPCC 2006 Vol. 1 Ch. 3 Approach 2 (Monte Carlo): ``iterations`` samples of each total, shape
    (iterations, bases). One multiplier per factor and per activity class per iteration (shared by
    every source that uses it); iterations are drawn in chunks of at most ``chunk_cells`` source
    cells so memory stays bounded for any inventory. Multipliers below zero (a normal's tail) are
    cut to zero: an emission factor or a quantity is never negative."""
    rng = np.random.default_rng(seed)
    n_src = src.co2e_t.shape[0]
    step = max(1, chunk_cells // max(n_src, 1))
    out = np.empty((iterations, src.co2e_t.shape[1]))
    done = 0
    while done < iterations:
        n = min(step, iterations - done)
        f = np.maximum(src.factors.sample(rng, n), 0.0)
        a = np.maximum(_activity_sample(src, rng, n), 0.0)
        f = np.concatenate([f, np.ones((n, 1))], axis=1)  # column −1: no factor
        a = np.concatenate([a, np.ones((n, 1))], axis=1)
        mult = a[:, src.activity_of]
        for j in range(src.factor_of.shape[1]):
            mult *= f[:, src.factor_of[:, j]]
        out[done : done + n] = mult @ src.co2e_t
        done += n
    return out


def _activity_sample(src: Sources, rng: np.random.Generator, n: int) -> np.ndarray:
    return activity_multipliers(src.activity_u).sample(rng, n)


def statistics(samples: np.ndarray) -> dict:
    """Mean, median, the 2.5th and 97.5th percentiles and a histogram of one total's samples."""
    counts, edges = np.histogram(samples, bins=HISTOGRAM_BINS)
    p = np.percentile(samples, [50.0, 2.5, 97.5])
    return {
        "mean": float(samples.mean()),
        "median": float(p[0]),
        "p2_5": float(p[1]),
        "p97_5": float(p[2]),
        "histogram": {"edges": [float(e) for e in edges], "counts": [int(c) for c in counts]},
    }


def contributors(src: Sources, base: int = 0, top: int = 10) -> list[dict]:
    """The uncertain inputs by their share of the total's variance (Approach 1's terms), largest first."""
    by_factor, by_class = _weights(src)
    terms = [
        ("factor", fid, label, float(u), float(e[base]))
        for fid, label, u, e in zip(src.factor_ids, src.factor_labels, src.factor_u, by_factor, strict=True)
    ] + [
        ("activity", key, key, float(u), float(e[base]))
        for key, u, e in zip(src.activity_labels, src.activity_u, by_class, strict=True)
    ]
    var = np.array([(u * e) ** 2 for *_, u, e in terms])
    total = float(var.sum())
    order = np.argsort(-var, kind="stable")[:top]
    return [
        {
            "input": terms[i][0],
            "id": terms[i][1],
            "label": terms[i][2],
            "u": terms[i][3],
            "co2e_t": terms[i][4],
            "variance_share": float(var[i] / total) if total else 0.0,
        }
        for i in order
        if var[i] > 0
    ]


def assess(
    emissions: pl.DataFrame,
    activity_u: pl.DataFrame,
    library_factors: pl.DataFrame,
    iterations: int,
    seed: int,
) -> dict:
    """``summary.json`` ``uncertainty`` (docs/uncertainty.md): Approach 2 statistics and Approach 1 for
    the location-based total (the top level) and the market-based one (``market``), the share of CO2e
    with an uncertain factor and with uncertain activity data, and the largest contributors."""
    src = sources(emissions, activity_u, library_factors)
    a1 = approach1(src)
    samples = approach2(src, iterations, seed)
    central = src.central_t
    uf = np.append(src.factor_u, 0.0)[src.factor_of].max(axis=1) > 0
    ua = src.activity_of >= 0
    blocks = []
    for b in range(len(BASES)):
        block = {"central_t": float(central[b]), **statistics(samples[:, b]), "approach1": a1[b]}
        blocks.append(block)
    loc = blocks[0]
    total = float(central[0]) or 1.0
    return {
        "method": "IPCC 2006 Vol. 1 Ch. 3 Approach 2 (Monte Carlo); Approach 1 (error propagation)",
        "iterations": int(iterations),
        "seed": int(seed),
        "unit": "t CO2e",
        "total": "total_location",
        **loc,
        "market": {k: v for k, v in blocks[1].items() if k != "histogram"},
        "coverage": {
            "factor_share": float(src.co2e_t[uf, 0].sum() / total),
            "activity_share": float(src.co2e_t[ua, 0].sum() / total),
            "factors": len(src.factor_ids),
            "activity_classes": len(src.activity_labels),
            "sources": int(src.co2e_t.shape[0]),
        },
        "contributors": contributors(src),
    }


__all__ = [
    "Sources",
    "activity_multipliers",
    "approach1",
    "approach2",
    "assess",
    "contributors",
    "factor_multipliers",
    "product_uncertainty",
    "sources",
    "statistics",
    "sum_uncertainty",
]
