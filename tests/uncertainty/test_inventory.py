"""Inventory uncertainty (IPCC 2006 Vol. 1 Ch. 3): Approach 1 by hand, Approach 2 against the analytic
mean and against Approach 1, the aggregation into sources and the correlation of shared factors."""

import time

import numpy as np
import polars as pl
import pytest

from dualcarbon.uncertainty import inventory as ui
from dualcarbon.uncertainty.distributions import LOGNORMAL, NORMAL


def test_equation_3_1_and_3_2_by_hand() -> None:
    # Eq. 3.1 (product): U = √(U_AD² + U_EF²); activity data ±5 %, factor ±7 % → √74 % = 8.602 %
    assert ui.product_uncertainty([0.05, 0.07]) == pytest.approx(0.0860233, rel=1e-6)
    # Eq. 3.2 (sum): two categories 100 t ±10 % and 50 t ±20 % → √(10² + 10²)/150 = 9.428 %
    assert ui.sum_uncertainty([100.0, 50.0], [0.10, 0.20]) == pytest.approx(0.0942809, rel=1e-6)


def test_the_exact_product_is_eq_3_1_for_small_and_larger_for_large_uncertainties() -> None:
    # Π(1 + sᵢ²) − 1 with sᵢ = Uᵢ/1.96 (Goodman 1960): ±100 % twice: s = 0.5102, (1.2603² − 1)^½ × 1.96 = 1.5035
    assert ui.product_uncertainty([1.0, 1.0], exact=True) == pytest.approx(1.5035, rel=1e-3)
    assert ui.product_uncertainty([1.0, 1.0]) == pytest.approx(np.sqrt(2))
    assert ui.product_uncertainty([0.02, 0.03], exact=True) == pytest.approx(ui.product_uncertainty([0.02, 0.03]), 1e-3)


def _library(rows: list[tuple[str, float, float | None, float | None]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "factor_id": [r[0] for r in rows],
            "value": [r[1] for r in rows],
            "lower": [None if r[2] is None else str(r[2]) for r in rows],
            "upper": [None if r[3] is None else str(r[3]) for r in rows],
            "key": ["k"] * len(rows),
            "gas": ["CO2"] * len(rows),
            "parameter": ["ef"] * len(rows),
        }
    )


def _emissions(keys, factor_ids, co2e, idx=None, method=None) -> pl.DataFrame:
    n = len(keys)
    return pl.DataFrame(
        {
            "_idx": list(range(n)) if idx is None else idx,
            "key": keys,
            "factor_ids": factor_ids,
            "co2e_t": co2e,
            "biogenic": [False] * n,
            "scope2_method": method or [None] * n,
        },
        schema_overrides={"_idx": pl.UInt32, "scope2_method": pl.String},
    )


def _activity_u(values) -> pl.DataFrame:
    return pl.DataFrame(
        {"_idx": list(range(len(values))), "uncertainty": values}, schema={"_idx": pl.UInt32, "uncertainty": pl.Float64}
    )


def test_a_shared_factor_counts_once_in_full() -> None:
    # two activities (100 t ±5 %, 50 t ±20 %) with the same factor ±10 %: the factor's error is one error of
    # all 150 t: Var = (0.10 × 150)² + (0.05 × 100)² + (0.20 × 50)² = 225 + 25 + 100 → U = √350/150 = 12.47 %
    e = _emissions(["a", "b"], ["ipcc:1", "ipcc:1; row:ncv"], [100.0, 50.0])
    src = ui.sources(e, _activity_u([0.05, 0.20]), _library([("ipcc:1", 2.0, 1.8, 2.2), ("ipcc:2", 1.0, 0.9, 1.1)]))
    assert src.factor_ids == ["ipcc:1"]  # ipcc:2 is used by no row; row:ncv is exact
    a1 = ui.approach1(src)[0]
    assert a1["u"] == pytest.approx(np.sqrt(350) / 150, rel=1e-12)
    assert a1["valid"]
    # were the two rows independent (Eq. 3.1 per row, Eq. 3.2 over rows) the factor's error would shrink
    independent = ui.sum_uncertainty(
        [100, 50], [ui.product_uncertainty([0.05, 0.1]), ui.product_uncertainty([0.2, 0.1])]
    )
    assert independent < a1["u"]


def test_approach_2_converges_to_the_mean_and_to_approach_1_for_small_normal_uncertainties() -> None:
    e = _emissions(["a", "b", "c"], ["f:1", "f:1; f:2", ""], [100.0, 50.0, 30.0])
    lib = _library([("f:1", 2.0, 1.9, 2.1), ("f:2", 10.0, 9.7, 10.3)])
    src = ui.sources(e, _activity_u([0.03, 0.02, 0.04]), lib)
    samples = ui.approach2(src, 200_000, seed=3)[:, 0]
    # every multiplier has mean 1: the Monte Carlo mean is the inventory's total (180 t), to its standard error
    assert samples.mean() == pytest.approx(180.0, abs=4 * samples.std() / np.sqrt(samples.size))
    a1 = ui.approach1(src)[0]
    half = (np.percentile(samples, 97.5) - np.percentile(samples, 2.5)) / 2 / 180.0
    assert half == pytest.approx(a1["u"], rel=0.02)


def test_a_skewed_range_is_a_lognormal_whose_mean_is_the_published_value() -> None:
    # IPCC 2006 Vol. 2 Ch. 1 Table 1.2, orimulsion NCV 27.5 TJ/Gg, 27.5-28.3: all of the range above the value
    u, half = ui.factor_multipliers(np.array([27.5, 2.0]), np.array([27.5, 1.8]), np.array([28.3, 2.2]))
    assert u.kind.tolist() == [LOGNORMAL, NORMAL]
    assert half == pytest.approx([0.8 / 27.5, 0.1])
    draws = u.sample(np.random.default_rng(0), 400_000)
    assert draws.mean(axis=0) == pytest.approx([1.0, 1.0], abs=2e-4)
    # the normal's 95 % interval is the published one
    assert np.percentile(draws[:, 1], [2.5, 97.5]) == pytest.approx([0.9, 1.1], abs=2e-3)


def test_rows_are_summed_into_sources_and_never_sampled_one_by_one() -> None:
    n = 400_000
    rng = np.random.default_rng(1)
    co2e = rng.uniform(0, 2, n)
    keys = np.where(np.arange(n) % 2 == 0, "a", "b").tolist()
    fids = np.where(np.arange(n) % 2 == 0, "f:1", "f:2").tolist()
    e = _emissions(keys, fids, co2e.tolist())
    lib = _library([("f:1", 2.0, 1.8, 2.2), ("f:2", 3.0, 2.0, 4.5)])
    ad = _activity_u(np.where(np.arange(n) % 4 == 0, 0.05, 0.1).tolist())
    src = ui.sources(e, ad, lib)
    assert src.co2e_t.shape[0] == 3  # (f:1, a, 5 %), (f:1, a, 10 %), (f:2, b, 10 %)
    assert src.central_t[0] == pytest.approx(co2e.sum(), rel=1e-12)
    start = time.perf_counter()
    samples = ui.approach2(src, 10_000, seed=1)
    assert time.perf_counter() - start < 2.0  # 10,000 iterations × 5 multipliers, whatever the row count
    # the same inventory given as three rows gives the very same samples (fixed seed, same sources)
    small = _emissions(
        ["a", "a", "b"],
        ["f:1", "f:1", "f:2"],
        [float(co2e[::4].sum()), float(co2e[2::4].sum()), float(co2e[1::2].sum())],
    )
    same = ui.approach2(ui.sources(small, _activity_u([0.05, 0.1, 0.1]), lib), 10_000, seed=1)
    np.testing.assert_allclose(samples, same, rtol=1e-9)


def test_biogenic_co2_and_the_other_scope2_basis_are_not_counted() -> None:
    e = _emissions(
        ["a", "b", "c", "d"], ["f:1"] * 4, [10.0, 20.0, 40.0, 80.0], method=[None, "location", "market", None]
    )
    e = e.with_columns(pl.Series("biogenic", [False, False, False, True]))
    src = ui.sources(e, _activity_u([0.0] * 4), _library([("f:1", 1.0, 0.9, 1.1)]))
    assert src.central_t.tolist() == [30.0, 50.0]


def test_assess_reports_the_statistics_and_approach_1_beside_them() -> None:
    e = _emissions(["a", "b"], ["f:1", ""], [100.0, 50.0])
    out = ui.assess(e, _activity_u([0.05, None]), _library([("f:1", 2.0, 1.8, 2.2)]), 2000, 7)
    assert out["central_t"] == 150.0 and out["iterations"] == 2000 and out["seed"] == 7
    assert out["p2_5"] < out["median"] < out["p97_5"]
    assert sum(out["histogram"]["counts"]) == 2000
    assert len(out["histogram"]["edges"]) == ui.HISTOGRAM_BINS + 1
    assert out["coverage"]["factor_share"] == pytest.approx(100 / 150)
    assert out["coverage"]["activity_share"] == pytest.approx(100 / 150)
    # Var = (0.1 × 100)² + (0.05 × 100)² = 125: the factor carries 100/125 of it
    assert [c["id"] for c in out["contributors"]] == ["f:1", "a"]
    assert out["contributors"][0]["variance_share"] == pytest.approx(0.8)
    assert out == ui.assess(e, _activity_u([0.05, None]), _library([("f:1", 2.0, 1.8, 2.2)]), 2000, 7)
