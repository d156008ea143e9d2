"""The least-cost pathway: which measures, from which year, meet every cap at least discounted cost.

A mixed-integer linear programme solved with HiGHS (highspy). Columns x[m, t] ∈ [0, 1]: the share of
measure m in place by year t, cumulative (x[m, t] ≤ x[m, t + 1]) and binary unless the measure is
``partial``; a measure started in year s is x jumping at s, and its ramp-up follows from the kernel
``measures.ramp_kernel``. Branching on "in place by year t" splits the start years in two at once
(with the source caps below written on the shares in place, this took bench/pathway.py's 200 × 40
problem from no proof of optimality in 120 s, with one binary per start year, to 12-42 s on seeds
7-9). A dive on the LP relaxation (``_Model._dive``) hands HiGHS a feasible plan to start from, and
the root heuristics and restarts it then no longer needs are switched off (``HIGHS_OPTIONS``): 1-3 s
(medians of 3 on 2 cores, seeds 1-5 and 7-9; docs/pathway.md). Offsets o[y] ≥ 0 in the neutral years
when the targets allow them. Constraints:

- x[m, t] ≤ x[m, t + 1] (once in place a measure stays; its share is at most 1);
- x[m, end] + x[n, end] ≤ 1 for measures that exclude each other;
- per group of sources acted on by the same measures: Σ share · x ≤ 1 over the measures in place, so
  the measures on a source never abate more than the source emits;
- per cap (targets.Cap): E(y) ≤ fraction · reference, with E(y) = BAU(y) − abatement(y)
  [− removals(y) when the cap is net] [− o[y] for neutrality].

Objective: Σ_y DF(y) · cost(y) over measures and offsets (measures.yearly_cost, discount factors
DF(y) = (1 + r)^−(y − y0)), plus the carbon price on the covered emissions beyond the free allocation
and the fiscal instruments' cash flows (``fiscal``), both linear in the columns. A levy scaled by intensity
(``levy_tiered``) adds, per year in force, a binary b[j] per tier and the levy L ≥ 0 (``_Tier``):
Σ_j b[j] = 1; E ≤ U_j · Q + M_j · (1 − b[j]) (the intensity E / Q within the chosen tier's bound U_j, M_j =
BAU − U_j · Q); L ≥ rate_j · E − rate_j · BAU · (1 − b[j]). Rates do not fall with the tier (``fiscal.parse_tiers``),
so the least cost takes the lowest tier the emissions allow and L = rate · E. When the caps cannot all be met,
a second model with a slack on each cap minimises the tonnes missing, and ``Plan.shortfalls`` says which year
misses how much.
"""

from __future__ import annotations

import contextlib
import os
import time
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from dualcarbon.errors import msg, render
from dualcarbon.pathway import fiscal, projection
from dualcarbon.pathway import measures as ms
from dualcarbon.pathway import sources as src
from dualcarbon.pathway.targets import Cap, binding

COST_SCALE = 1e-6  # the objective in millions: keeps HiGHS's numbers near 1
# HiGHS's defaults spend most of bench/pathway.py's time at the root: after each of up to a dozen
# restarts (presolve again once reduced costs fix enough binaries) it re-runs RINS, RENS and the
# root reduced-cost heuristic, each a sub-MIP (seed 9: 36 s of 42 s in 132 sub-MIPs). The dive below
# gives the incumbent those heuristics were for, and without them and the restarts the branch and
# bound needs a few nodes (docs/pathway.md, "Size"). Nothing here changes the model or the gap.
HIGHS_OPTIONS: dict[str, bool] = {
    "mip_allow_restart": False,
    "mip_heuristic_run_rins": False,
    "mip_heuristic_run_rens": False,
    "mip_heuristic_run_root_reduced_cost": False,
}


@dataclass
class Inputs:
    """Everything the model needs (frames from sources/projection, records from measures/targets)."""

    sources: pl.DataFrame  # source, key, scope, category, facility, co2e_t
    bau: pl.DataFrame  # source, year, bau_t
    measures: list[ms.Measure]
    caps: list[Cap]
    years: list[int]  # the pathway's years, consecutive
    discount_rate: float = 0.06
    removals_t: dict[int, float] = field(default_factory=dict)  # removals outside the measures
    offsets: bool = False
    offset_price: float = 0.0
    peak_year: int | None = None
    macc_year: int | None = None
    time_limit_s: float = 60.0
    mip_gap: float = 1e-4
    #: covered emissions (gross, t CO2e) of known years before the pathway: the inventory's years and a base
    #: year before them; both peaks are searched over them too (a peak may be the base year)
    history_t: dict[int, float] = field(default_factory=dict)
    #: carbon price a year (currency per t CO2) on the emissions ``carbon_covers`` names (None: all covered)
    #: beyond ``free_allocation_t``; a surplus is sold at the price. Empty: no carbon price
    carbon_price: dict[int, float] = field(default_factory=dict)
    carbon_covers: str | None = None
    free_allocation_t: dict[int, float] = field(default_factory=dict)
    #: fiscal instruments (instruments.csv): subsidies, tax credits and levies
    instruments: list[fiscal.Instrument] = field(default_factory=list)


@dataclass(frozen=True)
class _Tier:
    """A tiered levy's year in the model: its columns (a binary per tier, then L scaled by ``scale``), the BAU
    and output Q of the charged emissions that year, and each column's abatement inside them."""

    name: str
    year_index: int
    tiers: tuple[tuple[float, float], ...]
    bau_t: float
    output: float
    coef: np.ndarray
    first_col: int
    scale: float

    def levy(self, z: np.ndarray) -> float:
        """rate × E at the tier the emissions E of the plan ``z`` fall in."""
        emitted = self.bau_t - float(self.coef @ z)
        for upper, rate in self.tiers:
            if emitted <= upper * self.output * (1 + 1e-9) + 1e-9:
                return rate * emitted
        return self.tiers[-1][1] * emitted


@dataclass(frozen=True)
class Shortfall:
    """A cap the measures cannot meet: the year, the kind of cap and the tonnes missing."""

    year: int
    kind: str
    label: str
    missing_t: float
    covers: str | None = None

    def message(self, lang: str = "en") -> str:
        """What is missed, in ``lang`` (Chinese for ``zh``, else English): locales ``pathway.shortfall.*``."""
        covers = msg("pathway.shortfall.covers", covers=self.covers) if self.covers else ""
        fields = {"year": self.year, "label": self.label, "covers": covers, "missing": f"{self.missing_t:,.0f}"}
        return render("pathway.shortfall.text", fields, "zh" if lang == "zh" else "en")


@dataclass
class Plan:
    """The solved pathway: its frames (pathway.csv, measures_plan.csv, abatement.csv) and facts."""

    status: str  # optimal | infeasible | time_limit | no_targets | error text from HiGHS
    years: list[int]
    table: pl.DataFrame
    measures: pl.DataFrame
    abatement: pl.DataFrame
    macc: pl.DataFrame
    shortfalls: list[Shortfall]
    cost_discounted: float
    mip_gap: float | None
    solve_s: float
    bau_peak: projection.Peak
    pathway_peak: projection.Peak
    #: one row an instrument: id, kind, support_discounted (to the plant; a levy negative), support (undiscounted)
    instruments: pl.DataFrame | None = None
    #: present value of the carbon cost (allowances bought beyond the free allocation; negative: sold)
    carbon_cost_discounted: float | None = None


@contextlib.contextmanager
def _quiet_stdout():
    """HiGHS prints a banner on stdout from C++ when its first solver is made: silence file descriptor 1."""
    try:
        fd = os.dup(1)
    except OSError:
        yield
        return
    with open(os.devnull, "wb") as null:
        os.dup2(null.fileno(), 1)
        try:
            yield
        finally:
            os.dup2(fd, 1)
            os.close(fd)


#: The rows of the programme (sparse coefficients, upper bound, kind, the cap of a cap row) and the caps.
_Rows = tuple[list[tuple[tuple[np.ndarray, np.ndarray], float, str, Cap | None]], list[Cap]]


class _Model:
    """Columns and rows of the programme, built with numpy, solved by HiGHS."""

    def __init__(self, inp: Inputs):
        self.inp = inp
        self.years = inp.years
        self.y0 = inp.years[0]
        ys = np.array(inp.years)
        self.pots = ms.potentials(inp.measures, inp.sources, inp.bau, inp.years)
        self.df = ms.discount_factors(inp.discount_rate, inp.years, self.y0)
        # columns x[m, t]: the share of measure m in place by year t (cumulative: x[m, t] ≤ x[m, t + 1]),
        # one block per measure, from its earliest start year; a measure adopted (in a share) in year s
        # contributes z[m, s] = x[m, s] − x[m, s − 1]
        self.starts: list[np.ndarray] = []
        self.offset: list[int] = []
        n = 0
        for m in inp.measures:
            first = max(m.start_year or self.y0, self.y0)
            s = ys[ys >= first]
            self.offset.append(n)
            self.starts.append(s)
            n += len(s)
        self.n_z = n
        # abatement / removal of each column in each year: (years × columns), dense (years are few)
        self.abate = np.zeros((len(ys), n))
        self.remove = np.zeros((len(ys), n))
        self.cost = np.zeros(n)
        self.ramps: list[np.ndarray] = []
        for i, m in enumerate(inp.measures):
            k = ms.ramp_kernel(m, ys, self.starts[i])
            self.ramps.append(k)
            block = slice(self.offset[i], self.offset[i] + len(self.starts[i]))
            (self.remove if m.kind == "removal" else self.abate)[:, block] = k * self.pots.potential_t[i][:, None]
            annuity = m.capex * ms.capital_recovery_factor(inp.discount_rate, m.lifetime_years)
            operating = m.opex - m.savings + m.cost_per_t * self.pots.potential_t[i]
            in_place = self.df[np.searchsorted(ys, self.starts[i])]
            self.cost[block] = in_place * annuity + (self.df * operating) @ k
        self.neutral_years = sorted({c.year for c in inp.caps if c.kind == "neutral"}) if inp.offsets else []
        self.bau_total = projection.totals(inp.bau, inp.sources)
        # cap rows are divided by this many tonnes, and offsets (and slacks) counted in it, so that the
        # solver's coefficients stay near 1 whatever the size of the inventory
        self.t_scale = max([abs(v) for v in self.bau_total.values()] + [1.0])
        self.removals_x = {y: float(inp.removals_t.get(y, 0.0)) for y in inp.years}
        self._covered: dict[str, tuple[dict[int, float], np.ndarray]] = {}
        self._rows: _Rows | None = None
        self.own_cost = self.cost.copy()  # the measures' own costs, without carbon and instruments
        #: money flows a year, as cost to the plant: name → (years × columns coefficients, constant a year)
        self.flows: dict[str, tuple[np.ndarray, np.ndarray]] = self._flows()
        for coef, _ in self.flows.values():
            self.cost = self.cost + self.df @ coef
        #: tiered levies: their columns follow the offsets (and precede the slacks)
        self.tiers: list[_Tier] = self._tiers(self.n_z + len(self.neutral_years))
        self.n_a = sum(len(t.tiers) + 1 for t in self.tiers)

    def _gross(self, selector: str | None) -> tuple[np.ndarray, np.ndarray]:
        """BAU of the selected emissions a year and each column's abatement inside them (gross)."""
        if selector is None:
            return np.array([self.bau_total[y] for y in self.years]), self.abate
        bau_sel, coef = self._covered_expr(selector)
        return np.array([bau_sel.get(y, 0.0) for y in self.years]), coef

    def _flows(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """The carbon cost (price × (covered emissions + allowances forgone − free allocation)) and each
        instrument's flow (a support negative, a levy positive), a year, linear in the columns."""
        inp = self.inp
        ys = np.array(self.years)
        out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        if inp.carbon_price:
            price = np.array([inp.carbon_price.get(y, 0.0) for y in self.years])
            bau_cov, coef = self._gross(inp.carbon_covers)
            flow = -price[:, None] * coef
            for i, m in enumerate(inp.measures):
                if m.allowance_lost_t:
                    block = slice(self.offset[i], self.offset[i] + len(self.starts[i]))
                    flow[:, block] += price[:, None] * m.allowance_lost_t * self.ramps[i]
            free = np.array([inp.free_allocation_t.get(y, 0.0) for y in self.years])
            out["carbon"] = (flow, price * (bau_cov - free))
        for inst in inp.instruments:
            if inst.kind == "levy_tiered":  # its columns and rows: _tiers, rows
                out[f"instrument:{inst.id}"] = (np.zeros((len(ys), self.n_z)), np.zeros(len(ys)))
                continue
            if inst.kind == "levy":
                charge = (inst.amount or 0.0) * inst.window(ys)
                bau_sel, coef = self._gross(inst.applies_to)
                out[f"instrument:{inst.id}"] = (-charge[:, None] * coef, charge * bau_sel)
                continue
            flow = np.zeros((len(ys), self.n_z))
            for i, m in enumerate(inp.measures):
                block = slice(self.offset[i], self.offset[i] + len(self.starts[i]))
                flow[:, block] = -fiscal.support_flows(
                    inst, m, ys, self.starts[i], self.ramps[i], self.pots.potential_t[i], inp.discount_rate
                )
            out[f"instrument:{inst.id}"] = (flow, np.zeros(len(ys)))
        return out

    def _tiers(self, first_col: int) -> list[_Tier]:
        """One ``_Tier`` per tiered levy and year in force; Q(y) = output × BAU(y) / base, the output growing as
        the charged emissions' BAU does (base: those emissions in the inventory year)."""
        out: list[_Tier] = []
        col = first_col
        ys = np.array(self.years)
        for inst in self.inp.instruments:
            if inst.kind != "levy_tiered":
                continue
            bau_sel, coef = self._gross(inst.applies_to)
            base = float(self.inp.sources.filter(src.mask(inst.applies_to))["co2e_t"].sum())
            top = max(rate for _, rate in inst.tiers)
            for k in np.flatnonzero(inst.window(ys)):
                output = (inst.output or 0.0) * (bau_sel[k] / base if base > 0 else 0.0)
                scale = max(top * abs(bau_sel[k]), 1.0)
                out.append(
                    _Tier(f"instrument:{inst.id}", int(k), inst.tiers, float(bau_sel[k]), output, coef[k], col, scale)
                )
                col += len(inst.tiers) + 1
        return out

    def tier_levies(self, z: np.ndarray) -> dict[str, np.ndarray]:
        """Each tiered levy's charge a year under the plan ``z``."""
        out: dict[str, np.ndarray] = {}
        for t in self.tiers:
            out.setdefault(t.name, np.zeros(len(self.years)))[t.year_index] = t.levy(z)
        return out

    def _tier_rows(self, width: int) -> list:
        """The rows of the tiered levies (module docstring), scaled: tonnes by t_scale, L by its ``scale``."""
        rows = []
        for t in self.tiers:
            b = np.arange(t.first_col, t.first_col + len(t.tiers))
            level = t.first_col + len(t.tiers)
            rows.append(((b, np.ones(len(b))), 1.0, "tier", None))
            rows.append(((b, -np.ones(len(b))), -1.0, "tier", None))
            nz = np.flatnonzero(np.abs(t.coef) > 1e-12)
            for j, (upper, rate) in enumerate(t.tiers):
                big_m = t.bau_t - upper * t.output
                if np.isfinite(upper) and big_m > 0:  # −coef·z + M·b_j ≤ 0
                    idx = np.concatenate([nz, [b[j]]])
                    val = np.concatenate([-t.coef[nz], [big_m]]) / self.t_scale
                    rows.append(((idx, val), 0.0, "tier", None))
                if rate > 0:  # −rate·coef·z + rate·BAU·b_j − L ≤ 0
                    idx = np.concatenate([nz, [b[j], level]])
                    val = np.concatenate([-rate * t.coef[nz] / t.scale, [rate * t.bau_t / t.scale, -1.0]])
                    rows.append(((idx, val), 0.0, "tier", None))
        return rows

    def _tier_start(self, x: np.ndarray) -> np.ndarray:
        """``x`` (a plan from the dive) with each tiered levy's binaries and L set to the tier its emissions fall in."""
        x = x.copy()
        z = x[: self.n_z]
        for t in self.tiers:
            emitted = t.bau_t - float(t.coef @ z)
            j = next(
                (i for i, (upper, _) in enumerate(t.tiers) if emitted <= upper * t.output * (1 + 1e-9) + 1e-9),
                len(t.tiers) - 1,
            )
            x[t.first_col : t.first_col + len(t.tiers)] = 0.0
            x[t.first_col + j] = 1.0
            x[t.first_col + len(t.tiers)] = t.tiers[j][1] * emitted / t.scale
        return x

    # ---- emissions as affine expressions: constant + coefficients · z -------------------------
    def _covered_expr(self, selector: str) -> tuple[dict[int, float], np.ndarray]:
        """BAU of the selector by year, and each column's abatement inside it (years × columns)."""
        if selector not in self._covered:
            inp = self.inp
            bau_sel = projection.totals(inp.bau, inp.sources, selector)
            inside = inp.sources.select(src.mask(selector).alias("in"))["in"].to_numpy()
            member = ms.membership(inp.measures, inp.sources)
            coef = np.zeros_like(self.abate)
            for i, m in enumerate(inp.measures):
                if m.kind != "abatement" or not member[:, i].any():
                    continue
                overlap = inp.sources.filter(pl.Series(member[:, i] & inside))
                if overlap.height == 0:
                    continue
                per_year = projection.totals(inp.bau.join(overlap.select("source"), on="source"), overlap)
                part = np.array([per_year.get(y, 0.0) for y in self.years]) * self.pots.share[i]
                block = slice(self.offset[i], self.offset[i] + len(self.starts[i]))
                coef[:, block] = self.ramps[i] * part[:, None]
            self._covered[selector] = (bau_sel, coef)
        return self._covered[selector]

    def emissions(self, year: int, covers: str | None, net: bool) -> tuple[float, np.ndarray]:
        """E(year) = constant − coefficients · z (returned as constant and the coefficients)."""
        if year not in self.years:  # before the pathway: BAU only
            if covers is None:
                const = self.bau_total.get(year, 0.0) - (self.inp.removals_t.get(year, 0.0) if net else 0.0)
            else:
                const = projection.totals(self.inp.bau, self.inp.sources, covers).get(year, 0.0)
            return const, np.zeros(self.n_z)
        k = self.years.index(year)
        if covers is not None:
            bau_sel, coef = self._covered_expr(covers)
            return bau_sel[year], coef[k].copy()
        if net:
            return self.bau_total[year] - self.removals_x[year], self.abate[k] + self.remove[k]
        return self.bau_total[year], self.abate[k].copy()

    # ---- rows ----------------------------------------------------------------------------------
    def rows(self) -> _Rows:
        """Rows as ((column indices, coefficients), upper bound, tag, cap), all of the form a·x ≤ upper."""
        if self._rows is not None:
            return self._rows
        inp = self.inp
        n_o = len(self.neutral_years)
        width = self.n_z + n_o + self.n_a
        out: list = []

        def sparse(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            nz = np.flatnonzero(np.abs(v) > 1e-12)
            return nz, v[nz]

        # once in place, a measure stays: x[m, t] − x[m, t + 1] ≤ 0
        for i, _ in enumerate(inp.measures):
            for j in range(len(self.starts[i]) - 1):
                col = self.offset[i] + j
                out.append(((np.array([col, col + 1]), np.array([1.0, -1.0])), 0.0, "once", None))
        # latest start: nothing more in place after it, x[m, t] − x[m, t − 1] ≤ 0 for t > latest (x[m, t] ≤ 0 when
        # t is its first column); build-out: at most b more a year, x[m, t] − x[m, t − 1] ≤ b
        for i, m in enumerate(inp.measures):
            for j, year in enumerate(self.starts[i]):
                col = self.offset[i] + j
                cols, coefs = (
                    (np.array([col]), np.array([1.0])) if j == 0 else (np.array([col, col - 1]), np.array([1.0, -1.0]))
                )
                if m.latest_start_year is not None and year > m.latest_start_year:
                    out.append(((cols, coefs), 0.0, "latest", None))
                elif m.max_build_per_year is not None and m.max_build_per_year < 1:
                    out.append(((cols, coefs), float(m.max_build_per_year), "build", None))
        # mutual exclusions: what is in place at the end of the two adds up to at most one measure
        index = {m.id: i for i, m in enumerate(inp.measures)}
        pairs = {tuple(sorted((m.id, other))) for m in inp.measures for other in m.excludes if other in index}
        for a, b in sorted(pairs):
            last = [self.offset[i] + len(self.starts[i]) - 1 for i in (index[a], index[b]) if len(self.starts[i])]
            out.append(((np.array(last), np.ones(len(last))), 1.0, "exclusion", None))
        # no source abated beyond what it emits: the full shares of the measures in place on a group of
        # sources (sources acted on by the same measures) add up to at most 1. As x is cumulative, the
        # row of a year is implied by a later year's row whose shares are at least as large; only the
        # other years are written (for shares fixed in time, the last year alone).
        member = ms.membership(inp.measures, inp.sources)
        groups = {tuple(np.flatnonzero(row).tolist()) for row in member if row.sum() >= 2}
        groups = {g for g in groups if not any(set(g) < set(h) for h in groups)}  # the larger set implies the smaller
        for g in sorted(groups):
            shares = self.pots.share[list(g)]  # measures × years
            if shares.sum(axis=0).max() <= 1 + 1e-12:
                continue
            kept: list[np.ndarray] = []
            for k in reversed(range(len(self.years))):
                year_shares = shares[:, k]
                if any((year_shares <= later + 1e-12).all() for later in kept):
                    continue
                kept.append(year_shares)
                v = np.zeros(width)
                for i, share in zip(g, year_shares, strict=True):
                    j = self.years[k] - int(self.starts[i][0]) if len(self.starts[i]) else -1
                    if j >= 0:
                        v[self.offset[i] + j] = share
                out.append((sparse(v), 1.0, "source", None))
        # targets: E(y) − fraction · reference ≤ 0  ⇔  −coef·z + fraction·coef_ref·z ≤ fraction·ref − const
        caps: list[Cap] = []
        for cap in inp.caps:
            const, coef = self.emissions(cap.year, cap.covers, cap.net)
            v = np.zeros(width)
            v[: self.n_z] = -coef
            if cap.reference == "base":
                upper = cap.fraction * (cap.base_t or 0.0) - const
            elif cap.reference == "peak":
                assert inp.peak_year is not None, "targets.caps makes a cap against the peak only with a peak year"
                p_const, p_coef = self.emissions(inp.peak_year, cap.covers, cap.net)
                v[: self.n_z] += cap.fraction * p_coef
                upper = cap.fraction * p_const - const
            else:  # zero: net ≤ 0, purchased offsets count
                upper = -const
            v /= self.t_scale
            if cap.reference == "zero" and cap.year in self.neutral_years:
                v[self.n_z + self.neutral_years.index(cap.year)] = -1.0
            out.append((sparse(v), upper / self.t_scale, "cap", cap))
            caps.append(cap)
        out += self._tier_rows(width)
        self._rows = (out, caps)
        return self._rows

    def shortfalls(self, values: np.ndarray) -> list[Shortfall]:
        """The caps a plan misses, by how many tonnes (its own emissions minus the cap), year by year;
        misses within the solver's tolerance (below 0.01 t) are not reported."""
        rows, _ = self.rows()
        x = np.asarray(values)[: self.n_z + len(self.neutral_years) + self.n_a]
        found = []
        for (idx, coef), upper, tag, cap in rows:
            if tag == "cap" and cap is not None:
                missing = float(x[idx] @ coef - upper) * self.t_scale
                if missing > max(0.01, 1e-7 * self.t_scale):  # the solver's feasibility tolerance
                    found.append(Shortfall(cap.year, cap.kind, cap.label, missing, cap.covers))
        return sorted(found, key=lambda s: (s.year, -s.missing_t))

    def solve(self, slack: bool, cost_bound: float | None = None, slack_bound: float | None = None):
        """Solve; with ``slack`` each cap row gets a slack column, minimised (or bounded by ``slack_bound``
        while cost is minimised). Returns (status, column values, objective, mip gap, slack per cap)."""
        import highspy

        inp = self.inp
        rows, caps = self.rows()
        n_o = len(self.neutral_years)
        cap_rows = {j: k for k, j in enumerate(i for i, r in enumerate(rows) if r[2] == "cap")}
        n_s = len(cap_rows) if slack else 0
        n_a = self.n_a
        n = self.n_z + n_o + n_a + n_s
        aux_cost, aux_upper = np.zeros(n_a), np.ones(n_a)
        binaries = []
        for t in self.tiers:
            level = t.first_col + len(t.tiers) - self.n_z - n_o
            aux_cost[level] = self.df[t.year_index] * t.scale
            aux_upper[level] = highspy.kHighsInf
            binaries.append(np.arange(t.first_col, t.first_col + len(t.tiers)))
        cost = (
            np.concatenate(
                [
                    self.cost,
                    [self.df[self.years.index(y)] * inp.offset_price * self.t_scale for y in self.neutral_years],
                    aux_cost,
                    np.zeros(n_s),
                ]
            )
            * COST_SCALE
        )
        lower = np.zeros(n)
        upper = np.concatenate(
            [np.ones(self.n_z), np.full(n_o, highspy.kHighsInf), aux_upper, np.full(n_s, highspy.kHighsInf)]
        )
        starts, index, value, row_upper = [0], [], [], []
        for j, ((nz, coef), ub, tag, _) in enumerate(rows):
            idx, val = list(nz), list(coef)
            if slack and tag == "cap":
                idx.append(self.n_z + n_o + n_a + cap_rows[j])
                val.append(-1.0)
            index += idx
            value += val
            starts.append(len(index))
            row_upper.append(ub)
        objective = cost
        if slack and slack_bound is None:
            objective = np.concatenate([np.zeros(self.n_z + n_o + n_a), np.ones(n_s)])
        if slack and slack_bound is not None:  # least cost among plans missing no more than the minimum
            idx = list(range(self.n_z + n_o + n_a, n))
            index += idx
            value += [1.0] * len(idx)
            starts.append(len(index))
            row_upper.append(slack_bound)
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = n, len(row_upper)
        lp.col_cost_, lp.col_lower_, lp.col_upper_ = objective, lower, upper
        lp.row_lower_ = np.full(len(row_upper), -highspy.kHighsInf)
        lp.row_upper_ = np.array(row_upper, dtype=float)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        lp.a_matrix_.start_ = np.array(starts, dtype=np.int32)
        lp.a_matrix_.index_ = np.array(index, dtype=np.int32)
        lp.a_matrix_.value_ = np.array(value, dtype=float)
        blocks = [
            np.arange(self.offset[i], self.offset[i] + len(self.starts[i]))
            for i, m in enumerate(inp.measures)
            if not m.partial and len(self.starts[i])
        ]
        began = time.perf_counter()
        start = self._dive(lp, blocks) if blocks else None
        if start is not None and self.tiers:
            start = self._tier_start(start)
        integer = blocks + binaries
        if integer:
            kinds = np.full(n, highspy.HighsVarType.kContinuous)
            kinds[np.concatenate(integer)] = highspy.HighsVarType.kInteger
            lp.integrality_ = list(kinds)
        h = _highs(max(inp.time_limit_s - (time.perf_counter() - began), 1.0))
        h.setOptionValue("mip_rel_gap", float(inp.mip_gap))
        for option, setting in HIGHS_OPTIONS.items():
            h.setOptionValue(option, setting)
        h.passModel(lp)
        if start is not None:
            h.setSolution(len(start), np.arange(len(start), dtype=np.int32), start)
        h.run()
        status = h.getModelStatus()
        info = h.getInfo()
        values = np.array(h.getSolution().col_value) if info.primal_solution_status == 2 else None
        gap = float(info.mip_gap) if integer and values is not None else (0.0 if values is not None else None)
        slacks = values[self.n_z + n_o + n_a :] if (values is not None and slack) else np.zeros(0)
        return status, values, gap, dict(zip(range(len(caps)), slacks, strict=False)), caps

    def _dive(self, lp, blocks: list[np.ndarray]) -> np.ndarray | None:
        """A feasible plan for the branch and bound to start from, by diving on the LP relaxation (diving
        heuristics: T. Berthold, Primal Heuristics for Mixed Integer Programs, TU Berlin 2006), a whole
        all-or-nothing measure at a time: the most fractional one is fixed to the cheapest of never / in
        place from the first year more than half of it is / from its first year in the LP, and the LP
        re-solved, until no measure is fractional. None when a dive step is infeasible."""
        import highspy

        optimal = highspy.HighsModelStatus.kOptimal
        h = _highs(self.inp.time_limit_s)
        h.passModel(lp)
        h.run()
        free = set(range(len(blocks)))
        while h.getModelStatus() == optimal:
            x = np.array(h.getSolution().col_value)
            fractional = [(float(np.minimum(x[blocks[b]], 1 - x[blocks[b]]).max()), b) for b in free]
            fractional = [(f, b) for f, b in fractional if f > 1e-6]
            if not fractional:
                return x
            b = max(fractional)[1]  # nearest-to-integral first gave worse plans on bench/pathway.py
            cols = blocks[b].astype(np.int32)
            never = (0.0,) * len(cols)
            tried = {never} | {tuple(np.where(x[cols] > threshold, 1.0, 0.0)) for threshold in (0.5, 1e-6)}
            best: tuple[float, np.ndarray] | None = None
            for fixed in map(np.array, sorted(tried)):
                h.changeColsBounds(len(cols), cols, fixed, fixed)
                h.run()
                if h.getModelStatus() == optimal and (best is None or h.getInfo().objective_function_value < best[0]):
                    best = (h.getInfo().objective_function_value, fixed)
            if best is None:
                return None
            h.changeColsBounds(len(cols), cols, best[1], best[1])
            h.run()
            free.discard(b)
        return None


def _highs(time_limit_s: float):
    """A silent HiGHS instance with the run's time limit."""
    import highspy

    with _quiet_stdout():
        h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(time_limit_s))
    return h


def solve(inp: Inputs) -> Plan:
    """The least-cost plan of ``inp`` (or, when the caps cannot all be met, the least shortfall)."""
    import highspy

    began = time.perf_counter()
    model = _Model(inp)
    ok = highspy.HighsModelStatus
    status, values, gap, _, caps = model.solve(slack=False)
    shortfalls: list[Shortfall] = []
    if status == ok.kOptimal:
        label = "optimal"
    elif status == ok.kInfeasible:
        label = "infeasible"
        status2, values, gap, slacks, caps = model.solve(slack=True)
        if values is not None:
            least = float(sum(slacks.values()))
            status3, better, gap3, slacks3, _ = model.solve(slack=True, slack_bound=least * (1 + 1e-9) + 1e-9)
            if better is not None:
                values, gap = better, gap3
            shortfalls = model.shortfalls(values)
    elif status == ok.kTimeLimit and values is not None:
        label = "time_limit"
    elif status == ok.kModelEmpty:  # no measure and no offsets to decide on: the plan is BAU
        values = np.zeros(model.n_z + len(model.neutral_years))
        shortfalls = model.shortfalls(values)
        label = "infeasible" if shortfalls else "optimal"
    else:
        label = h_status(status)
    if values is None:
        values = np.zeros(model.n_z + len(model.neutral_years))
    return _plan(model, label, values, gap, shortfalls, time.perf_counter() - began)


def h_status(status) -> str:
    """HiGHS's model status as a short lower-case text."""
    return str(status).rsplit(".", 1)[-1].removeprefix("k").lower()


def _plan(
    model: _Model, status: str, values: np.ndarray, gap: float | None, shortfalls: list[Shortfall], seconds: float
) -> Plan:
    inp = model.inp
    years = model.years
    z = values[: model.n_z]
    offsets = dict(
        zip(model.neutral_years, values[model.n_z : model.n_z + len(model.neutral_years)] * model.t_scale, strict=True)
    )
    abatement = model.abate @ z
    removals_m = model.remove @ z
    bau = np.array([model.bau_total[y] for y in years])
    removals = np.array([model.removals_x[y] for y in years]) + removals_m
    emissions = bau - abatement
    offsets_t = np.array([offsets.get(y, 0.0) for y in years])
    net = emissions - removals - offsets_t
    # per measure and year
    rows, plan_rows, yearly_cost = [], [], np.zeros(len(years))
    ys = np.array(years)
    for i, m in enumerate(inp.measures):
        block = slice(model.offset[i], model.offset[i] + len(model.starts[i]))
        xi = np.clip(np.where(np.abs(z[block]) < 1e-9, 0.0, z[block]), 0.0, 1.0)
        share = model.ramps[i] @ xi  # share of full abatement in each year
        per_year = share * model.pots.potential_t[i]
        in_place = np.zeros(len(years))
        in_place[np.searchsorted(ys, model.starts[i])] = xi
        annuity = m.capex * ms.capital_recovery_factor(inp.discount_rate, m.lifetime_years)
        costs = in_place * annuity + share * (m.opex - m.savings + m.cost_per_t * model.pots.potential_t[i])
        yearly_cost += costs
        adopted = float(xi[-1]) if len(xi) else 0.0
        chosen = adopted > 1e-6
        for y, t, share_in_place in zip(years, per_year, in_place, strict=True):
            if chosen and t > 0:
                rows.append(
                    {
                        "year": y,
                        "measure": m.id,
                        "kind": m.kind,
                        "abatement_t": float(t),
                        "in_place": float(share_in_place),
                    }
                )
        first = int(model.starts[i][np.flatnonzero(xi > 1e-6)[0]]) if chosen else None
        plan_rows.append(
            {
                "id": m.id,
                "name_zh": m.name_zh,
                "name_en": m.name_en,
                "kind": m.kind,
                "applies_to": m.applies_to,
                "chosen": bool(chosen),
                "start_year": first,
                "adoption": float(round(adopted, 9)),
                "abatement_t": float(per_year.sum()),
                "abatement_end_year_t": float(per_year[-1]),
                "capex": float(m.capex * adopted),
                "cost_discounted": float(model.own_cost[block] @ xi),
                "excludes": ";".join(m.excludes),
                "support_discounted": -sum(
                    float(model.df @ coef[:, block] @ xi)
                    for name, (coef, _) in model.flows.items()
                    if name.startswith("instrument:")
                ),
            }
        )
    offset_cost = np.array([inp.offset_price * offsets.get(y, 0.0) for y in years])
    yearly_cost += offset_cost
    flows = {name: coef @ z + const for name, (coef, const) in model.flows.items()}
    for name, charge in model.tier_levies(z).items():
        flows[name] = flows[name] + charge
    for flow in flows.values():
        yearly_cost += flow
    peak_row = years.index(inp.peak_year) if inp.peak_year in years else None
    peak_t = net[peak_row] if peak_row is not None else None
    tightest = binding(inp.caps, years, peak_t)
    target = {y: value for y, (value, _) in tightest.items()}
    missing: dict[int, float] = {}
    for s in shortfalls:
        if s.covers is None:
            missing[s.year] = max(missing.get(s.year, 0.0), s.missing_t)
    table = pl.DataFrame(
        {
            "year": years,
            "bau_t": bau,
            "target_t": [target[y] for y in years],
            "target_kind": [tightest[y][1] for y in years],
            "abatement_t": abatement,
            "emissions_t": emissions,
            "removals_t": removals,
            "offsets_t": offsets_t,
            "net_t": net,
            "gap_t": [None if target[y] is None else max(b - target[y], 0.0) for y, b in zip(years, bau, strict=True)],
            "shortfall_t": [missing.get(y, 0.0) for y in years],
            "cost": yearly_cost,
            "cost_discounted": yearly_cost * model.df,
        },
        schema_overrides={"target_t": pl.Float64, "target_kind": pl.String, "gap_t": pl.Float64, "year": pl.Int64},
    )
    table = _money_columns(model, table, flows, z)
    macc_year = inp.macc_year if inp.macc_year in years else years[-1]
    macc = ms.macc(inp.measures, model.pots, inp.discount_rate, years[0], macc_year)
    plan = pl.DataFrame(
        plan_rows,
        schema={
            "id": pl.String,
            "name_zh": pl.String,
            "name_en": pl.String,
            "kind": pl.String,
            "applies_to": pl.String,
            "chosen": pl.Boolean,
            "start_year": pl.Int64,
            "adoption": pl.Float64,
            "abatement_t": pl.Float64,
            "abatement_end_year_t": pl.Float64,
            "capex": pl.Float64,
            "cost_discounted": pl.Float64,
            "excludes": pl.String,
            "support_discounted": pl.Float64,
        },
    )
    if not inp.instruments:
        plan = plan.drop("support_discounted")
    plan = plan.join(
        macc.select(
            "id", pl.col("potential_t").alias("macc_potential_t"), pl.col("cost_per_t").alias("macc_cost_per_t")
        ),
        on="id",
        how="left",
    )
    long = pl.DataFrame(
        rows,
        schema={
            "year": pl.Int64,
            "measure": pl.String,
            "kind": pl.String,
            "abatement_t": pl.Float64,
            "in_place": pl.Float64,  # the share of the measure in place by the year (cumulative)
        },
    )
    bau_series = {y: float(b) for y, b in zip(years, bau, strict=True)}
    bau_all = {**inp.history_t, **model.bau_total} or bau_series
    # the years before the pathway count: if emissions only fall after the base year, the base year is the peak
    before = {y: t - float(inp.removals_t.get(y, 0.0)) for y, t in inp.history_t.items() if y < years[0]}
    net_all = {**before, **{y: float(v) for y, v in zip(years, net, strict=True)}}
    return Plan(
        status=status,
        years=years,
        table=table,
        measures=plan,
        abatement=long,
        macc=macc,
        shortfalls=shortfalls,
        cost_discounted=float((yearly_cost * model.df).sum()),
        mip_gap=gap,
        solve_s=seconds,
        bau_peak=projection.peak(bau_all),
        pathway_peak=projection.peak(net_all),
        instruments=_instrument_frame(inp.instruments, flows, model.df) if inp.instruments else None,
        carbon_cost_discounted=float(model.df @ flows["carbon"]) if "carbon" in flows else None,
    )


def _money_columns(model: _Model, table: pl.DataFrame, flows: dict[str, np.ndarray], z: np.ndarray) -> pl.DataFrame:
    """pathway.csv's carbon and support columns: the price, the covered emissions, the free allocation and the
    carbon cost a year; the support received (subsidies and tax credits) and the levies paid."""
    inp = model.inp
    extra: dict[str, np.ndarray] = {}
    if "carbon" in flows:
        bau_cov, coef = model._gross(inp.carbon_covers)
        extra["carbon_price"] = np.array([inp.carbon_price.get(y, 0.0) for y in model.years])
        extra["covered_t"] = bau_cov - coef @ z
        extra["free_allocation_t"] = np.array([inp.free_allocation_t.get(y, 0.0) for y in model.years])
        extra["carbon_cost"] = flows["carbon"]
    if inp.instruments:
        kinds = {f"instrument:{i.id}": i.kind for i in inp.instruments}
        zero = np.zeros(len(model.years))
        extra["support"] = -sum((f for n, f in flows.items() if kinds.get(n, "levy") not in fiscal.LEVIES), zero)
        extra["levies"] = sum((f for n, f in flows.items() if kinds.get(n) in fiscal.LEVIES), zero)
    if not extra:
        return table
    last = ["cost", "cost_discounted"]
    table = table.with_columns([pl.Series(name, values, pl.Float64) for name, values in extra.items()])
    return table.select([c for c in table.columns if c not in last] + last)


def _instrument_frame(instruments: list[fiscal.Instrument], flows: dict[str, np.ndarray], df: np.ndarray):
    """One row an instrument: what it paid the plant (a levy: minus what it charged), undiscounted and discounted."""
    return pl.DataFrame(
        [
            {
                "id": i.id,
                "kind": i.kind,
                "support": -float(flows[f"instrument:{i.id}"].sum()),
                "support_discounted": -float(df @ flows[f"instrument:{i.id}"]),
            }
            for i in instruments
        ],
        schema={"id": pl.String, "kind": pl.String, "support": pl.Float64, "support_discounted": pl.Float64},
    )
