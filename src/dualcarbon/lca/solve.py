"""Sparse solves of the technosphere matrix: one factorisation (or one iteration set-up) for every demand.

ISO 14044:2006 4.3 by the matrix method (Heijungs and Suh 2002, ch. 2 and 5): the supply s meeting a
final demand f solves A s = f, and the footprints of one unit of every product at once solve the
transposed system Aᵀ x = Bᵀ c (x_j is then the kg CO2e of one unit of product j, and the score of any
demand is xᵀ f, the adjoint route: Heijungs and Suh 2002, section 5.3, the "multiplier" view).

Solvers:

- ``superlu``: SciPy's SuperLU (``scipy.sparse.linalg.splu``), in every install.
- ``umfpack``: UMFPACK from the ``cvxopt`` wheel (extra ``lca-umfpack``).
- ``pardiso``: Intel MKL PARDISO through ``pypardiso`` (extra ``lca-pardiso``).
- ``iterative``: Jacobi-preconditioned GMRES. A technosphere matrix of unit production on the
  diagonal with inputs worth a fraction of the output is strongly diagonally dominant: the Neumann
  series of the Leontief inverse converges (Heijungs and Suh 2002, section 5.4, the power series),
  and GMRES on D⁻¹A reaches a relative residual of 1e-13 in tens of sparse products, with no fill-in.
  A system on which it stalls (a loop that makes more of a product than it uses, poorly scaled
  units) falls back to SuperLU, so the answer never depends on the convergence of a series.
- ``auto`` (the default): ``iterative`` with the SuperLU fall-back, chosen by measurement
  (docs/lca.md, bench/lca.py).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from dualcarbon.lca.system import Entries, ProductSystem

SOLVERS = ("auto", "iterative", "superlu", "umfpack", "pardiso")

# Relative residual reached by the iterative solver: with a condition number of D⁻¹A of a few tens,
# as in a diagonally dominant technosphere, this keeps every supply and footprint within 1e-11
# relative of a direct solve (checked in tests/lca/test_solve.py and by bench/lca.py at 1e-9).
RESIDUAL = 1e-13
MAX_ITERATIONS = 400


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
    return Pattern(entries.row, entries.col, shape).fill(entries.amount.amount)


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
        """Jacobi-preconditioned GMRES to ``RESIDUAL``; None when it does not get there."""
        op = self._operator(transposed)
        d_inv = self._d_inv
        return gmres_jacobi(op, d_inv, rhs, start)

    # -- public -----------------------------------------------------------------------------------
    def solve(self, rhs: np.ndarray, *, transposed: bool = False, start: np.ndarray | None = None) -> np.ndarray:
        """x with A x = rhs (or Aᵀ x = rhs); ``rhs`` a vector or a matrix of right-hand sides in columns."""
        rhs = np.asarray(rhs, dtype=np.float64)
        if self.solver == "iterative":
            if rhs.ndim == 1:
                x = self._iterate(rhs, transposed, start)
                if x is not None:
                    return x
            else:
                columns = [self._iterate(rhs[:, k], transposed, None) for k in range(rhs.shape[1])]
                if all(col is not None for col in columns):
                    return np.column_stack(columns)  # type: ignore[arg-type]
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


def gmres_jacobi(
    op: sp.csr_matrix, d_inv: np.ndarray, rhs: np.ndarray, start: np.ndarray | None = None
) -> np.ndarray | None:
    """Solve op x = rhs by GMRES on the Jacobi-scaled system (D⁻¹ op) x = D⁻¹ rhs; None if it stalls.

    Convergence is checked on the true residual ‖rhs − op x‖ ≤ RESIDUAL·‖rhs‖ (max norms), not on
    GMRES's own estimate, so a returned x always meets the tolerance."""
    scale = float(np.max(np.abs(rhs))) if rhs.size else 0.0
    if scale == 0.0:
        return np.zeros_like(rhs)
    n = op.shape[0]
    precondition = spla.LinearOperator((n, n), matvec=lambda v: d_inv * v, dtype=np.float64)
    x = None if start is None else np.asarray(start, dtype=np.float64)
    for _ in range(3):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            x, _info = spla.gmres(
                op, rhs, x0=x, rtol=RESIDUAL * 0.1, atol=0.0, restart=60, maxiter=MAX_ITERATIONS // 60, M=precondition
            )
        residual = float(np.max(np.abs(rhs - op @ x)))
        if not np.isfinite(residual):
            return None
        if residual <= RESIDUAL * scale:
            return x
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
