"""The report's static charts (report/svg.py): text kept as text, ids of their own, and charts that do not
mislead: chosen and rejected measures told apart on the MACC, zero cost and zero potential visible."""

from __future__ import annotations

import re

import pytest

from dualcarbon.report import svg

CHOSEN, REJECTED = "chosen in the pathway", "not chosen"
ZERO_COST, ZERO_POTENTIAL = "cost per tonne about zero", "no potential in the curve's year"


def macc(measures: list[svg.Measure]) -> str:
    return str(svg.macc("chart-macc", "MACC", measures, "t CO2e a year", "CNY/t", CHOSEN, REJECTED, ZERO_COST,
                        ZERO_POTENTIAL))  # fmt: skip


def texts(chart: str) -> list[str]:
    return re.findall(r"<text[^>]*>([^<]*)</text>", chart)


def fills(chart: str) -> list[str]:
    return re.findall(r"fill: (#[0-9a-f]{6})", chart)


MEASURES = [
    svg.Measure("Waste-heat power", 10_000, -890.0, True),
    svg.Measure("Solar PV", 8_500, -466.0, True),
    svg.Measure("Amine capture", 600_000, 422.0, False),
]


def test_macc_tells_chosen_from_rejected_measures():
    """Before, every bar had one colour by the sign of its cost: a measure the pathway rejected looked like one
    it chose. Now chosen bars are green and the others grey, with a legend naming both."""
    chart = macc(MEASURES)
    assert CHOSEN in texts(chart) and REJECTED in texts(chart)
    assert fills(chart).count(svg.CHOSEN) >= 3  # two bars and the legend's patch
    assert fills(chart).count(svg.REJECTED) >= 2  # one bar and the legend's patch
    only_chosen = macc([m for m in MEASURES if m.chosen])
    assert REJECTED not in texts(only_chosen) and svg.REJECTED not in fills(only_chosen)


def test_macc_names_every_measure_not_its_code():
    chart = macc([*MEASURES, svg.Measure("降低熟料系数（增加矿渣、粉煤灰等混合材）", 74_000, -0.2, True)])
    words = " ".join(texts(chart))
    for name in ("Waste-heat power", "Solar PV", "Amine capture"):
        assert name in words, name
    # wrapped over lines, never cut short
    assert "降低熟料系数（增加矿渣、粉煤灰等混合材）" in "".join(texts(chart))


def test_a_zero_cost_measure_is_a_mark_not_an_invisible_bar():
    """A cost of (about) zero gives a bar of no height: it is drawn as a thick mark on the axis with a
    legend entry of its own (the cement example's lower clinker ratio costs -0.22 CNY/t)."""
    assert ZERO_COST not in texts(macc(MEASURES))
    chart = macc([*MEASURES, svg.Measure("Clinker ratio", 74_000, -0.22, True)])
    assert ZERO_COST in texts(chart)
    # a horizontal segment (one y) in the text colour, 4.5 pt thick, on the plot (clipped to it)
    marks = re.findall(
        r'<path d="M [\d.]+ ([\d.]+) \nL [\d.]+ \1 \n" clip-path[^>]*stroke: #1f2933; stroke-width: 4\.5', chart
    )
    assert len(marks) == 1, marks


def test_a_zero_potential_measure_is_a_point():
    chart = macc([*MEASURES, svg.Measure("Nothing left to abate", 0.0, 120.0, False)])
    assert ZERO_POTENTIAL in texts(chart) and "Nothing left to abate" in " ".join(texts(chart))


def test_text_is_text_in_the_page_font_and_ids_are_the_charts_own():
    chart = str(
        svg.waterfall("chart-w", "balance", [("absolute", "基准年 2020", 1000.0), ("total", "净排放", 0.0)], "吨")
    )
    assert chart.startswith('<figure class="chart" id="chart-w"><svg role="img" aria-label="balance"')
    assert "基准年 2020" in texts(chart) and "1,000" in texts(chart) and "吨" in texts(chart)
    assert "DejaVuSans-" not in chart and "NotoSans" not in chart  # no glyphs drawn as paths
    assert "font-family" not in chart  # the page's CJK font stack applies
    assert all(i.startswith("chart-w-") for i in re.findall(r'\bid="([^"]+)"', chart)[1:])
    assert "#chart-w *{" in chart  # matplotlib's stylesheet kept to this chart
    assert chart == str(
        svg.waterfall("chart-w", "balance", [("absolute", "基准年 2020", 1000.0), ("total", "净排放", 0.0)], "吨")
    )


def test_a_missing_cjk_font_does_not_fail(monkeypatch):
    monkeypatch.setitem(svg.RC, "font.sans-serif", ["No Such Font SC", "DejaVu Sans"])
    chart = str(svg.lines("chart-x", "x", ["2024-01", "2024-02"], [svg.Series("范围一", [1.0, 2.0])], "吨"))
    assert "范围一" in texts(chart)


@pytest.mark.parametrize("value, text", [(0, "0"), (1234567.8, "1,234,568"), (0.5, "0.5"), (12.5, "12.5")])
def test_axis_ticks(value, text):
    assert svg.thousands(value) == text
