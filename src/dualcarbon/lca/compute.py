"""Footprints, contributions and the supply-chain tree of a product system.

ISO 14044:2006 4.3 (inventory) and 4.4.2.2 (characterisation) by the matrix method of Heijungs and
Suh (2002): supply s = A⁻¹ f, inventory g = B s, score h = cᵀ g; footprints of one unit of every
product x = A⁻ᵀ Bᵀ c; contribution of process j = (cᵀ B)_j s_j (its direct emissions scaled by its
supply; Heijungs and Suh 2002, section 8.2.1, contribution analysis); by flow = c_k g_k; the
supply-chain tree is the structural path expansion (Heijungs and Suh 2002, section 8.2.3), each node
carrying the cumulative footprint of the product amount it supplies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from dualcarbon.lca.solve import Factorised
from dualcarbon.lca.system import ProductSystem


@dataclass
class Analysis:
    """The result of one demand: score (kg CO2e), supply, and its contributions."""

    score: float
    supply: np.ndarray
    by_process: list[tuple[int, float]]
    by_stage: dict[str, float]
    by_flow: dict[str, tuple[float, float]]
    tree: dict[str, Any]
    footprints: np.ndarray = field(repr=False)


def demand_vector(system: ProductSystem, demand: dict[str, float]) -> np.ndarray:
    """The final demand f: amounts of the named products (process ids), zero elsewhere."""
    f = np.zeros(len(system.processes))
    for process_id, amount in demand.items():
        try:
            f[system.index(process_id)] += float(amount)
        except KeyError:
            raise KeyError(f"demand names {process_id!r}, which is not a process of the system") from None
    return f


def footprints(system: ProductSystem, *, solver: str = "auto") -> np.ndarray:
    """kg CO2e per unit of each process's product, all at once by one transposed solve (Aᵀ x = Bᵀ c)."""
    return Factorised(system, solver=solver).footprints()


def score(system: ProductSystem, demand: dict[str, float], *, solver: str = "auto") -> float:
    """kg CO2e of a demand alone: h = cᵀ B A⁻¹ f (one solve, no contributions)."""
    lca = Factorised(system, solver=solver)
    # a product and a sum rather than a dot: NumPy hands a dot of this size to the threaded BLAS, whose threads cost
    # tens of milliseconds to wake on a busy machine
    return float((lca.direct * lca.supply(demand_vector(system, demand))).sum())


def analyse(
    system: ProductSystem,
    demand: dict[str, float],
    *,
    depth: int = 3,
    cutoff: float = 0.01,
    solver: str = "auto",
    factorised: Factorised | None = None,
) -> Analysis:
    """Score, supply and contributions of a demand; the tree to ``depth`` levels, pruning nodes under ``cutoff``.

    ``cutoff`` is a share of the absolute score: a node whose cumulative |kg CO2e| is below it is left out
    (its emissions stay in the score and in every other contribution)."""
    lca = factorised or Factorised(system, solver=solver)
    f = demand_vector(system, demand)
    supply = lca.supply(f)
    x = lca.footprints()
    direct = lca.direct * supply
    score = float(direct.sum())

    order = np.argsort(-np.abs(direct), kind="stable")
    by_process = [(int(j), float(direct[j])) for j in order if direct[j] != 0.0]

    by_stage: dict[str, float] = {}
    for p, kg in zip(system.processes, direct, strict=True):
        if kg != 0.0:
            by_stage[p.stage] = by_stage.get(p.stage, 0.0) + float(kg)

    mass = np.asarray(lca.b @ supply).ravel()
    by_flow = {
        flow: (float(mass[k]), float(mass[k] * lca.c[k])) for k, flow in enumerate(system.flows) if mass[k] != 0.0
    }

    tree = _tree(lca.a, x, f, score, depth, cutoff)
    return Analysis(score, supply, by_process, by_stage, by_flow, tree, x)


def _tree(a: sp.csc_matrix, x: np.ndarray, f: np.ndarray, score: float, depth: int, cutoff: float) -> dict[str, Any]:
    """Nodes {process, amount, kg_co2e, children}: ``amount`` of the process's product, cumulative kg CO2e.

    The inputs of a node supplying q units of product j are −A_ij q / A_jj units of each product i
    (a substitution, a positive off-diagonal entry, gives a negative amount and negative kg CO2e).
    With one demanded product the root is its process; with several, a root with process None."""
    threshold = abs(cutoff) * abs(score)
    csc = sp.csc_matrix(a)
    diagonal = csc.diagonal()

    def node(j: int, amount: float, level: int) -> dict[str, Any]:
        children: list[dict[str, Any]] = []
        if level < depth and diagonal[j] != 0.0:
            start, end = csc.indptr[j], csc.indptr[j + 1]
            activity = amount / diagonal[j]
            for i, a_ij in zip(csc.indices[start:end], csc.data[start:end], strict=True):
                if i == j or a_ij == 0.0:
                    continue
                q = -a_ij * activity
                if abs(q * x[i]) >= threshold and q * x[i] != 0.0:
                    children.append(node(int(i), float(q), level + 1))
            children.sort(key=lambda c: -abs(c["kg_co2e"]))
        return {"process": j, "amount": amount, "kg_co2e": float(amount * x[j]), "children": children}

    demanded = np.flatnonzero(f)
    if demanded.size == 1:
        j = int(demanded[0])
        return node(j, float(f[j]), 0)
    return {
        "process": None,
        "amount": None,
        "kg_co2e": score,
        "children": [node(int(j), float(f[j]), 1) for j in demanded],
    }
