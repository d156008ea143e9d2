"""Each check of the assessment, passing and failing, on the bundled rule sets' parameters.

Every case names the requirement it tests and where it comes from (clause numbers as the rule-set
files give them; docs/neutrality.md says which are second-hand or unverified). The facts start
from a claim that passes everything (tests/claims.py) and change one thing.
"""

from __future__ import annotations

import datetime as dt

from claims import BASE, Balance, BaseYear, check, claim, credit, gec, stand, stands

PAS = "PAS2060"
CN = "CN-BUILDING-MATERIALS"


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


# --- subject -------------------------------------------------------------------------------


def test_subject_organization_is_covered():
    # ISO 14068-1:2023 clause 1 (scope): organisations and products are subjects.
    assert check("ISO-SUBJ-01").status == "passed"


def test_subject_territory_is_outside_iso_14068():
    # ISO 14068-1:2023 clause 1: "not intended to be used for territories" (catalogue scope text).
    out = check("ISO-SUBJ-01", neutrality=claim(subject="territory"))
    assert out.status == "not applicable" and "territor" in out.reason_en and "区域" in out.reason_zh


def test_subject_territory_is_covered_by_pas_2060():
    # PAS 2060:2014 clauses 1 and 5: any subject, towns and cities included (second-hand).
    assert check("PAS-SUBJ-01", PAS, neutrality=claim(subject="territory")).status == "passed"


def test_subject_product_is_outside_the_enterprise_guide():
    # Chinese building-materials guide: assesses enterprises (assumed; guide text not obtained).
    assert check("CN-SUBJ-01", CN, neutrality=claim(subject="product")).status == "not applicable"


# --- gases ---------------------------------------------------------------------------------


def test_gases_all_in_co2e():
    # ISO 14068-1:2023 clause 1: "carbon" means all greenhouse gases, as CO2e.
    out = check("ISO-GAS-01")
    assert out.status == "passed" and "CH4" in out.reason_en


def test_gases_without_co2e_fail():
    # ISO 14068-1:2023 clause 1: a gas counted as mass without CO2e would leave it out of the balance.
    out = check(
        "ISO-GAS-01",
        by_gas=({"gas": "CO2", "mass_t": 1.0, "co2e_t": 1.0}, {"gas": "SF6", "mass_t": 0.1, "co2e_t": None}),
    )
    assert out.status == "failed" and "SF6" in out.reason_en


# --- footprint -----------------------------------------------------------------------------


def test_footprint_categories_quantified_or_excluded_with_reason():
    # ISO 14068-1:2023 clause 7 via ISO 14064-1:2018 5.2.4: categories 1-6 each quantified or excluded with a reason.
    assert check("ISO-FP-01").status == "passed"


def test_footprint_category_neither_quantified_nor_excluded_fails():
    # ISO 14064-1:2018 5.2.4: indirect category 3 (transport) silently missing.
    out = check("ISO-FP-01", neutrality=claim(exclusions=[{"category": c, "reason": "n/a"} for c in "456"]))
    assert out.status == "failed" and "categories neither quantified nor excluded with a reason: 3" in out.reason_en


def test_pas_excluded_source_above_one_percent_fails():
    # PAS 2060:2014 clauses 5-6 (second-hand, NQA): every source above 1 % of the footprint is included.
    ex = [{"category": "3", "reason": "not measured", "estimate_t": 20.0}]  # 20 / (1000 + 20) = 1.96 %
    out = check("PAS-FP-01", PAS, neutrality=claim(exclusions=ex))
    assert out.status == "failed" and "above 1%" in out.reason_en


def test_pas_exclusion_needs_an_estimate():
    # PAS 2060:2014 clauses 5-6: coverage of at least 95 % can only be shown with estimates of what is left out.
    out = check("PAS-FP-01", PAS, neutrality=claim(exclusions=[{"category": "3.4", "reason": "not measured"}]))
    assert out.status == "failed" and "without an estimate" in out.reason_en


def test_pas_scope_2_cannot_be_excluded():
    # PAS 2060:2014 clauses 5-6: 100 % of Scopes 1 and 2 (second-hand).
    out = check("PAS-FP-01", PAS, neutrality=claim(exclusions=[{"category": "2", "reason": "x", "estimate_t": 1.0}]))
    assert out.status == "failed" and "must be included in full" in out.reason_en


def test_pas_small_exclusion_passes():
    # PAS 2060:2014: 5 t of 1,005 t is 0.5 % (< 1 % single source, coverage 99.5 % >= 95 %).
    ex = [{"category": "3.6", "reason": "business travel, estimated", "estimate_t": 5.0}]
    assert check("PAS-FP-01", PAS, neutrality=claim(exclusions=ex)).status == "passed"


def test_product_footprint_with_unit_and_boundary():
    # ISO 14068-1:2023 product annex via ISO 14067 (unverified clause): functional unit, boundary, units sold.
    n = claim(
        subject="product",
        functional_unit="1 t of P·O 42.5 cement",
        system_boundary="cradle_to_gate",
        units_in_period=2_000_000,
    )
    out = check("ISO-FP-02", neutrality=n)
    assert out.status == "passed" and "0.0005 t CO2e each" in out.reason_en  # 1,000 t / 2,000,000 units


def test_product_footprint_without_units_fails():
    # ISO 14068-1:2023 product annex: a per-unit claim needs the units in the period.
    n = claim(subject="product", functional_unit="1 t cement", system_boundary="cradle_to_gate")
    assert check("ISO-FP-02", neutrality=n).status == "failed"


def test_product_check_not_applicable_to_organization():
    # ISO 14068-1:2023 product annex applies to products only.
    assert check("ISO-FP-02").status == "not applicable"


def test_removals_reported_separately():
    # ISO 14064-1:2018 (via ISO 14068-1 clause 7): removals and biogenic CO2 reported apart from emissions.
    out = check("ISO-FP-03", forest=stands(stand()))
    assert out.status == "passed" and "5.00 t" in out.reason_en  # biogenic CO2 of the totals


def test_removals_netted_into_emissions_fail():
    # ISO 14064-1:2018: a negative inventory line nets a removal inside emissions.
    out = check("ISO-FP-03", by_category=({"scope": "1", "category": "1.stationary", "co2e_t": -50.0},))
    assert out.status == "failed" and "1.stationary" in out.reason_en


# --- Scope 2 instruments -------------------------------------------------------------------


def test_scope2_certificates_meet_quality_criteria():
    # GHG Protocol Scope 2 Guidance Table 7.1 (criteria 2-3): registry, unique serials, retired for the entity.
    assert check("ISO-S2-01", instruments=(gec(),)).status == "passed"


def test_scope2_certificate_retired_for_someone_else_fails():
    # Scope 2 Quality Criterion 3: retired by or on behalf of the reporting entity.
    out = check("ISO-S2-01", instruments=(gec(beneficiary="另一家公司"),))
    assert out.status == "failed" and "not retired for the reporting entity" in out.reason_en


def test_scope2_serial_range_must_match_mwh():
    # Criterion 2 and 发改能源〔2023〕1044号: 1 GEC = 1 MWh, so 500 MWh needs 500 serials (here 400).
    out = check("ISO-S2-01", instruments=(gec(serial_end="GEC2024HE000000400"),))
    assert out.status == "failed" and "does not match the MWh" in out.reason_en


def test_scope2_not_applicable_on_location_basis():
    # Scope 2 Guidance §6.4: the location-based figure uses no instruments.
    assert (
        check("ISO-S2-01", neutrality=claim(scope2_basis="location"), instruments=(gec(),)).status == "not applicable"
    )


def test_scope2_instrument_not_applied_is_only_noted():
    # Scope 2 Guidance Table 7.1: instruments failing the criteria stay out of the market-based total (engine).
    out = check("ISO-S2-01", instruments=(gec(beneficiary="另一家公司"),), applied=())
    assert out.status == "passed" and "not applied" in out.reason_en


# --- base year -----------------------------------------------------------------------------


def test_base_year_with_footprint():
    # ISO 14068-1:2023 clause 8 (plan: base period; unverified clause).
    assert check("ISO-BASE-01").status == "passed"


def test_base_year_without_footprint_fails():
    # ISO 14068-1:2023 clause 8: reductions need the base-year footprint.
    out = check("ISO-BASE-01", base=None)
    assert out.status == "failed" and "has no footprint" in out.reason_en


def test_pas_first_period_needs_no_base_year():
    # PAS 2060:2014 (route 3, second-hand): the first period may rest on offsets alone.
    assert check("PAS-BASE-01", PAS, neutrality=claim(first_period=True), base=None).status == "not applicable"


def test_base_year_same_basis_needs_no_recalculation():
    # ISO 14064-1:2018 6.4; GHG Protocol Corporate Standard ch. 5: same GWP and consolidation, no structural change.
    assert check("ISO-BASE-02").status == "passed"


def test_base_year_other_gwp_set_needs_recalculation():
    # ISO 14064-1:2018 6.4: a methodology change (AR4 → AR5 GWPs) triggers recalculation.
    out = check("ISO-BASE-02", base=BaseYear(2020, 1200.0, "2020/out/summary.json", "AR4", "operational_control"))
    assert out.status == "failed" and "AR4" in out.reason_en


def test_base_year_structural_change_above_threshold_needs_recalculation():
    # GHG Protocol Corporate Standard ch. 5; threshold 5 % in the rule set: 72 t of 1,200 t = 6 %.
    out = check("ISO-BASE-02", neutrality=claim(structural_changes_t=72.0))
    assert out.status == "failed" and "6.0%" in out.reason_en


def test_base_year_recalculated_after_structural_change_passes():
    # GHG Protocol Corporate Standard ch. 5: once recalculated, the base year stands.
    out = check("ISO-BASE-02", neutrality=claim(structural_changes_t=72.0, base_year_recalculated=True))
    assert out.status == "passed" and "recalculated" in out.reason_en


# --- plan and targets ----------------------------------------------------------------------


def test_plan_complete():
    # ISO 14068-1:2023 clause 8 (elements second-hand, co2news/Auditel): targets, net zero, offset strategy.
    assert check("ISO-PLAN-01").status == "passed"


def test_plan_document_not_found_fails():
    # ISO 14068-1:2023 clause 8: the management plan is a document.
    out = check("ISO-PLAN-01", documents={"plan": False})
    assert out.status == "failed" and "'plan.md' not found" in out.reason_en


def test_plan_needs_short_and_long_term_targets():
    # ISO 14068-1:2023 clause 8 (second-hand): short-term and long-term targets; 2030 only is short-term.
    out = check("ISO-PLAN-01", neutrality=claim(reduction_targets=[{"year": 2030, "reduction_percent": 42}]))
    assert out.status == "failed" and "long-term target" in out.reason_en


def test_pas_plan_older_than_twelve_months_fails():
    # PAS 2060:2014 clause 7 (second-hand, NQA): the plan is reviewed at least every 12 months.
    out = check("PAS-CMT-01", PAS, neutrality=claim(plan_date=dt.date(2024, 3, 1)))  # claim 2025-06-30
    assert out.status == "failed" and "within 12 months" in out.reason_en


def test_target_at_the_1_5_degree_yardstick_passes():
    # SBTi absolute contraction 4.2 %/yr (second-hand): 2020 → 2030 needs 42 %.
    assert check("ISO-PLAN-02").status == "passed"


def test_target_below_the_yardstick_fails():
    # SBTi absolute contraction 4.2 %/yr: 20 % by 2030 from 2020 falls short of 42 %.
    n = claim(reduction_targets=[{"year": 2030, "reduction_percent": 20}, {"year": 2050, "reduction_percent": 90}])
    out = check("ISO-PLAN-02", neutrality=n)
    assert out.status == "failed" and "needs -42.0 %" in out.reason_en


# --- reductions ----------------------------------------------------------------------------


def test_absolute_reduction_against_base_year():
    # ISO 14068-1:2023 hierarchy (clause 1 scope text; clauses 4, 9): 1,000 t vs 1,200 t = -200 t (16.7 %).
    out = check("ISO-HIER-01")
    assert out.status == "passed" and "200.00 t (16.7%)" in out.reason_en


def test_no_reduction_means_offsets_alone_fails():
    # ISO 14068-1:2023 hierarchy: neutrality must not rest on offsets alone.
    out = check("ISO-HIER-01", base=BaseYear(2020, 900.0, "base_year_emissions"))
    assert out.status == "failed" and "offsets alone" in out.reason_en


def test_intensity_reduction_passes_where_allowed():
    # ISO 14068-1 (co2news, second-hand): intensity where justified; 1,000/1,100 < 900/900 t per unit.
    n = claim(output=1100.0, base_year_output=900.0)
    out = check("ISO-HIER-01", neutrality=n, base=BaseYear(2020, 900.0, "base_year_emissions"))
    assert out.status == "passed" and "intensity fell" in out.reason_en


def test_intensity_without_an_output_unit_names_the_unit_in_each_language():
    # The reason names the intensity per output unit; without [neutrality] output_unit it says "unit", and in
    # Chinese 单位 (before: the English word "unit" in the Chinese reason, "吨二氧化碳当量/unit").
    n = claim(output=1100.0, base_year_output=900.0)
    out = check("ISO-HIER-01", neutrality=n, base=BaseYear(2020, 900.0, "base_year_emissions"))
    assert "t CO2e/unit (" in out.reason_en
    assert "吨二氧化碳当量/单位（" in out.reason_zh and "unit" not in out.reason_zh
    n = claim(output=1100.0, base_year_output=900.0, output_unit="t clinker")
    given = check("ISO-HIER-01", neutrality=n, base=BaseYear(2020, 900.0, "base_year_emissions"))
    assert "t CO2e/t clinker (" in given.reason_en and "吨二氧化碳当量/t clinker（" in given.reason_zh


def test_pas_first_period_may_rest_on_offsets():
    # PAS 2060:2014 clause 8 and route 3 (tanpaifang, second-hand): first period offsets-only.
    assert check("PAS-RED-01", PAS, neutrality=claim(first_period=True), base=None).status == "passed"


def test_iso_first_period_still_needs_reductions():
    # ISO 14068-1:2023 (Auditel, second-hand): unlike PAS 2060, no offsets-only first claim.
    assert check("ISO-HIER-01", neutrality=claim(first_period=True), base=None).status == "failed"


def test_reduction_resting_on_certificates_is_flagged():
    # ISO 14068-1 (certifier page, one source): renewable-energy procurement is not a reduction.
    # Base 1,050 t: market 1,000 t (-50) but location 1,100 t (+50).
    out = check("ISO-HIER-03", instruments=(gec(),), base=BaseYear(2020, 1050.0, "base_year_emissions"))
    assert out.status == "failed" and "only on the market basis" in out.reason_en


def test_reduction_that_holds_on_location_basis_passes():
    # Same rule: base 1,200 t; location-based 1,100 t is a reduction without certificates too.
    assert check("ISO-HIER-03", instruments=(gec(),)).status == "passed"


# --- own removals --------------------------------------------------------------------------


def test_removals_with_tier1_defaults_are_traced():
    # ISO 14068-1:2023 clause 4 (transparency): every parameter with its source; defaults flagged Tier 1.
    out = check("ISO-REM-01", forest=stands(stand()))
    assert out.status == "passed" and "5 Tier 1 defaults" in out.reason_en


def test_own_parameter_without_evidence_fails():
    # ISO 14068-1:2023 clause 4 (transparency, conservativeness): an own value needs its evidence.
    out = check("ISO-REM-01", forest=stands(stand(volume_growth_m3_per_ha_yr=30.0)))
    assert out.status == "failed" and "S1" in out.reason_en


def test_stand_not_issued_as_credits():
    # ISO 14068-1:2023 11.3 g) (double counting).
    assert check("ISO-REM-02", forest=stands(stand())).status == "passed"


def test_stand_issued_as_credits_is_left_out():
    # ISO 14068-1:2023 11.3 g): removals sold as CCER are not also own removals.
    out = check("ISO-REM-02", forest=stands(stand(issued_as="CCER 造林项目 X")))
    assert out.status == "failed" and out.excluded == ("S1",)


# --- credits -------------------------------------------------------------------------------


def test_retired_credit_counts():
    # ISO 14068-1:2023 11.1 (360impactportfolio clause map): issued and retired credits only.
    assert check("ISO-CR-01").status == "passed"


def test_issued_but_not_retired_credit_is_left_out():
    # ISO 14068-1:2023 11.1: an issued, unretired credit can still be sold: it does not count.
    out = check("ISO-CR-01", credits=(credit(status="issued", retired_on=None),))
    assert out.status == "failed" and out.excluded == ("C1",) and "issued" in out.reason_en


def test_retired_credit_without_date_is_left_out():
    # ISO 14068-1:2023 11.1 and 11.4: the retirement is documented with its date.
    out = check("ISO-CR-01", credits=(credit(retired_on=None),))
    assert out.status == "failed" and "no retirement date" in out.reason_en


def test_retired_on_the_last_day_of_the_window_passes():
    # ISO 14068-1:2023 11.2: no later than 12 months after the period end 2024-12-31 → 2025-12-31.
    assert check("ISO-CR-02", credits=(credit(retired_on=d("2025-12-31")),)).status == "passed"


def test_retired_after_the_window_is_left_out():
    # ISO 14068-1:2023 11.2: 2026-01-01 is 12 months and a day after the period.
    out = check("ISO-CR-02", credits=(credit(retired_on=d("2026-01-01")),))
    assert out.status == "failed" and out.excluded == ("C1",) and "2025-12-31" in out.reason_en


def test_pas_window_runs_from_the_declaration():
    # PAS 2060:2014 9.1.2 e): within 12 months of the declaration (claim 2025-06-30 → 2026-06-30).
    assert check("PAS-CR-02", PAS, credits=(credit(retired_on=d("2026-03-01")),)).status == "passed"
    assert check("ISO-CR-02", credits=(credit(retired_on=d("2026-03-01")),)).status == "failed"


def test_pas_window_needs_the_declaration_date():
    # PAS 2060:2014 9.1.2 e): no declaration date, no window.
    out = check("PAS-CR-02", PAS, neutrality=claim(claim_date=None))
    assert out.status == "failed" and "claim_date" in out.reason_en


def test_ex_post_credit_passes_and_later_vintage_is_disclosed():
    # ISO 14068-1:2023 11.1 (ex post); a vintage after the period is allowed but shown (digest 1.7).
    out = check("ISO-CR-03", credits=(credit(vintage=2025, retired_on=d("2025-09-01")),))
    assert out.status == "passed" and "vintage after the claim period" in out.reason_en


def test_forward_credit_is_left_out():
    # ISO 14068-1:2023 11.1: contracted future reductions may not be used until issued and retired.
    out = check("ISO-CR-03", credits=(credit(status="forward"),))
    assert out.status == "failed" and out.excluded == ("C1",)


def test_vintage_after_retirement_is_left_out():
    # PAS 2060:2014 9.1.2 d) / ISO 14068-1 11.1: a credit retired before its reduction occurred is ex ante.
    out = check("ISO-CR-03", credits=(credit(vintage=2026),))
    assert out.status == "failed" and "vintage 2026 after retirement" in out.reason_en


def test_unique_serial_ranges_pass():
    # ISO 14068-1:2023 11.3 g): no double counting.
    two = (credit(), credit(id="C2", serial_start="CCER-X-001001", serial_end="CCER-X-002000"))
    assert check("ISO-CR-04", credits=two).status == "passed"


def test_overlapping_serials_within_the_claim_are_left_out():
    # ISO 14068-1:2023 11.3 g): units 501-1000 listed twice; the later row is left out.
    two = (credit(), credit(id="C2", serial_start="CCER-X-000501", serial_end="CCER-X-001500"))
    out = check("ISO-CR-04", credits=two)
    assert out.status == "failed" and out.excluded == ("C2",) and "C2 overlaps C1" in out.reason_en


def test_serials_used_in_an_earlier_claim_are_left_out():
    # ISO 14068-1:2023 11.3 g): a unit counts in one claim only, across periods too.
    earlier = [
        {"id": "OLD-7", "registry": "CCER registry", "serial_start": "CCER-X-000900", "serial_end": "CCER-X-000950"}
    ]
    out = check("ISO-CR-04", previous=earlier)
    assert out.status == "failed" and out.excluded == ("C1",) and "OLD-7" in out.reason_en


def test_complete_retirement_records_pass():
    # ISO 14068-1:2023 11.4 (items second-hand): registry, serials, beneficiary.
    assert check("ISO-CR-05").status == "passed"


def test_credit_retired_for_another_beneficiary_is_left_out():
    # ISO 14068-1:2023 11.4; PAS 2060 9.1.2 g): retired on behalf of the claimant.
    out = check("ISO-CR-05", credits=(credit(beneficiary="另一家公司"),))
    assert out.status == "failed" and "is not the claimant" in out.reason_en


def test_beneficiary_matches_loosely_and_by_english_name():
    # Same rule; case, spaces and punctuation do not make another beneficiary.
    assert check("ISO-CR-05", credits=(credit(beneficiary="a cement company"),)).status == "passed"


def test_serial_range_must_hold_the_quantity():
    # ISO 14068-1:2023 11.4: the retirement record shows the units retired; 1,000 t needs 1,000 serials.
    out = check("ISO-CR-05", credits=(credit(serial_end="CCER-X-000800"),))
    assert out.status == "failed" and "holds 800 units" in out.reason_en


def test_credit_without_registry_is_left_out():
    # PAS 2060:2014 9.1.2 g): registered in an independent, credible registry.
    assert check("PAS-CR-05", PAS, credits=(credit(registry=None),)).status == "failed"


def test_iso_rejects_allowances_as_credits():
    # ISO 14068-1:2023 11.3: credits of crediting programmes; CEA are national ETS allowances.
    out = check("ISO-CR-06", credits=(credit(type="CEA"),))
    assert out.status == "failed" and out.excluded == ("C1",)


def test_pas_accepts_surrendered_allowances():
    # PAS 2060:2014 9.1.2 a) (second-hand): "or allowance units surrendered".
    assert check("PAS-CR-06", PAS, credits=(credit(type="CEA"),)).status == "passed"


def test_chinese_guide_rejects_vcs():
    # Chinese guide rule set (unverified): CCER and CEA only.
    assert check("CN-CR-06", CN, credits=(credit(type="VCS"),)).status == "failed"


def test_nature_based_removal_without_permanence_evidence_is_flagged():
    # ISO 14068-1:2023 11.2 d): permanence, or the risk of reversal addressed.
    out = check("ISO-CR-07", credits=(credit(permanence_evidence=None),))
    assert out.status == "failed" and out.excluded == ()  # advisory: nothing left out


def test_avoidance_only_portfolio_is_flagged():
    # ISO 14068-1 (second-hand): the share of removals should grow; 0 % is flagged.
    out = check("ISO-CR-07", credits=(credit(removal=False, project_type="并网光伏"),))
    assert out.status == "failed" and "0 %" in out.reason_en


def test_removal_credits_with_evidence_pass():
    # ISO 14068-1:2023 11.2 d).
    assert check("ISO-CR-07").status == "passed"


def test_credit_from_own_facility_is_left_out():
    # ISO 14068-1 clause 10; PAS 2060 9.1.2 a): offsets come from outside the subject's boundary.
    out = check("ISO-CR-08", credits=(credit(facility="plant"),))
    assert out.status == "failed" and out.excluded == ("C1",)


def test_credit_from_outside_passes():
    # Same rule.
    assert check("ISO-CR-08").status == "passed"


def test_pas_public_documentation():
    # PAS 2060:2014 9.1.2 f): project documentation publicly available.
    assert check("PAS-CR-08", PAS).status == "passed"
    assert check("PAS-CR-08", PAS, credits=(credit(project_url=None),)).status == "failed"


def test_credit_checks_not_applicable_without_credits():
    # ISO 14068-1 clause 11 applies to the credits used; none used, nothing to check.
    assert check("ISO-CR-01", credits=()).status == "not applicable"


# --- balance, claim, verification -----------------------------------------------------------


def balance(**changes) -> Balance:
    base = dict(
        footprint_t=1000.0,
        sink_losses_t=0.0,
        emissions_t=1000.0,
        base_year=2020,
        base_year_emissions_t=1200.0,
        reductions_t=200.0,
        removals_t=100.0,
        residual_t=900.0,
        credits_eligible_t=1000.0,
        credits_applied_t=900.0,
        credits_surplus_t=100.0,
        credits_excluded_t=0.0,
        credits_removal_t=900.0,
        net_t=0.0,
        scope2_basis="market",
        applied_ids=("C1",),
    )
    return Balance(**(base | changes))


def test_balance_offset():
    # ISO 14068-1:2023 clause 10: residual 900 t offset by 900 t; 100 t surplus is not carried over.
    out = check("ISO-BAL-01", balance=balance())
    assert out.status == "passed" and "100.00 t retired beyond the need" in out.reason_en


def test_balance_shortfall():
    # ISO 14068-1:2023 clause 10: 900 t residual, 600 t credits → 300 t not offset.
    out = check("ISO-BAL-01", balance=balance(credits_applied_t=600.0, credits_eligible_t=600.0, net_t=300.0))
    assert out.status == "failed" and "300.00 t not offset" in out.reason_en and "300.00" in out.remedy_en


def test_balance_removals_cover_emissions():
    # ISO 14068-1:2023 hierarchy: removals within the boundary before offsetting.
    out = check("ISO-BAL-01", balance=balance(removals_t=1000.0, residual_t=0.0, credits_applied_t=0.0, net_t=0.0))
    assert out.status == "passed" and "own removals" in out.reason_en


def test_claim_after_period_and_retirements():
    # ISO 14068-1:2023 clauses 12-13 (unverified): a claim rests on credits already retired.
    assert check("ISO-CLAIM-01", balance=balance()).status == "passed"


def test_claim_before_the_last_retirement_fails():
    # ISO 14068-1 clauses 12-13 (digest 1.8): no claim for a period whose credits are not yet retired.
    out = check("ISO-CLAIM-01", neutrality=claim(claim_date=d("2025-02-01")), balance=balance())
    assert out.status == "failed" and "before the last retirement" in out.reason_en  # C1 retired 2025-03-01


def test_claim_needs_date_and_boundary():
    # ISO 14068-1:2023 clauses 12-13: the claim names its subject's boundary and date.
    out = check("ISO-CLAIM-01", neutrality=claim(claim_date=None, boundary=None), balance=balance())
    assert out.status == "failed" and "claim_date" in out.reason_en and "boundary" in out.reason_en


def test_claim_within_the_period_fails():
    # ISO 14068-1:2023 clauses 12-13: achievement is claimed once the period is over.
    out = check("ISO-CLAIM-01", neutrality=claim(claim_date=d("2024-12-01")), balance=balance(applied_ids=()))
    assert out.status == "failed" and "not after the end of the period" in out.reason_en


def test_third_party_verification():
    # ISO 14068-1:2023 clause 13 (ISO 14064-3 verification; whether mandatory is unverified).
    assert check("ISO-VER-01").status == "passed"


def test_verification_type_missing_fails():
    # ISO 14068-1:2023 clause 13 / digest 1.8: every claim states its substantiation.
    assert check("ISO-VER-01", neutrality=claim(verification_type=None)).status == "failed"


def test_pas_declaration_needs_the_qes():
    # PAS 2060:2014 clause 10 and Annex A: the declaration is backed by a qualifying explanatory statement.
    out = check("PAS-DECL-01", PAS, neutrality=claim(qes="qes.pdf"), documents={"plan": True, "qes": False})
    assert out.status == "failed" and "'qes.pdf' not found" in out.reason_en


def test_self_declaration_passes_with_a_warning():
    # PAS 2060:2014 Annex A: self-validation is a permitted declaration type (the weakest).
    out = check("PAS-DECL-01", PAS, neutrality=claim(verification_type="self_declared", qes="qes.pdf"))
    assert out.status == "passed" and "weakest" in out.reason_en


def test_base_fixture_is_consistent():
    # The helper's base year is the one every default case compares against.
    assert BASE.emissions_t == 1200.0 and check("ISO-BASE-01").reason_en.startswith("base year 2020")


def test_regression_the_chinese_reason_for_a_missing_qes_is_chinese():
    # Before: daxing's zh report read "缺少合格解释性声明 QES（qes not given）".
    out = check("PAS-DECL-01", PAS, neutrality=claim(qes=None), documents={"plan": True, "qes": False})
    assert out.status == "failed" and "qes not given" in out.reason_en
    assert "not" not in out.reason_zh and "[neutrality] qes" in out.reason_zh
    out = check("PAS-DECL-01", PAS, neutrality=claim(qes="qes.pdf"), documents={"plan": True, "qes": False})
    assert "not found" not in out.reason_zh and "qes.pdf" in out.reason_zh
