"""Attribution factors and financed emissions per asset class (PCAF Part A, 2nd ed., December 2022, §5.1–5.7),
each against a hand computation, the EVIC box, the 100 % rule and the Scope 3 phase-in by year and sector."""

from __future__ import annotations

import pytest

from dualcarbon.financed import attribution


def by_id(frame):
    return {r["id"]: r for r in frame.iter_rows(named=True)}


def test_evic_box_equity_50_debt_50_cash_20(holdings_of):
    """PCAF Part A 2nd ed. §5.1, the EVIC example: a company of equity 50 and debt 50 holding cash 20. EVIC is
    taken without deducting cash (100), so the owner of all the equity and the lender of all the debt are
    attributed 50 % and 50 %, together 100 % of its emissions. With cash deducted (EVIC 80) they would be
    attributed 62.5 % each, 125 % together: flagged."""
    rows = [
        "EQ,listed_equity,Co,50,CNY,100,,,,1000,0,,,,reported,,industrial,2024",
        "DEBT,corporate_bond,Co,50,CNY,100,,,,1000,0,,,,reported,,industrial,2024",
    ]
    out = by_id(attribution.attribute(holdings_of(rows), 2024))
    assert out["EQ"]["attribution"] == pytest.approx(0.5)
    assert out["DEBT"]["attribution"] == pytest.approx(0.5)
    assert out["EQ"]["financed_t"] + out["DEBT"]["financed_t"] == pytest.approx(1000.0)
    assert not out["EQ"]["counterparty_over_100"]
    cash_deducted = [r.replace(",100,", ",80,") for r in rows]
    wrong = by_id(attribution.attribute(holdings_of(cash_deducted, "h2.csv"), 2024))
    assert wrong["EQ"]["attribution"] == pytest.approx(0.625)
    assert wrong["EQ"]["counterparty_over_100"] and wrong["DEBT"]["counterparty_over_100"]
    assert not wrong["EQ"]["capped"]  # each factor alone is below 1


def test_each_asset_class_by_hand(holdings_of):
    """Every formula of PCAF Part A 2nd ed. Chapter 5 on round numbers, computed by hand in the comments."""
    rows = [
        # §5.1 listed equity: 3e6 / 150e6 EVIC = 0.02; × (8000 + 2000) t = 200 t
        "LE,listed_equity,A,3000000,CNY,150000000,,,,8000,2000,,,,reported,,industrial,2024",
        # §5.1 corporate bond: 1e6 / 40e6 = 0.025; × (300 + 100) = 10 t
        "CB,corporate_bond,B,1000000,CNY,40000000,,,,300,100,,,,reported,,industrial,2024",
        # §5.2 business loan, private company: 2e6 / (total equity + debt 8e6) = 0.25; × 4000 = 1000 t
        "BL,business_loan,C,2000000,CNY,,8000000,,,3000,1000,,,,reported,,materials,2024",
        # §5.2 business loan to a listed company: by EVIC, 2e6 / 20e6 = 0.1; × 500 = 50 t
        "BLL,business_loan,C2,2000000,CNY,20000000,8000000,,,400,100,,,,reported,,materials,2024",
        # §5.2 unlisted equity: 6e6 / 24e6 = 0.25; × 120 = 30 t
        "UE,unlisted_equity,D,6000000,CNY,,24000000,,,100,20,,,,reported,,technology,2024",
        # §5.3 project finance: 30e6 / 120e6 = 0.25; × 8000 = 2000 t
        "PF,project_finance,E,30000000,CNY,,120000000,,,0,8000,,,,reported,,utilities,2024",
        # §5.4 commercial real estate: 4e6 / value at origination 10e6 = 0.4; × 250 = 100 t
        "CRE,commercial_real_estate,F,4000000,CNY,,,10000000,,50,200,,,,reported,,buildings,2024",
        # §5.5 mortgage: 1.5e6 / 2e6 = 0.75; × 4 = 3 t
        "MO,mortgage,G,1500000,CNY,,,2000000,,1,3,,,,physical,,households,2024",
        # §5.6 motor vehicle loan: 120e3 / 200e3 = 0.6; × 2.5 = 1.5 t
        "MV,motor_vehicle_loan,H,120000,CNY,,,200000,,2.5,0,,,,physical,,households,2024",
        # §5.7 sovereign debt: 5e9 / PPP GDP 25e12 = 2e-4; × 12e9 t = 2.4e6 t; LULUCF -1e9 × 2e-4 = -2e5 t
        "SD,sovereign_debt,CN,5000000000,CNY,,,,,11000000000,1000000000,,-1000000000,25000000000000,reported,,sovereign,2024",
    ]
    out = by_id(attribution.attribute(holdings_of(rows), 2024))
    expected = {
        "LE": (0.02, 200.0),
        "CB": (0.025, 10.0),
        "BL": (0.25, 1000.0),
        "BLL": (0.1, 50.0),
        "UE": (0.25, 30.0),
        "PF": (0.25, 2000.0),
        "CRE": (0.4, 100.0),
        "MO": (0.75, 3.0),
        "MV": (0.6, 1.5),
        "SD": (2e-4, 2.4e6),
    }
    for key, (factor, financed) in expected.items():
        assert out[key]["attribution"] == pytest.approx(factor), key
        assert out[key]["financed_t"] == pytest.approx(financed), key
    assert out["BLL"]["denominator_kind"] == "evic" and out["BL"]["denominator_kind"] == "total_equity_debt"
    assert out["SD"]["financed_lulucf_t"] == pytest.approx(-2e5)  # reported apart: with LULUCF 2.2e6 t


def test_attribution_above_100_percent_is_capped_and_flagged(holdings_of):
    """A mortgage of 120 against a property worth 100 at origination: no more than 100 % of the home's
    emissions (5 t) is attributed; the factor is capped at 1 and the holding flagged."""
    out = by_id(
        attribution.attribute(holdings_of(["M,mortgage,G,120,CNY,,,100,,5,0,,,,physical,,households,2024"]), 2024)
    )
    assert out["M"]["attribution_uncapped"] == pytest.approx(1.2)
    assert out["M"]["attribution"] == 1.0 and out["M"]["capped"]
    assert out["M"]["financed_t"] == pytest.approx(5.0)


@pytest.mark.parametrize(
    ("sector", "year", "required"),
    [
        ("oil_gas", 2020, False),  # energy: from 2021
        ("oil_gas", 2021, True),
        ("mining", 2021, True),
        ("coal", 2022, True),
        ("transport", 2022, False),  # transport, construction, buildings, materials, industry: from 2023
        ("transport", 2023, True),
        ("construction", 2023, True),
        ("buildings", 2023, True),
        ("materials", 2022, False),
        ("materials", 2023, True),
        ("industrial", 2024, True),
        ("technology", 2024, False),  # every sector: from 2025
        ("technology", 2025, True),
        ("utilities", 2024, False),
        ("consumer", 2026, True),
        ("", 2024, False),  # no sector: every sector's date
        ("", 2025, True),
    ],
)
def test_scope3_phase_in_by_year_and_sector(holdings_of, sector, year, required):
    """PCAF Part A 2nd ed. §5.1, Scope 3 phase-in: 2021 energy and mining; 2023 transport, construction,
    buildings, materials, industrial activities; 2025 every sector. Scope 3 counts in ``total_scope3_t`` only
    from then, and is never added to Scope 1+2."""
    row = f"X,listed_equity,A,10,CNY,100,,,,50,50,1000,,,reported,,{sector},{year}"
    out = by_id(attribution.attribute(holdings_of([row]), 2030))
    assert out["X"]["scope3_required"] is required
    assert out["X"]["financed_scope3_t"] == pytest.approx(100.0)
    assert out["X"]["financed_t"] == pytest.approx(10.0)


def test_holding_year_defaults_to_reporting_year(holdings_of):
    row = "X,listed_equity,A,10,CNY,100,,,,50,50,1000,,,reported,,materials,"
    assert not by_id(attribution.attribute(holdings_of([row]), 2022))["X"]["scope3_required"]
    assert by_id(attribution.attribute(holdings_of([row]), 2023))["X"]["scope3_required"]


def test_sector_average_estimate_from_reporting_peers(holdings_of):
    """PCAF option 3a: a counterparty without a report gets its sector's emissions per revenue (peers that
    report: (300 + 100) t over 200 revenue = 2 t per unit) times its revenue 50 → 100 t; × 0.5 = 50 t."""
    rows = [
        "P1,listed_equity,Peer1,1,CNY,100,,,120,200,40,,,,reported,,materials,2024",
        "P2,listed_equity,Peer2,1,CNY,100,,,80,100,60,,,,reported,,materials,2024",
        "X,listed_equity,NoReport,50,CNY,100,,,50,,,,,,sector_average,,materials,2024",
    ]
    out = by_id(attribution.attribute(holdings_of(rows), 2024))
    assert out["X"]["estimated"] and out["X"]["emissions_t"] == pytest.approx(100.0)
    assert out["X"]["financed_t"] == pytest.approx(50.0)
