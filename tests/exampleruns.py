"""Each bundled example run and planned by the CLI in one language, once per test session, for the
untranslated-text tests (i18n/test_untranslated_*.py) and for the tests that compare the API's results
with the CLI's (api/test_neutrality_pathway.py): in Chinese ``run --pdf`` and ``pathway`` (its own
folder); in English ``pathway`` where the example has targets (its report holds the inventory's
sections too), else ``run``.

The tests run on two workers (pytest-xdist), separate processes: a run is made in a folder of the
session's temporary directory that both workers share, under a file lock, by the first test that needs
it; any other test of the session, on either worker, reads what that run wrote.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from pathlib import Path

import pytest
from chromium import engine_or_skip
from typer.testing import CliRunner

from dualcarbon.cli import app

EXAMPLES_DIR = Path(__file__).resolve().parents[1] / "src" / "dualcarbon" / "examples"
EXAMPLES = ["cement-plant", "dairy", "daxing-district", "thermal-plant", "us-office"]
PLANNED = {"cement-plant", "daxing-district", "thermal-plant"}  # the examples with [targets]
WIDE = {"COLUMNS": "200", "NO_COLOR": "1"}  # no folded words in the CLI's tables
TEXTS = ("run", "report", "pdf", "pathway", "pathway_report")

_made: dict[tuple[str, str], dict] = {}  # this worker's runs, read once


def _pdf_text(path: Path) -> str:
    import pypdfium2

    document = pypdfium2.PdfDocument(path)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def _outputs(root: Path, lang: str) -> dict:
    """The CLI's output and the reports of one example (copied to ``root``) in ``lang``."""
    runner = CliRunner()
    result: dict = {"root": root, "run": None, "report": None, "pdf": None, "pathway": None, "pathway_report": None}
    if lang == "zh" or root.name not in PLANNED:
        run = runner.invoke(app, ["run", str(root), "--lang", lang] + (["--pdf"] if lang == "zh" else []), env=WIDE)
        assert run.exit_code == 0, run.output
        result["run"] = run.output
        result["report"] = (root / "out" / "report.html").read_text(encoding="utf-8")
        if lang == "zh":
            result["pdf"] = _pdf_text(root / "out" / "report.pdf")
    if lang == "zh" or root.name in PLANNED:
        planned = runner.invoke(app, ["pathway", str(root), "--lang", lang, "--out", str(root / "pw")], env=WIDE)
        assert planned.exit_code == (0 if root.name in PLANNED else 2), planned.output
        result["pathway"] = planned.output
        if planned.exit_code == 0:
            result["pathway_report"] = (root / "pw" / "report.html").read_text(encoding="utf-8")
    return result


def _shared_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session's temporary directory, the same for every xdist worker (each has its own below it)."""
    base = tmp_path_factory.getbasetemp()
    folder = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "example-runs"
    folder.mkdir(exist_ok=True)
    return folder


def example_outputs(tmp_path_factory: pytest.TempPathFactory, example: str, lang: str) -> dict:
    """``example`` run (and planned) in ``lang``: the CLI's outputs (``run``, ``pathway``), the text of the
    reports (``report``, ``pathway_report``) and of report.pdf (``pdf``), None where not made, and the
    project's folder (``root``, with ``out`` and ``pw``). Made once per session."""
    if (example, lang) in _made:
        return _made[(example, lang)]
    if lang == "zh":  # report.pdf is printed in Chinese only
        engine_or_skip()
    shared = _shared_folder(tmp_path_factory)
    folder, written = shared / f"{example}-{lang}", shared / f"{example}-{lang}.json"
    with open(shared / f"{example}-{lang}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed (or its process ends)
        if not written.is_file():  # the first to come, or a run that failed before: (re)made here
            shutil.rmtree(folder, ignore_errors=True)
            root = folder / example
            shutil.copytree(EXAMPLES_DIR / example, root, ignore=shutil.ignore_patterns("out", "__pycache__"))
            result = _outputs(root, lang)
            kept = {name: result[name] for name in TEXTS} | {"root": str(root)}
            written.with_suffix(".part").write_text(json.dumps(kept, ensure_ascii=False), encoding="utf-8")
            written.with_suffix(".part").replace(written)
    result = json.loads(written.read_text(encoding="utf-8"))
    result["root"] = Path(result["root"])
    _made[(example, lang)] = result
    return result
