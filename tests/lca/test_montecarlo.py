"""Monte Carlo (Heijungs and Suh 2002, ch. 7) against the analytic mean and against exact solves."""

from __future__ import annotations

import numpy as np
import pytest

from dualcarbon.lca import montecarlo
from dualcarbon.uncertainty.distributions import LOGNORMAL, NONE, NORMAL, TRIANGULAR, UNIFORM, Uncertain

from .systems import build, random_dominant


def linear_case():
    """A certain technosphere (a loop) with every biosphere amount uncertain: the score cᵀ B s is linear in B,
    so its expected value is cᵀ E[B] s, with E[B] from each distribution's mean (lognormal: median·exp(ln²σg/2))."""
    a = np.array([[1.0, -0.2, 0.0], [-0.5, 1.0, -0.1], [0.0, -0.3, 2.0]])
    b = np.array([[2.0, 1.0, 0.5], [0.1, 0.0, 0.3]])
    amount = b[np.nonzero(b)]  # row-major order: (0,0) (0,1) (0,2) (1,0) (1,2)
    kind = np.array([LOGNORMAL, NORMAL, TRIANGULAR, UNIFORM, LOGNORMAL], dtype=np.int8)
    scale = np.array([1.5, 0.3, np.nan, np.nan, 1.2])
    low = np.array([np.nan, np.nan, 0.2, 0.05, np.nan])
    high = np.array([np.nan, np.nan, 1.5, 0.3, np.nan])
    uncertain = Uncertain(amount, kind, scale, low, high)
    system = build(a, b, np.array([1.0, 28.0]), b_amount=uncertain)
    mean_b = np.zeros_like(b)
    mean_b[np.nonzero(b)] = uncertain.mean()
    s = np.linalg.solve(a, [1.0, 0.0, 0.0])
    return system, float(np.array([1.0, 28.0]) @ mean_b @ s)


def test_converges_to_analytic_mean() -> None:
    system, expected = linear_case()
    scores = montecarlo.simulate(system, {"p0": 1.0}, 10_000, seed=7)
    standard_error = scores.std() / np.sqrt(scores.size)
    assert abs(scores.mean() - expected) < 4 * standard_error
    assert standard_error < 0.01 * expected  # the check has teeth: the mean is pinned to 1 %


def test_same_seed_same_scores() -> None:
    system, _ = linear_case()
    first = montecarlo.simulate(system, {"p0": 1.0}, 50, seed=3)
    assert np.array_equal(first, montecarlo.simulate(system, {"p0": 1.0}, 50, seed=3))
    assert not np.array_equal(first, montecarlo.simulate(system, {"p0": 1.0}, 50, seed=4))


def test_warm_started_iterations_equal_exact_solves() -> None:
    """Uncertain A and B on a random system: every warm-started sample within 1e-9 of its SuperLU solve."""
    rng = np.random.default_rng(11)
    a, b, c = random_dominant(260, 8, rng)  # above montecarlo.DENSE: the sparse path
    row, col = np.nonzero(a)
    off = row != col
    n_a = row.size
    a_amount = Uncertain(
        a[row, col],
        np.where(off, LOGNORMAL, NONE).astype(np.int8),
        np.where(off, 1.3, np.nan),
        np.full(n_a, np.nan),
        np.full(n_a, np.nan),
    )
    bv = b[np.nonzero(b)]
    b_amount = Uncertain(
        bv,
        np.full(bv.size, NORMAL, np.int8),
        np.abs(bv) * 0.1,
        np.full(bv.size, np.nan),
        np.full(bv.size, np.nan),
    )
    system = build(a, b, c, a_amount=a_amount, b_amount=b_amount)
    fast = montecarlo.simulate(system, {"p1": 1.0, "p2": 3.0}, 40, seed=5)
    exact = montecarlo.simulate(system, {"p1": 1.0, "p2": 3.0}, 40, seed=5, exact=True)
    np.testing.assert_allclose(fast, exact, rtol=1e-9)
    assert np.std(fast) > 0.01 * abs(np.mean(fast))


def test_negative_iterations() -> None:
    system, _ = linear_case()
    with pytest.raises(ValueError, match="iterations"):
        montecarlo.simulate(system, {"p0": 1.0}, -1, seed=0)


def test_dense_batches_equal_sparse_solves(monkeypatch: pytest.MonkeyPatch) -> None:
    """The small-system path (batched dense LU) gives the scores of the sparse path, sample for sample."""
    rng = np.random.default_rng(12)
    a, b, c = random_dominant(40, 5, rng)
    row, col = np.nonzero(a)
    a_amount = Uncertain(
        a[row, col],
        np.full(row.size, UNIFORM, np.int8),
        np.full(row.size, np.nan),
        a[row, col] * np.where(a[row, col] > 0, 0.9, 1.1),
        a[row, col] * np.where(a[row, col] > 0, 1.1, 0.9),
    )
    system = build(a, b, c, a_amount=a_amount)
    dense = montecarlo.simulate(system, {"p0": 1.0}, 30, seed=2)
    monkeypatch.setattr(montecarlo, "DENSE", 0)
    np.testing.assert_allclose(montecarlo.simulate(system, {"p0": 1.0}, 30, seed=2), dense, rtol=1e-10)
