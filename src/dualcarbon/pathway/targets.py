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
  (SBTi: residual at most about 10 %);
- ``intensity``: E(y) / D(y) ≤ (1 − p) · E(b) / D(b), D the GDP at constant prices (or the
  population), b the target's base year, in its year and every later one: linear in E(y) because
  D(y) is a projection, not a variable, so E(y) ≤ (1 − p) · E(b) · D(y) / D(b) (the form of China's
  carbon-intensity targets, e.g. CO2 per unit GDP −18 % over the 14th Five-Year Plan); gross
  emissions (removals do not lower an intensity);
- ``cap``: E(y) ≤ t, an absolute cap, in its year and every later one.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Literal

from dualcarbon.model import Targets

TEMPLATES = resources.files("dualcarbon.pathway").joinpath("data", "targets.toml")
CapKind = Literal["cut", "annual", "peak", "neutral", "residual", "intensity", "cap"]
Per = Literal["gdp", "capita"]


@dataclass(frozen=True)
class CutSpec:
    year: int
    percent: float
    against: Literal["base", "peak"] = "base"
    covers: str | None = None


@dataclass(frozen=True)
class IntensitySpec:
    year: int
    percent: float
    base_year: int
    per: Per = "gdp"
    covers: str | None = None


@dataclass(frozen=True)
class CapSpec:
    year: int
    t: float


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
    intensity: tuple[IntensitySpec, ...] = ()
    caps: tuple[CapSpec, ...] = ()

    def years(self) -> list[int]:
        """Every year a goal names (base year excluded)."""
        named = [c.year for c in self.cuts] + [i.year for i in self.intensity] + [c.year for c in self.caps]
        named += [y for y in (self.peak_year, self.neutral_year) if y]
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
    #: an intensity cap's denominator (gdp | capita) and its target: t CO2e per unit of it
    per: Per | None = None
    intensity: float | None = field(default=None, compare=False)

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


def resolve(settings: Targets, inventory_year: int, first_year: int | None = None) -> Goal:
    """Merge the template with ``[targets]``: the project's values win; its cuts add to the template's.

    ``first_year``: the first year whose emissions the inventory knows (a period of several years;
    default ``inventory_year``). Raises ValueError (with the key) when something needed is missing.
    """
    first_year = inventory_year if first_year is None else first_year
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
    if settings.base_emissions_t is None and base_year < first_year:
        raise ValueError(
            f"targets.base_emissions_t: the base year {base_year} is before the inventory year "
            f"{first_year}; give the base-year emissions (t CO2e)"
        )
    intensity = [
        IntensitySpec(i.year, i.percent, i.base_year or int(base_year), i.per, i.covers) for i in settings.intensity
    ]
    for i in intensity:
        if i.year <= i.base_year:
            raise ValueError(f"targets.intensity: the target of {i.year} is not after its base year {i.base_year}")
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
        intensity=tuple(sorted(intensity, key=lambda i: (i.year, i.per))),
        caps=tuple(sorted((CapSpec(c.year, c.t) for c in settings.caps), key=lambda c: c.year)),
    )


def caps(
    goal: Goal,
    years: list[int],
    base_t: float,
    covered_base_t: dict[str, float | None],
    denominators: dict[str, dict[int, float]] | None = None,
    intensity_base_t: dict[tuple[int, str | None], float] | None = None,
) -> list[Cap]:
    """The caps of ``goal`` in the pathway's ``years``.

    ``base_t``: base-year emissions of everything covered; ``covered_base_t``: base-year emissions
    of each cut's ``covers`` selector (None when unknown, e.g. a base year before the inventory).
    ``denominators``: for intensity targets, {"gdp" | "capita": {year: GDP at constant prices or
    population}} over their base years and the pathway's years; ``intensity_base_t``: the emissions
    of each intensity target's (base year, covers).
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
    for i in goal.intensity:
        series = (denominators or {}).get(i.per, {})
        base_e = (intensity_base_t or {}).get((i.base_year, i.covers))
        if base_e is None:
            raise ValueError(f"targets.intensity: the emissions of the base year {i.base_year} are unknown")
        missing = [y for y in [i.base_year, *(y for y in years if y >= i.year)] if series.get(y) is None]
        if missing:
            what = "GDP" if i.per == "gdp" else "population"
            raise ValueError(f"targets.intensity: no {what} for {', '.join(map(str, missing[:5]))}")
        rate = (1 - i.percent / 100) * base_e / series[i.base_year]  # t CO2e per unit of GDP (or per person)
        per = "GDP" if i.per == "gdp" else "capita"
        for y in (y for y in years if y >= i.year):
            fraction = (1 - i.percent / 100) * series[y] / series[i.base_year]
            label = f"-{i.percent:g} % CO2e/{per} vs {i.base_year}"
            out.append(Cap(y, "intensity", fraction, "base", i.covers, base_e, False, label, i.per, rate))
    for limit in goal.caps:
        for y in (y for y in years if y >= limit.year):
            out.append(Cap(y, "cap", 1.0, "base", None, limit.t, goal.removals_count, f"≤ {limit.t:,.0f} t"))
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
    return {y: value for y, (value, _) in binding(caps_, years, peak_t).items()}


def binding(caps_: list[Cap], years: list[int], peak_t: float | None) -> dict[int, tuple[float | None, str | None]]:
    """Each year's tightest cap on all covered emissions: (t CO2e, its kind), or (None, None)."""
    line: dict[int, tuple[float | None, str | None]] = {y: (None, None) for y in years}
    for cap in caps_:
        if cap.covers is not None or cap.kind == "residual":
            continue
        value = cap.cap_t
        if value is None and cap.reference == "peak" and peak_t is not None:
            value = cap.fraction * peak_t
        if value is not None and cap.year in line:
            current = line[cap.year][0]
            if current is None or value < current:
                line[cap.year] = (value, cap.kind)
    return line


def intensity_line(caps_: list[Cap], years: list[int], per: str) -> dict[int, float | None]:
    """The intensity target by year: the tightest intensity cap on all emissions, in t CO2e per unit of
    GDP (or per person); None where there is none."""
    line: dict[int, float | None] = {y: None for y in years}
    for cap in caps_:
        if cap.kind == "intensity" and cap.per == per and cap.covers is None and cap.year in line:
            current = line[cap.year]
            value = cap.intensity
            if value is not None:
                line[cap.year] = value if current is None else min(current, value)
    return line
