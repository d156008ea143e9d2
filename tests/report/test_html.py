"""The HTML report: self-contained, translated, escaped; and the i18n catalogues behind it.

The figures are made up; the totals follow DESIGN.md ("Outputs"): total_location =
scope1 + scope2_location + scope3 and total_market likewise.
"""

from __future__ import annotations

import copy
import re

import polars as pl
import pytest

from dualcarbon.i18n import catalogue, languages, translator
from dualcarbon.report import render_report
from dualcarbon.report.html import breakdown_series, waterfall_steps

SUMMARY = {
    "schema": "dualcarbon.summary/1",
    "generator": "dualcarbon 0.1.0",
    "organization": {"name": "某水泥有限公司", "boundary": "operational_control"},
    "period": {"start": "2024-01-01", "end": "2024-12-31"},
    "gwp_set": "AR5",
    "unit": "t CO2e",
    "totals": {
        "scope1": 812345.6,
        "scope2_location": 60123.4,
        "scope2_market": 58000.0,
        "scope3": 12000.0,
        "total_location": 884469.0,
        "total_market": 882345.6,
        "biogenic_co2": 1234.5,
    },
    "by_gas": [
        {"gas": "CO2", "mass_t": 870000.0, "co2e_t": 870000.0},
        {"gas": "CH4", "mass_t": 500.0, "co2e_t": 14000.0},
        {"gas": "HFC-134a", "mass_t": 0.0125, "co2e_t": 16.25},
    ],
    "by_category": [
        {"scope": "1", "category": "1.stationary", "co2e_t": 300000.0},
        {"scope": "1", "category": "1.process", "co2e_t": 512345.6},
        {"scope": "2", "category": "2.electricity", "scope2_method": "location", "co2e_t": 55123.4},
        {"scope": "2", "category": "2.electricity", "scope2_method": "market", "co2e_t": 53000.0},
        {"scope": "2", "category": "2.heat", "scope2_method": "both", "co2e_t": 5000.0},
        {"scope": "3", "category": "3.4", "co2e_t": 9000.0},
        {"scope": "3", "category": "3.6", "co2e_t": 3000.0},
    ],
    "by_facility": [
        {"facility": "一号窑", "scope1": 812345.6, "scope2_location": 60123.4, "scope2_market": 58000.0, "scope3": 0.0},
        {"facility": "", "scope1": 0.0, "scope2_location": 0.0, "scope2_market": 0.0, "scope3": 12000.0},
    ],
    "by_month": [
        {
            "month": "2024-01",
            "scope1": 400000.0,
            "scope2_location": 30000.0,
            "scope2_market": 29000.0,
            "scope3": 6000.0,
        },
        {
            "month": "2024-02",
            "scope1": 412345.6,
            "scope2_location": 30123.4,
            "scope2_market": 29000.0,
            "scope3": 6000.0,
        },
    ],
    "by_iso_category": [
        {"category": "1", "co2e_t": 812345.6},
        {"category": "2", "co2e_t": 60123.4},
        {"category": "3", "co2e_t": 12000.0},
    ],
    "factor_sets": [
        {"factor_set": "ipcc2006", "dataset": "IPCC 2006 Guidelines", "version": "2006", "sha256": "ab" * 32}
    ],
    "warnings": [
        {
            "code": "instrument_ignored",
            "message_en": "GEC batch G1 was not applied",
            "message_zh": "绿证批次 G1 未被采用",
        }
    ],
    "neutrality": None,
    "activity_rows": 4,
    "emission_rows": 9,
}

NEUTRALITY = {
    "standard": "ISO14068-1",
    "subject": "organization",
    "status": "not achieved",
    "balance": {"emissions": 884469.0, "reductions": 1000.0, "removals": 200.0, "credits": 5000.0, "net": 879269.0},
    "checks": [
        {
            "id": "plan",
            "clause": "ISO 14068-1:2023 9.2",
            "status": "passed",
            "reason_zh": "已提供碳中和管理计划",
            "reason_en": "a carbon neutrality management plan is provided",
        },
        {
            "id": "credits_cover",
            "clause": "ISO 14068-1:2023 9.4",
            "status": "failed",
            "reason_zh": "碳信用不足以抵消剩余排放",
            "reason_en": "credits do not cover the residual emissions",
        },
    ],
}

INVENTORY = pl.DataFrame(
    {
        "scope": ["1", "1", "2", "2", "2", "3", "3"],
        "category": ["1.stationary", "1.process", "2.electricity", "2.electricity", "2.heat", "3.4", "3.6"],
        "iso_category": ["1", "1", "2", "2", "2", "3", "3"],
        "facility": ["一号窑", "一号窑", "一号窑", "一号窑", "一号窑", None, None],
        "scope2_method": [None, None, "location", "market", None, None, None],
        "co2e_t": [300000.0, 512345.6, 55123.4, 53000.0, 5000.0, 9000.0, 3000.0],
    },
    schema_overrides={"scope2_method": pl.String},
)

BY_SOURCE = pl.DataFrame(
    {
        "activity": ["process/cement_clinker", "electricity/grid", "travel/air/long_haul"],
        "activity_name_en": ["Cement clinker", "Grid electricity", None],
        "activity_name_zh": ["水泥熟料", "电网电力", None],
        "scope": ["1", "2", "3"],
        "category": ["1.process", "2.electricity", "3.6"],
        "quantity": [1000000.0, 9.6, 2500000.0],
        "unit": ["t", "万千瓦时", "passenger km"],
        "co2e_t": [512345.6, 55123.4, 3000.0],
    }
)

FACTORS = pl.DataFrame(
    {
        "activity": ["process/cement_clinker"],
        "gas": ["CO2"],
        "factor_set": ["ipcc2006"],
        "dataset": ["IPCC 2006 Guidelines"],
        "version": ["2006"],
        "table": ["Vol. 3 Ch. 2 Eq. 2.4"],
        "citation": ["IPCC 2006 GL Vol. 3 Ch. 2 §2.2.1.1"],
        "value": [0.52],
        "unit": ["t / t"],
        "region": ["GLOBAL"],
        "year": [None],
    }
)


def render(lang: str, **changes) -> str:
    summary = copy.deepcopy(SUMMARY) | changes
    return render_report(summary, INVENTORY, BY_SOURCE, FACTORS, lang)


@pytest.fixture(scope="module", params=["zh", "en"])
def report(request) -> tuple[str, str]:
    return request.param, render(request.param)


def test_tonnes_in_tables_are_whole_from_100_t(report):
    """Tables write whole tonnes from 100 t (docs/report.md, "Figures"): 812,345.60 t is "812,346"."""
    lang, html = report
    totals = ("884,469", "882,346") if lang == "en" else ()  # in Chinese the totals are key figures in 万吨
    for text in ("812,346", "60,123", "58,000", "12,000", "1,235", *totals):  # 1,234.50 t: half up, as format.js
        assert f">{text}<" in html, text
    assert "812,345.60" not in html


def test_key_figures_in_wan_tonnes_in_chinese(report):
    """The key figures: 万吨 CO2e in Chinese from 10,000 t (81.23 万吨), tonnes in English."""
    lang, html = report
    cards = html[html.index('<section id="key-figures">') : html.index("</section>", html.index('id="key-figures"'))]
    if lang == "zh":
        assert '<div class="value">81.23</div>' in cards and '<div class="unit">万吨 CO2e</div>' in cards
    else:
        assert '<div class="value">812,346</div>' in cards and "万" not in cards


def test_headings_translated():
    zh, en = render("zh"), render("en")
    for text in (
        "温室气体排放清单",
        "范围一",
        "范围二（基于位置）",
        "范围二（基于市场）",
        "范围三",
        "生物质二氧化碳（单独报告）",
        "吨二氧化碳当量",
        "运营控制权法",
        "按排放源划分的排放",
        "外购商品和服务",
        "商务差旅",
        "水泥熟料",
        "直接温室气体排放和清除",
    ):
        assert text in zh, text
    for text in (
        "Greenhouse gas inventory",
        "Scope 2 (location-based)",
        "Scope 2 (market-based)",
        "Biogenic CO2 (reported separately)",
        "Operational control",
        "Business travel",
        "Cement clinker",
        "GHG Protocol Scope 2 Guidance",
    ):
        assert text in en, text
    assert '<html lang="zh-CN">' in zh and '<html lang="en">' in en
    assert "Scope 2 (location-based)" not in zh


def test_activity_without_name_falls_back_to_key(report):
    assert report[1].count("travel/air/long_haul") == 1


def test_all_fifteen_scope3_categories_listed(report):
    _, html = report
    section = html[html.index('id="scope3"') : html.index('id="iso-categories"')]
    assert all(f"<td>3.{i}</td>" in section for i in range(1, 16))


def test_self_contained_no_external_loads(report):
    _, html = report
    assert not re.search(r"<script[^>]*\bsrc\s*=", html, re.I)
    assert "<link" not in html.lower()
    assert "@import" not in html
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", html, re.I)
    assert "Noto Sans CJK SC" in html


def test_charts_are_inline_svg_with_text_and_no_script(report):
    """Before, plotly.js (4.9 MB) was embedded in every report.html and each chart drawn by a script;
    now each chart is a static SVG whose words are text elements (searchable, set in the page's font)."""
    lang, html = report
    t = translator(lang)
    assert "<script" not in html and "plotly" not in html.lower()
    charts = re.findall(r'<figure class="chart" id="(chart-[\w-]+)"><svg (.*?)</svg>', html, re.S)
    assert [chart_id for chart_id, _ in charts] == ["chart-breakdown", "chart-monthly"]
    for _, svg in charts:
        assert 'role="img"' in svg and "<text" in svg
        assert "font-family" not in svg  # the text takes the page's font stack (CJK first)
    breakdown = charts[0][1]
    stationary = {"en": "Stationary combustion", "zh": "固定燃烧"}[lang]
    for word in (t("totals.scope1"), t("totals.scope2_location"), stationary, t("unit.t_co2e")):
        assert f">{word}</text>" in breakdown, word
    # the ids of each chart are its own: several charts in one page never share one
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    assert len(html.encode()) < 200_000


def test_no_charts_no_svg():
    empty = INVENTORY.clear()
    html = render_report(
        copy.deepcopy(SUMMARY) | {"by_month": SUMMARY["by_month"][:1]}, empty, BY_SOURCE, FACTORS, "en"
    )
    assert "<svg" not in html and "<script" not in html


def test_neutrality_only_when_present():
    assert 'id="neutrality"' not in render("zh")
    zh, en = render("zh", neutrality=NEUTRALITY), render("en", neutrality=NEUTRALITY)
    assert 'id="neutrality"' in zh and 'id="neutrality"' in en
    for text in ("碳中和评价", "未实现碳中和", "符合", "不符合", "碳信用不足以抵消剩余排放", "879,269"):
        assert text in zh, text
    for text in ("Carbon neutrality not achieved", "Passed", "Failed", "credits do not cover the residual emissions"):
        assert text in en, text


def test_organization_name_is_escaped():
    html = render("en", organization={"name": "<script>alert(1)</script> & Co", "boundary": "equity_share"})
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in html


def test_chart_labels_are_escaped():
    inventory = INVENTORY.with_columns(pl.lit("</text><script>alert(1)</script>").alias("category"))
    html = render_report(SUMMARY, inventory, BY_SOURCE, FACTORS, "en")
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html


def test_breakdown_counts_scope2_rows_without_method_in_both_bars():
    # 2.heat has scope2_method null: the same 5,000 t in the location- and market-based bars.
    t = translator("en")
    names = {"2.heat": "Purchased heat and steam", "2.electricity": "Purchased electricity"}
    bars, series, totals = breakdown_series(INVENTORY, names, t)
    values = {s.name: dict(zip(bars, s.values, strict=True)) for s in series}
    # categories are named, not coded (a name missing from the catalogue falls back to its code)
    assert values["Purchased heat and steam"]["Scope 2 (location-based)"] == 5000.0
    assert values["Purchased heat and steam"]["Scope 2 (market-based)"] == 5000.0
    assert values["Purchased electricity"]["Scope 2 (location-based)"] == 55123.4
    assert values["Purchased electricity"]["Scope 2 (market-based)"] == 53000.0
    assert totals[bars.index("Scope 2 (location-based)")] == pytest.approx(60123.4)


def test_breakdown_chart_names_categories_not_codes():
    html = render("en")
    chart = re.search(r'id="chart-breakdown".*?</figure>', html, re.S).group(0)
    assert ">Purchased electricity</text>" in chart and ">Stationary combustion</text>" in chart
    assert ">2.electricity" not in chart and ">1.stationary" not in chart
    assert ">60,123</text>" in chart  # each bar's total at its end


def test_warnings_in_chosen_language():
    assert "绿证批次 G1 未被采用" in render("zh")
    assert "GEC batch G1 was not applied" in render("en")


def test_unknown_language_is_rejected():
    with pytest.raises(ValueError, match="fr"):
        render("fr")


def test_translator_formats_and_falls_back():
    zh = translator("zh")
    assert zh("cli.wrote", path="out/report.html") == "已写入 out/report.html"
    assert translator("en")("cli.problems_found", n=3) == "3 problem(s) found"
    assert zh("no.such.key") == "no.such.key"


def test_translator_falls_back_to_english(monkeypatch):
    import dualcarbon.i18n as i18n

    only_title = {"report.title": "温室气体排放清单"}
    real = i18n.catalogue
    monkeypatch.setattr(i18n, "catalogue", lambda lang: only_title if lang == "zh" else real(lang))
    t = i18n.translator("zh")
    assert t("report.title") == "温室气体排放清单"
    assert t("totals.scope1") == "Scope 1"


def test_unknown_language_raises_value_error():
    with pytest.raises(ValueError, match="'fr'"):
        translator("fr")


def test_catalogues_have_the_same_keys_and_placeholders():
    assert languages() == ["en", "zh"]
    en, zh = catalogue("en"), catalogue("zh")
    assert set(en) == set(zh)
    fields = re.compile(r"\{(\w+)\}")
    for key in en:
        assert set(fields.findall(en[key])) == set(fields.findall(zh[key])), key


def test_chinese_catalogue_uses_established_terms():
    t = translator("zh")
    assert [t(f"totals.{k}") for k in ("scope1", "scope2_location", "scope2_market", "scope3", "biogenic_co2")] == [
        "范围一",
        "范围二（基于位置）",
        "范围二（基于市场）",
        "范围三",
        "生物质二氧化碳（单独报告）",
    ]
    assert t("unit.t_co2e") == "吨二氧化碳当量"


def test_neutrality_waterfall_follows_the_iso_order():
    # ISO 14068-1 order: base year → reductions → the period's emissions (a total) → removals → credits → net.
    balance = NEUTRALITY["balance"] | {
        "base_year": 2020,
        "base_year_emissions": 885469.0,
        "reductions": 1000.0,
        "net": 884469.0 - 200.0 - 5000.0,
    }
    kinds, labels, values = zip(*waterfall_steps(balance, translator("en")), strict=True)
    assert list(labels) == [
        "Base year 2020",
        "Reductions against the base year",
        "Emissions",
        "Own removals",
        "Credits applied to the residual",
        "Net balance",
    ]
    assert list(kinds) == ["absolute", "relative", "total", "relative", "relative", "total"]
    assert values[1] == -1000.0 and values[3] == -200.0 and values[4] == -5000.0
    assert waterfall_steps(balance, translator("zh"))[0][1] == "基准年 2020"


def test_neutrality_waterfall_bars_carry_their_values():
    """Each bar of the waterfall is labelled with its value: a reader need not estimate it from the axis
    (before, the values showed only on hover, and never in the PDF)."""
    balance = NEUTRALITY["balance"] | {
        "base_year": 2020,
        "base_year_emissions": 885469.0,
        "reductions": 1000.0,
        "net": 884469.0 - 200.0 - 5000.0,
    }
    en = render("en", neutrality=NEUTRALITY | {"balance": balance})
    chart = re.search(r'id="chart-waterfall".*?</figure>', en, re.S).group(0)
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", chart)
    for value in ("885,469", "−1,000", "884,469", "−200", "−5,000", "879,269"):
        assert value in texts, (value, texts)
    assert "Net balance" in texts and "t CO2e" in texts


def test_neutrality_waterfall_without_base_year_starts_at_emissions():
    steps = waterfall_steps(NEUTRALITY["balance"], translator("en"))
    assert steps[0][:2] == ("absolute", "Emissions") and steps[-1][1] == "Net balance"


def test_neutrality_claim_or_what_is_missing():
    achieved = NEUTRALITY | {
        "status": "achieved",
        "claim": {"en": "X is carbon neutral", "zh": "X 实现碳中和", "wording_status": "unverified"},
    }
    assert "X is carbon neutral" in render("en", neutrality=achieved) and "X 实现碳中和" in render(
        "zh", neutrality=achieved
    )
    missing = NEUTRALITY | {
        "missing": [
            {
                "check": "credits_cover",
                "reason_en": "short by 5 t",
                "reason_zh": "缺 5 吨",
                "remedy_en": "retire 5 t more",
                "remedy_zh": "再注销 5 吨",
            }
        ]
    }
    en, zh = render("en", neutrality=missing), render("zh", neutrality=missing)
    assert "No carbon-neutrality claim may be made" in en and "retire 5 t more" in en
    assert "不得作出碳中和声明" in zh and "再注销 5 吨" in zh


def test_regression_head_counts_and_persons_are_named_in_the_sources_table(tmp_path):
    # Before: the sources table showed the base unit's internal name, "count", for animals (头 in the file)
    # and for persons served by wastewater treatment, in Chinese and in English alike.
    from typer.testing import CliRunner

    from dualcarbon.cli import app

    root = tmp_path / "dairy"
    assert CliRunner().invoke(app, ["init", str(root), "--example", "dairy"]).exit_code == 0
    path = root / "activities.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    columns = lines[0].split(",") + ["protein_kg_per_person_yr"]
    row = dict.fromkeys(columns, "")
    row.update(id="WW-1", facility="牧场", date="2024-12-31", activity="生活污水", quantity="800", unit="人")
    row["protein_kg_per_person_yr"] = "30"
    lines = [",".join(columns)] + [line + "," for line in lines[1:]] + [",".join(row[c] for c in columns)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for lang, head, persons in (("zh", "头", "人"), ("en", "head", "persons")):
        result = CliRunner().invoke(app, ["run", str(root), "--lang", lang])
        assert result.exit_code == 0, result.output
        html = (root / "out" / "report.html").read_text(encoding="utf-8")
        sources = html[html.index('<section id="sources">') :]
        sources = sources[: sources.index("</section>")]
        assert "<td>count</td>" not in sources
        assert f"<td>{head}</td>" in sources and f"<td>{persons}</td>" in sources
