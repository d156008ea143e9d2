"""Building the facts of a neutrality assessment for tests: a small, complete, passing claim that
each test changes in one place. Figures are made up; the defaults pass every ISO 14068-1 check."""

from __future__ import annotations

import datetime as dt

import polars as pl

from dualcarbon.model import Neutrality, Organization, Period, Settings
from dualcarbon.neutrality import rules, sinks
from dualcarbon.neutrality.checks import KINDS
from dualcarbon.neutrality.records import (
    CREDIT_SCHEMA,
    STAND_SCHEMA,
    Balance,
    BaseYear,
    Evidence,
    Facts,
    Outcome,
    empty,
)

ORG = Organization(name="某水泥有限公司", name_en="A cement company")
PERIOD = Period(start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31))
BASE = BaseYear(2020, 1200.0, "base_year_emissions", "AR5", "operational_control")
TOTALS = {"scope1": 800.0, "scope2_location": 300.0, "scope2_market": 200.0, "scope3": 0.0, "biogenic_co2": 5.0}


def claim(**changes) -> Neutrality:
    """``[neutrality]`` of a claim that passes every check; ``changes`` replace keys."""
    base = dict(
        standard="ISO14068-1",
        subject="organization",
        base_year=2020,
        base_year_emissions=1200.0,
        base_year_gwp="AR5",
        plan="plan.md",
        boundary="the plant",
        commitment_date=dt.date(2023, 6, 30),
        net_zero_year=2050,
        plan_date=dt.date(2025, 1, 15),
        offset_strategy="removal credits first",
        reduction_targets=[{"year": 2030, "reduction_percent": 42}, {"year": 2050, "reduction_percent": 90}],
        exclusions=[{"category": c, "reason": "none identified", "estimate_t": 0.0} for c in "3456"],
        claim_date=dt.date(2025, 6, 30),
        verification_type="third_party",
    )
    return Neutrality.model_validate(base | changes)


def credit(**changes) -> dict:
    """A retired CCER removal batch of 1,000 t, beneficiary the organisation."""
    row = dict(
        id="C1",
        kind="credit",
        type="CCER",
        quantity_t=1000.0,
        vintage=2023,
        registry="CCER registry",
        serial_start="CCER-X-000001",
        serial_end="CCER-X-001000",
        project_type="造林碳汇",
        project_id="P1",
        project_url="https://registry.example.org/p1",
        removal=True,
        retired_on=dt.date(2025, 3, 1),
        beneficiary=ORG.name,
        status="retired",
        permanence_evidence="buffer account",
        facility=None,
    )
    return row | changes


def gec(**changes) -> dict:
    """A retired GEC batch of 500 MWh (500 certificates) for the organisation."""
    row = dict(
        id="G1",
        kind="instrument",
        type="GEC",
        mwh=500.0,
        vintage=2024,
        registry="国家绿证核发交易系统",
        serial_start="GEC2024HE000000001",
        serial_end="GEC2024HE000000500",
        retired_on=dt.date(2024, 12, 20),
        beneficiary=ORG.name,
        status="retired",
        facility="plant",
        region="CN",
    )
    return row | changes


def frame(rows: list[dict], schema: dict) -> pl.DataFrame:
    return pl.DataFrame([{"_row": i + 2, **r} for i, r in enumerate(rows)], schema=schema) if rows else empty(schema)


def stand(**changes) -> dict:
    """20 ha of poplar planted in 2016, Tier 1 defaults."""
    return dict(id="S1", type="afforestation", area_ha=20.0, species_group="populus", planting_year=2016) | changes


def stands(*rows: dict, period: Period = PERIOD) -> pl.DataFrame:
    """Stands resolved and estimated as the assessment sees them."""
    return sinks.estimate(sinks.resolve(frame(list(rows), STAND_SCHEMA)), period.start, period.end)


def facts(
    *,
    neutrality: Neutrality | None = None,
    credits: tuple[dict, ...] = (credit(),),
    instruments: tuple[dict, ...] = (),
    applied: tuple[str, ...] | None = None,
    forest: pl.DataFrame | None = None,
    base: BaseYear | None = BASE,
    documents: dict | None = None,
    previous: list[dict] | None = None,
    totals: dict | None = None,
    by_gas: tuple[dict, ...] | None = None,
    by_category: tuple[dict, ...] = (),
    by_iso: tuple[dict, ...] | None = None,
    facilities: frozenset[str] = frozenset({"plant"}),
    balance: Balance | None = None,
) -> Facts:
    n = neutrality or claim()
    t = TOTALS | (totals or {})
    evidence = Evidence(base, {"plan": True, "qes": True} if documents is None else documents)
    if previous:
        evidence = Evidence(
            base,
            evidence.documents,
            pl.DataFrame(
                [{"_row": i, "claim": "2023/out/summary.json", **p} for i, p in enumerate(previous)],
                schema=evidence.previous_credits.schema,
            ),
        )
    scope2 = t[f"scope2_{n.scope2_basis}"]
    return Facts(
        neutrality=n,
        organization=ORG,
        period=PERIOD,
        gwp_set="AR5",
        totals=t,
        by_gas=by_gas
        if by_gas is not None
        else ({"gas": "CO2", "mass_t": 990.0, "co2e_t": 990.0}, {"gas": "CH4", "mass_t": 0.357, "co2e_t": 10.0}),
        by_category=by_category,
        by_iso_category=by_iso
        if by_iso is not None
        else ({"category": "1", "co2e_t": 800.0}, {"category": "2", "co2e_t": 300.0}),
        facilities=facilities,
        credits=frame(list(credits), CREDIT_SCHEMA),
        instruments=frame(list(instruments), CREDIT_SCHEMA),
        applied_instruments=frozenset(applied if applied is not None else [i["id"] for i in instruments]),
        stands=forest if forest is not None else stands(),
        evidence=evidence,
        footprint_t=t["scope1"] + scope2 + t["scope3"],
        footprint_location_t=t["scope1"] + t["scope2_location"] + t["scope3"],
        balance=balance,
    )


def check(rule_id: str, standard: str = "ISO14068-1", **kw) -> Outcome:
    """Run one check of a bundled rule set (its clause and parameters from the data file) on ``facts(**kw)``."""
    rule = next(r for r in rules.load(standard).checks if r.id == rule_id)
    return KINDS[rule.kind](facts(**kw), rule)


def settings(**changes) -> Settings:
    return Settings(organization=ORG, period=PERIOD, neutrality=claim(**changes))


def summary(**totals) -> dict:
    """A ``dualcarbon.summary/1`` record with what the assessment reads."""
    t = TOTALS | totals
    return {
        "gwp_set": "AR5",
        "totals": t | {"total_market": t["scope1"] + t["scope2_market"] + t["scope3"]},
        "by_gas": [{"gas": "CO2", "mass_t": 990.0, "co2e_t": 990.0}],
        "by_category": [],
        "by_iso_category": [
            {"category": "1", "co2e_t": t["scope1"]},
            {"category": "2", "co2e_t": t["scope2_location"]},
        ],
        "by_facility": [{"facility": "plant"}],
    }
