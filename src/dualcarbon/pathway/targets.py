"""Targets: templates (``data/targets.toml``), the project's overrides, and the caps they set.

A resolved ``Goal`` becomes a list of ``Cap`` records, one per year and kind, that the optimiser
turns into constraints and the report into the target trajectory:

- ``cut``: E(y) ≤ (1 − p) · E(base), or (1 − p) · E(peak_year) when ``against = "peak"``
  (China 2035 NDC: net GHG 7-10 % below the peak level; standards digest §5.1), in its year and
  every later one (a target once met is not given up again);
- ``annual``: linear absolute contraction, E(y) ≤ E_base · (1 − rate · (y − y_base)), floored at
  (1 − annual_until_percent/100) · E_base (SBTi absolute contraction approach, 4.2 %/yr for 1.5 °C;
  second-hand, standards digest §5.3);
- ``peak``: E(y) ≤ E(peak_year) for every y after the peak year (emissions peak no later than it);
- ``neutral``: net = E(y) − removals − offsets ≤ 0 from the neutral year on (ISO 14068-1 balance,
  standards digest §7.6 item 10); ``residual``: E(y) ≤ residual_max_percent · E_base in those years
  (SBTi: residual at most about 10 %).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Literal

from dualcarbon.model import Targets

TEMPLATES = resources.files("dualcarbon.pathway").joinpath("data", "targets.toml")
CapKind = Literal["cut", "annual", "peak", "neutral", "residual"]


@dataclass(frozen=True)
class CutSpec:
    year: int
    percent: float
    against: Literal["base", "peak"] = "base"
    covers: str | None = None


@dataclass(frozen=True)
class Goal:
    """Targets after merging a template with the project's settings."""

    template: str
    name_zh: str
    name_en: str
    status: str
    source: str
    base_year: int
    base_emissions_t: float | None
    peak_year: int | None
    neutral_year: int | None
    annual_rate: float | None
    annual_until_percent: float
    cuts: tuple[CutSpec, ...]
    offsets: bool
    residual_max_percent: float | None
    removals_count: bool

    def years(self) -> list[int]:
        """Every year a goal names (base year excluded)."""
        named = [c.year for c in self.cuts] + [y for y in (self.peak_year, self.neutral_year) if y]
        return sorted(set(named))


@dataclass(frozen=True)
class Cap:
    """One constraint of one year: ``E_covered(year) ≤ fraction · reference`` (see the module doc).

    ``reference`` is "base" (``base_t`` known), "peak" (the pathway's own emissions in
    ``peak_year``) or "zero" (neutral). ``net``: removals (and offsets, for neutral) count.
    """

    year: int
    kind: CapKind
    fraction: float
    reference: Literal["base", "peak", "zero"]
    covers: str | None = None
    base_t: float | None = None
    net: bool = True
    label: str = field(default="", compare=False)

    @property
    def cap_t(self) -> float | None:
        """The cap in tonnes when it does not depend on the pathway itself."""
        if self.reference == "zero":
            return 0.0
        if self.reference == "base" and self.base_t is not None:
            return self.fraction * self.base_t
        return None


@cache
def templates() -> dict[str, dict]:
    """The bundled templates by name (``none`` is the empty template)."""
    with TEMPLATES.open("rb") as fh:
        data = tomllib.load(fh)
    data["none"] = {"name_zh": "自定义目标", "name_en": "Own targets", "status": "active", "source": "dualcarbon.toml"}
    return data


def resolve(settings: Targets, inventory_year: int) -> Goal:
    """Merge the template with ``[targets]``: the project's values win; its cuts add to the template's.

    Raises ValueError (with the key) when something needed is missing.
    """
    t = templates()[settings.template]
    base_year = settings.base_year or t.get("base_year") or inventory_year
    cuts = [CutSpec(**c) for c in t.get("cuts", [])]
    cuts += [CutSpec(c.year, c.percent, c.against, c.covers) for c in settings.cuts]
    peak_year = settings.peak_year or t.get("peak_year")
    if any(c.against == "peak" for c in cuts) and peak_year is None:
        raise ValueError("targets.peak_year: a cut against the peak needs a peak year")
    for c in cuts:
        if c.year <= base_year:
            raise ValueError(f"targets.cuts: the cut of {c.year} is not after the base year {base_year}")
    if settings.base_emissions_t is None and base_year < inventory_year:
        raise ValueError(
            f"targets.base_emissions_t: the base year {base_year} is before the inventory year "
            f"{inventory_year}; give the base-year emissions (t CO2e)"
        )
    return Goal(
        template=settings.template,
        name_zh=t["name_zh"],
        name_en=t["name_en"],
        status=t["status"],
        source=t["source"],
        base_year=int(base_year),
        base_emissions_t=settings.base_emissions_t,
        peak_year=peak_year,
        neutral_year=settings.neutral_year or t.get("neutral_year"),
        annual_rate=settings.annual_rate or t.get("annual_rate"),
        annual_until_percent=float(t.get("annual_until_percent", 100.0)),
        cuts=tuple(sorted(cuts, key=lambda c: c.year)),
        offsets=bool(settings.offsets if settings.offsets is not None else t.get("offsets", False)),
        residual_max_percent=(
            settings.residual_max_percent
            if settings.residual_max_percent is not None
            else t.get("residual_max_percent")
        ),
        removals_count=bool(t.get("removals_count", True)),
    )


def caps(goal: Goal, years: list[int], base_t: float, covered_base_t: dict[str, float | None]) -> list[Cap]:
    """The caps of ``goal`` in the pathway's ``years``.

    ``base_t``: base-year emissions of everything covered; ``covered_base_t``: base-year emissions
    of each cut's ``covers`` selector (None when unknown, e.g. a base year before the inventory).
    """
    out: list[Cap] = []
    inside = set(years)
    for c in goal.cuts:
        # a cut holds from its year on: emissions do not rebound once it is met
        net = goal.removals_count and c.covers is None  # removals are not attributed to parts
        fraction = 1 - c.percent / 100
        ref = base_t if c.covers is None else covered_base_t.get(c.covers)
        if c.against == "base" and ref is None and fraction > 0:
            raise ValueError(
                f"targets.cuts: the base-year emissions of '{c.covers}' are unknown (base year "
                f"{goal.base_year} is not the inventory year); only a 100 % cut can cover a part"
            )
        for y in (y for y in years if y >= c.year):
            if c.against == "peak":
                out.append(
                    Cap(y, "cut", fraction, "peak", c.covers, None, net, f"-{c.percent:g} % vs {goal.peak_year}")
                )
            else:
                out.append(
                    Cap(y, "cut", fraction, "base", c.covers, ref or 0.0, net, f"-{c.percent:g} % vs {goal.base_year}")
                )
    if goal.annual_rate:
        floor = 1 - goal.annual_until_percent / 100
        for y in years:
            if y > goal.base_year:
                fraction = max(1 - goal.annual_rate * (y - goal.base_year), floor)
                out.append(
                    Cap(
                        y,
                        "annual",
                        fraction,
                        "base",
                        None,
                        base_t,
                        goal.removals_count,
                        f"-{goal.annual_rate * 100:g} %/yr vs {goal.base_year}",
                    )
                )
    if goal.peak_year and goal.peak_year in inside:
        for y in years:
            if y > goal.peak_year:
                out.append(Cap(y, "peak", 1.0, "peak", None, None, goal.removals_count, f"≤ {goal.peak_year}"))
    if goal.neutral_year:
        for y in years:
            if y >= goal.neutral_year:
                out.append(Cap(y, "neutral", 0.0, "zero", None, None, True, "net ≤ 0"))
                if goal.residual_max_percent is not None:
                    out.append(
                        Cap(
                            y,
                            "residual",
                            goal.residual_max_percent / 100,
                            "base",
                            None,
                            base_t,
                            False,
                            f"residual ≤ {goal.residual_max_percent:g} %",
                        )
                    )
    return out


def trajectory(caps_: list[Cap], years: list[int], peak_t: float | None) -> dict[int, float | None]:
    """The target line: each year's tightest cap on all covered emissions, in t CO2e (None: no target).

    ``peak_t``: emissions in the peak year, for caps relative to the peak (the pathway's own value).
    """
    line: dict[int, float | None] = {y: None for y in years}
    for cap in caps_:
        if cap.covers is not None or cap.kind == "residual":
            continue
        value = cap.cap_t
        if value is None and cap.reference == "peak" and peak_t is not None:
            value = cap.fraction * peak_t
        if value is not None and cap.year in line:
            current = line[cap.year]
            line[cap.year] = value if current is None else min(current, value)
    return line
