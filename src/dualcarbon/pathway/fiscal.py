"""Fiscal instruments (``instruments.csv``) as cash flows per measure and year, linear in the plan's columns.

Each instrument is one row of a policy document (its document, article and status travel with it). Kinds
(docs/pathway.md, "Carbon prices and fiscal support"):

- ``capital_share``: a grant of ``rate`` × capex; ``capital_per_kw``: ``amount`` × the measure's
  ``capacity_kw``; ``tax_credit``: ``rate`` × capex credited against tax (e.g. the Enterprise Income Tax Law
  art. 34 credit for environmental, energy- and water-saving equipment); ``interest``: ``rate`` points a year on
  a green loan of ``loan_share`` × capex repaid in equal parts over ``loan_years``, worth
  G = Σ_{k<n} rate · loan · (1 − k/n) · (1 + r)^−k at the start. Each is capped at ``cap`` (per measure, at
  full adoption) and paid to measures started from ``from_year`` to ``to_year``. A one-time grant G lowers the
  investment it pays for, so it is spread like capex: α · G a year over the measure's lifetime from its start
  (α the capital recovery factor of ``measures.capital_recovery_factor``). Paid at once instead, a measure
  started in the pathway's last year would collect a whole grant against one year of annualised capex.
- ``per_t``: ``amount`` per t abated, at most ``cap`` a year per measure; ``tax_reduction``: ``amount`` a year
  while the measure is in place (ramped like its abatement), at most ``cap``: both in the years from
  ``from_year`` to ``to_year``.
- ``levy``: ``amount`` per t of the emissions ``applies_to`` names, in those years: a charge, not a support.
- ``levy_tiered``: a levy whose rate per t depends on the intensity of the emissions ``applies_to`` names
  (a unit, or the whole plant, as the measures in place leave it): E(y) / Q(y), with Q the ``output`` of the
  inventory year grown as those emissions' BAU (measures change the emissions, not the output). ``tiers``
  gives the upper bound of each tier's intensity and its rate, e.g. ``0.85:0; 0.90:5; *:15``. The rate of a
  tier depends on the plan, so ``optimize`` chooses the tier with a binary a year (``tier_rows``).

Columns are cumulative (``optimize``: x[m, t] = the share in place by year t), so a flow that depends on the
start year s is written on the increments z_s = x_s − x_{s−1}: flow(y) = Σ_s z_s · h(s, y) becomes, per
column t, h(t, y) − h(t + 1, y).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from dualcarbon.pathway import measures as ms

Kind = Literal[
    "capital_share", "capital_per_kw", "tax_credit", "interest", "per_t", "tax_reduction", "levy", "levy_tiered"
]
KINDS: tuple[str, ...] = (
    "capital_share",
    "capital_per_kw",
    "tax_credit",
    "interest",
    "per_t",
    "tax_reduction",
    "levy",
    "levy_tiered",
)
LEVIES = ("levy", "levy_tiered")
ONE_TIME = ("capital_share", "capital_per_kw", "tax_credit", "interest")
#: what each kind needs: rate (a share or interest points) or amount (money)
NEEDS = {
    "capital_share": "rate",
    "tax_credit": "rate",
    "interest": "rate",
    "capital_per_kw": "amount",
    "per_t": "amount",
    "tax_reduction": "amount",
    "levy": "amount",
}
STATUSES = ("read", "second-hand", "unconfirmed", "assumption")


@dataclass(frozen=True)
class Instrument:
    """One row of ``instruments.csv``: a subsidy, tax credit or levy, and the policy article it comes from."""

    id: str
    kind: str
    name_zh: str = ""
    name_en: str = ""
    measures: tuple[str, ...] = ()  # the measures it supports (ids); empty: every measure
    applies_to: str | None = None  # a levy: selector of the emissions charged
    #: ``levy_tiered``: (upper bound of the tier's intensity, rate per t), ascending; the last bound is inf
    tiers: tuple[tuple[float, float], ...] = ()
    output: float | None = None  # ``levy_tiered``: the intensity's denominator in the inventory year
    output_unit: str = ""
    rate: float | None = None
    amount: float | None = None
    cap: float | None = None
    loan_share: float = 1.0
    loan_years: int = 5
    from_year: int | None = None
    to_year: int | None = None
    document: str = ""
    article: str = ""
    status: str = "unconfirmed"
    note: str = ""
    row: int | None = field(default=None, compare=False)

    def name(self, lang: str) -> str:
        return (self.name_zh if lang == "zh" else self.name_en) or self.name_en or self.name_zh or self.id

    def supports(self, measure: ms.Measure) -> bool:
        return self.kind not in LEVIES and (not self.measures or measure.id in self.measures)

    def window(self, years: np.ndarray) -> np.ndarray:
        """1.0 in the years the instrument is in force, else 0.0."""
        low = self.from_year if self.from_year is not None else -(10**9)
        high = self.to_year if self.to_year is not None else 10**9
        return ((years >= low) & (years <= high)).astype(float)


def parse_tiers(text: str) -> tuple[tuple[float, float], ...]:
    """``0.85:0; 0.90:5; *:15`` → ((0.85, 0.0), (0.9, 5.0), (inf, 15.0)); ValueError naming what is wrong.
    Bounds ascend and the last is ``*`` (open); rates are non-negative and do not fall as intensity rises (a
    higher tier charging less would let the plan claim a tier its intensity is not in)."""
    tiers: list[tuple[float, float]] = []
    parts = [p.strip() for p in str(text).replace("；", ";").split(";") if p.strip()]
    for k, part in enumerate(parts):
        bound, sep, rate = (s.strip() for s in part.replace("：", ":").partition(":"))
        if not sep:
            raise ValueError(part)
        upper = float("inf") if bound == "*" else float(bound)
        per_t = float(rate)
        tiers.append((upper, per_t))
        if (bound == "*") != (k == len(parts) - 1) or not math.isfinite(per_t) or math.isnan(upper):
            raise ValueError(part)
    if len(tiers) < 2:
        raise ValueError(text)
    for (u0, r0), (u1, r1) in zip(tiers, tiers[1:], strict=False):
        if not (u1 > u0 > 0) or r1 < r0 or r0 < 0:
            raise ValueError(text)
    return tuple(tiers)


def grant(inst: Instrument, measure: ms.Measure, discount_rate: float) -> float:
    """The one-time value G of a capital kind for the whole measure, capped (0 when it does not apply)."""
    if inst.kind in ("capital_share", "tax_credit"):
        value = (inst.rate or 0.0) * measure.capex
    elif inst.kind == "capital_per_kw":
        value = (inst.amount or 0.0) * (measure.capacity_kw or 0.0)
    elif inst.kind == "interest":
        n = max(inst.loan_years, 1)
        loan = inst.loan_share * measure.capex
        value = sum((inst.rate or 0.0) * loan * (1 - k / n) * (1 + discount_rate) ** -k for k in range(n))
    else:
        return 0.0
    return min(value, inst.cap) if inst.cap is not None else value


def support_flows(
    inst: Instrument,
    measure: ms.Measure,
    years: np.ndarray,
    starts: np.ndarray,
    kernel: np.ndarray,
    potential_t: np.ndarray,
    discount_rate: float,
) -> np.ndarray:
    """Money the plant receives from ``inst`` for ``measure`` in each year (rows) per unit of each column
    (the share of the measure in place by the column's year), before discounting."""
    out = np.zeros((len(years), len(starts)))
    if not inst.supports(measure) or len(starts) == 0:
        return out
    if inst.kind in ONE_TIME:
        annual = grant(inst, measure, discount_rate) * ms.capital_recovery_factor(discount_rate, measure.lifetime_years)
        eligible = inst.window(starts) * annual  # paid to starts in force
        life = measure.lifetime_years
        # h(s, y) = α·G while s ≤ y < s + lifetime, for a start s in force
        h = eligible[None, :] * ((years[:, None] >= starts[None, :]) & (years[:, None] < starts[None, :] + life))
        out = h.copy()
        out[:, :-1] -= h[:, 1:]
        return out
    cap = inst.cap if inst.cap is not None else np.inf
    if inst.kind == "per_t":
        per_year = np.minimum((inst.amount or 0.0) * potential_t, cap)
    else:  # tax_reduction
        per_year = np.full(len(years), min(inst.amount or 0.0, cap))
    return (per_year * inst.window(years))[:, None] * kernel
