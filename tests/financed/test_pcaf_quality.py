"""PCAF data quality scores (Part A, 2nd ed., December 2022: the score tables of §5.1–5.7 as
``financed/data/quality_scores.csv``; the outstanding-weighted score)."""

from __future__ import annotations

import pytest

from dualcarbon.financed import attribution, quality


def scored(holdings_of, rows):
    return quality.score(attribution.attribute(holdings_of(rows), 2024))


def test_six_business_loans_weighted_score(holdings_of):
    """Six business loans (the shape of the standard's weighted-score box; amounts of our own): scores
    1, 2, 3, 4, 4, 3 on 120, 80, 200, 150, 250, 200 → (120 + 160 + 600 + 600 + 1000 + 600) / 1000 = 3.08."""
    bases = ["reported_verified", "reported", "physical", "economic", "economic", "physical"]
    amounts = [120, 80, 200, 150, 250, 200]
    rows = [
        f"L{i},business_loan,C{i},{a},CNY,,10000,,500,10,10,,,,{b},,materials,2024"
        for i, (a, b) in enumerate(zip(amounts, bases, strict=True))
    ]
    s = scored(holdings_of, rows)
    assert s["score"].to_list() == [1, 2, 3, 4, 4, 3]
    assert quality.weighted(s) == pytest.approx(3.08)
    assert quality.by(s, "asset_class") == [
        {"asset_class": "business_loan", "outstanding": 1000.0, "score": pytest.approx(3.08), "holdings": 6}
    ]


@pytest.mark.parametrize(
    ("asset_class", "basis", "revenue", "score"),
    [
        ("listed_equity", "reported_verified", "1", 1),  # option 1a
        ("listed_equity", "reported", "1", 2),  # 1b
        ("corporate_bond", "physical", "1", 3),  # 2b
        ("corporate_bond", "economic", "1", 4),  # 3a
        ("listed_equity", "sector_average", "1", 4),  # 3a: revenue known
        ("listed_equity", "sector_average", "", 5),  # 3b/3c: revenue unknown
        ("project_finance", "reported", "", 2),
        ("commercial_real_estate", "sector_average", "", 5),
        ("mortgage", "physical", "", 3),
        ("motor_vehicle_loan", "economic", "", 4),
        ("sovereign_debt", "reported_verified", "", 1),
        ("sovereign_debt", "physical", "", 4),  # the sovereign table has no score 3
        ("sovereign_debt", "economic", "", 5),
    ],
)
def test_score_from_basis_per_asset_class(holdings_of, asset_class, basis, revenue, score):
    denominator = {
        "listed_equity": "100,,,",
        "corporate_bond": "100,,,",
        "project_finance": ",100,,",
        "commercial_real_estate": ",,100,",
        "mortgage": ",,100,",
        "motor_vehicle_loan": ",,100,",
        "sovereign_debt": ",,,",
    }[asset_class]
    ppp = "1000" if asset_class == "sovereign_debt" else ""
    row = f"X,{asset_class},A,10,CNY,{denominator}{revenue},1,1,,,{ppp},{basis},,other,2024"
    assert scored(holdings_of, [row])["score"].to_list() == [score]


def test_given_score_overrides_the_table(holdings_of):
    row = "X,listed_equity,A,10,CNY,100,,,1,1,1,,,,physical,2,other,2024"
    s = scored(holdings_of, [row])
    assert s["score"].to_list() == [2] and s["pcaf_option"].to_list() == ["given"]


def test_score_by_scope_group(holdings_of):
    """Scope 3 is scored over the holdings that report it only: 10 at score 1 → 1.0; Scope 1+2 over both → 2.5."""
    rows = [
        "A,listed_equity,A,10,CNY,100,,,1,1,1,5,,,reported_verified,,oil_gas,2024",
        "B,listed_equity,B,10,CNY,100,,,1,1,1,,,,economic,,oil_gas,2024",
    ]
    groups = {g["scope"]: g for g in quality.by_scope(scored(holdings_of, rows))}
    assert groups["scope1_2"]["score"] == pytest.approx(2.5)
    assert groups["scope3"]["score"] == pytest.approx(1.0) and groups["scope3"]["holdings"] == 1
