"""Sparse solves of the technosphere matrix: one factorisation (or one iteration set-up) for every demand.

ISO 14044:2006 4.3 by the matrix method (Heijungs and Suh 2002, ch. 2 and 5): the supply s meeting a
final demand f solves A s = f, and the footprints of one unit of every product at once solve the
transposed system Aᵀ x = Bᵀ c (x_j is then the kg CO2e of one unit of product j, and the score of any
demand is xᵀ f, the adjoint route: Heijungs and Suh 2002, section 5.3, the "multiplier" view).

Solvers:

- ``superlu``: SciPy's SuperLU (``scipy.sparse.linalg.splu``), in every install.
- ``umfpack``: UMFPACK from the ``cvxopt`` wheel (extra ``lca-umfpack``).
- ``pardiso``: Intel MKL PARDISO through ``pypardiso`` (extra ``lca-pardiso``).
- ``iterative``: Jacobi iteration. A technosphere matrix of unit production on the diagonal with
  inputs worth a fraction of the output is strongly diagonally dominant: the power series of the
  Leontief inverse converges (Heijungs and Suh 2002, section 5.4), a few dozen sparse products reach
  1e-13 of every element, with no fill-in and many right-hand sides in one pass. A system on which it
  stalls (a loop that makes more of a product than it uses, poorly scaled units) falls back to
  SuperLU, so the answer never depends on the convergence of a series. (Jacobi-preconditioned GMRES
  and BiCGSTAB were measured too: fewer products, more time per product, no gain here; docs/lca.md.)
- ``auto`` (the default): ``iterative`` with the SuperLU fall-back, chosen by measurement
  (docs/lca.md, bench/lca.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from dualcarbon.lca.system import Entries, ProductSystem

SOLVERS = ("auto", "iterative", "superlu", "umfpack", "pardiso")

# The Jacobi iteration's stopping rule (see ``jacobi``): every element's last step below 1e-13 of it with
# steps shrinking by 0.95 or better leaves under 2e-12 of the series, so supplies and footprints agree with a
# direct solve well within 1e-9 relative (checked in tests/lca/test_solve.py and by bench/lca.py).
TOLERANCE = 1e-13
RATE = 0.95
FLOOR = 1e-15
WARM_UP = 20
MAX_ITERATIONS = 2000
# When only a score wᵀx is wanted (a Monte Carlo sample): stop when the last step moves it by at most this share of
# it, counting every element's change at its absolute weight (Σ|w_j · step_j| ≤ SCORE_TOLERANCE · |wᵀx|), with
# the weighted steps shrinking by RATE or better, so what remains of the series is below 20 × 1e-12 of the score.
SCORE_TOLERANCE = 1e-12


class Pattern:
    """The compressed-column layout of a matrix given as entries, reused to refill it with new amounts.

    Entries at the same position add up; ``fill(values)`` returns the matrix with the same sparsity
    pattern and new amounts (for Monte Carlo samples: the pattern is built once, values replaced)."""

    def __init__(self, row: np.ndarray, col: np.ndarray, shape: tuple[int, int]) -> None:
        row = np.asarray(row, dtype=np.int64)
        col = np.asarray(col, dtype=np.int64)
        key = col * shape[0] + row
        unique, position = np.unique(key, return_inverse=True)
        self.shape = shape
        self.position = position.astype(np.int64)
        self.indices = (unique % shape[0]).astype(np.int32)
        cols = unique // shape[0]
        self.indptr = np.searchsorted(cols, np.arange(shape[1] + 1)).astype(np.int32)
        self.nnz = int(unique.size)

    def data(self, values: np.ndarray) -> np.ndarray:
        """The amounts at the pattern's positions (duplicates summed)."""
        return np.bincount(self.position, weights=values, minlength=self.nnz)

    def fill(self, values: np.ndarray) -> sp.csc_matrix:
        return sp.csc_matrix((self.data(values), self.indices, self.indptr), shape=self.shape)


def matrices(system: ProductSystem) -> tuple[sp.csc_matrix, sp.csc_matrix]:
    """A (products × processes) and B (flows × processes) at their deterministic amounts."""
    n = len(system.processes)
    a = _matrix(system.technosphere, (n, n))
    b = _matrix(system.biosphere, (len(system.flows), n))
    return a, b


def _matrix(entries: Entries, shape: tuple[int, int]) -> sp.csc_matrix:
    # SciPy's coordinate-to-column conversion (a counting sort, duplicates summed) rather than a ``Pattern``: a
    # static solve needs no map from entries to positions, and sorting 300,000 keys cost more than the solve
    a = sp.csc_matrix(
        (np.asarray(entries.amount.amount, dtype=np.float64), (np.asarray(entries.row), np.asarray(entries.col))),
        shape=shape,
    )
    a.sum_duplicates()
    return a


class SingularSystem(ValueError):
    """Raised when the technosphere matrix has no unique solution (a product nobody makes, a loop that cancels)."""


class Factorised:
    """A technosphere matrix prepared once (factorised, or set up for iteration) and solved for any demand.

    ``Factorised(system)`` takes a :class:`ProductSystem`; ``Factorised.of(a, b, c)`` takes the matrices."""

    def __init__(self, system: ProductSystem, *, solver: str = "auto") -> None:
        a, b = matrices(system)
        self._setup(a, b, np.asarray(system.characterisation, dtype=np.float64), solver)

    @classmethod
    def of(cls, a: sp.spmatrix, b: sp.spmatrix, c: np.ndarray, *, solver: str = "auto") -> Factorised:
        """From A, B and c directly (the bench and the Monte Carlo samples)."""
        self = cls.__new__(cls)
        self._setup(sp.csc_matrix(a), sp.csc_matrix(b), np.asarray(c, dtype=np.float64), solver)
        return self

    def _setup(self, a: sp.csc_matrix, b: sp.csc_matrix, c: np.ndarray, solver: str) -> None:
        if solver not in SOLVERS:
            raise ValueError(f"solver {solver!r}: expected one of {', '.join(SOLVERS)}")
        if a.shape[0] != a.shape[1]:
            raise SingularSystem(f"the technosphere matrix is {a.shape[0]} × {a.shape[1]}: expected square")
        self.a = a
        self.b = b
        self.c = c
        # direct kg CO2e per unit of each process's activity: (cᵀ B)ᵀ
        self.direct = np.asarray(b.T @ c).ravel()
        self.requested = solver
        self._lu: Any = None
        self._lu_t: Any = None
        self._a_csr: sp.csr_matrix | None = None
        self._at_csr: sp.csr_matrix | None = None
        self.solver = "iterative" if solver == "auto" else solver
        if self.solver == "iterative":
            diagonal = a.diagonal()
            if np.any(diagonal == 0):
                self.solver = "superlu"
            else:
                self._d_inv = 1.0 / diagonal
        if self.solver != "iterative":
            self._factorise()

    # -- direct -----------------------------------------------------------------------------------
    def _factorise(self) -> None:
        if self.solver == "superlu":
            try:
                self._lu = spla.splu(self.a, permc_spec="COLAMD")
            except RuntimeError as e:  # "Factor is exactly singular"
                raise SingularSystem(f"the technosphere matrix is singular ({e})") from e
        elif self.solver == "umfpack":
            self._lu = _Umfpack(self.a)
        elif self.solver == "pardiso":
            self._lu = _Pardiso(self.a)

    def _direct(self, rhs: np.ndarray, transposed: bool) -> np.ndarray:
        if self._lu is None:
            self.solver = "superlu"
            self._factorise()
        out = self._lu.solve(np.ascontiguousarray(rhs, dtype=np.float64), trans="T" if transposed else "N")
        return np.asarray(out, dtype=np.float64)

    # -- iterative --------------------------------------------------------------------------------
    def _operator(self, transposed: bool) -> sp.csr_matrix:
        if transposed:
            if self._at_csr is None:
                self._at_csr = sp.csr_matrix(self.a.T)
            return self._at_csr
        if self._a_csr is None:
            self._a_csr = sp.csr_matrix(self.a)
        return self._a_csr

    def _iterate(self, rhs: np.ndarray, transposed: bool, start: np.ndarray | None = None) -> np.ndarray | None:
        """The Jacobi iteration (see ``jacobi``); None when it does not converge."""
        return jacobi(self._operator(transposed), self._d_inv, rhs, start)

    # -- public -----------------------------------------------------------------------------------
    def solve(self, rhs: np.ndarray, *, transposed: bool = False, start: np.ndarray | None = None) -> np.ndarray:
        """x with A x = rhs (or Aᵀ x = rhs); ``rhs`` a vector or a matrix of right-hand sides in columns."""
        rhs = np.asarray(rhs, dtype=np.float64)
        if self.solver == "iterative":
            x = self._iterate(rhs, transposed, start)
            if x is not None:
                return x
            self.solver = "superlu"
        x = self._direct(rhs, transposed)
        if not np.all(np.isfinite(x)):
            raise SingularSystem("the technosphere matrix is singular: the solve gave non-finite supplies")
        return x

    def supply(self, demand: np.ndarray) -> np.ndarray:
        """The supply s meeting the final demand f: A s = f (Heijungs and Suh 2002, eq. 2.10)."""
        return self.solve(demand)

    def footprints(self) -> np.ndarray:
        """kg CO2e per unit of every product at once: Aᵀ x = Bᵀ c (one transposed solve)."""
        return self.solve(self.direct, transposed=True)

    def scores(self, demands: np.ndarray) -> np.ndarray:
        """kg CO2e of each demand (columns of ``demands``, or a sparse matrix): xᵀ F by the adjoint route."""
        x = self.footprints()
        return np.asarray(demands.T @ x).ravel()


def jacobi(
    op: sp.csr_matrix,
    d_inv: np.ndarray,
    rhs: np.ndarray,
    start: np.ndarray | None = None,
    *,
    weights: np.ndarray | None = None,
) -> np.ndarray | None:
    """Solve op x = rhs by Jacobi iteration x ← x + D⁻¹ (rhs − op x); None when it does not converge.

    For a technosphere matrix this is the power series of the Leontief inverse (Heijungs and Suh 2002,
    section 5.4) started from ``start`` (or D⁻¹ rhs), one sparse product per step, for one right-hand side
    or many (columns of ``rhs``) in the same pass. It stops when every element's last step is below
    ``TOLERANCE`` of the element (a floor of ``FLOOR`` × the largest keeps zeros from stalling it) and the
    steps shrink by a factor ``RATE`` or better, so what remains of the series is below 20 × TOLERANCE
    of each element, or when the steps are down to rounding of the largest element three times running
    (an element that is a difference of much larger terms cannot be had more exactly, by a direct solve
    either); a step that grows after ``WARM_UP`` steps, or ``MAX_ITERATIONS``, means no convergence (the
    caller then solves directly).

    With ``weights`` w (a vector; ``rhs`` a vector) only the score wᵀx is wanted: it stops instead when the
    last step moved the score by at most ``SCORE_TOLERANCE`` of it, every element counted at its absolute
    weight, and these weighted steps shrink by ``RATE`` or better (or on the same rounding rule)."""
    if weights is not None and rhs.ndim == 1:
        return _jacobi_score(op, d_inv, rhs, start, weights)
    matrix = rhs.ndim == 2
    d = d_inv[:, None] if matrix else d_inv
    x = d * rhs if start is None else np.array(start, dtype=np.float64)
    previous = np.inf
    settled = 0
    for iteration in range(MAX_ITERATIONS):
        step = d * (rhs - op @ x)
        x += step
        size = np.abs(step)
        largest = float(size.max()) if size.size else 0.0
        if not np.isfinite(largest):
            return None
        if largest == 0.0:
            return x
        magnitude = np.abs(x)
        floor = FLOOR * magnitude.max(axis=0)
        change = float(np.max(size / (magnitude + np.where(floor > 0, floor, 1e-300))))
        rate = largest / previous
        # steps down to rounding of the largest element and no longer shrinking: the series is summed as
        # far as floats go
        rounding = rate > RATE and largest <= 64 * np.finfo(np.float64).eps * float(magnitude.max())
        settled = settled + 1 if rounding else 0
        if (change <= TOLERANCE and rate <= RATE) or settled >= 3:
            return x
        if iteration >= WARM_UP and rate > 1.0 and not rounding:
            return None
        previous = largest
    return None


def _jacobi_score(
    op: sp.csr_matrix, d_inv: np.ndarray, rhs: np.ndarray, start: np.ndarray | None, weights: np.ndarray
) -> np.ndarray | None:
    """``jacobi`` to the score's tolerance, with its work arrays allocated once (see ``jacobi``)."""
    x = d_inv * rhs if start is None else np.array(start, dtype=np.float64)
    step = np.empty_like(x)
    size = np.empty_like(x)
    absolute = np.abs(weights)
    previous = np.inf
    settled = 0
    rounding_step = 64 * np.finfo(np.float64).eps
    for iteration in range(MAX_ITERATIONS):
        np.subtract(rhs, op @ x, out=step)
        step *= d_inv
        x += step
        # products and sums rather than BLAS dots: a threaded dot of this size is slower on a busy machine
        np.abs(step, out=size)
        size *= absolute
        moved = float(size.sum())
        if not np.isfinite(moved):
            return None
        largest = float(np.abs(step).max()) if step.size else 0.0
        if largest == 0.0:
            return x
        np.multiply(weights, x, out=size)
        score = abs(float(size.sum()))
        rate = moved / previous if previous > 0 else 0.0
        rounding = rate > RATE and largest <= rounding_step * float(np.abs(x).max())
        settled = settled + 1 if rounding else 0
        if (moved <= SCORE_TOLERANCE * score and rate <= RATE) or settled >= 3:
            return x
        if iteration >= WARM_UP and rate > 1.0 and not rounding:
            return None
        previous = moved
    return None


def _unavailable(solver: str, extra: str, package: str) -> Callable[..., Any]:
    raise ImportError(f"solver {solver!r} needs the {package} package: pip install 'dualcarbon[{extra}]'")


class _Umfpack:
    """UMFPACK (Davis 2004) through cvxopt: one numeric factorisation, solves with A or Aᵀ."""

    def __init__(self, a: sp.csc_matrix) -> None:
        try:
            import cvxopt  # type: ignore[import-not-found, import-untyped, unused-ignore]
            import cvxopt.umfpack  # type: ignore[import-not-found, import-untyped, unused-ignore]
        except ImportError:
            _unavailable("umfpack", "lca-umfpack", "cvxopt")
        self._cvxopt = cvxopt
        coo = a.tocoo()
        self._a = cvxopt.spmatrix(coo.data.tolist(), coo.row.tolist(), coo.col.tolist(), size=a.shape)
        symbolic = cvxopt.umfpack.symbolic(self._a)
        try:
            self._numeric = cvxopt.umfpack.numeric(self._a, symbolic)
        except ArithmeticError as e:
            raise SingularSystem(f"the technosphere matrix is singular ({e})") from e

    def solve(self, rhs: np.ndarray, trans: str = "N") -> np.ndarray:
        cvxopt = self._cvxopt
        b = cvxopt.matrix(np.asfortranarray(rhs.reshape(rhs.shape[0], -1)))
        cvxopt.umfpack.solve(self._a, self._numeric, b, trans=trans)
        return np.array(b).reshape(rhs.shape)


class _Pardiso:
    """Intel MKL PARDISO through pypardiso; Aᵀ solves factorise Aᵀ once, on first use."""

    def __init__(self, a: sp.csc_matrix) -> None:
        try:
            import pypardiso  # type: ignore[import-not-found, import-untyped, unused-ignore]
        except ImportError:
            _unavailable("pardiso", "lca-pardiso", "pypardiso")
        self._module = pypardiso
        self._a = sp.csr_matrix(a)
        self._at: sp.csr_matrix | None = None
        self._solver = pypardiso.PyPardisoSolver()
        self._solver_t: Any = None
        self._solver.factorize(self._a)

    def solve(self, rhs: np.ndarray, trans: str = "N") -> np.ndarray:
        if trans == "N":
            return np.asarray(self._solver.solve(self._a, rhs))
        if self._solver_t is None:
            self._at = sp.csr_matrix(self._a.T)
            self._solver_t = self._module.PyPardisoSolver()
            self._solver_t.factorize(self._at)
        return np.asarray(self._solver_t.solve(self._at, rhs))
