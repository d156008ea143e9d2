"""Every bundled example, run and planned in Chinese and in English: the CLI's output, report.html and
the text of report.pdf hold no untranslated text (docs/report.md, "Language"; issue 15 point 10).

One run of each example per language (module-scoped); the PDF is printed by Chromium in the Chinese
runs. The problems of invalid input (the "  • " lines) are left to their own tests.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest
from chromium import engine_or_skip
from typer.testing import CliRunner
from untranslated import (
    LATIN_WORD,
    half_width_in_chinese,
    html_text,
    input_texts,
    input_words,
    untranslated_en,
    untranslated_zh,
    without_typed,
)

from dualcarbon.cli import app

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "web"))  # the dashboard's test server (webserver.py)

EXAMPLES_DIR = Path(__file__).resolve().parents[2] / "src" / "dualcarbon" / "examples"
EXAMPLES = ["cement-plant", "dairy", "daxing-district", "us-office"]
WIDE = {"COLUMNS": "200", "NO_COLOR": "1"}  # no folded words in the CLI's tables


def _problem_free(output: str) -> str:
    """The CLI's output without the lines of invalid-input problems (localised and tested on their own)."""
    return "\n".join(line for line in output.splitlines() if not line.startswith("  • "))


PLANNED = {"cement-plant", "daxing-district"}  # the examples with [targets]


def _pdf_text(path: Path) -> str:
    import pypdfium2

    document = pypdfium2.PdfDocument(path)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def _outputs(root: Path, lang: str) -> dict:
    """In Chinese: ``run --pdf`` and ``pathway`` (its own folder); in English ``pathway`` where the
    example has targets (its report holds the inventory's sections too), else ``run``."""
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


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[tuple[str, str], dict]:
    """Each example copied and run in zh (with report.pdf) and in en, and planned (``pathway``)."""
    engine_or_skip()
    out: dict[tuple[str, str], dict] = {}
    for example in EXAMPLES:
        for lang in ("zh", "en"):
            root = tmp_path_factory.mktemp(f"{example}-{lang}") / example
            shutil.copytree(EXAMPLES_DIR / example, root, ignore=shutil.ignore_patterns("out", "__pycache__"))
            out[(example, lang)] = _outputs(root, lang)
    return out


def _typed(example: str) -> set[str]:
    return input_words(EXAMPLES_DIR / example)


@pytest.mark.parametrize("example", EXAMPLES)
def test_chinese_cli_output_is_chinese(runs, example):
    result = runs[(example, "zh")]
    for name in ("run", "pathway"):
        output = _problem_free(result[name])
        found = untranslated_zh(output, _typed(example))
        assert found == [], f"{example} `{name} --lang zh`: " + "\n".join(found)
        found = half_width_in_chinese(without_typed(output, input_texts(EXAMPLES_DIR / example)))
        assert found == [], f"{example} `{name} --lang zh`: half-width punctuation: " + "\n".join(found)


@pytest.mark.parametrize("example", EXAMPLES)
def test_chinese_reports_are_chinese(runs, example):
    result = runs[(example, "zh")]
    reports = {"report.html": result["report"], "pathway report.html": result["pathway_report"]}
    for name, html in reports.items():
        if html is None:
            continue
        text, kept = html_text(html)
        found = untranslated_zh(text, _typed(example) | set(LATIN_WORD.findall(kept)))
        assert found == [], f"{example} {name}: " + "\n".join(found)
        prose = without_typed(html_text(html, math=False)[0], input_texts(EXAMPLES_DIR / example))
        found = half_width_in_chinese(prose)
        assert found == [], f"{example} {name}: half-width punctuation in Chinese text: " + "\n".join(found)


@pytest.mark.parametrize("example", EXAMPLES)
def test_chinese_pdf_is_chinese(runs, example):
    """The PDF's text as pypdfium2 reads it back: no word that report.html does not allow (its citations,
    ``translate="no"``, are the PDF's too)."""
    result = runs[(example, "zh")]
    text, kept = html_text(result["report"])
    assert "温室气体排放清单" in result["pdf"]
    # a word the PDF breaks at a line end ("livestock/ent" "eric/...") is a part of a word of the report
    typed = _typed(example) | set(LATIN_WORD.findall(kept))
    words = " ".join(w for w in LATIN_WORD.findall(f"{text} {kept}") if w in typed or not untranslated_zh(w, typed))
    found = untranslated_zh(result["pdf"], typed, fragments=words)
    assert found == [], f"{example} report.pdf: " + "\n".join(found)


@pytest.mark.parametrize("example", EXAMPLES)
def test_english_output_and_reports_hold_no_chinese(runs, example):
    result = runs[(example, "en")]
    typed = _typed(example)
    for name in ("run", "pathway"):
        if result[name] is not None:
            found = untranslated_en(result[name], typed)
            assert found == [], f"{example} `{name} --lang en`: " + "\n".join(found)
    for name in ("report", "pathway_report"):
        if result[name] is not None:
            text, _ = html_text(result[name])
            found = untranslated_en(text, typed)
            assert found == [], f"{example} {name}: " + "\n".join(found)


def test_examples_with_targets_are_planned(runs):
    """The pathway's output is checked where there is one: the examples with [targets] are planned."""
    planned = {example for example in EXAMPLES if runs[(example, "zh")]["pathway_report"] is not None}
    assert planned == PLANNED


def test_chinese_catalogue_uses_full_width_punctuation():
    """（）：，；？！ next to Chinese characters in every zh message (units and codes stay as written)."""
    from dualcarbon.i18n import catalogue

    found = {key: text for key, text in catalogue("zh").items() if half_width_in_chinese(text)}
    assert found == {}


def test_the_checks_find_what_they_look_for():
    """The checks fail on what issue 15 saw: an English word or an internal code on a Chinese page,
    Chinese on an English page, half-width brackets next to Chinese characters."""
    assert untranslated_zh("范围一 1.stationary 固定燃烧") != []
    assert untranslated_zh("缺少 QES（qes not given）") != []
    assert untranslated_zh("状态为“issued”") != []
    assert untranslated_zh("基准年排放量（base_year_emissions）") != []
    assert untranslated_zh("1,405,714 t CO2e，采用 IPCC 2006 与 GB/T 32150-2015") == []
    assert untranslated_zh("设施 Kiln A", allowed={"Kiln"}) == []
    assert untranslated_en("Scope 1 total 范围一") != []
    assert untranslated_en("Facility 冀东某水泥有限公司", allowed={"冀东某水泥有限公司"}) == []
    assert half_width_in_chinese("排放(基于位置)") != []
    assert half_width_in_chinese("范围二:基于市场") != []
    assert half_width_in_chinese("排放（基于位置）：1,234 t") == []
    assert half_width_in_chinese("应为 category:类别代码") == []  # a selector's syntax
    text, kept = html_text('<p>排放 <span translate="no">IPCC Guidelines</span><script>var x;</script></p>')
    assert "Guidelines" not in text and "var" not in text and "Guidelines" in kept


def test_chinese_punctuation_of_free_text_survives_reading(tmp_path):
    """A note or a source typed with （），：； keeps them (before: NFKC made them "(", ",", ":", ";", so a
    Chinese report showed half-width brackets in the user's own text); codes are still normalised."""
    from dualcarbon.project.reader import read_table

    path = tmp_path / "indicators.csv"
    path.write_text(
        "indicator,year,value,unit,source\npopulation,２０２４,1994000,人,普查（2020 年），见公报；核对：是\n"
    )
    row = read_table(path).row(0, named=True)
    assert row["source"] == "普查（2020 年），见公报；核对：是"
    assert row["year"] == "2024"  # full-width digits of a value become ASCII as before


# The dashboard: each example's Chinese run stored as a run of a project (the CLI's outputs, as
# tests/web/test_results_pages.py stores one), every page drawn in Chromium in Chinese.
WEB_OUTPUTS = ["summary.json", "inventory.csv", "neutrality.csv", "pathway.json", "pathway.csv", "measures_plan.csv"]
WEB_OUTPUTS += ["abatement.csv"]
PROJECTS = {"cement-plant": "水泥厂", "dairy": "奶牛场", "daxing-district": "大兴区", "us-office": "美国办公楼"}
PEOPLE = {"冀东水泥", "李明", "liming", *PROJECTS.values()}  # the organisation, admin and projects the test makes
PAGES = ["#/projects", "#/factors", "#/users", "#/audit", "#/account"]


@pytest.fixture(scope="module")
def browser():
    """One Chromium (Debian's) for the module's pages."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            headless=True,
        )
        yield launched
        launched.close()


def _store_run(store, org: dict, user: dict, example: str, result: dict) -> tuple[str, str]:
    """(project id, run id) of a succeeded run whose outputs are the example's CLI outputs."""
    folder = result["root"] / ("pw" if result["pathway_report"] is not None else "out")
    project = store.create_project(org["id"], PROJECTS[example], user["id"])
    run = store.create_run(org["id"], project["id"], "inventory", {"lang": "zh"}, [], user["id"], 5)
    assert store.claim_run(run["id"])
    outputs = {name: (folder / name).read_bytes() for name in WEB_OUTPUTS if (folder / name).is_file()}
    store.finish_run(run["id"], outputs, json.loads(outputs["summary.json"])["factor_sets"], None)
    return project["id"], run["id"]


def _page_text(page) -> tuple[str, str]:
    return html_text(page.content())


def test_every_dashboard_page_is_chinese(runs, browser, tmp_path):
    """Every page of the dashboard in Chinese (the login, sign-up and password pages, the projects, each
    example's project and the three tabs of its run, the factors, users, audit and account pages) holds
    no untranslated text and no half-width punctuation in the product's own Chinese text."""
    from webserver import log_in, person, ready, serve, tab_ready

    with serve(str(tmp_path / "store.duckdb")) as server:
        org, user, _ = person(server, "冀东水泥", "李明", "liming")
        stored = {example: _store_run(server.store, org, user, example, runs[(example, "zh")]) for example in EXAMPLES}
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(60_000)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        problems: list[str] = []

        def check(name: str, typed: set[str], texts: set[str]) -> None:
            text, kept = _page_text(page)
            allowed = typed | PEOPLE | set(LATIN_WORD.findall(kept))
            problems.extend(f"{name}: {found}" for found in untranslated_zh(text, allowed))
            prose = without_typed(html_text(page.content(), math=False)[0], texts | PEOPLE)
            problems.extend(f"{name}: half-width {found}" for found in half_width_in_chinese(prose))

        for view in ("login", "signup", "password"):
            page.goto(f"{server.url}/app/#/{view}")
            ready(page, view, "zh")
            check(view, set(), set())
        log_in(page, server.url, "liming")
        for hash_ in PAGES:
            page.goto(f"{server.url}/app/{hash_}")
            ready(page, hash_.removeprefix("#/"), "zh")
            check(hash_, set(), set())
        for example, (project_id, run_id) in stored.items():
            typed, texts = _typed(example), input_texts(EXAMPLES_DIR / example)
            page.goto(f"{server.url}/app/#/projects/{project_id}")
            ready(page, "project", "zh")
            check(f"{example} project", typed, texts)
            for tab, suffix in (("inventory", ""), ("neutrality", "/neutrality"), ("pathway", "/pathway")):
                page.goto(f"{server.url}/app/#/runs/{run_id}{suffix}")
                tab_ready(page, tab, "zh")
                check(f"{example} run {tab}", typed, texts)
        context.close()
    assert errors == []
    assert problems == [], "\n".join(problems)
