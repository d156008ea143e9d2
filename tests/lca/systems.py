"""Small product systems for the engine's tests, built from dense matrices."""

from __future__ import annotations

import numpy as np

from dualcarbon.lca.system import Entries, Process, ProductSystem
from dualcarbon.uncertainty.distributions import Uncertain


def entries(matrix: np.ndarray, amount: Uncertain | None = None) -> Entries:
    row, col = np.nonzero(matrix)
    return Entries(row, col, amount if amount is not None else Uncertain.certain(matrix[row, col]))


def build(
    a: np.ndarray,
    b: np.ndarray,
    c: np.ndarray,
    *,
    stages: list[str] | None = None,
    a_amount: Uncertain | None = None,
    b_amount: Uncertain | None = None,
) -> ProductSystem:
    """A ProductSystem of processes p0, p1, … and flows f0, f1, … from dense A, B and c."""
    n = a.shape[0]
    stages = stages or ["production"] * n
    processes = tuple(Process(f"p{j}", f"过程{j}", f"process {j}", "kg", "CN", stages[j]) for j in range(n))
    flows = tuple(f"f{k}" for k in range(b.shape[0]))
    return ProductSystem(
        processes,
        flows,
        entries(a, a_amount),
        entries(b, b_amount),
        np.asarray(c, float),
        "p0",
        "1 kg",
        "cradle-to-gate",
    )


def random_dominant(n: int, flows: int, rng: np.random.Generator, density: float = 0.05) -> tuple[np.ndarray, ...]:
    """A random technosphere with loops, strictly diagonally dominant by columns, and a random B and c."""
    mask = rng.random((n, n)) < density
    np.fill_diagonal(mask, False)
    a = -np.where(mask, rng.uniform(0.01, 1.0, (n, n)), 0.0)
    column_inputs = -a.sum(axis=0)
    diagonal = rng.uniform(0.5, 3.0, n)
    # inputs worth at most 80 % of the output per column: strongly dominant, as technospheres are
    a *= np.where(column_inputs > 0, 0.8 * diagonal / np.maximum(column_inputs, 1e-300), 1.0) * rng.uniform(0.1, 1, n)
    np.fill_diagonal(a, diagonal)
    b = np.where(rng.random((flows, n)) < 0.3, rng.uniform(-0.2, 5.0, (flows, n)), 0.0)
    c = rng.uniform(0.0, 300.0, flows)
    return a, b, c
