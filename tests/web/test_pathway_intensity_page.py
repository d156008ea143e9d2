"""The pathway page of a territory with an intensity target, in a real browser: the intensity chart is
drawn from the run's pathway.csv (emissions per 万元 of GDP, business as usual, with the measures, and
the target line), titled from the catalogues."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from webserver import log_in, person, serve, tab_ready

from dualcarbon.i18n import translator
from dualcarbon.project import job

sys.path.insert(0, str(Path(__file__).parents[1] / "pathway"))
from test_intensity import TERRITORY_TOML  # noqa: E402

OUTPUTS = ["summary.json", "inventory.csv", "pathway.json", "pathway.csv", "measures_plan.csv", "abatement.csv"]


def chart_data(page, chart_id: str) -> list[dict]:
    return page.evaluate(f"JSON.parse(JSON.stringify(document.getElementById('{chart_id}').data))")


def test_intensity_chart_on_the_pathway_page(tmp_path, page):
    root = tmp_path / "district"
    root.mkdir()
    (root / "dualcarbon.toml").write_text(TERRITORY_TOML, encoding="utf-8")
    (root / "activities.csv").write_text(
        "id,date,activity,quantity,unit\nA1,2020-06-30,原煤,1000,t\nA2,2021-06-30,原煤,1100,t\n", encoding="utf-8"
    )
    (root / "indicators.csv").write_text("indicator,year,value,unit\ngdp,2020,1000,亿元\n", encoding="utf-8")
    (root / "measures.csv").write_text(
        "id,name_zh,name_en,applies_to,share,cost_per_t\nCOAL,煤改气,Coal to gas,fuel/raw_coal,40%,50\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = job.pathway(root, out, lang="zh")
    table = result.pathway.plan.table
    zh = translator("zh")
    with serve(str(tmp_path / "store.duckdb")) as server:
        org, user, _ = person(server, "某区", "李明", "liming")
        store = server.store
        project = store.create_project(org["id"], "区 2020-2021", user["id"])
        run = store.create_run(org["id"], project["id"], "pathway", {"lang": "zh"}, [], user["id"], 6)
        assert store.claim_run(run["id"])
        outputs = {name: (out / name).read_bytes() for name in OUTPUTS}
        store.finish_run(run["id"], outputs, json.loads(outputs["summary.json"])["factor_sets"], None)
        log_in(page, server.url, "liming")
        page.goto(f"{server.url}/app/#/runs/{run['id']}/pathway")
        tab_ready(page, "pathway", "zh")
        page.wait_for_selector("#chart-intensity-gdp[data-drawn=true]")
        assert page.query_selector("#chart-intensity-capita") is None  # no per-capita target
        assert zh("pathway.chart.intensity") in page.inner_text(".tab-body[data-tab=pathway]")
        traces = {trace["name"]: trace for trace in chart_data(page, "chart-intensity-gdp")}
        assert set(traces) == {
            zh("web.pathway.bau"),
            zh("web.pathway.emissions"),
            zh("pathway.series.intensity_target"),
        }
        target = traces[zh("pathway.series.intensity_target")]
        expected = table.filter(table["intensity_target_t_per_10k"].is_not_null())
        assert target["x"] == expected["year"].to_list()
        assert target["y"] == pytest.approx(expected["intensity_target_t_per_10k"].to_list(), rel=1e-12)
        shown = traces[zh("web.pathway.emissions")]["y"]
        assert shown == pytest.approx(table["intensity_t_per_10k"].to_list(), rel=1e-12)
        bau = traces[zh("web.pathway.bau")]["y"]
        assert bau == pytest.approx((table["bau_t"] / table["gdp_10k"]).to_list(), rel=1e-12)
