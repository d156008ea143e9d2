"""Data-quality notes (dualcarbon.quality) on a crafted inventory whose figures are checked by hand.

The frame has seven activities, one a calculation group standing for three records (nine records
in all), shaped as the engine's emission rows (one row per activity × gas, with the trace columns). The location-based total is 100 + 20 + 5 + 50 + 10 + 15 = 200 t
CO2e: record 6's biogenic CO2 (7 t) is outside the scopes (GHG Protocol Corporate Standard Ch. 9),
and the market-based rows of record 3 restate its electricity, so they are not counted again.
"""

from __future__ import annotations

import polars as pl
import pytest

from dualcarbon import quality

COLUMNS = [
    "_idx",
    "_n",
    "key",
    "kind",
    "gas",
    "region",
    "region_used",
    "year",
    "year_used",
    "scope",
    "scope2_method",
    "biogenic",
    "co2e_t",
    "quantity_base",
    "factor_ids",
    "factor_sets",
    "parameters",
]
ROWS = [
    # raw coal, measured NCV, IPCC default CO2 and CH4 factors (GLOBAL): Tier 1, a region fallback
    (
        0,
        1,
        "fuel/raw_coal",
        "combustion",
        "CO2",
        "CN-HE",
        "GLOBAL",
        2024,
        None,
        "1",
        None,
        False,
        90.0,
        1.0,
        "row:ncv; ipcc2006:343",
        "ipcc2006",
        "",
    ),
    (
        0,
        1,
        "fuel/raw_coal",
        "combustion",
        "CH4",
        "CN-HE",
        "GLOBAL",
        2024,
        None,
        "1",
        None,
        False,
        10.0,
        1.0,
        "row:ncv; ipcc2006:396",
        "ipcc2006",
        "",
    ),
    # diesel with GB/T 32150 national defaults (CN): Tier 2, a fallback from CN-HE to CN
    (
        1,
        1,
        "fuel/diesel",
        "combustion",
        "CO2",
        "CN-HE",
        "CN",
        2024,
        None,
        "1",
        None,
        False,
        20.0,
        1.0,
        "gbt32150:29; gbt32150:30+gbt32150:31",
        "gbt32150",
        "",
    ),
    # fuel oil with a measured carbon content: Tier 3
    (
        2,
        1,
        "fuel/fuel_oil",
        "combustion",
        "CO2",
        "CN-HE",
        "CN",
        2024,
        None,
        "1",
        None,
        False,
        5.0,
        1.0,
        "row:ncv; row:carbon_content",
        "gbt32150",
        "",
    ),
    # grid electricity of 2024 with the 2023 factor of its own province: no fallback, a factor-year note;
    # 3,600 GJ = 1,000 MWh, of which a certificate covers 400 MWh in the market-based rows
    (
        3,
        1,
        "electricity/grid",
        "electricity",
        "CO2",
        "CN-HE",
        "CN-HE",
        2024,
        2023,
        "2",
        "location",
        False,
        50.0,
        3600.0,
        "cn_mee_grid:89",
        "cn_mee_grid",
        "EF=0.05 kg/base",
    ),
    (
        3,
        1,
        "electricity/grid",
        "electricity",
        "CO2",
        "CN-HE",
        "CN-HE",
        2024,
        2023,
        "2",
        "market",
        False,
        30.0,
        3600.0,
        "cn_mee_grid:89",
        "cn_mee_grid",
        "EF=0.05 kg/base; uncovered share=0.6",
    ),
    (
        3,
        1,
        "electricity/grid",
        "electricity",
        "CO2",
        "CN-HE",
        None,
        2024,
        None,
        "2",
        "market",
        False,
        0.0,
        3600.0,
        "credits:GEC-1",
        "GEC",
        "MWh=400.0; EF=0.0 kg/kWh",
    ),
    # a leaked refrigerant, mass × GWP
    (
        4,
        1,
        "refrigerant/HFC-134a",
        "fugitive",
        "HFC-134a",
        "CN-HE",
        None,
        2024,
        None,
        "1",
        None,
        False,
        10.0,
        0.007,
        "gwp:HFC-134a",
        "gwp",
        "leak=0.007 t; fraction=1.0",
    ),
    # a calculation group of 3 records: freight with a later UK factor (proxy region GB)
    (
        5,
        3,
        "freight/road/truck",
        "freight",
        "CO2",
        "GB",
        "GB",
        2024,
        2026,
        "3",
        None,
        False,
        15.0,
        1.0,
        "uk_desnz:4604",
        "uk_desnz",
        "",
    ),
    # wood: biogenic CO2 outside the scopes
    (
        6,
        1,
        "fuel/wood",
        "combustion",
        "CO2",
        "CN-HE",
        "GLOBAL",
        2024,
        None,
        "1",
        None,
        True,
        7.0,
        1.0,
        "ipcc2006:300",
        "ipcc2006",
        "",
    ),
]
EMISSIONS = pl.DataFrame(ROWS, schema=COLUMNS, orient="row")
# records 0, 3 and the three of group 5 name a document; 1 is blank, 2 and 4 have none, 6 has one
EVIDENCE = pl.DataFrame(
    {
        "_idx": [0, 1, 2, 3, 4, 5, 6],
        "evidence": ["inv-001.pdf", " ", None, "bill.pdf", None, "waybills.zip", "wood.pdf"],
        "_n": [1, 1, 1, 1, 1, 3, 1],
    }
)


@pytest.fixture(scope="module")
def record() -> dict:
    return quality.assess(EMISSIONS, EVIDENCE)


def test_total_is_location_based_without_biogenic(record):
    assert record["total_location_t"] == pytest.approx(200.0)


def test_tiers_by_the_factors_the_trace_names(record):
    tiers = {r["tier"]: (r["co2e_t"], r["share"]) for r in record["tiers"]}
    # Tier 1: the coal's IPCC factors (a measured NCV does not change the tier of the EF): 90 + 10.
    assert tiers["1"] == pytest.approx((100.0, 0.5))
    # Tier 2: diesel (GB/T 32150) + grid electricity (location) + UK freight: 20 + 50 + 15.
    assert tiers["2"] == pytest.approx((85.0, 0.425))
    # Tier 3: the measured carbon content of the fuel oil: 5.
    assert tiers["3"] == pytest.approx((5.0, 0.025))
    assert tiers["gas_mass"] == pytest.approx((10.0, 0.05))
    assert [r["tier"] for r in record["tiers"]] == ["1", "2", "3", "gas_mass"]


def test_region_fallbacks_compare_region_used_with_the_rows_region(record):
    found = {
        (r["key"], r["region"], r["region_used"]): (r["records"], r["co2e_t"], r["share"])
        for r in record["region_fallbacks"]
    }
    assert found == {
        ("fuel/raw_coal", "CN-HE", "GLOBAL"): (1, pytest.approx(100.0), pytest.approx(0.5)),  # CO2 and CH4, one record
        ("fuel/diesel", "CN-HE", "CN"): (1, pytest.approx(20.0), pytest.approx(0.1)),
        ("fuel/fuel_oil", "CN-HE", "CN"): (1, pytest.approx(5.0), pytest.approx(0.025)),
    }  # the biogenic wood row, the market rows and rows whose region is their own are not listed
    assert record["region_fallbacks"][0]["key"] == "fuel/raw_coal"  # largest first


def test_factor_years_earlier_and_later(record):
    found = {(r["key"], r["year"], r["year_used"]): (r["records"], r["co2e_t"]) for r in record["factor_years"]}
    assert found == {
        ("electricity/grid", 2024, 2023): (1, pytest.approx(50.0)),
        ("freight/road/truck", 2024, 2026): (3, pytest.approx(15.0)),
    }  # a group of 3 records


def test_records_without_evidence(record):
    # blank (" ") and missing evidence: records 1, 2 and 4 → 20 + 5 + 10 t of the 200 t
    assert record["evidence"] == {
        "records": 3,
        "total_records": 9,
        "co2e_t": pytest.approx(35.0),
        "share": pytest.approx(0.175),
    }


def test_scope2_instrument_coverage(record):
    cov = record["scope2_coverage"]
    assert cov["mwh"] == pytest.approx(1000.0)  # 3,600 GJ / 3.6
    assert cov["covered_mwh"] == pytest.approx(400.0) and cov["share"] == pytest.approx(0.4)
    assert cov["instruments"] == [{"id": "GEC-1", "type": "GEC", "mwh": 400.0}]


def test_grouped_records_keep_no_evidence_and_no_electricity_means_no_coverage():
    no_power = EMISSIONS.filter(pl.col("kind") != "electricity")
    record = quality.assess(no_power, None)
    assert record["evidence"] is None and record["scope2_coverage"] is None
    assert record["total_location_t"] == pytest.approx(150.0)


def test_complete_evidence_is_reported_as_such():
    full = EVIDENCE.with_columns(pl.lit("doc.pdf").alias("evidence"))
    assert quality.assess(EMISSIONS, full)["evidence"]["records"] == 0
