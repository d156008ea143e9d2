"""The solvers against hand computations and dense numpy solves (Heijungs and Suh 2002, eq. 2.10: s = A⁻¹ f)."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from dualcarbon.lca import compute
from dualcarbon.lca.solve import Factorised, SingularSystem

from .systems import build, random_dominant

SOLVERS = ["auto", "iterative", "superlu"]
if importlib.util.find_spec("cvxopt"):
    SOLVERS.append("umfpack")
if importlib.util.find_spec("pypardiso"):
    SOLVERS.append("pardiso")


def loop_system():
    """p0 makes 1 of product 0 with 0.5 of product 1 and 2 kg CO2; p1 makes 1 of product 1 with 0.2 of product 0
    and 1 kg CO2: a loop. By hand, for 1 of product 0: s0 = 1 + 0.2 s1, s1 = 0.5 s0, so s0 = 10/9, s1 = 5/9 and
    the score 2·10/9 + 5/9 = 25/9; for 1 of product 1: s1 = 1 + 0.5 s0, s0 = 0.2 s1, s1 = 10/9, s0 = 2/9, 14/9."""
    a = np.array([[1.0, -0.2], [-0.5, 1.0]])
    b = np.array([[2.0, 1.0]])
    return build(a, b, np.array([1.0]))


@pytest.mark.parametrize("solver", SOLVERS)
def test_loop_by_hand(solver: str) -> None:
    lca = Factorised(loop_system(), solver=solver)
    np.testing.assert_allclose(lca.supply(np.array([1.0, 0.0])), [10 / 9, 5 / 9], rtol=1e-12)
    np.testing.assert_allclose(lca.footprints(), [25 / 9, 14 / 9], rtol=1e-12)
    np.testing.assert_allclose(lca.scores(np.array([[1.0, 0.0], [2.0, 3.0]]).T), [25 / 9, 50 / 9 + 42 / 9], rtol=1e-12)


def test_footprints_by_hand() -> None:
    np.testing.assert_allclose(compute.footprints(loop_system()), [25 / 9, 14 / 9], rtol=1e-12)


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_equal_to_dense_solve(solver: str, seed: int) -> None:
    rng = np.random.default_rng(seed)
    a, b, c = random_dominant(150, 12, rng)
    lca = Factorised(build(a, b, c), solver=solver)
    f = rng.uniform(0, 2, 150) * (rng.random(150) < 0.1)
    np.testing.assert_allclose(lca.supply(f), np.linalg.solve(a, f), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(lca.footprints(), np.linalg.solve(a.T, b.T @ c), rtol=1e-10)
    many = rng.uniform(0, 1, (150, 5))
    np.testing.assert_allclose(lca.solve(many), np.linalg.solve(a, many), rtol=1e-10, atol=1e-12)


def test_iterative_falls_back_when_not_dominant() -> None:
    """A zero on the diagonal (a product made only as another's input) rules Jacobi out: SuperLU solves it."""
    a = np.array([[0.0, 1.0], [1.0, -0.5]])
    lca = Factorised(build(a, np.array([[1.0, 1.0]]), np.array([1.0])))
    assert lca.solver == "superlu"
    np.testing.assert_allclose(lca.supply(np.array([1.0, 0.0])), np.linalg.solve(a, [1.0, 0.0]), rtol=1e-12)


@pytest.mark.parametrize("solver", ["superlu", "auto"])
def test_singular(solver: str) -> None:
    """Two processes each making what the other uses, one for one, with no net output: no solution."""
    a = np.array([[1.0, -1.0], [-1.0, 1.0]])
    with pytest.raises(SingularSystem):
        Factorised(build(a, np.array([[1.0, 1.0]]), np.array([1.0])), solver=solver).supply(np.array([1.0, 0.0]))


def test_unknown_solver() -> None:
    with pytest.raises(ValueError, match="expected one of"):
        Factorised(loop_system(), solver="gauss")
