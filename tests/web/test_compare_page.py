"""The run's year-on-year tab in a real browser (docs/compare.md): a 2024 run compared with the 2023 run of
another project; the reasons for the change as the API computes them, the waterfall drawn, every source."""

from __future__ import annotations

import httpx
from webserver import cells, log_in, person, serve, tab_ready

from dualcarbon.i18n import translator


def _toml(year: int, gwp: str) -> str:
    return (
        f'[organization]\nname = "储运公司"\ncountry = "CN"\nregion = "CN-NCG"\n'
        f"[period]\nstart = {year}-01-01\nend = {year}-12-31\n"
        f'[method]\ngwp = "{gwp}"\nfactor_sets = ["gbt32150", "cn_mee_grid", "ipcc2006"]\n'
    )


def _activities(year: int, diesel_t: float) -> bytes:
    return (
        "id,facility,date,activity,quantity,unit\n"
        f"D1,油库,{year}-06-30,柴油,{diesel_t},吨\n"
        f"E1,油库,{year}-06-30,外购电力,500,兆瓦时\n"
    ).encode()


def _signed(value: float) -> str:
    text = f"{round(value):,}" if abs(value) >= 99.995 else f"{value:,.2f}"
    return text if value <= 0 or text in ("0", "0.00") else f"+{text}"


def test_the_year_on_year_tab(tmp_path, page):
    zh = translator("zh")
    with serve(str(tmp_path / "store.duckdb")) as server:
        _, _, token = person(server, "储运", "王芳", "wangfang")
        with httpx.Client(
            base_url=f"{server.url}/api", headers={"Authorization": f"Bearer {token}"}, timeout=120
        ) as api:
            runs = []
            for year, gwp, diesel in ((2023, "AR5", 100), (2024, "AR6", 150)):
                project = api.post("/projects", json={"name": f"储运 {year}"}).json()
                base = f"/projects/{project['id']}"
                assert api.put(f"{base}/settings", json={"toml": _toml(year, gwp)}).status_code == 200
                files = {"file": ("activities.csv", _activities(year, diesel), "text/csv")}
                assert api.post(f"{base}/batches", data={"kind": "activities"}, files=files).status_code == 201
                queued = api.post(f"{base}/runs", json={"lang": "zh"}).json()
                run = api.get(f"/runs/{queued['id']}", params={"wait": 60}).json()
                assert run["status"] == "succeeded", run
                runs.append(run["id"])
            old, new = runs
            record = api.get(f"/runs/{new}/compare/{old}").json()

            log_in(page, server.url, "wangfang")
            page.goto(f"{server.url}/app/#/runs/{new}/compare?with={old}")
            tab_ready(page, "compare", "zh")
            page.wait_for_selector("[data-testid=chart-compare][data-drawn=true]")
            assert page.input_value("[data-testid=compare-with]") == old
            d = record["decomposition"]
            shown = cells(page, "[data-testid=compare-decomposition] tr[data-effect]", "data-effect", "value")
            for key in ("method_t", "factor_t", "activity_t", "total_change_t"):
                assert shown[key] == _signed(d[key]), key
            assert d["activity_t"] > 0 and d["method_t"] != 0
            notes = page.inner_text("[data-testid=compare]")
            assert zh("compare.note.gwp", old="AR5", new="AR6") in notes
            activity = cells(page, "[data-testid=compare-sources] tr[data-activity]", "data-activity", "activity")
            diesel = next(s for s in record["sources"] if s["activity"] == "fuel/diesel")
            assert activity["fuel/diesel"] == _signed(diesel["activity_t"])
            assert set(activity) == {s["activity"] for s in record["sources"]}
