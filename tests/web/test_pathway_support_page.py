"""The pathway page of a run with fiscal instruments, in a real browser: the measures table shows each
measure's choice in the plan without the support beside the plan with it (docs/pathway.md, "Carbon prices
and fiscal support")."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from webserver import log_in, person, serve, tab_ready

from dualcarbon.i18n import translator
from dualcarbon.project import job

sys.path.insert(0, str(Path(__file__).parents[2]))
from tests.pathway.test_fiscal_cli import project  # noqa: E402

OUTPUTS = ["summary.json", "inventory.csv", "pathway.json", "pathway.csv", "measures_plan.csv", "abatement.csv"]


def test_the_plan_without_support_on_the_pathway_page(tmp_path, page):
    root = project(tmp_path)
    out = tmp_path / "out"
    job.pathway(root, out, lang="zh")
    zh = translator("zh")
    with serve(str(tmp_path / "store.duckdb")) as server:
        org, user, _ = person(server, "某电厂", "李明", "liming")
        store = server.store
        created = store.create_project(org["id"], "电厂", user["id"])
        run = store.create_run(org["id"], created["id"], "pathway", {"lang": "zh"}, [], user["id"], 6)
        assert store.claim_run(run["id"])
        outputs = {name: (out / name).read_bytes() for name in OUTPUTS}
        store.finish_run(run["id"], outputs, json.loads(outputs["summary.json"])["factor_sets"], None)
        log_in(page, server.url, "liming")
        page.goto(f"{server.url}/app/#/runs/{run['id']}/pathway")
        tab_ready(page, "pathway", "zh")
        table = page.wait_for_selector("[data-testid=measures]")
        assert zh("fiscal.col.without") in table.inner_text()
        # with the 25 % grant B is chosen; without it, A (tests/pathway/test_fiscal_cli.py)
        cells = {
            m: page.inner_text(f"[data-measure={m}] [data-key=without_support], [data-measure={m}] td:last-child")
            for m in ("a", "b")
        }
        assert cells["a"] == zh("fiscal.chosen", year=2026, share="100")
        assert cells["b"] == zh("fiscal.not_chosen")
