"""A territory's run in a real browser, and the examples list.

A run is stored with the summary.json of an illustrative two-year district (tests/report/data, the
shape the issue's contract gives ``territory``, ``by_year`` and ``indicators``). Its inventory tab shows
the report's sections, drawn from ``GET /api/runs/ID/sections``: the GPC table with its notation keys
and BASIC/BASIC+, the IPCC sectors with removals and electricity imports apart, the years and the
indicators; in 万吨 on the Chinese page and in tonnes in English, each figure the API's. The new-project
form offers every bundled example with its name.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
from webserver import log_in, person, serve, tab_ready

from dualcarbon.project import examples

TERRITORY = Path(__file__).resolve().parents[1] / "report" / "data" / "territory_summary.json"


def stored_run(server, org: dict, user: dict) -> str:
    store = server.store
    project = store.create_project(org["id"], "某区 2023-2024", user["id"])
    run = store.create_run(org["id"], project["id"], "inventory", {"lang": "zh"}, [], user["id"], 5)
    assert store.claim_run(run["id"])
    store.finish_run(run["id"], {"summary.json": TERRITORY.read_bytes()}, [], None)
    return run["id"]


def row_texts(page, selector: str) -> list[str]:
    return page.eval_on_selector(selector, "row => [...row.children].map((c) => c.textContent.trim())")


def test_a_territory_run_shows_gpc_ipcc_years_and_indicators(tmp_path, page):
    with serve(str(tmp_path / "store.duckdb")) as server:
        org, user, token = person(server, "某区生态环境局", "王芳", "wangfang")
        run_id = stored_run(server, org, user)
        with httpx.Client(base_url=f"{server.url}/api", headers={"Authorization": f"Bearer {token}"}) as api:
            sections = api.get(f"/runs/{run_id}/sections").json()
        gpc = sections["territory"]["gpc"]
        assert (gpc["basic_t"], gpc["basic_plus_t"]) == (4_270_000.0, 4_340_000.0)

        log_in(page, server.url, "wangfang")
        # the examples list: every folder of the package but the groups, named in the page's language
        options = page.eval_on_selector_all(
            "[data-testid=new-project] select[name=example] option", "os => os.map((o) => [o.value, o.textContent])"
        )
        assert [value for value, _ in options] == ["", *examples.projects()]
        assert "dairy-group" in examples.names() and "dairy-group" not in examples.projects()  # a group: CLI only
        assert ["daxing-district", "大兴区（北京，区域清单）"] in options

        page.goto(f"{server.url}/app/#/runs/{run_id}")
        tab_ready(page, "inventory", "zh")
        # GPC: sub-sector rows in 万吨, a notation key with its reason, BASIC and BASIC+ (427.00 and 434.00 万吨)
        assert row_texts(page, "[data-testid=gpc] tr[data-subsector='I.1']") == [
            "I.1 居民建筑",
            "30.00",
            "50.00",
            "NE",
            "80.00",
        ]
        assert (
            page.get_attribute("[data-testid=gpc] tr[data-subsector='IV.1'] td.notation", "title")
            == "区内无水泥、钢铁等工业过程"
        )
        assert row_texts(page, "[data-testid=gpc] tr[data-total=basic]")[-1] == "427.00"
        assert row_texts(page, "[data-testid=gpc] tr[data-total=basic_plus]")[-1] == "434.00"
        subtotal = page.eval_on_selector(
            "[data-testid=gpc] tbody[data-sector=I] tr.total", "row => [...row.children].map((c) => c.textContent)"
        )
        assert subtotal == ["小计", "150.00", "170.00", "—", "320.00"]
        # a line reported apart (III.1.3, waste from outside the district) is shown, not in the subtotal
        assert page.get_attribute("[data-testid=gpc] tr[data-subsector='III.1.3']", "class") == "apart"
        assert row_texts(page, "[data-testid=gpc] tr[data-subsector='III.1.3']")[-1] == "0.80"
        assert row_texts(page, "[data-testid=gpc] tbody[data-sector=III] tr.total")[-1] == "17.00"
        assert row_texts(page, "[data-testid=notations] tr[data-notation=IE]") == [
            "IE（已计入其他部分）",
            "区内热电厂供电的排放已计入电网调入电力",
            "I.4.4 范围一",
        ]
        assert row_texts(page, "[data-testid=notations] tr[data-notation=NO]")[2] == "I.4 范围一；VI.1 范围三"
        # IPCC sectors (provincial-guideline view), removals and electricity imports apart
        assert row_texts(page, "[data-testid=ipcc] tr[data-sector='1']") == ["能源活动", "240.00"]
        assert row_texts(page, "[data-testid=ipcc] tr[data-sector=total]")[1] == "259.00"
        assert row_texts(page, "[data-testid=ipcc] tr[data-sector=lulucf]")[1] == "-6.00"
        assert row_texts(page, "[data-testid=ipcc] tr[data-sector=indirect_electricity]")[1] == "170.00"
        assert row_texts(page, "[data-testid=intensity] tr[data-figure=per_capita]")[1] == "2.170"
        assert row_texts(page, "[data-testid=ipcc-categories] tr[data-category='1.A.4.b']") == [
            "1.A.4.b",
            "居民生活",
            "30.00",
        ]
        # the facilities are the whole period's, in tonnes (before: no word said so between 万吨 of the last year)
        assert page.inner_text("[data-testid=facilities-note]").startswith("报告期（2023-01-01 至 2024-12-31）合计")
        # no corporate Scope 1/2/3 totals or Scope 3 table for a territory; the years instead of months
        assert page.query_selector("[data-testid=totals]") is None
        assert page.query_selector("[data-testid=scope3]") is None
        assert page.query_selector("[data-testid=months]") is None
        assert row_texts(page, "[data-testid=trend] tr[data-year='2023']")[:3] == ["2023", "448.35", "455.70"]
        page.wait_for_selector("#chart-trend[data-drawn=true]")
        traces = page.evaluate("JSON.parse(JSON.stringify(document.getElementById('chart-trend').data))")
        removals = next(tr for tr in traces if tr["name"] == "碳汇清除量")
        assert removals["y"] == [-5.5, -6.0]  # below zero, never netted
        # indicators: status words and one chart each, with the target drawn
        assert row_texts(page, "[data-testid=indicators] tr[data-indicator=forest_cover]")[1:5] == [
            "34",
            "35（2025 年）",
            "越高越好",
            "进展符合预期",
        ]
        assert row_texts(page, "[data-testid=indicators] tr[data-indicator=pm25]")[4] == "已达成"
        # direction and status stay on one line in a narrow window (before: 越/高/越/好, one character a line)
        page.set_viewport_size({"width": 520, "height": 900})
        lines = page.eval_on_selector_all(
            "[data-testid=indicators] td[data-key=better], [data-testid=indicators] td[data-key=status]",
            "cells => cells.filter((c) => c.textContent.trim()).map((c) => {"
            " const r = document.createRange(); r.selectNodeContents(c);"
            " return new Set([...r.getClientRects()].map((b) => Math.round(b.top))).size; })",
        )
        assert lines and set(lines) == {1}, lines
        page.set_viewport_size({"width": 1280, "height": 900})
        for i, indicator in enumerate(sections["indicators"]):
            page.wait_for_selector(f"#chart-indicator-{i}[data-drawn=true]")
            drawn = page.evaluate(f"JSON.parse(JSON.stringify(document.getElementById('chart-indicator-{i}').data))")
            assert drawn[0]["y"] == [p["value"] for p in indicator["series"]]
            assert (len(drawn) == 2) == (indicator["target"] is not None)
        page.screenshot(path=str(tmp_path / "territory-zh.png"), full_page=True)

        # English: tonnes, not 万吨; the same figures
        page.click("[data-lang=en]")
        tab_ready(page, "inventory", "en")
        assert row_texts(page, "[data-testid=gpc] tr[data-total=basic_plus]")[-1] == "4,340,000.00"
        assert row_texts(page, "[data-testid=ipcc] tr[data-sector='1']") == ["Energy", "2,400,000.00"]
        assert row_texts(page, "[data-testid=indicators] tr[data-indicator=forest_cover]")[4] == "on track"
        assert json.loads(TERRITORY.read_text(encoding="utf-8"))["territory"]["gpc"]["basic_plus"] == 4_340_000.0
