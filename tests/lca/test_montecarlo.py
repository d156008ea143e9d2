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


def test_sparse_path_with_every_kind_and_repeated_positions_equals_exact_solves() -> None:
    """The sparse sampler lays A's entries out in its CSR order once and writes each sample into it: entries that
    share a position (added, as in a COO matrix) and every kind of distribution must reach the matrix the exact
    solves see, and flows without a characterisation factor must not matter."""
    rng = np.random.default_rng(21)
    n = 240  # above montecarlo.DENSE
    a, b, c = random_dominant(n, 6, rng)
    c[2] = 0.0  # an uncharacterised flow: its entries are not drawn for the score
    row, col = np.nonzero(a)
    # split every fifth off-diagonal entry into two halves at the same position
    split = (row != col) & (np.arange(row.size) % 5 == 0)
    rows = np.concatenate([row, row[split]])
    cols = np.concatenate([col, col[split]])
    amounts = np.concatenate([np.where(split, a[row, col] / 2, a[row, col]), a[row, col][split] / 2])
    off = rows != cols
    kinds = np.where(off, np.arange(rows.size) % 4 + 1, 0).astype(np.int8)  # lognormal, normal, triangular, uniform
    scale = np.where(kinds == LOGNORMAL, 1.2, np.where(kinds == NORMAL, np.abs(amounts) * 0.05, np.nan))
    low = np.where(kinds >= TRIANGULAR, amounts * 1.1, np.nan)  # inputs are negative: 1.1 × is the lower bound
    high = np.where(kinds >= TRIANGULAR, amounts * 0.9, np.nan)
    a_amount = Uncertain(amounts, kinds, scale, low, high)
    br, bc = np.nonzero(b)
    bv = b[br, bc]
    b_amount = Uncertain(
        bv,
        np.full(bv.size, LOGNORMAL, np.int8),
        np.full(bv.size, 1.4),
        np.full(bv.size, np.nan),
        np.full(bv.size, np.nan),
    )
    from dualcarbon.lca.system import Entries, Process, ProductSystem

    processes = tuple(Process(f"p{j}", f"p{j}", f"p{j}", "kg", "CN", "production") for j in range(n))
    system = ProductSystem(
        processes,
        tuple(f"f{k}" for k in range(b.shape[0])),
        Entries(rows, cols, a_amount),
        Entries(br, bc, b_amount),
        c,
        "p0",
        "1 kg",
        "cradle-to-gate",
    )
    fast = montecarlo.simulate(system, {"p3": 1.0}, 30, seed=9)
    exact = montecarlo.simulate(system, {"p3": 1.0}, 30, seed=9, exact=True)
    np.testing.assert_allclose(fast, exact, rtol=1e-9)
    # the samples vary, around the deterministic score (the same system with every amount at its median)
    dense_a = np.zeros((n, n))
    np.add.at(dense_a, (rows, cols), amounts)
    f = np.zeros(n)
    f[3] = 1.0
    static = float(c @ b @ np.linalg.solve(dense_a, f))
    assert np.std(fast) > 0.01 * abs(static)
    assert abs(np.median(fast) - static) < 0.2 * abs(static)
    # the same layout with draws that cannot move (normal with sd 0; B certain): every sample is the static score,
    # so an entry lost or misplaced in the layout shows, which the comparison with exact solves cannot see
    still = Uncertain(amounts, np.full(rows.size, NORMAL, np.int8), np.zeros(rows.size), low, high)
    fixed = ProductSystem(
        processes,
        system.flows,
        Entries(rows, cols, still),
        Entries(br, bc, Uncertain.certain(bv)),
        c,
        "p0",
        "1 kg",
        "cradle-to-gate",
    )
    np.testing.assert_allclose(montecarlo.simulate(fixed, {"p3": 1.0}, 3, seed=9), static, rtol=1e-9)
