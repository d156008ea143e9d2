"""The report's product section (issue 17): footprint per functional unit, by stage and by process, the
Monte Carlo histogram and 95 % interval, the product's neutrality verdict, checks and claim; in zh and en,
in the HTML and in report.pdf (text layer read back with PDFium).

The product is tests/product_claims.py's: 1.25 kg CO2e per litre, farm 1.0 + dairy 0.15 + retail 0.1;
interval 1.05 to 1.49; 2,000,000 L sold → 2,500 t offset by retired credits.
"""

from __future__ import annotations

import re

import pytest
from chromium import engine_or_skip
from product_claims import assessed, footprint

from dualcarbon.report import render_report
from dualcarbon.report.pdf import html_to_pdf

from .test_html import BY_SOURCE, FACTORS, INVENTORY, SUMMARY


def render(lang: str, product: dict | None, print_layout: bool = False, summary_product: dict | None = None) -> str:
    summary = SUMMARY | {"product": summary_product}
    return render_report(summary, INVENTORY, BY_SOURCE, FACTORS, lang, product=product, print_layout=print_layout)


def section(html: str) -> str:
    return html[html.index('<section id="product">') : html.index("</section>", html.index('<section id="product">'))]


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_no_product_no_section():
    html = render("en", None)
    assert 'id="product"' not in html and "Product carbon footprint" not in html


def test_section_from_summary_product_without_footprint_json():
    # summary.json product, the pinned subset (no histogram, no neutrality): figures and tables, no histogram
    fp = footprint()
    pinned = {k: fp[k] for k in ("reference", "functional_unit", "footprint_kg_co2e", "by_stage", "by_process")}
    pinned["uncertainty"] = {k: fp["uncertainty"][k] for k in ("iterations", "seed", "mean", "median", "p2_5", "p97_5")}
    html = render("en", None, summary_product=pinned)
    s = section(html)
    assert "1.25 kg CO2e per 1 L packaged milk" in text(s)
    assert "1.05 to 1.49 (1,000 Monte Carlo iterations)" in text(s)
    assert 'id="chart-product-contribution"' in s and 'id="chart-product-histogram"' not in s
    assert "No carbon-neutrality assessment of the product" in s
    assert '<a href="#product">Product carbon footprint</a>' in html or 'href="#product"' in html


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_section_shows_footprint_contributions_uncertainty_and_claim(lang):
    html = render(lang, assessed())
    s = section(html)
    words = text(s)
    # stages and processes in kg CO2e per L with their shares (footprint.json by_stage / by_process)
    # the stage by its catalogue name in the report's language, not its id (product.stage.farm)
    farm = "牧场" if lang == "zh" else "Farm"
    assert re.search(rf'data-stage="farm"><td>{farm}</td><td class="num">1.00</td><td class="num">80.0 %', s)
    assert re.search(r'data-process="dairy">.*?<td class="num">0.15</td><td class="num">12.0 %', s)
    assert ("乳品厂" if lang == "zh" else "Dairy") in s
    # the histogram (inline SVG, no script) with the interval
    assert 'id="chart-product-histogram"' in s and "<script" not in s
    # the verdict: 2,500 t emitted (1.25 × 2e6 / 1000), 300 t reduced ((1.40 − 1.25) × 2e6 / 1000), achieved
    assert "2,500" in words and "300" in words
    status = "已实现碳中和" if lang == "zh" else "Carbon neutrality achieved"
    assert f'data-testid="product-status">{status}</dd>' in s
    assert 'data-check="ISO-PRD-02"' in s and 'data-check="ISO-FP-02"' in s
    claim = assessed()["neutrality"]["claim"][lang]
    assert claim in s  # the claim a label can carry, in the page's language
    if lang == "zh":
        assert "产品碳足迹" in s and "标签可用的声明" in s and "按阶段和过程的贡献" in s
    else:
        assert "Claim a label can carry" in s and "Contribution by stage and process" in s


def test_functional_unit_and_stages_in_the_reports_language():
    # footprint.json functional_unit_zh / _en ([product] functional_unit_zh) in the text, the charts' axes and
    # the process table's stage column; an unknown stage id is shown as written
    fp = footprint()
    fp["functional_unit_zh"] = "1 升包装鲜奶"
    fp["functional_unit_en"] = "1 L packaged milk"
    fp["by_process"][0]["stage"] = "milking parlour"
    zh = section(render("zh", fp))
    assert "千克二氧化碳当量/1 升包装鲜奶" in text(zh) and "packaged milk" not in zh
    assert "<td>牧场</td>" in zh and "<td>milking parlour</td>" in zh
    en = section(render("en", fp))
    assert "kg CO2e per 1 L packaged milk" in text(en) and "升" not in en


def test_missing_listed_when_no_claim():
    fp = assessed()
    n = fp["neutrality"]
    fp["neutrality"] = n | {
        "status": "not achieved",
        "claim": None,
        "missing": [
            {
                "check": "ISO-BAL-01",
                "reason_en": "500.00 t not offset",
                "reason_zh": "尚有 500.00 吨未抵消",
                "remedy_en": "retire 500.00 t more",
                "remedy_zh": "再注销 500.00 吨",
            }
        ],
    }
    s = section(render("zh", fp))
    assert "按本标准，该产品不得作碳中和声明。" in s and "尚有 500.00 吨未抵消" in s and "作出声明尚缺" in s


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_pdf_carries_the_product_section(lang, tmp_path):
    engine = engine_or_skip()
    pdfium = pytest.importorskip("pypdfium2")
    html = render(lang, assessed(), print_layout=True)
    data = html_to_pdf(html, engine)
    path = tmp_path / f"report-{lang}.pdf"
    path.write_bytes(data)
    doc = pdfium.PdfDocument(path)
    pages = [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
    whole = re.sub(r"\s+", " ", " ".join(pages))
    claim = assessed()["neutrality"]["claim"][lang]
    if lang == "zh":
        assert "产品碳足迹" in whole and "碳中和产品" in whole
        assert "千克二氧化碳当量/1 L packaged milk" in whole
    else:
        assert "Product carbon footprint" in whole and "kg CO2e per 1 L packaged milk" in whole
    assert "1.25" in whole and "1.05" in whole and "1.49" in whole
    # the claim's opening words survive line breaks in the PDF's text layer
    head = claim[:20] if lang == "en" else claim[:8]
    assert head.replace(" ", "") in whole.replace(" ", "")
