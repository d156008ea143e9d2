"""Monte Carlo simulation of a product footprint (ISO 14044:2006 4.5.3.3 uncertainty analysis; ISO 14067:2018 6.4.6).

Every exchange of A and B with a distribution is drawn independently per iteration (lognormal, normal,
triangular, uniform: :mod:`dualcarbon.uncertainty.distributions`), the system solved and scored
(Heijungs and Suh 2002, ch. 7, the Monte Carlo approach to uncertainty in the matrix method). The
sparsity pattern is laid out once and each sample's amounts poured into it; each sample's supply is
solved by Jacobi-preconditioned GMRES starting from the previous sample's supply (samples differ
little, so a few sparse products reach the tolerance), to the same relative residual as a single
solve (1e-13), so every score equals a direct solve of that sample to better than 1e-9 relative.
A sample on which the iteration stalls is solved by SuperLU.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from dualcarbon.lca.compute import demand_vector
from dualcarbon.lca.solve import Pattern, SingularSystem, gmres_jacobi
from dualcarbon.lca.system import ProductSystem

# samples drawn at once: enough to vectorise the draws, small enough to keep memory to a few arrays of nnz
CHUNK = 16
# up to this many processes a chunk of samples is solved as one batch of dense LU factorisations (LAPACK):
# exact, and far cheaper than setting up a sparse solve per sample on a small system
DENSE = 200


def simulate(
    system: ProductSystem, demand: dict[str, float], iterations: int, seed: int | None = None, *, exact: bool = False
) -> np.ndarray:
    """``iterations`` scores (kg CO2e) of the demand; the same ``seed`` gives the same scores.

    ``exact=True`` solves every sample by SuperLU instead (for checks and the bench)."""
    if iterations < 0:
        raise ValueError(f"iterations must be ≥ 0, got {iterations}")
    n = len(system.processes)
    f = demand_vector(system, demand)
    tech, bio = system.technosphere, system.biosphere
    # A as CSR (the CSC layout of Aᵀ) for fast products with the supply; B as CSC (Bᵀ c by its CSR transpose)
    a_pattern = Pattern(tech.col, tech.row, (n, n))
    b_pattern = Pattern(bio.row, bio.col, (len(system.flows), n))
    c = np.asarray(system.characterisation, dtype=np.float64)
    rng = np.random.default_rng(seed)
    scores = np.empty(iterations)
    supply: np.ndarray | None = None
    done = 0
    while done < iterations:
        m = min(CHUNK, iterations - done)
        a_samples = tech.amount.sample(rng, m)
        b_samples = bio.amount.sample(rng, m)
        if n <= DENSE:
            scores[done : done + m] = _dense_chunk(a_pattern, b_pattern, a_samples, b_samples, c, f)
            done += m
            continue
        for k in range(m):
            a = sp.csr_matrix((a_pattern.data(a_samples[k]), a_pattern.indices, a_pattern.indptr), shape=(n, n))
            b = sp.csc_matrix(
                (b_pattern.data(b_samples[k]), b_pattern.indices, b_pattern.indptr), shape=b_pattern.shape
            )
            direct = b.T @ c
            s = None
            if not exact:
                d = a.diagonal()
                if np.all(d != 0):
                    s = gmres_jacobi(a, 1.0 / d, f, supply)
            if s is None:
                s = _direct(a, f)
            supply = s
            scores[done + k] = float(direct @ s)
        done += m
    return scores


def _dense_chunk(
    a_pattern: Pattern, b_pattern: Pattern, a_samples: np.ndarray, b_samples: np.ndarray, c: np.ndarray, f: np.ndarray
) -> np.ndarray:
    m, n = a_samples.shape[0], a_pattern.shape[0]
    a = np.zeros((m, n, n))
    rows = np.repeat(np.arange(n), np.diff(a_pattern.indptr))  # CSR of A: pattern columns are A's rows
    for k in range(m):
        a[k][rows, a_pattern.indices] = a_pattern.data(a_samples[k])
    b_cols = np.repeat(np.arange(b_pattern.shape[1]), np.diff(b_pattern.indptr))
    direct = np.zeros((m, n))
    for k in range(m):
        np.add.at(direct[k], b_cols, b_pattern.data(b_samples[k]) * c[b_pattern.indices])
    try:
        supply = np.linalg.solve(a, np.broadcast_to(f, (m, n))[..., None])[..., 0]
    except np.linalg.LinAlgError as e:
        raise SingularSystem(f"a Monte Carlo sample of the technosphere matrix is singular ({e})") from e
    return np.einsum("kj,kj->k", direct, supply)


def _direct(a: sp.csr_matrix, f: np.ndarray) -> np.ndarray:
    try:
        s = spla.splu(sp.csc_matrix(a), permc_spec="COLAMD").solve(f)
    except RuntimeError as e:
        raise SingularSystem(f"a Monte Carlo sample of the technosphere matrix is singular ({e})") from e
    return np.asarray(s)
