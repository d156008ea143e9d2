"""`dualcarbon footprint` writes the product's report (issue 17): report.html (and report.pdf with --pdf) with the
study, the contribution chart, the Monte Carlo histogram, the neutrality verdict and claim, the gases and the
background processes with their factors, in zh and en; a project with activities keeps `run`'s report."""

from __future__ import annotations

import json
import re
import shutil
from importlib import resources
from pathlib import Path

import pytest
from chromium import engine_or_skip
from test_footprint_cli import dairy
from typer.testing import CliRunner

from dualcarbon.cli import app

EXAMPLES = Path(str(resources.files("dualcarbon").joinpath("examples")))


def milk(tmp_path: Path) -> Path:
    root = tmp_path / "milk"
    shutil.copytree(EXAMPLES / "milk", root)
    return root


def invoke(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(app, ["footprint", *args], env=env)


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def manifest(out: Path) -> set[str]:
    return {e["name"] for e in json.loads((out / "dualcarbon-manifest.json").read_text(encoding="utf-8"))["files"]}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_footprint_writes_the_products_report(tmp_path, lang):
    root = milk(tmp_path)
    result = invoke(str(root), "--iterations", "200", "--lang", lang)
    assert result.exit_code == 0, result.output
    out = root / "out"
    assert manifest(out) == {"footprint.json", "by_process.csv", "by_stage.csv", "report.html"}
    assert not (out / "report.pdf").exists()
    html = (out / "report.html").read_text(encoding="utf-8")
    record = json.loads((out / "footprint.json").read_text(encoding="utf-8"))
    words = text(html)
    assert "<script" not in html and not re.search(r'(src|href)="(https?:)?//', html)  # self-contained
    # the contribution chart and the histogram, as inline SVG; the claim in the report's language
    assert 'id="chart-product-contribution"' in html and 'id="chart-product-histogram"' in html
    assert record["neutrality"]["claim"][lang] in html
    assert 'data-testid="product-status">' in html
    # the footprint per functional unit, each background process with its factor set
    assert f"{record['footprint_kg_co2e']:.4g}" in words
    assert 'data-process="spend/naics/311119@CN-HL"' in html and "useeio" in html
    if lang == "zh":
        assert "产品碳足迹报告" in html and "千克二氧化碳当量/1 L 零售包装鲜奶" in words
        assert "其他动物饲料制造（精饲料）" in html and "外购电力（牧场）" in html and "从摇篮到大门" in html
        assert "packaged milk" not in words and "Cradle" not in words
    else:
        assert "Product carbon footprint report" in html and "kg CO2e per 1 L packaged milk at retail" in words
        assert "Other Animal Food Manufacturing" in html and "Purchased electricity (grid) (Farm)" in html
        assert "零售包装" not in words and "牧场" not in words


def test_footprint_pdf_in_both_languages_and_no_pdf_removes_it(tmp_path):
    engine_or_skip()
    import pypdfium2 as pdfium

    root = milk(tmp_path)
    pages = {}
    for lang in ("zh", "en"):
        out = tmp_path / f"out-{lang}"
        result = invoke(str(root), "--iterations", "100", "--lang", lang, "--pdf", "--out", str(out))
        assert result.exit_code == 0, result.output
        assert {"report.html", "report.pdf"} <= manifest(out)
        pdf = pdfium.PdfDocument(str(out / "report.pdf"))
        pages[lang] = " ".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    footprint = json.loads((tmp_path / "out-zh" / "footprint.json").read_text(encoding="utf-8"))["footprint_kg_co2e"]
    assert "产品碳足迹报告" in pages["zh"] and "1 L 零售包装鲜奶" in pages["zh"] and "其他动物饲料制造" in pages["zh"]
    assert "Product carbon footprint report" in pages["en"] and "Other Animal Food Manufacturing" in pages["en"]
    for lang in ("zh", "en"):
        assert f"{footprint:.4g}" in pages[lang]
    # printed again by default (the folder has a report.pdf); --no-pdf removes it from the folder and its manifest
    out = tmp_path / "out-zh"
    assert invoke(str(root), "--iterations", "0", "--out", str(out)).exit_code == 0
    assert (out / "report.pdf").exists()
    assert invoke(str(root), "--iterations", "0", "--no-pdf", "--out", str(out)).exit_code == 0
    assert not (out / "report.pdf").exists() and "report.pdf" not in manifest(out)
    assert (out / "report.html").exists()


def test_no_pdf_engine_exits_2_and_writes_nothing(tmp_path):
    root = milk(tmp_path)
    result = invoke(str(root), "--pdf", env={"DUALCARBON_CHROMIUM": str(tmp_path / "no-chromium")})
    assert result.exit_code == 2, result.output
    assert not (root / "out").exists()


def test_a_project_with_activities_keeps_runs_report(tmp_path):
    root = dairy(tmp_path / "both", extra="iterations = 0\n")
    (root / "activities.csv").write_text("id,date,activity,quantity,unit\nD1,2024-01-01,fuel/diesel,1,t\n")
    assert CliRunner().invoke(app, ["run", str(root), "--lang", "en"]).exit_code == 0
    report = (root / "out" / "report.html").read_bytes()
    result = invoke(str(root), "--lang", "en")
    assert result.exit_code == 0, result.output
    assert (root / "out" / "report.html").read_bytes() == report  # the inventory's report, with its product section
    assert "written by dualcarbon run" in " ".join(result.output.split())
