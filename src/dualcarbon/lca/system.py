"""A product system as the matrices of the computational structure of LCA.

ISO 14044:2006 4.3 (life cycle inventory) computed by the matrix method (Heijungs and Suh, *The
Computational Structure of Life Cycle Assessment*, 2002): the technosphere matrix A (products ×
processes) holds what each process makes (positive) and uses (negative) per unit of its reference
output; the biosphere matrix B (elementary flows × processes) what it emits (positive) or takes
up (negative). The supply s that meets a final demand f solves A s = f; the inventory is g = B s
and the footprint h = c·g with c the characterisation factors (kg CO2e per unit of each flow, from
the project's GWP set).

A is square: after allocation every process makes one product, the product of the same position
(ISO 14044:2006 4.3.4.2: a multi-output process is split into single-output processes by its
allocation shares; with substitution, the avoided product enters as a negative input).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dualcarbon.uncertainty.distributions import Uncertain


@dataclass(frozen=True)
class Process:
    """One column of A and B; ``background`` for an activity key resolved through the factor library."""

    id: str
    name: str
    name_en: str
    unit: str
    location: str
    stage: str
    background: bool = False


@dataclass(frozen=True)
class Entries:
    """The non-zero entries of a sparse matrix in coordinates, with the amounts' distributions.

    Entries at the same position add up (as in a COO matrix)."""

    row: np.ndarray
    col: np.ndarray
    amount: Uncertain


@dataclass(frozen=True)
class ProductSystem:
    """Processes (columns), elementary flows (rows of B), A and B as entries, c, and the product studied."""

    processes: tuple[Process, ...]
    flows: tuple[str, ...]
    technosphere: Entries
    biosphere: Entries
    characterisation: np.ndarray
    reference: str
    functional_unit: str
    boundary: str

    def index(self, process_id: str) -> int:
        """The column (and product row) of a process."""
        for i, p in enumerate(self.processes):
            if p.id == process_id:
                return i
        raise KeyError(process_id)
