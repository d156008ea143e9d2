"""The report of a territory (GPC table, IPCC sectors, intensities, removals), of several years and
of indicators, from a summary shaped as the issue's contract says (tests/report/data/territory_summary.json,
made-up figures of an illustrative district).

Expected values are worked by hand from the fixture: GPC sector I (stationary energy) Scope 1 =
300,000 (I.1) + 200,000 (I.2) + 1,000,000 (I.3) = 1,500,000 t = 150.00 万吨; the IPCC sectors'
total 2,400,000 + 0 + 20,000 + 170,000 = 2,590,000 t = 259.00 万吨; BASIC 4,270,000 t = 427.00 万吨 and
BASIC+ 4,340,000 t = 434.00 万吨 as the summary gives them.
"""

from __future__ import annotations

import copy
import json
import re
from html import unescape
from pathlib import Path

import polars as pl
import pytest

from dualcarbon.i18n import translator
from dualcarbon.report import render_report
from dualcarbon.report.html import trend_series
from dualcarbon.report.territory import Scale, gpc_table, ipcc_name, ipcc_table, subject_sections, trend_rows

from .test_html import BY_SOURCE, FACTORS, INVENTORY, SUMMARY

TERRITORY = json.loads((Path(__file__).parent / "data" / "territory_summary.json").read_text(encoding="utf-8"))
EMPTY_INVENTORY = INVENTORY.clear()
EMPTY_SOURCES = BY_SOURCE.clear()
EMPTY_FACTORS = pl.DataFrame(schema={"factor_id": pl.String})


def render(summary: dict, lang: str) -> str:
    return render_report(summary, EMPTY_INVENTORY, EMPTY_SOURCES, EMPTY_FACTORS, lang)


def cells(html: str, attr: str, value: str, within: str | None = None) -> list[str]:
    """The texts of the cells of the first row ``<tr data-ATTR="VALUE">`` (inside the element with
    ``data-testid=within`` when given)."""
    if within is not None:
        html = re.search(rf'data-testid="{within}".*?</table>', html, re.S).group(0)
    row = re.search(rf'<tr[^>]*data-{attr}="{re.escape(value)}"[^>]*>(.*?)</tr>', html, re.S)
    assert row, f"no row data-{attr}={value}"
    return [
        re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", c))).strip()
        for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row.group(1), re.S)
    ]


def section_ids(html: str) -> list[str]:
    return re.findall(r'<section id="([^"]+)"', html)


@pytest.fixture(scope="module")
def zh() -> str:
    return render(TERRITORY, "zh")


@pytest.fixture(scope="module")
def en() -> str:
    return render(TERRITORY, "en")


def test_gpc_table_groups_subsectors_by_sector_with_subtotals():
    table = gpc_table(TERRITORY["territory"])
    assert [s["sector"] for s in table["sectors"]] == ["I", "II", "III", "IV", "V", "VI"]
    first = table["sectors"][0]
    # I.4.4 (energy supplied to the grid) is a line of sub-sector I.4 in scope 1, like I.4.1, but
    # reported apart from BASIC and BASIC+ (GPC Ch. 4): a row of its own, not in the subtotal
    assert [s["sector"] for s in first["subsectors"]] == ["I.1", "I.2", "I.3", "I.4", "I.4.4"]
    assert [s["apart"] for s in first["subsectors"]] == [False, False, False, False, True]
    assert first["co2e_t"] == {"1": 1_500_000.0, "2": 1_700_000.0, "3": None}
    assert first["total_t"] == 3_200_000.0
    # a notation key is no figure: I.1 Scope 3 (NE) adds nothing, IV.1 (NO) leaves the sector empty
    assert first["subsectors"][0]["co2e_t"] == 800_000.0
    assert table["sectors"][3]["total_t"] is None
    # III.1.3 (waste from outside the city, 8,000 t) is shown but not in sector III's subtotal
    waste = table["sectors"][2]
    assert [(s["sector"], s["co2e_t"], s["apart"]) for s in waste["subsectors"]][:2] == [
        ("III.1", 120_000.0, False),
        ("III.1.3", 8_000.0, True),
    ]
    assert waste["total_t"] == 170_000.0
    assert [(g["notation"], len(g["cells"])) for g in table["notation_groups"]] == [
        ("NE", 1),
        ("NO", 2),
        ("IE", 1),
        ("NO", 1),
    ]
    assert [(n["sector"], n["scope"], n["notation"]) for n in table["notations"]] == [
        ("I.1", "3", "NE"),
        ("I.4", "1", "NO"),
        ("I.4.4", "1", "IE"),
        ("IV.1", "1", "NO"),
        ("VI.1", "3", "NO"),
    ]
    assert (table["basic_t"], table["basic_plus_t"]) == (4_270_000.0, 4_340_000.0)


def test_ipcc_table_keeps_removals_and_electricity_imports_apart():
    table = ipcc_table(TERRITORY["territory"])
    assert [r["sector"] for r in table["sectors"]] == ["1", "2", "3", "4"]
    assert table["total_t"] == 2_590_000.0
    assert table["lulucf_t"] == -60_000.0
    assert table["indirect_electricity_t"] == 1_700_000.0
    assert [r["category"] for r in table["categories"]][:4] == ["1.A.2", "1.A.3.b", "1.A.4.a", "1.A.4.b"]


def test_ipcc_category_names_from_the_catalogue_or_the_mapping_table_or_the_parent():
    zh = translator("zh")
    assert ipcc_name("1.A.4.b", "zh", zh) == "居民生活"  # catalogue
    assert ipcc_name("1.B.1", "en", translator("en")) == "Fugitive emissions: solid fuels"  # gpc_mapping.csv
    assert ipcc_name("2.F.1", "zh", zh) == ipcc_name("2.F", "zh", zh) != ""  # nearest parent
    assert ipcc_name("9.Z", "zh", zh) == ""


def test_scale_shows_10k_tonnes_and_100_million_yuan_in_chinese_and_tonnes_in_english():
    zh, en = Scale(translator("zh")), Scale(translator("en"))
    assert (zh.co2e(4_340_000.0), zh.co2e_unit) == ("434.00", "万吨二氧化碳当量")
    assert (en.co2e(4_340_000.0), en.co2e_unit) == ("4,340,000.00", "t CO2e")
    assert zh.gdp(12_000_000.0, "万元") == ("1,200.00", "亿元")
    assert en.gdp(1200.0, "亿元") == ("1,200.00", "亿元")
    assert zh.gdp(5.0e9, "USD") == ("5,000,000,000.00", "USD")  # not a yuan unit: kept as given
    assert zh.co2e(None) == "—"


def test_territory_sections_replace_the_corporate_ones(zh):
    ids = section_ids(zh)
    assert ids[:6] == ["organization", "territory-key-figures", "gpc", "ipcc", "intensity", "removals"]
    for corporate in ("key-figures", "breakdown", "categories", "scope3", "iso-categories"):
        assert corporate not in ids
    assert {"trend", "indicators"} <= set(ids)
    toc = re.search(r'<nav id="contents".*?</nav>', zh, re.S).group(0)
    assert "城市温室气体核算国际标准（GPC）" in toc and "逐年趋势" in toc and "指标与目标" in toc


def test_gpc_rows_in_10k_tonnes_with_notation_keys_and_basic_totals(zh):
    assert cells(zh, "subsector", "I.1", "gpc") == ["I.1 居民建筑", "30.00", "50.00", "NE", "80.00"]
    assert cells(zh, "subsector", "II.4", "gpc") == ["II.4 航空", "", "", "5.00", "5.00"]
    assert cells(zh, "subsector", "IV.1", "gpc") == ["IV.1 工业生产过程", "NO", "", "", "—"]
    assert cells(zh, "subsector", "III.1.3", "gpc") == ["III.1.3 城市外产生、在城市内处置 †", "0.80", "", "", "0.80"]
    assert cells(zh, "subsector", "VI.1", "gpc") == ["VI.1 其他范围三 †", "", "", "NO", "—"]
    assert cells(zh, "total", "basic", "gpc") == ["BASIC 口径", "", "427.00"]
    assert cells(zh, "total", "basic_plus", "gpc") == ["BASIC+ 口径", "", "434.00"]
    sector_i = re.search(r'data-sector="I">.*?</tbody>', zh, re.S).group(0)
    assert re.search(r"小计</td>\s*<td class=\"num\">150.00</td><td class=\"num\">170.00</td>", sector_i)
    sector_iii = re.search(r'data-sector="III">.*?</tbody>', zh, re.S).group(0)
    assert re.search(r"小计</td>\s*<td class=\"num\">17.00</td>", sector_iii)
    assert "万吨二氧化碳当量" in zh
    # the notation keys with their reasons, in the page's language, grouped by key and reason
    assert cells(zh, "notation", "IE", "notations") == [
        "IE（已计入其他部分）",
        "区内热电厂供电的排放已计入电网调入电力",
        "I.4.4 范围一",
    ]
    assert cells(zh, "notation", "NO", "notations") == [
        "NO（未发生）",
        "本行无活动数据（不发生）",
        "I.4 范围一；VI.1 范围三",
    ]
    notations = re.search(r'data-testid="notations".*?</table>', zh, re.S).group(0)
    assert "区内无水泥、钢铁等工业过程" in notations and notations.count('data-notation="NO"') == 2


def test_english_keeps_tonnes_and_english_reasons(en):
    assert cells(en, "subsector", "I.1", "gpc") == [
        "I.1 Residential buildings",
        "300,000.00",
        "500,000.00",
        "NE",
        "800,000.00",
    ]
    assert cells(en, "total", "basic_plus", "gpc")[-1] == "4,340,000.00"
    assert cells(en, "notation", "NE", "notations") == [
        "NE (not estimated)",
        "Transmission and distribution losses not estimated",
        "I.1 Scope 3",
    ]
    assert cells(en, "sector", "1", "ipcc") == ["Energy", "2,400,000.00"]


def test_ipcc_sectors_in_the_provincial_guideline_view(zh):
    assert [cells(zh, "sector", code, "ipcc") for code in ("1", "2", "3", "4")] == [
        ["能源活动", "240.00"],
        ["工业生产过程", "0.00"],
        ["农业", "2.00"],
        ["废弃物处理", "17.00"],
    ]
    assert cells(zh, "sector", "total", "ipcc") == ["排放合计（不含土地利用变化和林业）", "259.00"]
    assert cells(zh, "sector", "lulucf", "ipcc") == ["土地利用变化和林业（碳汇）", "-6.00"]
    assert cells(zh, "sector", "indirect_electricity", "ipcc") == ["电力调入调出间接排放", "170.00"]
    assert cells(zh, "category", "1.A.4.b", "ipcc-categories") == ["1.A.4.b", "居民生活", "30.00"]


def test_intensity_and_key_figures(zh):
    # 4,340,000 t / 2,000,000 persons; 4,340,000 t / (1,200 亿元 = 12,000,000 万元); 3,000,000 tce / 12,000,000 万元
    assert cells(zh, "figure", "per_capita", "intensity") == ["人均排放", "2.170", "吨二氧化碳当量/人"]
    assert cells(zh, "figure", "per_gdp", "intensity") == ["单位地区生产总值排放", "0.362", "吨二氧化碳当量/万元"]
    assert cells(zh, "figure", "energy_intensity", "intensity")[1] == "0.250"
    assert "1,200.00 亿元（2020 年不变价）" in zh
    assert "2,000,000 人" in zh
    card = re.search(r'data-figure="removals">(.*?)</div>\s*</div>', zh, re.S).group(1)
    assert "6.00" in card


def test_trend_table_and_chart_for_each_year(zh):
    assert cells(zh, "year", "2023", "trend") == [
        "2023",
        "448.35",
        "455.70",
        "252.00",
        "0.00",
        "2.10",
        "17.85",
        "178.50",
        "5.50",
    ]
    assert cells(zh, "year", "2024", "trend")[:3] == ["2024", "427.00", "434.00"]
    assert cells(zh, "year", "2023", "trend-intensity") == [
        "2023",
        "1,990,000",
        "1,150.00 亿元",
        "2.290",
        "0.396",
        "0.274",
    ]
    chart = re.search(r'id="chart-trend".*?</figure>', zh, re.S).group(0)
    assert ">BASIC+ 排放</text>" in chart and ">碳汇清除量</text>" in chart and ">万吨二氧化碳当量</text>" in chart
    # removals drawn below zero, never netted: -5.5 and -6.0 (万吨)
    t = translator("zh")
    bars, lines, unit = trend_series(trend_rows(TERRITORY), True, Scale(t), t)
    assert {s.name: list(s.values) for s in bars}["碳汇清除量"] == [-5.5, -6.0]
    assert [s.name for s in lines] == ["BASIC+ 排放", "BASIC 排放"] and unit == "万吨二氧化碳当量"


def test_indicators_with_target_direction_and_status(zh, en):
    assert cells(zh, "indicator", "forest_cover", "indicators") == [
        "森林覆盖率（%）",
        "34",
        "35（2025 年）",
        "越高越好",
        "进展符合预期",
        "区统计公报（示例）",
    ]
    assert cells(zh, "indicator", "pm25", "indicators")[3:5] == ["越低越好", "已达成"]
    assert cells(zh, "indicator", "nev_share", "indicators")[2:5] == ["—", "", "未设目标"]
    assert cells(en, "indicator", "forest_cover", "indicators")[3:5] == ["higher is better", "on track"]
    for i in range(3):
        assert f'id="chart-indicator-{i}"' in zh
    chart = re.search(r'id="chart-indicator-0".*?</figure>', zh, re.S).group(0)
    # the years 2023 to the target year 2025 on the axis, whole years only
    assert re.findall(r"<text[^>]*>(20\d\d)</text>", chart) == ["2023", "2024", "2025"]


def test_territory_of_one_year_has_no_trend():
    summary = copy.deepcopy(TERRITORY) | {"by_year": TERRITORY["by_year"][:1]}
    html = render(summary, "zh")
    assert "trend" not in section_ids(html)
    assert "gpc" in section_ids(html)


def test_multi_year_organisation_gets_a_trend_and_keeps_its_corporate_sections():
    years = [
        {"year": 2023, "scope1": 800000.0, "scope2_location": 61000.0, "scope2_market": 59000.0, "scope3": 11000.0,
         "total_location": 872000.0, "total_market": 870000.0, "biogenic_co2": 1000.0, "territory": None},
        {"year": 2024, "scope1": 812345.6, "scope2_location": 60123.4, "scope2_market": 58000.0, "scope3": 12000.0,
         "total_location": 884469.0, "total_market": 882345.6, "biogenic_co2": 1234.5, "territory": None},
    ]  # fmt: skip
    summary = copy.deepcopy(SUMMARY) | {"by_year": list(reversed(years)), "territory": None}
    html = render_report(summary, INVENTORY, BY_SOURCE, FACTORS, "en")
    ids = section_ids(html)
    assert {"key-figures", "categories", "scope3", "trend"} <= set(ids)
    assert not {"gpc", "ipcc", "territory-key-figures", "indicators"} & set(ids)
    assert ids.index("monthly") < ids.index("trend") < ids.index("sources")
    assert cells(html, "year", "2023", "trend") == [
        "2023", "800,000", "61,000", "59,000", "11,000", "872,000", "870,000", "1,000",
    ]  # fmt: skip
    assert 'id="chart-trend"' in html


def test_organisation_of_one_year_with_indicators():
    summary = copy.deepcopy(SUMMARY) | {
        "by_year": [{"year": 2024, "scope1": 1.0, "territory": None}],
        "indicators": TERRITORY["indicators"][:1],
    }
    ids = section_ids(render_report(summary, INVENTORY, BY_SOURCE, FACTORS, "zh"))
    assert "trend" not in ids and "indicators" in ids


def test_subject_sections_are_language_neutral_and_json():
    sections = subject_sections(TERRITORY)
    assert json.loads(json.dumps(sections)) == sections
    assert [r["year"] for r in sections["trend"]] == [2023, 2024]
    assert trend_rows({"by_year": None}) == []
    assert subject_sections(SUMMARY) == {"territory": None, "trend": [], "indicators": []}


def test_a_territory_run_by_the_cli_reports_its_own_summary(tmp_path):
    """End to end on the territory core's hand-made district (tests/territory/territory_project.py), two
    years: the report's BASIC, BASIC+ and IPCC energy figures are those of the run's summary.json, in
    万吨; one GPC row per sub-sector (and per line reported apart); one trend row per year."""
    from territory import territory_project
    from typer.testing import CliRunner

    from dualcarbon.cli import app

    root = territory_project.write(tmp_path / "district", start=2023, end=2024, scale={2023: 1.1})
    result = CliRunner().invoke(app, ["run", str(root), "--lang", "zh"])
    assert result.exit_code == 0, result.output
    summary = json.loads((root / "out" / "summary.json").read_text(encoding="utf-8"))
    html = (root / "out" / "report.html").read_text(encoding="utf-8")
    block, scale = summary["territory"], Scale(translator("zh"))
    assert cells(html, "total", "basic", "gpc")[-1] == scale.co2e(block["gpc"]["basic"])
    assert cells(html, "total", "basic_plus", "gpc")[-1] == scale.co2e(block["gpc"]["basic_plus"])
    energy = next(r["co2e_t"] for r in block["ipcc"]["by_sector"] if r["sector"] == "1")
    assert cells(html, "sector", "1", "ipcc") == ["能源活动", scale.co2e(energy)]
    lines = block["gpc"]["by_subsector"]
    rows = set(re.findall(r'<tr data-subsector="([^"]+)"', re.search(r'data-testid="gpc".*?</table>', html, re.S)[0]))
    assert {r["sector"] for r in lines} <= rows and "I.4.4" in rows
    assert [int(y) for y in re.findall(r'<tr data-year="(\d+)"', html)[:2]] == [2023, 2024]
    assert "key-figures" not in section_ids(html) and "gpc" in section_ids(html)


@pytest.mark.parametrize(
    "lang, note",
    [
        ("zh", "报告期（2023-01-01 至 2024-12-31）合计，单位：吨二氧化碳当量；区域指标（上文）为最后一年。"),
        ("en", "Totals of the whole period (2023-01-01 to 2024-12-31), in t CO2e; the territory figures above"),
    ],
)
def test_regression_facilities_of_a_territory_say_they_are_the_whole_period_in_tonnes(lang, note):
    # Before: between the last year's figures in 万吨 the facilities table gave the whole period's sums in
    # tonnes with only "单位：吨二氧化碳当量" (daxing: 交通 9,538,612.03 next to BASIC+ 907.25 万吨 for 2024).
    summary = dict(
        TERRITORY,
        by_facility=[{"facility": "交通", "scope1": 1.0, "scope2_location": 2.0, "scope2_market": 2.0, "scope3": 0.0}],
    )
    html = render(summary, lang)
    facilities = html[html.index('<section id="facilities">') :]
    assert note in facilities[: facilities.index("</section>")]
