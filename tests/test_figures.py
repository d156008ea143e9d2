"""How figures are written (dualcarbon.figures; docs/report.md "Figures"): the Chinese 万吨 and 亿元/万元,
whole tonnes in tables, money without fen; and format.js, the dashboard's copy of the same rules."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dualcarbon import figures

FORMAT_JS = Path(__file__).resolve().parents[1] / "src" / "dualcarbon" / "web" / "static" / "js" / "format.js"


def test_the_cement_plants_total_in_chinese_and_in_english():
    """The cement example's market-based total, 1,405,713.53 t: 140.57 万吨 CO2e in Chinese, 1,405,714 t in tables."""
    assert figures.co2e(1_405_713.53, "zh") == "140.57 万吨 CO2e"
    assert figures.co2e(1_405_713.53, "en") == "1,405,714 t CO2e"
    assert figures.tonnes(1_405_713.53) == "1,405,714"
    assert figures.co2e_parts(1_405_713.53, "zh") == ("140.57", "万吨 CO2e")


@pytest.mark.parametrize(
    ("tonnes", "shown"),
    [(99.756, "99.76"), (99.994, "99.99"), (100.0, "100"), (1_234.5, "1,235"), (-0.001, "0.00"), (0.0, "0.00")],
)
def test_tonnes_in_tables_are_whole_from_100_t(tonnes, shown):
    assert figures.tonnes(tonnes) == shown


def test_below_10000_t_chinese_keeps_tonnes():
    assert figures.co2e(9_999.4, "zh") == "9,999 吨 CO2e"
    assert figures.co2e(10_000, "zh") == "1.00 万吨 CO2e"
    assert figures.co2e(None, "zh") == "—"
    assert figures.co2e(1_157.79, "zh", gas="co2") == "1,158 吨 CO2"


def test_money_in_yuan_without_fen():
    """The cement pathway's discounted cost, -172,254,983 CNY: -1.72 亿元; 万元 from 10,000; 元 below."""
    assert figures.money(-172_254_983.4, "zh") == "-1.72 亿元"
    assert figures.money(350_000, "zh") == "35.00 万元"
    assert figures.money(8_000.49, "zh") == "8,000 元"
    assert figures.money(-172_254_983.4, "en") == "CNY -172,254,983"
    assert figures.money(5_000_000, "zh", "USD") == "500.00 万美元"
    assert figures.whole(1_234.56) == "1,235"


def test_a_chinese_table_of_large_tonnes_is_in_wan_tonnes():
    assert figures.scale([1_317_889.87, 1_096.35, 0.0], "zh") == figures.WAN
    assert figures.scale([1_317_889.87], "en") == 1.0
    assert figures.scale([9_000.0], "zh") == 1.0
    assert [figures.scaled(v, figures.WAN) for v in (1_317_889.87, 1_096.35, 0.0)] == ["131.79", "0.11", "0.00"]


def test_format_js_states_the_same_thresholds():
    """format.js mirrors figures.py: whole tonnes from 100 t, 万 from 10,000, 亿 from 10⁸ (the browser tests
    check the pages' figures against figures.py on the cement example)."""
    js = FORMAT_JS.read_text(encoding="utf-8")
    assert "const WAN = 1e4;" in js and "const YI = 1e8;" in js
    assert re.search(r"Math\.abs\(Number\(value\)\) >= 100 - 0\.005 \? 0 : 2", js)
    assert figures.WHOLE_FROM_T == 100.0 and figures.WAN == 1e4 and figures.YI == 1e8
