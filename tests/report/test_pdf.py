"""report.pdf: the Chinese cement example printed by headless Chromium, then read back with PDFium.

Chromium and the CJK fonts come from Debian (``.ci/run`` installs ``chromium fonts-noto-cjk``).
Without Chromium the rendering tests are skipped on a developer's machine and fail in CI, so
they cannot pass unnoticed there; the missing-engine test runs everywhere.
"""

from __future__ import annotations

import json
import shutil
from importlib import resources
from pathlib import Path

import numpy as np
import pytest
from chromium import engine_or_skip
from typer.testing import CliRunner

from dualcarbon.cli import app
from dualcarbon.report import pdf

ORG = "冀东某水泥有限公司"


def copy_example(root: Path, name: str = "cement-plant") -> Path:
    with resources.as_file(resources.files("dualcarbon").joinpath("examples", name)) as src:
        shutil.copytree(src, root)
    return root


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> tuple[Path, object]:
    engine_or_skip()
    pdfium = pytest.importorskip("pypdfium2")
    root = copy_example(tmp_path_factory.mktemp("pdf") / "cement")
    result = CliRunner().invoke(app, ["run", str(root), "--pdf", "--lang", "zh"])
    assert result.exit_code == 0, result.output
    assert "report.pdf" in result.output
    path = root / "out" / "report.pdf"
    return path, pdfium.PdfDocument(path)


def test_pdf_is_written_with_the_other_outputs(printed):
    path, document = printed
    names = {p.name for p in path.parent.iterdir()}
    assert names == {
        "summary.json",
        "emissions.csv",
        "inventory.csv",
        "facilities.csv",
        "sources.csv",
        "neutrality.csv",
        "report.html",
        "report.pdf",
        "dualcarbon-manifest.json",
    }
    assert path.read_bytes().startswith(b"%PDF")
    assert len(document) >= 5
    width, height = document[0].get_size()
    assert (round(width), round(height)) == (595, 842)  # A4 in points


def test_first_page_renders_with_chinese_glyphs(printed):
    _, document = printed
    page = document[0]
    image = page.render(scale=2).to_numpy()
    grey = image[..., :3].mean(axis=2)
    dark = float((grey < 128).mean())
    assert 0.005 < dark < 0.5, dark  # text on a white page, neither blank nor black
    text = page.get_textpage()
    content = text.get_text_range()
    assert ORG in content and "温室气体排放清单" in content and "组织与边界" in content
    # Real CJK glyphs differ in shape; a missing font draws the same box (.notdef) for each.
    start = content.index(ORG)
    boxes = [text.get_charbox(start + i, loose=False) for i in range(len(ORG))]
    shapes = {(round(right - left, 1), round(top - bottom, 1)) for left, bottom, right, top in boxes}
    assert len(shapes) >= len(ORG) // 2, shapes
    assert all(right - left > 3 for left, _, right, _ in boxes)  # glyphs of a body-text size, not slivers


def test_every_section_and_the_charts_are_printed(printed):
    _, document = printed
    text = "\n".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    for heading in ("组织与边界", "分类别排放量", "核算方法与排放因子来源", "数据质量", "碳中和评价"):
        assert heading in text, heading
    assert "GB/T 32151.8-2015" in text and "GEC-2024-001" in text
    assert f"1 / {len(document)}" in text  # page numbers from the @page margin boxes


def test_charts_are_drawn(printed):
    """The report's static SVG charts are printed: the breakdown chart's bars of stationary combustion
    and industrial processes, in the charts' first and third colours (#1b6e5a, #e0a030), fill a page of
    the PDF (rendered as RGB, not PDFium's default BGR); their words are in the text layer."""
    _, document = printed
    pages = [
        document[i].render(scale=1, rev_byteorder=True).to_numpy()[..., :3].astype(int) for i in range(len(document))
    ]
    for colour in ((0x1B, 0x6E, 0x5A), (0xE0, 0xA0, 0x30)):
        near = max(int((np.abs(rgb - np.array(colour)).sum(axis=2) < 40).sum()) for rgb in pages)
        assert near > 500, (colour, near)
    text = "\n".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    assert "固定燃烧" in text and "工业过程" in text and "碳中和平衡" in text


def test_missing_engine_says_what_to_install_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv(pdf.ENGINE_ENV, str(tmp_path / "no-such-chromium"))
    root = copy_example(tmp_path / "cement")
    result = CliRunner().invoke(app, ["run", str(root), "--pdf", "--lang", "en"])
    assert result.exit_code == 2, result.output
    output = " ".join(result.output.split())
    assert "apt-get install chromium fonts-noto-cjk" in output and "Nothing was written" in output
    assert not (root / "out").exists()


def test_render_error_names_the_exit_code(tmp_path):
    fake = tmp_path / "fake-chromium"
    fake.write_text("#!/bin/sh\necho 'cannot open display' >&2\nexit 3\n")
    fake.chmod(0o755)
    with pytest.raises(pdf.PdfRenderError, match="exit code 3.*cannot open display"):
        pdf.html_to_pdf("<html></html>", engine=str(fake))


def test_a_territory_prints_its_sections_within_the_page(tmp_path):
    """The territory's sections (tests/report/data/territory_summary.json) print on A4: every heading
    and the figures in 万吨 in the text layer, no table wider than the page (the text's right edge
    stays inside the printable width: A4's 595 pt less the 14 mm margin), and the indicators' charts."""
    engine_or_skip()
    pdfium = pytest.importorskip("pypdfium2")
    import json

    import polars as pl

    from dualcarbon.report import render_report

    from .test_html import BY_SOURCE, INVENTORY

    summary = json.loads((Path(__file__).parent / "data" / "territory_summary.json").read_text(encoding="utf-8"))
    html = render_report(
        summary, INVENTORY.clear(), BY_SOURCE.clear(), pl.DataFrame(schema={"factor_id": pl.String}), "zh", None, True
    )
    path = tmp_path / "territory.pdf"
    path.write_bytes(pdf.html_to_pdf(html))
    document = pdfium.PdfDocument(path)
    pages = [document[i].get_textpage() for i in range(len(document))]
    text = "\n".join(p.get_text_range() for p in pages)
    for heading in (
        "区域排放概况",
        "城市温室气体核算国际标准（GPC）",
        "省级温室气体清单编制指南口径",
        "排放强度",
        "碳汇（清除量）",
    ):
        assert heading in text, heading
    for heading in ("逐年趋势", "指标与目标", "进展符合预期"):
        assert heading in text, heading
    assert "434.00" in text and "427.00" in text and "万吨二氧化碳当量" in text
    right_margin_pt = 595 - 14 / 25.4 * 72
    for page in pages:
        # line ends (\r\n) get a box at the edge; only printed characters count
        boxes = [page.get_charbox(i) for i in range(page.count_chars()) if page.get_text_range(i, 1).strip()]
        assert max((right for _, _, right, _ in boxes), default=0) <= right_margin_pt + 1


def test_regression_check_ids_and_statuses_are_not_broken_one_character_a_line(printed):
    # Before: in the neutrality checks table the status column was so narrow that 符合 / 不适用 printed one
    # character a line, and ids such as PAS-SUBJ-01 / ISO-… broke at their hyphens.
    path, document = printed
    summary = json.loads((path.parent / "summary.json").read_text(encoding="utf-8"))
    lines = {
        line.strip()
        for i in range(len(document))
        for line in document[i].get_textpage().get_text_range().replace("\r", "").split("\n")
    }
    text = "\n".join(lines)
    checks = summary["neutrality"]["checks"]
    assert checks
    for check in checks:
        assert check["id"] in text, check["id"]
    assert not {"符", "合", "不", "适", "用"} & lines
