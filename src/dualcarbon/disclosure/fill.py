"""Fill a framework's fields from a run's summary.json: pure, no file, no network.

Each filler returns a ``Filled`` with the value, its unit and the output it came from, or with the
reason it is missing (a locale key under ``disclosure.missing.`` and its fields). A value is never
made up: a field the run's outputs cannot answer is listed as missing, with why.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from dualcarbon.disclosure.frameworks import FieldSpec, Framework
from dualcarbon.errors import InputError, msg

T_CO2E = "t CO2e"


@dataclass(frozen=True)
class Revenue:
    """Net revenue of the reporting period in one currency (its units, not millions)."""

    amount: float
    currency: str


def revenue_of(amount: float | None, currency: str | None, column: str = "--revenue") -> Revenue | None:
    """Net revenue from an amount and an ISO 4217 code given together (neither: ``None``); ``InputError``
    for one without the other, an amount that is not positive or a code that is not three letters."""
    if amount is None and currency is None:
        return None
    code = (currency or "").strip().upper()
    if amount is None or not amount > 0 or not math.isfinite(amount) or len(code) != 3 or not code.isalpha():
        raise InputError.single(msg("problem.disclosure_revenue"), column=column, value=f"{amount} {currency}")
    return Revenue(float(amount), code)


@dataclass(frozen=True)
class Filled:
    """A field's value (number or text), unit and source, or the reason it is missing."""

    spec: FieldSpec
    value: float | str | None = None
    unit: str | None = None
    source: str | None = None
    missing: str | None = None  # locale key under disclosure.missing.
    missing_fields: dict[str, object] = field(default_factory=dict)
    # a breakdown's parts, (facility or category code, t CO2e), for a reader's names of the codes
    parts: tuple[tuple[str, float], ...] = ()

    @property
    def filled(self) -> bool:
        return self.missing is None


@dataclass(frozen=True)
class RunState:
    """Whether the run is locked and its verification signed (the fields of summary.json ``lock``)."""

    locked: bool = False
    report_number: str | None = None
    locked_at: str | None = None
    verified_by: str | None = None
    verifier_organisation: str | None = None
    verified_on: str | None = None
    signature_valid: bool | None = None

    @classmethod
    def of(cls, summary: dict) -> RunState:
        """The state a run's summary.json records (``lock``: ``{report_number, locked_at, signature:
        {name, organisation, date, valid}}``), not locked when it records none."""
        lock = summary.get("lock")
        if not isinstance(lock, dict):
            return cls()
        found = lock.get("signature")
        signature: dict = found if isinstance(found, dict) else {}
        return cls(
            locked=True,
            report_number=_text(lock.get("report_number")),
            locked_at=_text(lock.get("locked_at")),
            verified_by=_text(signature.get("name")),
            verifier_organisation=_text(signature.get("organisation")),
            verified_on=_text(signature.get("date")),
            signature_valid=signature.get("valid") if isinstance(signature.get("valid"), bool) else None,
        )

    @property
    def verified(self) -> bool:
        return self.locked and self.verified_by is not None and self.signature_valid is not False


@dataclass(frozen=True)
class Disclosure:
    framework: Framework
    fields: tuple[Filled, ...]
    state: RunState

    @property
    def filled(self) -> list[Filled]:
        return [f for f in self.fields if f.filled]

    @property
    def missing(self) -> list[Filled]:
        return [f for f in self.fields if not f.filled]


@dataclass(frozen=True)
class _Run:
    summary: dict
    revenue: Revenue | None
    state: RunState


def _text(value: object) -> str | None:
    return None if value is None or value == "" else str(value)


def _value(value: float | str, unit: str | None, source: str) -> dict:
    return {"value": value, "unit": unit, "source": source}


def _missing(reason: str, **fields: object) -> dict:
    return {"missing": reason, "missing_fields": fields}


def _total(key: str) -> Callable[[_Run], dict]:
    def filler(run: _Run) -> dict:
        return _value(float(run.summary["totals"][key]), T_CO2E, f"summary.json totals.{key}")

    return filler


def _scope3_categories(summary: dict) -> dict[str, float]:
    """Scope 3 emissions by category ("3.1" ... "3.15") as the inventory records them."""
    by_category: dict[str, float] = {}
    for row in summary.get("by_category") or []:
        if row.get("scope") == "3":
            by_category[row["category"]] = by_category.get(row["category"], 0.0) + float(row["co2e_t"])
    return by_category


def _market_computed(summary: dict) -> bool:
    return summary.get("scope2_headline") != "location"


def _scope2_market(run: _Run) -> dict:
    if not _market_computed(run.summary):
        return _missing("no_market")
    return _total("scope2_market")(run)


def _scope3(run: _Run) -> dict:
    if not _scope3_categories(run.summary):
        return _missing("no_scope3")
    return _total("scope3")(run)


def _total_market(run: _Run) -> dict:
    if not _market_computed(run.summary):
        return _missing("no_market")
    return _total("total_market")(run)


def _categories(run: _Run) -> dict:
    categories = sorted(_scope3_categories(run.summary), key=_category_order)
    if not categories:
        return _missing("no_scope3")
    return _value(", ".join(categories), None, "summary.json by_category (scope 3)")


def _category_order(category: str) -> tuple[int, str]:
    number = category.removeprefix("3.")
    return (int(number), "") if number.isdigit() else (99, number)


def _scope3_category(number: int) -> Callable[[_Run], dict]:
    def filler(run: _Run) -> dict:
        co2e_t = _scope3_categories(run.summary).get(f"3.{number}")
        if co2e_t is None:
            return _missing("no_scope3_category", category=number)
        return _value(co2e_t, T_CO2E, f"summary.json by_category (scope 3, category 3.{number})")

    return filler


def _intensity(total_key: str) -> Callable[[_Run], dict]:
    def filler(run: _Run) -> dict:
        if total_key == "total_market" and not _market_computed(run.summary):
            return _missing("no_market")
        if run.revenue is None:
            return _missing("no_revenue")
        per_million = float(run.summary["totals"][total_key]) / (run.revenue.amount / 1e6)
        return _value(
            per_million,
            f"t CO2e / million {run.revenue.currency}",
            f"summary.json totals.{total_key} / net revenue (--revenue)",
        )

    return filler


def _revenue(run: _Run) -> dict:
    if run.revenue is None:
        return _missing("no_revenue")
    return _value(run.revenue.amount, run.revenue.currency, "net revenue (--revenue)")


def _electricity(run: _Run) -> dict:
    coverage = (run.summary.get("data_quality") or {}).get("scope2_coverage")
    if not coverage or not coverage.get("mwh"):
        return _missing("no_electricity")
    return _value(float(coverage["mwh"]), "MWh", "summary.json data_quality.scope2_coverage.mwh")


def _ets_share(run: _Run) -> dict:
    ets = run.summary.get("ets")
    scope1 = float(run.summary["totals"]["scope1"])
    if not ets or not scope1:
        return _missing("no_ets")
    share = 100 * float(ets["totals"]["emissions_t"]) / scope1
    return _value(share, "%", "summary.json ets.totals.emissions_t / totals.scope1")


def _balance(key: str, reason: str) -> Callable[[_Run], dict]:
    def filler(run: _Run) -> dict:
        neutrality = run.summary.get("neutrality")
        if not neutrality or neutrality.get("balance", {}).get(key) is None:
            return _missing(reason)
        return _value(float(neutrality["balance"][key]), T_CO2E, f"summary.json neutrality.balance.{key}")

    return filler


def _base_year(run: _Run) -> dict:
    neutrality = run.summary.get("neutrality") or {}
    if neutrality.get("balance", {}).get("base_year") is not None:
        return _value(str(neutrality["balance"]["base_year"]), None, "summary.json neutrality.balance.base_year")
    intensity = run.summary.get("intensity") or {}
    if intensity.get("base_year") is not None:
        return _value(str(intensity["base_year"]), None, "summary.json intensity.base_year")
    return _missing("no_base_year")


def _base_year_emissions(run: _Run) -> dict:
    neutrality = run.summary.get("neutrality") or {}
    if neutrality.get("balance", {}).get("base_year_emissions") is not None:
        return _balance("base_year_emissions", "no_base_year")(run)
    return _missing("no_base_year_emissions")


def _method(run: _Run) -> dict:
    sets = ", ".join(s.get("factor_set") or s.get("dataset", "") for s in run.summary.get("factor_sets") or [])
    return _value(sets, None, "summary.json factor_sets")


def _consolidation(run: _Run) -> dict:
    return _value(run.summary["organization"]["boundary"], None, "summary.json organization.boundary")


def _gwp(run: _Run) -> dict:
    return _value(str(run.summary["gwp_set"]), None, "summary.json gwp_set")


def _by_facility(run: _Run) -> dict:
    rows = run.summary.get("by_facility") or []
    if not rows:
        return _missing("no_facilities")
    parts = tuple((str(r["facility"]), float(r["scope1"] + r["scope2_location"] + r["scope3"])) for r in rows)
    complete = run.summary.get("by_facility_complete", True)
    source = "summary.json by_facility (location-based totals)" + ("" if complete else "; the others in facilities.csv")
    return _value("; ".join(f"{name}: {t:.2f}" for name, t in parts), T_CO2E, source) | {"parts": parts}


def _by_source_type(run: _Run) -> dict:
    rows = [r for r in run.summary.get("by_category") or [] if r.get("scope2_method") in (None, "location")]
    if not rows:
        return _missing("no_scope3")
    parts = tuple((str(r["category"]), float(r["co2e_t"])) for r in rows)
    text = "; ".join(f"{code}: {t:.2f}" for code, t in parts)
    return _value(text, T_CO2E, "summary.json by_category (Scope 2 location-based)") | {"parts": parts}


def _product_intensity(run: _Run) -> dict:
    products = (run.summary.get("intensity") or {}).get("products") or []
    if not products:
        return _missing("no_output")
    parts = [f"{p['id']}: {float(p['intensity_t']):.4f} t CO2e/{p['unit']}" for p in products if p.get("intensity_t")]
    if not parts:
        return _missing("no_output")
    return _value("; ".join(parts), None, "summary.json intensity.products")


def _verification(run: _Run) -> dict:
    state = run.state
    if not state.locked:
        return _missing("not_locked")
    if not state.verified:
        return _missing("not_verified")
    who = ", ".join(x for x in (state.verified_by, state.verifier_organisation, state.verified_on) if x)
    return _value(who, None, "summary.json lock.signature")


FILLERS: dict[str, Callable[[_Run], dict]] = {
    "scope1": _total("scope1"),
    "scope2_location": _total("scope2_location"),
    "scope2_market": _scope2_market,
    "scope3": _scope3,
    "total_location": _total("total_location"),
    "total_market": _total_market,
    "scope3_categories": _categories,
    **{f"scope3_category_{n}": _scope3_category(n) for n in range(1, 16)},
    "ghg_intensity_revenue_location": _intensity("total_location"),
    "ghg_intensity_revenue_market": _intensity("total_market"),
    "revenue": _revenue,
    "electricity_mwh": _electricity,
    "energy_total": lambda run: _missing("no_energy"),
    "energy_intensity_revenue": lambda run: _missing("no_energy"),
    "scope1_ets_share": _ets_share,
    "removals": _balance("removals", "no_neutrality"),
    "credits": _balance("credits", "no_neutrality"),
    "base_year": _base_year,
    "base_year_emissions": _base_year_emissions,
    "method": _method,
    "consolidation": _consolidation,
    "gwp_set": _gwp,
    "by_facility": _by_facility,
    "by_source_type": _by_source_type,
    "product_intensity": _product_intensity,
    "verification": _verification,
    "narrative": lambda run: _missing("narrative"),
    "not_in_outputs": lambda run: _missing("not_in_outputs"),
}


def fill(
    framework: Framework, summary: dict, revenue: Revenue | None = None, state: RunState | None = None
) -> Disclosure:
    """Every field of ``framework`` filled from a run's summary.json, or listed as missing with why.
    ``state``: the run's locked and verified state where it is kept beside the outputs (a store's run
    record); by default what summary.json ``lock`` records (``RunState.of``)."""
    run = _Run(summary, revenue, state if state is not None else RunState.of(summary))
    filled = tuple(Filled(spec=spec, **FILLERS[spec.fill](run)) for spec in framework.fields)
    return Disclosure(framework, filled, run.state)
