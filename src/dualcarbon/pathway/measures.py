"""Abatement measures: typed records, their yearly potential and cost, and the MACC.

Money is in the project's currency, undiscounted per year unless the name says ``discounted``.
A measure adopted in year s (fully, or a share of it when ``partial``) abates, in year y ≥ s:

    abatement(y) = ramp(y − s) · potential(y),   ramp(k) = min(1, (k + 1) / ramp_up_years)

(a linear ramp-up: our assumption) and costs, per year it is in place:

    cost(y) = α · capex + ramp(y − s) · (opex − savings + cost_per_t · potential(y))

with α = r / (1 − (1 + r)^−L) the capital recovery factor of discount rate r and lifetime L, so that
capex is spread over the lifetime and renewed at its end (IPCC AR5 WGIII Annex III, Eq. A.III.1, the
levelised cost LCOE = (α·I + OM + F) / E; read in a stored copy of the annex).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import polars as pl

from dualcarbon.pathway import projection
from dualcarbon.pathway import sources as src


@dataclass(frozen=True)
class Measure:
    """One row of ``measures.csv`` (docs/pathway.md): what it abates, how much, at what cost, when."""

    id: str
    name_zh: str
    name_en: str
    applies_to: str | None = None  # selector of the sources it abates (None for removals)
    kind: Literal["abatement", "removal"] = "abatement"
    share: float | None = None  # fraction of the selected emissions abated at full adoption
    potential_t: float | None = None  # t CO2e a year at full adoption (capped by the selected emissions)
    capex: float = 0.0  # investment at full adoption
    opex: float = 0.0  # fixed operating cost a year at full adoption
    savings: float = 0.0  # savings a year at full adoption (energy, fuel, materials)
    cost_per_t: float = 0.0  # cost per t CO2e abated (negative: a saving per tonne)
    lifetime_years: int = 20
    start_year: int | None = None  # earliest start
    ramp_up_years: int = 1
    excludes: tuple[str, ...] = ()
    partial: bool = False  # a share of the measure may be adopted (continuous), else all or nothing
    #: the last year in which any of it can be put in place (for an all-or-nothing measure: its latest start)
    latest_start_year: int | None = None
    #: the largest share of the measure put in place in one year (a partial measure's build-out limit)
    max_build_per_year: float | None = None
    #: installed capacity in kW (for capital subsidies per kW: instruments.csv kind capital_per_kw)
    capacity_kw: float | None = None
    #: free allocation (t CO2 a year) forgone at full adoption, e.g. a retired unit's allowances: priced at the
    #: carbon price like emissions (docs/pathway.md, "Carbon prices and fiscal support")
    allowance_lost_t: float = 0.0
    source: str = ""
    row: int | None = field(default=None, compare=False)

    def name(self, lang: str) -> str:
        return (self.name_zh if lang == "zh" else self.name_en) or self.name_en or self.name_zh or self.id


def capital_recovery_factor(rate: float, lifetime_years: int) -> float:
    """α = r / (1 − (1 + r)^−L); 1/L when r = 0 (IPCC AR5 WGIII Annex III, Eq. A.III.1)."""
    if rate == 0:
        return 1.0 / lifetime_years
    return rate / (1 - (1 + rate) ** -lifetime_years)


def discount_factors(rate: float, years: list[int], first_year: int) -> np.ndarray:
    """Present-value factors (1 + r)^−(y − y0) of each year, y0 = the pathway's first year."""
    return (1 + rate) ** -(np.asarray(years, dtype=float) - first_year)


def ramp(measure: Measure, years: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Share of full abatement in ``years`` (rows) for each start year (columns); 0 before the start."""
    k = years[:, None] - start[None, :]
    return np.where(k >= 0, np.minimum(1.0, (k + 1) / max(measure.ramp_up_years, 1)), 0.0)


def ramp_kernel(measure: Measure, years: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """Share of full abatement in ``years`` (rows) per unit of the measure *in place* from each column's
    year on: 1/R in the R years from it (R = ramp_up_years). Summed over the years in place, this is
    ``ramp`` again: ramp(k) = Σ_{j=0..min(k, R−1)} 1/R = min(1, (k + 1)/R)."""
    k = years[:, None] - columns[None, :]
    width = max(measure.ramp_up_years, 1)
    return np.where((k >= 0) & (k < width), 1.0 / width, 0.0)


@dataclass
class Potentials:
    """Per measure (rows, in ``measures`` order) and year (columns): full-adoption abatement or
    removal in t CO2e, and the share of the selected emissions it takes (0 for removals)."""

    years: list[int]
    potential_t: np.ndarray
    share: np.ndarray
    selected_bau_t: np.ndarray


def potentials(measures: list[Measure], sources: pl.DataFrame, bau: pl.DataFrame, years: list[int]) -> Potentials:
    """potential(m, y): share × BAU of the selected sources, or min(potential_t, that BAU); removals: potential_t."""
    n, y = len(measures), len(years)
    pot, share, selected = np.zeros((n, y)), np.zeros((n, y)), np.zeros((n, y))
    for i, m in enumerate(measures):
        if m.kind == "removal":
            pot[i, :] = m.potential_t or 0.0
            continue
        per_year = projection.totals(bau, sources, m.applies_to)
        base = np.array([per_year.get(year, 0.0) for year in years])
        selected[i, :] = base
        pot[i, :] = m.share * base if m.share is not None else np.minimum(m.potential_t or 0.0, base)
        share[i, :] = np.divide(pot[i, :], base, out=np.zeros(y), where=base > 0)
    return Potentials(years, pot, share, selected)


def yearly_cost(measure: Measure, potential_t: np.ndarray, ramp_: np.ndarray, rate: float) -> np.ndarray:
    """cost(y) of one start year (``ramp_`` one column): α·capex while in place + ramped operating cost."""
    in_place = (ramp_ > 0).astype(float)
    annuity = measure.capex * capital_recovery_factor(rate, measure.lifetime_years)
    operating = measure.opex - measure.savings + measure.cost_per_t * potential_t
    return in_place * annuity + ramp_ * operating


def macc(measures: list[Measure], pots: Potentials, rate: float, first_year: int, macc_year: int) -> pl.DataFrame:
    """The marginal abatement cost curve: each measure alone, fully adopted at its earliest start.

    cost_per_t = Σ DF(y)·cost(y) / Σ DF(y)·abatement(y), the levelised cost of a tonne (the form of
    IPCC AR5 WGIII Annex III, Eq. A.III.1 with tonnes for energy); potential_t: abatement in
    ``macc_year``. Bars sorted from cheapest; interactions between measures are ignored, as in
    any MACC.
    """
    years = np.array(pots.years)
    df = discount_factors(rate, pots.years, first_year)
    col = pots.years.index(macc_year) if macc_year in pots.years else len(pots.years) - 1
    rows = []
    for i, m in enumerate(measures):
        start = max(m.start_year or first_year, first_year)
        r = ramp(m, years, np.array([start]))[:, 0]
        abated = r * pots.potential_t[i]
        cost = yearly_cost(m, pots.potential_t[i], r, rate)
        tonnes = float((df * abated).sum())
        rows.append(
            {
                "id": m.id,
                "name_zh": m.name_zh,
                "name_en": m.name_en,
                "kind": m.kind,
                "potential_t": float(pots.potential_t[i, col]),
                "cost_per_t": float((df * cost).sum()) / tonnes if tonnes > 0 else None,
            }
        )
    schema = {
        "id": pl.String,
        "name_zh": pl.String,
        "name_en": pl.String,
        "kind": pl.String,
        "potential_t": pl.Float64,
        "cost_per_t": pl.Float64,
    }
    return pl.DataFrame(rows, schema=schema).sort("cost_per_t", nulls_last=True)


def membership(measures: list[Measure], sources: pl.DataFrame) -> np.ndarray:
    """Boolean sources × measures: which abatement measure acts on which source."""
    if not measures or sources.height == 0:
        return np.zeros((sources.height, len(measures)), dtype=bool)
    exprs = [
        (src.mask(m.applies_to) if m.kind == "abatement" else pl.lit(False)).alias(f"m{i}")
        for i, m in enumerate(measures)
    ]
    return sources.select(exprs).to_numpy().astype(bool)
