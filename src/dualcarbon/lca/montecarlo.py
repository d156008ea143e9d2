"""Monte Carlo simulation of a product footprint (ISO 14044:2006 4.5.3.3 uncertainty analysis; ISO 14067:2018 6.4.6).

Every exchange of A and B with a distribution is drawn independently per iteration (lognormal, normal,
triangular, uniform: :mod:`dualcarbon.uncertainty.distributions`), the system solved and scored
(Heijungs and Suh 2002, ch. 7, the Monte Carlo approach to uncertainty in the matrix method). The
sparsity pattern is laid out once and each sample's amounts poured into it; each sample's supply is
solved by Jacobi iteration starting from the previous sample's supply (samples differ little, so
fewer sparse products reach the tolerance), to the same stopping rule as a single solve, so every
score equals a direct solve of that sample to better than 1e-9 relative.
A sample on which the iteration stalls is solved by SuperLU.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from dualcarbon.lca.compute import demand_vector
from dualcarbon.lca.solve import Pattern, SingularSystem, jacobi
from dualcarbon.lca.system import ProductSystem
from dualcarbon.uncertainty.distributions import LOGNORMAL, NORMAL, TRIANGULAR, UNIFORM, Uncertain

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
    rng = np.random.default_rng(seed)
    if n <= DENSE:
        return _dense(system, f, iterations, rng)
    return _sparse(system, f, iterations, rng, exact)


def _sparse(system: ProductSystem, f: np.ndarray, iterations: int, rng: np.random.Generator, exact: bool) -> np.ndarray:
    """One sample at a time, drawn into arrays laid out once: A's CSR data (refilled in place) and the
    characterised biosphere entries (only those of flows with a non-zero factor: the others cannot move the
    score), each sample solved by Jacobi iteration from the previous sample's supply to the score's tolerance."""
    n = len(system.processes)
    tech, bio = system.technosphere, system.biosphere
    # A as CSR (the CSC layout of Aᵀ): the pattern once, each sample's amounts written into its data array
    pattern = Pattern(tech.col, tech.row, (n, n))
    a_draw = _Draws(tech.amount, pattern)
    a = sp.csr_matrix((a_draw.initial(), pattern.indices, pattern.indptr), shape=(n, n))
    # Bᵀ c: the direct kg CO2e per unit of each process's activity, from the entries of characterised flows
    c = np.asarray(system.characterisation, dtype=np.float64)
    weight = c[np.asarray(bio.row, dtype=np.int64)]
    kept = np.flatnonzero(weight != 0.0)
    b_col = np.asarray(bio.col, dtype=np.int64)[kept]
    b_weight = weight[kept]
    b_draw = _Draws(_subset(bio.amount, kept), None)
    scores = np.empty(iterations)
    supply: np.ndarray | None = None
    for k in range(iterations):
        a_draw.into(rng, a.data)
        values = b_draw.into(rng, None)
        direct = np.bincount(b_col, weights=values * b_weight, minlength=n)
        s = None
        if not exact:
            d = a.diagonal()
            if np.all(d != 0):
                s = jacobi(a, 1.0 / d, f, supply, weights=direct)
        if s is None:
            s = _direct(a, f)
        supply = s
        direct *= s  # a product and a sum, not a BLAS dot (threaded, slower on a busy machine)
        scores[k] = float(direct.sum())
    return scores


class _Draws:
    """Samples of an :class:`Uncertain`'s amounts written into one array per sample, with no other allocation
    than the draws themselves: lognormal as median · exp(ln σg · Z) and normal as mean + sd · Z from standard
    normals (numpy's fast path), triangular and uniform through ``Uncertain.sample``; certain amounts written
    once. With a ``pattern`` the array is the pattern's data (entries at one position summed); positions
    that take a single entry, the usual case, are written directly."""

    def __init__(self, amount: Uncertain, pattern: Pattern | None) -> None:
        self.first: np.ndarray | None = None
        if pattern is not None:
            # the entries in the pattern's order; where several share a position, the first is written and the
            # others added (``dup_slot``, ``dup``)
            order = np.argsort(pattern.position, kind="stable")
            amount = _subset(amount, order)
            slot = pattern.position[order]
            head = np.ones(slot.size, dtype=bool)
            head[1:] = slot[1:] != slot[:-1]
            if not head.all():
                self.first = np.flatnonzero(head)
                self.dup = np.flatnonzero(~head)
                self.dup_slot = slot[self.dup]
        self.base = np.array(amount.amount, dtype=np.float64)
        self.buffer = self.base.copy()
        kind = amount.kind
        self.lognormal = np.flatnonzero(kind == LOGNORMAL)
        self.ln_median = self.base[self.lognormal]
        self.ln_log = np.log(amount.scale[self.lognormal])
        self.normal = np.flatnonzero(kind == NORMAL)
        self.n_mean = self.base[self.normal]
        self.n_sd = amount.scale[self.normal]
        self.rest = np.flatnonzero((kind == TRIANGULAR) | (kind == UNIFORM))
        self.rest_amount = _subset(amount, self.rest)
        self.z_ln = np.empty(self.lognormal.size)
        self.z_n = np.empty(self.normal.size)
        self.everything_lognormal = self.lognormal.size == len(amount)

    def initial(self) -> np.ndarray:
        """The data array at the deterministic amounts (certain entries keep these in every sample)."""
        return self._gather(self.base, np.empty(self.base.size if self.first is None else self.first.size))

    def _gather(self, values: np.ndarray, out: np.ndarray) -> np.ndarray:
        if self.first is None:
            out[:] = values
        else:
            np.take(values, self.first, out=out)
            np.add.at(out, self.dup_slot, values[self.dup])
        return out

    def into(self, rng: np.random.Generator, out: np.ndarray | None) -> np.ndarray:
        """One sample of every amount, written into ``out`` (a pattern's data array) or returned in a buffer."""
        target = out if (out is not None and self.first is None) else self.buffer
        if self.lognormal.size:
            z = target if self.everything_lognormal else self.z_ln
            rng.standard_normal(out=z)
            z *= self.ln_log
            np.exp(z, out=z)
            z *= self.ln_median
            if z is not target:
                target[self.lognormal] = z
        if self.normal.size:
            rng.standard_normal(out=self.z_n)
            self.z_n *= self.n_sd
            self.z_n += self.n_mean
            target[self.normal] = self.z_n
        if self.rest.size:
            target[self.rest] = self.rest_amount.sample(rng, 1)[0]
        if out is not None and target is not out:
            self._gather(target, out)
        return target


def _subset(amount: Uncertain, where: np.ndarray) -> Uncertain:
    return Uncertain(
        amount.amount[where], amount.kind[where], amount.scale[where], amount.low[where], amount.high[where]
    )


def _dense(system: ProductSystem, f: np.ndarray, iterations: int, rng: np.random.Generator) -> np.ndarray:
    """Chunks of samples, each chunk solved as one batch of dense LU factorisations."""
    n = len(system.processes)
    tech, bio = system.technosphere, system.biosphere
    a_pattern = Pattern(tech.col, tech.row, (n, n))
    b_pattern = Pattern(bio.row, bio.col, (len(system.flows), n))
    c = np.asarray(system.characterisation, dtype=np.float64)
    scores = np.empty(iterations)
    done = 0
    while done < iterations:
        m = min(CHUNK, iterations - done)
        a_samples = _sample(tech.amount, rng, m)
        b_samples = _sample(bio.amount, rng, m)
        scores[done : done + m] = _dense_chunk(a_pattern, b_pattern, a_samples, b_samples, c, f)
        done += m
    return scores


def _sample(amount: Uncertain, rng: np.random.Generator, m: int) -> np.ndarray:
    """``m`` joint samples, shape (m, len): lognormal as median · σg^Z and normal as mean + sd · Z from standard
    normals (numpy's fast path, several times quicker than drawing with per-element parameters), the same
    distributions as ``Uncertain.sample``; triangular and uniform through it."""
    out = np.broadcast_to(amount.amount, (m, len(amount))).copy()
    for kind in (LOGNORMAL, NORMAL):
        where = np.flatnonzero(amount.kind == kind)
        if where.size:
            z = rng.standard_normal((m, where.size))
            if kind == LOGNORMAL:
                np.exp(z * np.log(amount.scale[where]), out=z)
                out[:, where] = amount.amount[where] * z
            else:
                out[:, where] = amount.amount[where] + amount.scale[where] * z
    rest = np.flatnonzero((amount.kind == TRIANGULAR) | (amount.kind == UNIFORM))
    if rest.size:
        part = Uncertain(
            amount.amount[rest], amount.kind[rest], amount.scale[rest], amount.low[rest], amount.high[rest]
        )
        out[:, rest] = part.sample(rng, m)
    return out


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
