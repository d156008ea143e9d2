"""``dualcarbon run`` and ``dualcarbon pathway`` on one output folder keep each other's outputs.

Before, each removed what the other wrote (outputs.py removes a previous run's files that a run does not
write): ``run`` after ``pathway`` removed pathway.csv, measures_plan.csv, abatement.csv, pathway.json and the
report's pathway section; ``pathway`` after ``run --pdf`` removed report.pdf. Now a part the folder holds is
written again (job.kept_parts), so nothing is lost and no file is older than the report beside it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from chromium import engine_or_skip
from typer.testing import CliRunner

from dualcarbon.cli import app
from dualcarbon.report import pdf

PATHWAY_FILES = {"pathway.csv", "measures_plan.csv", "abatement.csv", "pathway.json"}


def init(tmp_path: Path) -> Path:
    root = tmp_path / "cement"
    result = CliRunner().invoke(app, ["init", str(root), "--example", "cement-plant"])
    assert result.exit_code == 0, result.output
    return root


def invoke(*args: str):
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result


def manifest(out: Path) -> dict[str, str]:
    record = json.loads((out / "dualcarbon-manifest.json").read_text(encoding="utf-8"))
    return {entry["name"]: entry["sha256"] for entry in record["files"]}


def test_run_after_pathway_keeps_the_pathway(tmp_path):
    root = init(tmp_path)
    out = root / "out"
    invoke("pathway", str(root), "--lang", "en")
    assert PATHWAY_FILES <= {p.name for p in out.iterdir()}
    invoke("run", str(root), "--lang", "en")
    assert PATHWAY_FILES <= {p.name for p in out.iterdir()}
    assert PATHWAY_FILES <= set(manifest(out))
    html = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="pathway"' in html and "Marginal abatement cost curve" in html
    # asked not to: the pathway goes, with its section
    invoke("run", str(root), "--lang", "en", "--no-pathway")
    assert not PATHWAY_FILES & {p.name for p in out.iterdir()}
    assert 'id="pathway"' not in (out / "report.html").read_text(encoding="utf-8")


def test_pathway_after_run_pdf_keeps_and_reprints_the_pdf(tmp_path):
    engine_or_skip()
    root = init(tmp_path)
    out = root / "out"
    invoke("run", str(root), "--lang", "en", "--pdf")
    before = manifest(out)["report.pdf"]
    invoke("pathway", str(root), "--lang", "en")
    assert (out / "report.pdf").read_bytes().startswith(b"%PDF")
    # printed again from the report that now has its pathway section, charts included
    assert manifest(out)["report.pdf"] != before
    pdfium = pytest.importorskip("pypdfium2")
    document = pdfium.PdfDocument(out / "report.pdf")
    text = " ".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    for words in ("Carbon neutrality", "Targets and least-cost pathway", "Marginal abatement cost curve"):
        assert words in text, words
    # the MACC's legend and the measures' names are text of the page
    assert "chosen in the pathway" in text and "not chosen" in text and "On-site solar PV" in text


def test_a_kept_pdf_without_an_engine_stops_before_writing(tmp_path, monkeypatch):
    root = init(tmp_path)
    out = root / "out"
    invoke("run", str(root), "--lang", "en")
    # as if an earlier run had printed a PDF: the manifest lists it
    (out / "report.pdf").write_bytes(b"%PDF-1.4 earlier")
    record = json.loads((out / "dualcarbon-manifest.json").read_text(encoding="utf-8"))
    record["files"].append({"name": "report.pdf", "bytes": 16, "sha256": "0"})
    (out / "dualcarbon-manifest.json").write_text(json.dumps(record), encoding="utf-8")
    monkeypatch.setenv(pdf.ENGINE_ENV, str(tmp_path / "no-such-chromium"))
    result = CliRunner().invoke(app, ["pathway", str(root), "--lang", "en"])
    assert result.exit_code == 2, result.output
    said = " ".join(result.output.split())
    assert "holds a report.pdf of an earlier run" in said and "--no-pdf" in said
    assert not PATHWAY_FILES & {p.name for p in out.iterdir()}
    # --no-pdf: the PDF is removed with the rest of the earlier run
    invoke("pathway", str(root), "--lang", "en", "--no-pdf")
    assert not (out / "report.pdf").exists() and PATHWAY_FILES <= {p.name for p in out.iterdir()}
