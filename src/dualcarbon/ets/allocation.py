"""Allowances and compliance of power units under China's national ETS, from the MEE allocation plans.

A unit's allowance for a year (the 2019-2020 plan's method, kept by the later plans with other values):

    power allowance = power benchmark x output x cooling factor x heat factor x load factor
    heat allowance  = heat benchmark x heat supplied
    allowance       = power allowance + heat allowance

where the output is the power supplied (供电量, up to the 2021-2022 plan) or generated (发电量, from
2023), the heat factor is 1 - k x heat ratio (供热比) for a unit that supplies heat, and the load factor
a piecewise function of the unit's annual load (output) factor. Every benchmark, factor and rule is data
(``plans/*.toml``), one file per plan, each value with its document, article and status (``read`` in
the MEE document itself, ``second-hand``, ``unconfirmed``, ``not-found``). A value a plan sets but no
source gave is ``not-found``: an allocation that needs it raises ``PlanValueMissing`` naming it.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from dualcarbon.errors import InputError, Problem, msg

STATUSES = ("read", "second-hand", "unconfirmed", "not-found")
CATEGORIES = ("coal_conventional_gt300", "coal_conventional_le300", "coal_unconventional", "gas")
COOLING = ("water", "air")
QUALIFIERS = ("year", "category", "group", "cooling", "lower", "upper")  # what selects a value of a plan file
PIECE_PARAMS = ("kind", "a", "b", "x0", "base", "c", "d")  # a piece of a piecewise factor


@dataclass(frozen=True)
class AllocationUnit:
    """One unit over one compliance year."""

    unit: str
    fuel_class: str  # DESIGN.md's values: CATEGORIES
    capacity_mw: float
    cooling: str  # "water" | "air"
    chp: bool
    generation_mwh: float
    supplied_mwh: float
    heat_supplied_gj: float
    load_factor: float | None  # the unit's load factor for the year as the plan defines it (fraction)
    emissions_t: float  # verified CO2 of the year (guideline's count)
    heat_ratio: float | None = (
        None  # 供热比 as the accounting guideline computes it (fraction); a unit supplying heat needs it
    )


@dataclass(frozen=True)
class Allowance:
    unit: str
    plan_year: int
    category: str
    power_benchmark_t_per_mwh: float
    heat_benchmark_t_per_gj: float | None
    corrections: dict[str, float]  # name → factor (load, cooling, heat, ...)
    power_allowance_t: float
    heat_allowance_t: float
    allowance_t: float
    obligation_t: float  # after the plan's caps on the unit (a gas unit's); the entity's cap is in compliance()
    surplus_t: float  # allowance_t − obligation_t (negative: a deficit)
    sources: tuple[str, ...]  # citations of every value used
    unconfirmed: tuple[str, ...]  # which of those values are not read in the MEE document itself
    plan: str = ""  # the plan's id, e.g. "2019-2020"
    output_basis: str = "supplied"  # "supplied" | "generated": the output the power benchmark multiplies
    output_mwh: float = 0.0
    emissions_t: float = 0.0  # the unit's verified emissions, as given


@dataclass(frozen=True)
class Compliance:
    """A covered entity's (重点排放单位's) compliance for one year over its units' allowances."""

    plan_year: int
    plan: str
    units: tuple[str, ...]
    emissions_t: float
    allowance_t: float
    units_obligation_t: float  # Σ of the units' obligations (gas units capped at their allowance)
    obligation_t: float  # after the plan's cap on the entity's gap
    cap_applied: bool
    banked_t: float  # allowances carried in from earlier years
    available_t: float  # allowance_t + banked_t
    balance_t: float  # available_t − obligation_t: a surplus when positive, a shortfall when negative
    shortfall_t: float  # max(0, −balance_t): to buy, or borrow where the plan allows
    borrowing_limit_t: float  # what the plan lets the entity borrow from a later year's allocation
    carry_forward_limit_t: float | None  # how much of a surplus may be carried forward; None: no limit
    carry_forward_t: float  # the surplus that may be carried forward
    sources: tuple[str, ...]
    unconfirmed: tuple[str, ...]


@dataclass(frozen=True)
class PlanValue:
    """One value of a plan file with its citation and status."""

    name: str
    value: Any
    status: str
    source: str  # the citation of the source
    where: str  # article, table or passage
    unit: str = ""
    note: str = ""
    qualifiers: dict[str, Any] = field(default_factory=dict)

    def label(self) -> str:
        quals = ", ".join(f"{k}={v}" for k, v in self.qualifiers.items())
        return f"{self.name}[{quals}]" if quals else self.name

    def citation(self) -> str:
        shown = "" if self.value is None else f" = {self.value}{' ' + self.unit if self.unit else ''}"
        note = f"; {self.note}" if self.note else ""
        return f"{self.label()}{shown}: {self.source}, {self.where} ({self.status}{note})"


@dataclass(frozen=True)
class Plan:
    """One MEE allocation plan: its document and its values."""

    id: str
    years: tuple[int, ...]
    issuer: str
    title_zh: str
    title_en: str
    number: str
    number_en: str
    issued: str
    output_basis: PlanValue
    entries: tuple[dict[str, Any], ...]
    sources: dict[str, str]

    @property
    def file(self) -> str:
        return f"ets/plans/{self.id}.toml"

    def document(self, lang: str = "zh") -> str:
        """The plan's citation: issuer, title (in Chinese, or its English rendering), number, date."""
        issuer = self.issuer.split(" ", 1)
        if lang == "zh":
            return f"{issuer[0]}《{self.title_zh}》，{self.number}，{self.issued}"
        return f"{issuer[-1]}, '{self.title_en}', {self.number_en}, {self.issued}"

    def value(self, name: str, year: int, **qualifiers: Any) -> PlanValue:
        """The most specific entry ``name`` matching ``year`` and ``qualifiers``; ``PlanValueMissing`` when
        there is none or the plan's value was not found."""
        best: dict[str, Any] | None = None
        best_rank = -1
        for entry in self.entries:
            if entry["name"] != name or not _matches(entry, year, qualifiers):
                continue
            rank = sum(1 for key in ("year", "category", "group", "cooling") if key in entry)
            if rank > best_rank:
                best, best_rank = entry, rank
        label = _label(name, qualifiers)
        if best is None or best.get("status") == "not-found":
            raise PlanValueMissing(self, label, year, None if best is None else best.get("where", ""))
        return self._value(best)

    def pieces(self, name: str, year: int) -> list[PlanValue]:
        """All entries ``name`` for ``year`` (the pieces of a piecewise function)."""
        found = [e for e in self.entries if e["name"] == name and _matches(e, year, {})]
        if not found or any(e.get("status") == "not-found" for e in found):
            where = found[0].get("where", "") if found else None
            raise PlanValueMissing(self, name, year, where)
        return [self._value(e) for e in found]

    def _value(self, entry: dict[str, Any]) -> PlanValue:
        quals: dict[str, Any] = {k: entry[k] for k in QUALIFIERS if k in entry}
        params: dict[str, Any] = {k: entry[k] for k in PIECE_PARAMS if k in entry}
        if params and "value" in entry:
            params["value"] = entry["value"]
        value = params or entry.get("value")
        return PlanValue(
            entry["name"],
            value,
            entry["status"],
            self.sources[entry["source"]],
            entry.get("where", ""),
            entry.get("unit", ""),
            entry.get("note", ""),
            quals,
        )


def _matches(entry: dict[str, Any], year: int, qualifiers: dict[str, Any]) -> bool:
    if "year" in entry and entry["year"] != year:
        return False
    return all(key not in entry or entry[key] == wanted for key, wanted in qualifiers.items())


def _label(name: str, qualifiers: dict[str, Any]) -> str:
    quals = ", ".join(f"{k}={v}" for k, v in qualifiers.items() if v is not None)
    return f"{name}[{quals}]" if quals else name


class PlanValueMissing(InputError):
    """Raised when an allocation plan sets a value no source gave (``not-found``), so nothing is allocated."""

    def __init__(self, plan: Plan, label: str, year: int, where: str | None):
        self.plan_id, self.label, self.year = plan.id, label, year
        self.labels: tuple[str, ...] = (label,)
        expected = msg(
            "problem.ets.plan_value_missing",
            plan=plan.id,
            document=msg("ets.plan_document.p" + plan.id.replace("-", "_")),
            label=label,
            where=where or "",
            year=year,
        )
        super().__init__(Problem(plan.file, None, label, str(year), expected))

    @classmethod
    def merge(cls, errors: Sequence[PlanValueMissing]) -> PlanValueMissing:
        """One error carrying every missing value's problem (the first one's facts as its own)."""
        first = errors[0]
        first.labels = tuple(e.label for e in errors)
        first.problems = [p for e in errors for p in e.problems]
        first.args = ("\n".join(p.message() for p in first.problems),)
        return first


class PlanMalformed(ValueError):
    """Raised when a bundled plan file is malformed (a packaging bug, not a user error)."""


def _parse(data: dict[str, Any], file: str) -> Plan:
    try:
        head = data["plan"]
        sources = {s["id"]: s["citation"] for s in data.get("sources", [])}
        entries = tuple(dict(e) for e in data.get("values", []))
        for entry in entries:
            if entry.get("status") not in STATUSES:
                raise PlanMalformed(f"{file}: {entry.get('name')}: status {entry.get('status')!r} not in {STATUSES}")
            if entry["source"] not in sources:
                raise PlanMalformed(f"{file}: {entry['name']}: source {entry['source']!r} is not in [[sources]]")
            if entry["status"] != "not-found" and "value" not in entry and "kind" not in entry:
                raise PlanMalformed(f"{file}: {entry['name']}: a {entry['status']} entry without a value")
        basis = head["output_basis"]
        if basis not in ("supplied", "generated"):
            raise PlanMalformed(f"{file}: output_basis {basis!r}")
        output_basis = PlanValue(
            "output_basis",
            basis,
            head["output_basis_status"],
            sources[head["output_basis_source"]],
            "output the power benchmark multiplies",
        )
        return Plan(
            head["id"],
            tuple(int(y) for y in head["years"]),
            head["issuer"],
            head["title_zh"],
            head["title_en"],
            head["number"],
            head.get("number_en", head["number"]),
            str(head["issued"]),
            output_basis,
            entries,
            sources,
        )
    except KeyError as exc:
        raise PlanMalformed(f"{file}: missing key {exc}") from exc


@cache
def plans() -> tuple[Plan, ...]:
    """The bundled allocation plans, oldest first."""
    folder = resources.files("dualcarbon.ets") / "plans"
    found = []
    for item in sorted(folder.iterdir(), key=lambda p: p.name):
        if item.name.endswith(".toml"):
            found.append(_parse(tomllib.loads(item.read_text(encoding="utf-8")), f"ets/plans/{item.name}"))
    return tuple(found)


def plan_for(plan_year: int) -> Plan:
    """The plan that allocates ``plan_year``; ``InputError`` for a year no bundled plan covers."""
    for plan in plans():
        if plan_year in plan.years:
            return plan
    years = sorted(y for p in plans() for y in p.years)
    raise InputError(
        Problem(
            None,
            None,
            "plan_year",
            str(plan_year),
            msg("problem.ets.plan_year", years=f"{years[0]}-{years[-1]}" if years else "-"),
        )
    )


# --------------------------------------------------------------------------------------------------------


class _Used:
    """The plan values one calculation used, for its sources and unconfirmed lists."""

    def __init__(self) -> None:
        self.values: list[PlanValue] = []

    def add(self, value: PlanValue) -> PlanValue:
        if value not in self.values:
            self.values.append(value)
        return value

    def sources(self) -> tuple[str, ...]:
        return tuple(v.citation() for v in self.values)

    def unconfirmed(self) -> tuple[str, ...]:
        return tuple(f"{v.label()} ({v.status})" for v in self.values if v.status != "read")


def _unit_problem(unit: AllocationUnit, column: str, value: object, expected_key: str, **fields: Any) -> InputError:
    return InputError(Problem(None, None, column, str(value), msg(expected_key, unit=unit.unit, **fields)))


def _check(unit: AllocationUnit) -> None:
    problems: list[Problem] = []
    if unit.fuel_class not in CATEGORIES:
        problems += _unit_problem(
            unit, "fuel_class", unit.fuel_class, "problem.ets.fuel_class", choices=", ".join(CATEGORIES)
        ).problems
    if unit.cooling not in COOLING:
        problems += _unit_problem(unit, "cooling", unit.cooling, "problem.ets.cooling").problems
    for name in ("capacity_mw", "generation_mwh", "supplied_mwh", "heat_supplied_gj", "emissions_t"):
        number = getattr(unit, name)
        if not (isinstance(number, (int, float)) and math.isfinite(number) and number >= 0):
            problems += _unit_problem(unit, name, number, "problem.ets.non_negative").problems
    for name in ("load_factor", "heat_ratio"):
        number = getattr(unit, name)
        if number is not None and not (math.isfinite(number) and 0 <= number <= 1):
            problems += _unit_problem(unit, name, number, "problem.ets.fraction").problems
    if problems:
        raise InputError(problems)


def categorize(unit: AllocationUnit, plan: Plan, year: int, used: _Used | None = None) -> str:
    """The plan's unit category: the fuel class, its capacity class checked against the plan's threshold
    (300MW等级以上 / 及以下)."""
    category = unit.fuel_class
    if category in ("coal_conventional_gt300", "coal_conventional_le300"):
        threshold = plan.value("capacity_threshold_mw", year)
        if used is not None:
            used.add(threshold)
        above = unit.capacity_mw >= float(threshold.value)
        if above != (category == "coal_conventional_gt300"):
            raise _unit_problem(
                unit,
                "fuel_class",
                category,
                "problem.ets.capacity_class",
                capacity=f"{unit.capacity_mw:g}",
                threshold=f"{float(threshold.value):g}",
                plan=plan.id,
                status=threshold.status,
            )
    return category


def load_correction(load_factor: float, plan: Plan, year: int, used: _Used | None = None) -> float:
    """The plan's load (output) factor correction for an annual load factor (a fraction)."""
    for piece in plan.pieces("load_correction", year):
        lower = piece.qualifiers.get("lower", -math.inf)
        upper = piece.qualifiers.get("upper", math.inf)
        if lower <= load_factor < upper:
            if used is not None:
                used.add(piece)
            p = piece.value
            if p["kind"] == "constant":
                return float(p["value"])
            if p["kind"] == "linear":
                return float(p["a"] + p["b"] * (p["x0"] - 100.0 * load_factor))
            if p["kind"] == "power":
                return float(p["base"] ** (p["c"] - p["d"] * load_factor))
            raise PlanMalformed(f"{plan.file}: load_correction kind {p['kind']!r}")
    raise PlanMalformed(f"{plan.file}: no load_correction piece for F = {load_factor}")


def annual_load_factor(months: Iterable[tuple[float, float | None]]) -> float | None:
    """The annual load (output) factor from monthly ``(generation_mwh, load_factor)`` rows.

    The load factor is generation / (rated capacity x operating hours), so a month's operating hours are
    generation_m / (capacity x F_m) and the year's factor is Σ generation / Σ (generation_m / F_m): the
    generation-weighted harmonic mean of the months'. Months without generation carry no hours. None
    when the unit generated nothing. ``ValueError`` for a month with generation but no factor."""
    generation = hours_x_capacity = 0.0
    for month, (generation_mwh, factor) in enumerate(months, start=1):
        if generation_mwh <= 0:
            continue
        if factor is None or not (0 < factor <= 1):
            raise ValueError(msg("problem.ets.month_load_factor", month=month, value=factor))
        generation += generation_mwh
        hours_x_capacity += generation_mwh / factor
    return generation / hours_x_capacity if hours_x_capacity > 0 else None


def allocate(unit: AllocationUnit, plan_year: int) -> Allowance:
    """The unit's allowance for ``plan_year`` under the plan that covers it, its obligation and surplus.

    Every plan value the unit needs is looked up first; when some were not found, one
    ``PlanValueMissing`` names them all."""
    _check(unit)
    plan = plan_for(plan_year)
    used = _Used()
    used.add(plan.output_basis)
    category = unit.fuel_class
    group = "gas" if category == "gas" else "coal"
    supplies_heat = unit.chp or unit.heat_supplied_gj > 0
    missing: list[PlanValueMissing] = []

    def get(name: str, **qualifiers: Any) -> PlanValue | None:
        try:
            return used.add(plan.value(name, plan_year, **qualifiers))
        except PlanValueMissing as exc:
            missing.append(exc)
            return None

    power_benchmark = get("power_benchmark", category=category, group=group)
    heat_benchmark_value = get("heat_benchmark", category=category, group=group) if unit.heat_supplied_gj > 0 else None
    cooling = get("cooling_factor", group=group, cooling=unit.cooling) if group == "coal" else None
    heat_k = get("heat_correction_k", group=group) if unit.heat_supplied_gj > 0 else None
    load_categories = get("load_correction_categories")
    load_chp = get("load_correction_chp") if load_categories and category in load_categories.value else None
    needs_load = load_chp is not None and (not supplies_heat or bool(load_chp.value))
    if needs_load:
        try:
            plan.pieces("load_correction", plan_year)
        except PlanValueMissing as exc:
            missing.append(exc)
    gas_capped = get("gas_obligation_capped") if group == "gas" else None
    if category in ("coal_conventional_gt300", "coal_conventional_le300"):
        try:
            categorize(unit, plan, plan_year, used)
        except PlanValueMissing as exc:
            missing.append(exc)
    if missing:
        raise PlanValueMissing.merge(missing)
    assert power_benchmark is not None and load_categories is not None

    output_mwh = unit.supplied_mwh if plan.output_basis.value == "supplied" else unit.generation_mwh
    corrections: dict[str, float] = {}
    if cooling is not None:
        corrections["cooling"] = float(cooling.value)
    if heat_k is not None:
        heat_ratio = unit.heat_ratio
        if heat_ratio is None:
            raise _unit_problem(unit, "heat_ratio", "", "problem.ets.heat_ratio_needed", plan=plan.id)
        corrections["heat"] = 1.0 - float(heat_k.value) * heat_ratio
    if needs_load:
        if unit.load_factor is None:
            raise _unit_problem(unit, "load_factor", "", "problem.ets.load_factor_needed", plan=plan.id)
        corrections["load"] = load_correction(unit.load_factor, plan, plan_year, used)

    power_allowance_t = float(power_benchmark.value) * output_mwh * math.prod(corrections.values())
    heat_benchmark: float | None = None
    heat_allowance_t = 0.0
    if heat_benchmark_value is not None:
        heat_benchmark = float(heat_benchmark_value.value)
        heat_allowance_t = heat_benchmark * unit.heat_supplied_gj
    allowance_t = power_allowance_t + heat_allowance_t

    obligation_t = unit.emissions_t
    if gas_capped is not None and gas_capped.value:
        obligation_t = min(unit.emissions_t, allowance_t)

    return Allowance(
        unit=unit.unit,
        plan_year=plan_year,
        category=category,
        power_benchmark_t_per_mwh=float(power_benchmark.value),
        heat_benchmark_t_per_gj=heat_benchmark,
        corrections=corrections,
        power_allowance_t=power_allowance_t,
        heat_allowance_t=heat_allowance_t,
        allowance_t=allowance_t,
        obligation_t=obligation_t,
        surplus_t=allowance_t - obligation_t,
        sources=(plan.document(), *used.sources()),
        unconfirmed=used.unconfirmed(),
        plan=plan.id,
        output_basis=str(plan.output_basis.value),
        output_mwh=output_mwh,
        emissions_t=unit.emissions_t,
    )


def compliance(
    allowances: Sequence[Allowance], *, banked_t: float = 0.0, plan_year: int, net_sold_t: float = 0.0
) -> Compliance:
    """A covered entity's compliance for ``plan_year`` over its units' allowances: the plan's cap on the
    entity's gap, what it has (allocation + banked), its balance, what it may borrow and carry forward.

    ``banked_t``: allowances carried in from earlier years. ``net_sold_t``: allowances the entity sold net
    over the period a carry-forward limit counts (the 2023-2024 plan: 2019-2024)."""
    plan = plan_for(plan_year)
    if not allowances:
        raise ValueError(msg("problem.ets.no_allowances"))
    if any(a.plan_year != plan_year for a in allowances):
        years = sorted({a.plan_year for a in allowances})
        raise ValueError(msg("problem.ets.mixed_years", year=plan_year, years=", ".join(map(str, years))))
    if banked_t < 0 or net_sold_t < 0 or not (math.isfinite(banked_t) and math.isfinite(net_sold_t)):
        raise ValueError(msg("problem.ets.amount_non_negative"))
    used = _Used()
    emissions_t = math.fsum(a.emissions_t for a in allowances)
    allowance_t = math.fsum(a.allowance_t for a in allowances)
    units_obligation_t = math.fsum(a.obligation_t for a in allowances)

    obligation_t, cap_applied = units_obligation_t, False
    if units_obligation_t > allowance_t:
        share = float(used.add(plan.value("obligation_cap_share", plan_year)).value)
        basis = used.add(plan.value("obligation_cap_basis", plan_year)).value
        cap_t = allowance_t + share * (emissions_t if basis == "verified_emissions" else allowance_t)
        if cap_t < units_obligation_t:
            obligation_t, cap_applied = cap_t, True

    available_t = allowance_t + banked_t
    balance_t = available_t - obligation_t
    shortfall_t = max(0.0, -balance_t)

    borrowing_limit_t = 0.0
    borrow_share = float(used.add(plan.value("borrowing_share", plan_year)).value)
    gap_t = max(0.0, obligation_t - allowance_t)
    if borrow_share > 0 and gap_t > 0:
        threshold = float(used.add(plan.value("borrowing_gap_threshold", plan_year)).value)
        gap_basis = used.add(plan.value("borrowing_gap_basis", plan_year)).value
        denominator = allowance_t if gap_basis == "allowance" else emissions_t
        if denominator > 0 and gap_t / denominator >= threshold:
            borrowing_limit_t = min(borrow_share * gap_t, shortfall_t)

    limited = used.add(plan.value("carry_forward_limited", plan_year)).value
    carry_forward_limit_t: float | None = None
    if limited:
        base = float(used.add(plan.value("carry_forward_base_t", plan_year)).value)
        multiple = float(used.add(plan.value("carry_forward_net_sales_multiple", plan_year)).value)
        carry_forward_limit_t = base + multiple * net_sold_t
    surplus = max(0.0, balance_t)
    carry_forward_t = surplus if carry_forward_limit_t is None else min(surplus, carry_forward_limit_t)

    return Compliance(
        plan_year=plan_year,
        plan=plan.id,
        units=tuple(a.unit for a in allowances),
        emissions_t=emissions_t,
        allowance_t=allowance_t,
        units_obligation_t=units_obligation_t,
        obligation_t=obligation_t,
        cap_applied=cap_applied,
        banked_t=banked_t,
        available_t=available_t,
        balance_t=balance_t,
        shortfall_t=shortfall_t,
        borrowing_limit_t=borrowing_limit_t,
        carry_forward_limit_t=carry_forward_limit_t,
        carry_forward_t=carry_forward_t,
        sources=(plan.document(), *used.sources()),
        unconfirmed=used.unconfirmed(),
    )
