"""Group consolidation (``dualcarbon.group``) against hand computations.

Three entities of a made-up group (figures in t CO2e, chosen to be easy to follow by hand):

- A, a power plant: 80 % equity, operational and financial control; Scope 1 10,000 (1.stationary), Scope 3 500.
- B, a factory: 60 % equity, operational control, joint financial control; Scope 1 2,000, Scope 2 3,000
  location-based and 2,500 market-based (2.electricity), Scope 3 1,000 (3.4).
- C, a logistics associate: 30 % equity, no control; Scope 1 4,000 (1.mobile), Scope 2 1,000 on either basis,
  Scope 3 200 (3.1).

A sells B 2,500 MWh of electricity, for which B counts 2,500 MWh x 0.72 t/MWh = 1,800 t location-based and
2,500 x 0.60 = 1,500 t market-based. The shares are those of the GHG Protocol Corporate Standard (rev. 2004),
Ch. 3 and its Table 1 (joint financial control: equity share); ISO 14064-1:2018 5.1 allows the same approaches.
"""

from __future__ import annotations

import math

import pytest

from dualcarbon.group import Transfer, check_transfers, consolidate, share
from dualcarbon.model import GroupEntity


def entity(id_: str, equity: float, operational: bool, financial) -> GroupEntity:
    return GroupEntity(
        id=id_,
        name_zh=id_,
        path=id_,
        equity_share=equity,
        operational_control=operational,
        financial_control=financial,
    )


def summary(scope1, s2_location, s2_market, scope3, categories) -> dict:
    return {
        "totals": {
            "scope1": scope1,
            "scope2_location": s2_location,
            "scope2_market": s2_market,
            "scope3": scope3,
            "total_location": scope1 + s2_location + scope3,
            "total_market": scope1 + s2_market + scope3,
            "biogenic_co2": 0.0,
        },
        "by_category": categories,
        "by_gas": [{"gas": "CO2", "mass_t": scope1 + s2_location + scope3, "co2e_t": scope1 + s2_location + scope3}],
    }


ENTITIES = [entity("A", 0.8, True, True), entity("B", 0.6, True, "joint"), entity("C", 0.3, False, False)]
SUMMARIES = {
    "A": summary(
        10_000.0,
        0.0,
        0.0,
        500.0,
        [
            {"scope": "1", "category": "1.stationary", "co2e_t": 10_000.0},
            {"scope": "3", "category": "3.1", "co2e_t": 500.0},
        ],
    ),
    "B": summary(
        2_000.0,
        3_000.0,
        2_500.0,
        1_000.0,
        [
            {"scope": "1", "category": "1.stationary", "co2e_t": 2_000.0},
            {"scope": "2", "category": "2.electricity", "co2e_t": 3_000.0, "scope2_method": "location"},
            {"scope": "2", "category": "2.electricity", "co2e_t": 2_500.0, "scope2_method": "market"},
            {"scope": "3", "category": "3.4", "co2e_t": 1_000.0},
        ],
    ),
    "C": summary(
        4_000.0,
        1_000.0,
        1_000.0,
        200.0,
        [
            {"scope": "1", "category": "1.mobile", "co2e_t": 4_000.0},
            {"scope": "2", "category": "2.electricity", "co2e_t": 1_000.0, "scope2_method": "location"},
            {"scope": "2", "category": "2.electricity", "co2e_t": 1_000.0, "scope2_method": "market"},
            {"scope": "3", "category": "3.1", "co2e_t": 200.0},
        ],
    ),
}
ELECTRICITY = Transfer("T1", "A", "B", "electricity", 2_500.0, "MWh", co2e_t=1_800.0, co2e_market_t=1_500.0, row=2)


def close(found: dict, expected: dict) -> None:
    for key, value in expected.items():
        assert math.isclose(found[key], value, rel_tol=1e-12, abs_tol=1e-9), (key, found[key], value)


def test_equity_share_with_an_intragroup_electricity_sale_against_the_hand_computation():
    """Shares 0.8, 0.6, 0.3. Scope 1 = 0.8x10,000 + 0.6x2,000 + 0.3x4,000 = 10,400; Scope 2 location =
    0.6x3,000 + 0.3x1,000 = 2,100, market 0.6x2,500 + 0.3x1,000 = 1,800; Scope 3 = 0.8x500 + 0.6x1,000 +
    0.3x200 = 1,060. The sale: min(0.8, 0.6) = 0.6 of B's 1,800 t (1,500 t market) is in A's Scope 1 at the
    group already: 1,080 t (900 t) eliminated. Scope 2 = 2,100 - 1,080 = 1,020 location, 1,800 - 900 = 900
    market; totals 10,400 + 1,020 + 1,060 = 12,480 and 10,400 + 900 + 1,060 = 12,360."""
    group = consolidate("equity_share", ENTITIES, SUMMARIES, [ELECTRICITY])
    close(
        group["totals"],
        {
            "scope1": 10_400.0,
            "scope2_location": 1_020.0,
            "scope2_market": 900.0,
            "scope3": 1_060.0,
            "total_location": 12_480.0,
            "total_market": 12_360.0,
        },
    )
    [elimination] = group["eliminations"]
    assert elimination["eliminated_share"] == 0.6 and elimination["reason"] == "counted_twice"
    close(elimination, {"eliminated_location_t": 1_080.0, "eliminated_market_t": 900.0})
    assert "1,080.000 t CO2e" in elimination["reason_en"] and "1,080.000 t CO2e" in elimination["reason_zh"]
    shares = {e["id"]: (e["share"], e["basis"]) for e in group["entities"]}
    assert shares == {"A": (0.8, "equity"), "B": (0.6, "equity"), "C": (0.3, "equity")}
    b = next(e for e in group["entities"] if e["id"] == "B")
    close(b["contribution"], {"scope1": 1_200.0, "scope2_location": 1_800.0, "total_location": 3_600.0})
    close(b["totals"], {"total_location": 6_000.0})
    # by category: B's and C's electricity at their shares, less the elimination, on each basis
    lines = {(r["scope"], r["category"], r.get("scope2_method")): r["co2e_t"] for r in group["by_category"]}
    assert math.isclose(lines[("2", "2.electricity", "location")], 1_800.0 + 300.0 - 1_080.0)
    assert math.isclose(lines[("2", "2.electricity", "market")], 1_500.0 + 300.0 - 900.0)
    assert math.isclose(sum(v for k, v in lines.items() if k[2] != "market"), 12_480.0)


def test_financial_control_counts_joint_ventures_at_equity_and_associates_not_at_all():
    """Ch. 3 Table 1: A 100 %, B (joint financial control) its equity 60 %, C 0. Scope 1 = 10,000 + 1,200 =
    11,200; Scope 2 = 1,800 - min(1.0, 0.6)x1,800 = 720 location, 1,500 - 0.6x1,500 = 600 market; Scope 3 =
    500 + 600 = 1,100; total location 11,200 + 720 + 1,100 = 13,020."""
    group = consolidate("financial_control", ENTITIES, SUMMARIES, [ELECTRICITY])
    close(
        group["totals"],
        {
            "scope1": 11_200.0,
            "scope2_location": 720.0,
            "scope2_market": 600.0,
            "scope3": 1_100.0,
            "total_location": 13_020.0,
        },
    )
    bases = {e["id"]: e["basis"] for e in group["entities"]}
    assert bases == {"A": "financial_control", "B": "joint_financial_control", "C": "no_financial_control"}


def test_operational_control_counts_controlled_entities_in_full():
    """A and B 100 %, C 0: Scope 1 12,000; Scope 2 3,000 - 1,800 = 1,200 location, 2,500 - 1,500 = 1,000
    market; Scope 3 1,500; totals 14,700 and 14,500."""
    group = consolidate("operational_control", ENTITIES, SUMMARIES, [ELECTRICITY])
    close(
        group["totals"],
        {
            "scope1": 12_000.0,
            "scope2_location": 1_200.0,
            "scope2_market": 1_000.0,
            "scope3": 1_500.0,
            "total_location": 14_700.0,
            "total_market": 14_500.0,
        },
    )


def test_a_part_owned_seller_keeps_the_outside_owners_part_and_an_outside_seller_eliminates_nothing():
    """Equity share. C (30 %) carries B's (60 %) goods, 100 t in B's 3.4: min(0.3, 0.6) = 0.3, 30 t
    eliminated, the other 70 % of the carrier belongs to others. Under operational control C is outside the
    boundary (0 %): the same transfer eliminates nothing."""
    freight = Transfer("T2", "C", "B", "services", 50_000.0, "t km", co2e_t=100.0, category="3.4", row=3)
    equity = consolidate("equity_share", ENTITIES, SUMMARIES, [freight])
    [x] = equity["eliminations"]
    assert (x["reason"], x["scope"], x["category"]) == ("seller_part", "3", "3.4")
    assert math.isclose(x["eliminated_location_t"], 30.0)
    assert math.isclose(equity["totals"]["scope3"], 1_060.0 - 30.0)
    assert math.isclose(equity["totals"]["scope2_location"], 2_100.0)
    operational = consolidate("operational_control", ENTITIES, SUMMARIES, [freight])
    [y] = operational["eliminations"]
    assert y["reason"] == "seller_outside" and y["eliminated_location_t"] == 0.0
    assert math.isclose(operational["totals"]["scope3"], 1_500.0)


@pytest.mark.parametrize(
    ("approach", "expected"),
    [("equity_share", (0.3, "equity")), ("financial_control", (0.0, "no_financial_control"))],
)
def test_share_of_an_associate(approach, expected):
    assert share(ENTITIES[2], approach) == expected


def test_a_transfer_cannot_remove_more_than_the_buyer_counts():
    """B counts 3,000 t of electricity (location): transfers of 1,800 t and 1,500 t to it remove 3,300 t."""
    second = Transfer("T3", "A", "B", "electricity", 2_000.0, "MWh", co2e_t=1_500.0, co2e_market_t=900.0, row=4)
    problems = check_transfers([ELECTRICITY, second], SUMMARIES)
    assert [(p.file, p.row, p.column) for p in problems] == [("intragroup.csv", 4, "co2e_t")]
    assert "3,300.000" in problems[0].message() and "3,000.000" in problems[0].message()
    assert check_transfers([ELECTRICITY], SUMMARIES) == []
