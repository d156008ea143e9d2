"""Purchased electricity, Scope 2 location- and market-based (GHG Protocol Scope 2 Guidance)."""

from __future__ import annotations

import polars as pl
import pytest

from dualcarbon.methods import electricity

HEADER = "id,facility,date,activity,quantity,unit,region"
CREDITS = "id,type,quantity,unit,factor,facility,region,vintage,status"


def test_location_based_china_province_latest_earlier_year(run_project):
    # MEE/NBS announcement on the 2023 electricity CO2 factors (公告2025年第47号), 表3: Hebei
    # 0.6516 kg CO2/kWh. A 2024 inventory takes the latest earlier year (2023).
    run = run_project(f"{HEADER}\nE1,plant,2024-03-31,外购电力,100,万千瓦时,CN-HE", sets=["cn_mee_grid"])
    loc = run.co2e_rows(scope2_method="location")
    assert loc["co2e_t"].sum() == pytest.approx(1_000_000 * 0.6516 / 1000, rel=1e-9)
    assert loc["region_used"][0] == "CN-HE" and loc["year_used"][0] == 2023


def test_location_based_falls_back_to_national(run_project):
    # A region with no provincial factor of its own in the set falls back along grid → country:
    # 表1 national 2023 average 0.5306 kg CO2/kWh.
    run = run_project(f"{HEADER}\nE1,plant,2024-03-31,electricity/grid,1000,MWh,CN", sets=["cn_mee_grid"])
    assert run.co2e(scope2_method="location") == pytest.approx(1000 * 0.5306, rel=1e-9)


def test_location_based_region_before_year_tibet(run_project):
    # Region before year (factors/resolve.py: region fallback level, then year distance). Tibet
    # (CN-XZ) has no factor of its own; its grid, Southwest China (CN-SWCG), has factors for 2021
    # and 2022 (MEE/NBS notices, 表2: 0.2113 and 0.2268 kg CO2/kWh) but none for 2023, when the
    # notice gives the national average (表1: 0.5306). Tibet in 2023 takes the Southwest grid's
    # latest earlier year, 2022, not the national 2023 factor.
    run = run_project(f"{HEADER}\nE1,plant,2023-06-30,electricity/grid,1000,MWh,CN-XZ", sets=["cn_mee_grid"], year=2023)
    loc = run.co2e_rows(scope2_method="location")
    assert loc["co2e_t"].sum() == pytest.approx(1000 * 0.2268, rel=1e-9)
    assert loc["region_used"].to_list() == ["CN-SWCG"] and loc["year_used"].to_list() == [2022]


def test_location_based_egrid_subregion(run_project):
    # EPA GHG Emission Factors Hub 2025 Table 6 (eGRID2023 total output), CAMX:
    # 436.655 lb CO2, 0.025 lb CH4, 0.003 lb N2O per MWh; 1 lb = 0.45359237 kg.
    run = run_project(f"{HEADER}\nE1,office,2024-03-31,electricity/grid,1000,MWh,US-CAMX", sets=["egrid"], country="US")
    lb = 0.45359237
    assert run.mass("CO2", scope2_method="location") == pytest.approx(436.655 * lb, rel=1e-9)
    assert run.mass("CH4", scope2_method="location") == pytest.approx(0.025 * lb, rel=1e-9)


def test_market_based_supplier_factor_and_no_double_use(run_project):
    # A supplier-specific factor applies to its MWh; an instrument is never used twice
    # (Scope 2 Quality Criterion 2): 300 MWh of certificates against 2 × 100 MWh leaves 100 MWh unused.
    rows = f"{HEADER}\nE1,plant,2024-03-31,electricity/grid,100,MWh,CN-HE\nE2,plant,2024-04-30,electricity/grid,100,MWh,CN-HE"
    credits = f"{CREDITS}\nG1,GEC,300,MWh,,plant,CN,2024,retired"
    run = run_project(rows, sets=["cn_mee_grid"], credits=credits)
    assert run.summary["totals"]["scope2_market"] == pytest.approx(0.0, abs=1e-9)
    codes = {w["code"] for w in run.summary["warnings"]}
    assert any("unused" in c for c in codes), codes

    credits = f"{CREDITS}\nS1,supplier_factor,200,MWh,0.3,plant,CN,2024,retired"
    run = run_project(rows, sets=["cn_mee_grid"], credits=credits)
    assert run.summary["totals"]["scope2_market"] == pytest.approx(200 * 0.3, rel=1e-9)


def test_certificate_of_another_country_is_not_applied(run_project):
    # Scope 2 Quality Criterion 6: instruments from the same market as the consumption.
    rows = f"{HEADER}\nE1,plant,2024-03-31,electricity/grid,100,MWh,CN-HE"
    credits = f"{CREDITS}\nR1,REC,100,MWh,,plant,US,2024,retired"
    run = run_project(rows, sets=["cn_mee_grid"], credits=credits)
    # not applied: the 100 MWh are uncovered and take the national factor excluding market-traded
    # non-fossil electricity (2023 notice, 表4: 0.6096 kg CO2/kWh; see the tests at the end)
    assert run.summary["totals"]["scope2_market"] == pytest.approx(100 * 0.6096, rel=1e-9)
    assert run.summary["warnings"]


def test_market_based_certificates_and_ppas_before_the_supplier_factor(run_project):
    # GHG Protocol Scope 2 Guidance Table 6.3 (market-based hierarchy): energy attribute
    # certificates and contracts such as PPAs come before supplier-specific emission rates.
    # 200 MWh bought (120 in March, 80 in September); a 50 MWh PPA and 100 MWh of GECs (zero
    # emission) cover 150 MWh, the supplier's rate of 0.3 kg CO2/kWh the other 50 MWh: 15 t, and
    # 150 of its 200 MWh are left unused. The ids sort against the hierarchy, so an order by id
    # would put the supplier first as well.
    rows = (
        f"{HEADER}\nE1,plant,2024-03-31,electricity/grid,120,MWh,CN-HE"
        "\nE2,plant,2024-09-30,electricity/grid,80,MWh,CN-HE"
    )
    credits = (
        f"{CREDITS}\nA-supplier,supplier_factor,200,MWh,0.3,plant,CN,2024,retired"
        "\nB-ppa,PPA,50,MWh,,plant,CN,2024,retired\nC-gec,GEC,100,MWh,,plant,CN,2024,retired"
    )
    run = run_project(rows, sets=["cn_mee_grid"], credits=credits)
    assert run.summary["totals"]["scope2_market"] == pytest.approx(50 * 0.3, rel=1e-9)
    assert run.co2e(scope2_method="market", factor_ids="credits:A-supplier") == pytest.approx(15.0, rel=1e-9)
    unused = [w["message_en"] for w in run.warnings if w["code"] == "scope2_instrument_unused"]
    assert unused == ["Scope 2 instrument A-supplier: 150.000 MWh not used (no matching consumption left)"]


@pytest.mark.parametrize(("vintage", "applied"), [(2024, True), (2023, False), (2025, False)])
def test_certificate_applies_only_in_its_vintage_year(run_project, vintage, applied):
    # Scope 2 Quality Criteria (Guidance Table 7.1): instruments are issued and redeemed as close
    # as possible to the period of the consumption they cover; the rule implemented
    # (methods/electricity.py, ``eligible``): the vintage is a year of the reporting period. In a
    # 2024 inventory GECs of 2023 or 2025 are not applied and the 100 MWh take the national factor
    # excluding market-traded non-fossil electricity (MEE/NBS 2023 factors, 表4: 0.6096 kg CO2/kWh).
    rows = f"{HEADER}\nE1,plant,2024-03-31,electricity/grid,100,MWh,CN-HE"
    credits = f"{CREDITS}\nG{vintage},GEC,100,MWh,,plant,CN,{vintage},retired"
    run = run_project(rows, sets=["cn_mee_grid"], credits=credits)
    expected = 0.0 if applied else 100 * 0.6096
    assert run.summary["totals"]["scope2_market"] == pytest.approx(expected, abs=1e-9)
    not_applied = [w["message_en"] for w in run.warnings if w["code"] == "scope2_instrument_not_applied"]
    if applied:
        assert not_applied == []
    else:
        assert not_applied == [
            f"Scope 2 instrument G{vintage} not applied: vintage {vintage} is outside the reporting period [2024]"
        ]


def test_why_a_certificate_is_not_applied_is_said_in_chinese_too():
    # The reason an instrument is set aside reaches the Chinese report (its warnings list): it was
    # English inside the Chinese sentence ("范围二合同工具 X 未使用：market CN does not cover …").
    instruments = pl.DataFrame(
        {
            "id": ["S", "V", "M"],
            "status": ["issued", "retired", "retired"],
            "vintage": [2024, 2023, 2024],
            "region": ["CN", "CN", "CN"],
            "facility_region": ["CN-HE", "CN-HE", "US-ERCT"],
        }
    )
    kept, warnings = electricity.eligible(instruments, [2024], {"CN-HE": ["CN-HE", "CN"], "US-ERCT": ["US"]})
    assert kept.height == 0
    assert [w["message_zh"] for w in warnings] == [
        "范围二合同工具 S 未使用：状态“issued”不是已注销（retired/cancelled）",
        "范围二合同工具 V 未使用：生产年份 2023 不在报告期 [2024] 内",
        "范围二合同工具 M 未使用：市场 CN 不覆盖设施所在地区 US-ERCT",
    ]
    assert (
        warnings[2]["message_en"]
        == "Scope 2 instrument M not applied: market CN does not cover the facility's region US-ERCT"
    )


def test_certificates_cover_the_consumption_of_their_vintage_year_in_a_period_of_several_years(run_project):
    # Scope 2 Quality Criteria (Guidance Table 7.1): an instrument covers consumption of its own
    # vintage. In a 2020-2024 inventory (a territory's five years) GECs of 2024 cover the 2024 MWh,
    # not the period's first months; the 2020 MWh keep Hebei's grid factor (MEE/NBS 2021 factors,
    # 表3: 0.7901 kg CO2/kWh, the nearest later year for 2020): no factor excluding market-traded
    # non-fossil electricity exists for 2020 or earlier, so the grid average stands in.
    rows = f"{HEADER}\nE2020,plant,2020-06-30,electricity/grid,100,MWh,CN-HE\nE2024,plant,2024-06-30,electricity/grid,100,MWh,CN-HE"
    credits = f"{CREDITS}\nG2024,GEC,100,MWh,,plant,CN,2024,retired"
    run = run_project(rows, sets=["cn_mee_grid"], credits=credits, year=2020, end_year=2024)
    market = run.co2e_rows(scope2_method="market")
    by_row = {r["id"]: 0.0 for r in market.iter_rows(named=True)}
    for r in market.iter_rows(named=True):
        by_row[r["id"]] += r["co2e_t"]
    assert by_row["E2024"] == pytest.approx(0.0, abs=1e-9)
    assert by_row["E2020"] == pytest.approx(100 * 0.7901, rel=1e-9)
    assert [w for w in run.warnings if w["code"] == "scope2_instrument_unused"] == []


# China, market-based: the uncovered consumption takes the MEE/NBS national factor that excludes
# market-traded non-fossil electricity (生态环境部 国家统计局《关于发布2023年电力二氧化碳排放因子的公告》
# 公告2025年第47号, 表4: 0.6096 kg CO2/kWh; 《关于发布2022年电力二氧化碳排放因子的公告》公告2024年第33号,
# 表4: 0.5856), of the consumption's year or the latest earlier one; the 2021 notice has no such table,
# so 2021 (and earlier) consumption falls back to the grid average, disclosed.
CN_EX_MARKET_2023 = 0.6096
CN_EX_MARKET_2022 = 0.5856


def test_market_based_china_uncovered_takes_the_factor_excluding_market_traded_non_fossil(run_project):
    rows = f"{HEADER}\nE1,plant,2024-03-31,外购电力,100,万千瓦时,CN-HE\nE2,plant,2024-06-30,外购电力,100,万千瓦时,CN-HE"
    credits = f"{CREDITS}\nG1,GEC,500,MWh,,plant,CN,2024,retired"
    run = run_project(rows, sets=["cn_mee_grid"], credits=credits)
    assert run.summary["totals"]["scope2_location"] == pytest.approx(2000 * 0.6516, rel=1e-9)
    assert run.summary["totals"]["scope2_market"] == pytest.approx(1500 * CN_EX_MARKET_2023, rel=1e-9)
    residual = run.co2e_rows(scope2_method="market").filter(~pl.col("factor_ids").str.starts_with("credits:"))
    assert set(residual["year_used"].to_list()) == {2023} and set(residual["region_used"].to_list()) == {"CN"}
    used = [w for w in run.warnings if w["code"] == "scope2_residual_factor"]
    assert len(used) == 1 and "0.6096 kg CO2/kWh" in used[0]["message_en"] and "0.6096" in used[0]["message_zh"]
    assert not [w for w in run.warnings if w["code"] == "scope2_grid_average_fallback"]


def test_market_based_china_year_without_the_factor_falls_back_to_the_grid_average(run_project):
    # 2021: no 表4 factor published for that year (nor an earlier one); the grid average (Hebei, 2021
    # notice 表3: 0.7901 kg CO2/kWh) stands in and the warning says so. 2022 takes its own 表4 value.
    rows = f"{HEADER}\nE2021,plant,2021-06-30,electricity/grid,100,MWh,CN-HE\nE2022,plant,2022-06-30,electricity/grid,100,MWh,CN-HE"
    run = run_project(rows, sets=["cn_mee_grid"], year=2021, end_year=2022)
    market = run.co2e_rows(scope2_method="market")
    by_row = {r["id"]: r["co2e_t"] for r in market.iter_rows(named=True)}
    assert by_row["E2021"] == pytest.approx(100 * 0.7901, rel=1e-9)
    assert by_row["E2022"] == pytest.approx(100 * CN_EX_MARKET_2022, rel=1e-9)
    fallback = [w for w in run.warnings if w["code"] == "scope2_grid_average_fallback"]
    assert len(fallback) == 1 and "2021" in fallback[0]["message_en"] and "grid average" in fallback[0]["message_en"]


def test_market_based_outside_china_keeps_the_grid_average(run_project):
    # No residual-type factor is bundled for the US: eGRID CAMX (EPA Hub 2025 Table 6) stands in, no warning.
    run = run_project(f"{HEADER}\nE1,office,2024-03-31,electricity/grid,1000,MWh,US-CAMX", sets=["egrid"], country="US")
    assert run.summary["totals"]["scope2_market"] == pytest.approx(run.summary["totals"]["scope2_location"], rel=1e-12)
    assert not [w for w in run.warnings if w["code"].startswith("scope2_residual") or "fallback" in w["code"]]
