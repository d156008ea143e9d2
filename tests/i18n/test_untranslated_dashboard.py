"""The dashboard in Chinese: each example's Chinese run stored as a run of a project, every page drawn
in Chromium holds no untranslated text (docs/report.md, "Language"; issue 15 point 10). The runs are
the ones test_untranslated_<example>.py check (exampleruns.py: made once per session).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from exampleruns import EXAMPLES, EXAMPLES_DIR, PLANNED
from untranslated import (
    LATIN_WORD,
    half_width_in_chinese,
    html_text,
    input_texts,
    input_words,
    untranslated_zh,
    without_typed,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "web"))  # the dashboard's test server (webserver.py)


def _typed(example: str) -> set[str]:
    return input_words(EXAMPLES_DIR / example)


def test_examples_with_targets_are_planned(runs):
    """The pathway's output is checked where there is one: the examples with [targets] are planned."""
    planned = {example for example in EXAMPLES if runs[(example, "zh")]["pathway_report"] is not None}
    assert planned == PLANNED


# The dashboard: each example's Chinese run stored as a run of a project (the CLI's outputs, as
# tests/web/test_results_pages.py stores one), every page drawn in Chromium in Chinese.
WEB_OUTPUTS = ["summary.json", "inventory.csv", "neutrality.csv", "pathway.json", "pathway.csv", "measures_plan.csv"]
WEB_OUTPUTS += ["abatement.csv"]
PROJECTS = {
    "cement-plant": "水泥厂",
    "dairy": "奶牛场",
    "daxing-district": "大兴区",
    "thermal-plant": "火电厂",
    "us-office": "美国办公楼",
}
PEOPLE = {"冀东水泥", "李明", "liming", *PROJECTS.values()}  # the organisation, admin and projects the test makes
PAGES = ["#/projects", "#/factors", "#/users", "#/audit", "#/account"]


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
