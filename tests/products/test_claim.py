"""Carbon-neutral products: ``[neutrality] subject = "product"`` over a product footprint.

The footprint is shaped like footprint.json (issue 17's shared spec) with made-up but consistent figures:
1 L packaged milk, 0.45 kg fossil CO2 + 0.025 kg biogenic CH4 × 28 (AR5, non-fossil) + 0.000377358 kg
N2O × 265 (AR5) = 0.45 + 0.70 + 0.1 = 1.25 kg CO2e per litre; 2,000,000 L sold in 2024; base-year (2020)
study 1.40 kg CO2e per litre.
"""

from __future__ import annotations

import datetime as dt

import pytest
from claims import ORG, PERIOD, claim, credit
from product_claims import BIG, DOCS, N2O_KG, credits, footprint, product_settings

from dualcarbon.model import Settings
from dualcarbon.neutrality.product import assess_product, by_gas
from dualcarbon.neutrality.records import Evidence


def run(fp=None, units=2_000_000.0, base=1.40, rows=(BIG,), standard="ISO14068-1", **changes):
    s = product_settings(standard=standard, **changes)
    return assess_product(
        fp or footprint(), s, units_sold=units, base_footprint_kg_co2e=base, credits=credits(*rows), evidence=DOCS
    )


def test_emissions_are_per_unit_times_units_sold_and_offset_by_credits():
    # 1.25 kg/L × 2,000,000 L / 1000 = 2,500 t; base 1.40 × 2,000,000 / 1000 = 2,800 t → 300 t reduced
    # (ISO 14068-1 clauses 9-10: reductions first, then the residual offset); 2,600 t retired → 2,500 applied.
    a = run()
    b = a.balance
    assert b.emissions_t == pytest.approx(2500.0) and b.base_year_emissions_t == pytest.approx(2800.0)
    assert b.reductions_t == pytest.approx(300.0) and b.residual_t == pytest.approx(2500.0)
    assert b.credits_applied_t == pytest.approx(2500.0) and b.credits_surplus_t == pytest.approx(100.0)
    assert b.net_t == pytest.approx(0.0, abs=1e-9)
    assert a.status == "achieved", a.missing()
    assert a.product["reduction_per_unit_kg"] == pytest.approx(0.15)
    assert a.subject == "product" and a.subject_name_en == "Packaged milk" and a.subject_name_zh == "盒装牛奶"


def test_claim_a_label_can_carry_names_product_unit_period_and_credits():
    a = run()
    assert a.claim_en == (
        "Packaged milk (1 L packaged milk) is carbon neutral for the units sold from 2024-01-01 to 2024-12-31 in "
        "accordance with ISO 14068-1:2023: carbon footprint 1.25 kg CO2e per 1 L packaged milk (ISO 14067), "
        "residual emissions of 2,000,000 units offset with 2,500.00 t CO2e of retired carbon credits; substantiated "
        "by independent third-party verification (2025-06-30)."
    )
    assert a.claim_zh.startswith("盒装牛奶（1 L packaged milk）在 2024-01-01 至 2024-12-31 期间售出的产品实现碳中和")
    assert "2,500.00 吨二氧化碳当量注销碳信用抵消" in a.claim_zh
    d = a.as_dict()
    assert d["claim"]["en"] == a.claim_en and d["product"]["units_sold"] == 2_000_000.0 and d["missing"] == []


def test_product_checks_are_added_with_clause_and_reasons():
    a = run()
    checks = {c.id: c for c in a.checks}
    assert {"ISO-PRD-01", "ISO-PRD-02", "ISO-PRD-03", "ISO-FP-02"} <= set(checks)
    assert checks["ISO-FP-01"].outcome.status == "not applicable"  # the organisation's categories
    fp = checks["ISO-FP-02"].outcome
    # 2,500 t for 2,000,000 × 1 L: 0.00125 t each (ISO 14068-1 via ISO 14067)
    assert fp.status == "passed" and "2,500.00 t CO2e for 2,000,000 × 1 L packaged milk (0.00125 t CO2e each)" in (
        fp.reason_en
    )
    bio = checks["ISO-PRD-02"].outcome  # 0.02 and 0.05 kg per L × 2,000,000 L = 40 t and 100 t
    assert bio.status == "passed" and "40.00 t and 100.00 t" in bio.reason_en and "40.00 吨" in bio.reason_zh
    assert "1.05 to 1.49 kg CO2e per unit" in checks["ISO-PRD-03"].outcome.reason_en
    gas = checks["ISO-GAS-01"].outcome  # three gases with CO2e > 0; the biogenic CO2 uptake is not a gas line
    assert gas.status == "passed" and "all 3 gases" in gas.reason_en
    row = checks["ISO-PRD-02"].as_dict()
    assert set(row) >= {"id", "clause", "status", "reason_zh", "reason_en"} and "ISO 14067" in row["clause"]


def test_gases_of_the_period_are_per_unit_times_units():
    rows = {r["gas"]: r for r in by_gas(footprint(), 2_000_000.0)}
    # CH4_biogenic: 0.025 kg × 2e6 / 1000 = 50 t, 0.70 kg CO2e × 2e6 / 1000 = 1,400 t CO2e
    assert rows["CH4_biogenic"]["mass_t"] == pytest.approx(50.0) and rows["CH4_biogenic"]["co2e_t"] == 1400.0
    assert rows["N2O"]["mass_t"] == pytest.approx(N2O_KG * 2000) and "CO2_biogenic" not in rows


def test_a_footprint_above_the_base_per_unit_rests_on_offsets_and_fails():
    # 1.25 kg/L now against 1.20 kg/L in the base year: +0.05 kg/L × 2e6 L = +100 t (ISO 14068-1 clause 9).
    a = run(base=1.20)
    assert a.balance.reductions_t == pytest.approx(-100.0)
    assert a.status == "not achieved" and a.claim_en is None
    assert [m["check"] for m in a.missing()] == ["ISO-HIER-01"]
    assert "2,500.00 t are not below base year 2020 (2,400.00 t)" in a.missing()[0]["reason_en"]


def test_missing_lists_what_stands_between_product_and_claim():
    # no units sold, no base footprint, too few credits: each named, nothing claimed
    a = run(units=None, base=None, rows=(credit(quantity_t=10.0, serial_end="CCER-X-000010"),))
    missing = {m["check"] for m in a.missing()}
    assert {"ISO-FP-02", "ISO-BASE-01", "ISO-HIER-01"} <= missing
    assert a.claim_en is None and a.claim_zh is None
    fp = next(m for m in a.missing() if m["check"] == "ISO-FP-02")
    assert "units_in_period" in fp["reason_en"] and "units_in_period" in fp["reason_zh"]


def test_shortfall_of_credits_is_named_in_tonnes():
    # 2,500 t residual, 2,000 t retired: 500 t not offset (ISO 14068-1 clause 10)
    a = run(rows=(credit(quantity_t=2000.0, serial_end="CCER-X-002000"),))
    assert a.balance.net_t == pytest.approx(500.0)
    assert [m["check"] for m in a.missing()] == ["ISO-BAL-01"] and "500.00" in a.missing()[0]["remedy_en"]


def test_cradle_to_gate_and_no_uncertainty_are_advisory():
    a = run(fp=footprint(boundary="cradle-to-gate", uncertainty=None))
    assert a.status == "achieved"
    advice = {m["check"] for m in a.missing("advisory")}
    assert {"ISO-PRD-01", "ISO-PRD-03"} <= advice
    assert "cradle-to-gate" in a.claim_en or "cradle-to-gate" in a.product["boundary"]


def test_credit_from_inside_the_product_system_is_left_out():
    # ISO 14068-1 clause 10: a credit from the own farm (a process of the product system) is already in
    # the footprint; without it the 2,500 t are not offset.
    a = run(rows=(BIG | {"facility": "farm"},))
    assert a.balance.credits_excluded_t == pytest.approx(2600.0) and a.balance.net_t == pytest.approx(2500.0)
    assert "ISO-CR-08" in {m["check"] for m in a.missing()}


def test_biogenic_not_reported_fails():
    fp = footprint()
    del fp["biogenic"]
    a = run(fp=fp)
    assert "ISO-PRD-02" in {m["check"] for m in a.missing()} and a.status == "not achieved"


def test_pas2060_declaration_for_a_product():
    # PAS 2060 declaration of achievement; first period may rest on offsets (clause 8)
    a = run(standard="PAS2060", base=None, first_period=True, plan_date=dt.date(2024, 12, 1))
    assert a.status == "achieved", a.missing()
    assert a.claim_en.startswith(
        "Carbon neutrality of Packaged milk (1 L packaged milk) achieved by A cement company in accordance with "
        "PAS 2060:2014 on 2025-06-30 for the units sold in the period commencing 2024-01-01"
    )
    assert {"PAS-PRD-01", "PAS-PRD-02", "PAS-PRD-03"} <= {c.id for c in a.checks}


def test_organisation_assessment_is_unchanged_by_product_checks():
    from claims import summary

    from dualcarbon.neutrality import assess

    s = Settings(organization=ORG, period=PERIOD, neutrality=claim())
    a = assess(summary(), s, credits(credit()), None, Evidence(documents={"plan": True, "qes": True}))
    assert not any(c.id.startswith("ISO-PRD") for c in a.checks) and "product" not in a.as_dict()


def test_no_units_sold_fails_the_footprint_check_instead_of_dividing_by_zero():
    # [product] units_sold = 0 is allowed by the settings (ge=0); the claim covers nothing, so ISO-FP-02 fails
    a = run(units=0.0)
    fp = next(c for c in a.checks if c.id == "ISO-FP-02").outcome
    assert fp.status == "failed" and "no functional units sold" in fp.reason_en and "未售出" in fp.reason_zh
    assert a.status == "not achieved" and a.claim_en is None


def test_a_zero_base_footprint_is_no_base():
    # [product] base_footprint_kg_co2e = 0 (ge=0 in the settings): no base-year footprint, not a division by zero
    a = run(base=0.0)
    assert a.balance.base_year_emissions_t is None
    assert {"ISO-BASE-01", "ISO-HIER-01"} <= {m["check"] for m in a.missing()}
