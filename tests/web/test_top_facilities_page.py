"""A run of more facilities than summary.json lists, in a real browser (issue 16): the inventory page shows
the 50 largest, one line of the others and a download of facilities.csv; the emission-row filter offers
every facility, also those beyond the 50, and filters by one of them exactly as the API does."""

from __future__ import annotations

import httpx
from projects import depot_activities, depots_toml
from webserver import log_in, person, serve, tab_ready

from dualcarbon import inventory
from dualcarbon.i18n import translator

FACILITIES = 60
TOML = depots_toml("储运公司")


def activities() -> bytes:
    """Diesel at 60 depots, two rows each, 1 t more at each depot than at the one before."""
    return depot_activities([f"储运站-{i:03d}" for i in range(FACILITIES)], ["2024-03-31", "2024-09-30"])


def test_the_largest_facilities_the_others_line_and_every_facility_in_the_filter(tmp_path, page):
    zh = translator("zh")
    with serve(str(tmp_path / "store.duckdb")) as server:
        _, _, token = person(server, "储运", "王芳", "wangfang")
        with httpx.Client(
            base_url=f"{server.url}/api", headers={"Authorization": f"Bearer {token}"}, timeout=120
        ) as api:
            project = api.post("/projects", json={"name": "储运"}).json()
            base = f"/projects/{project['id']}"
            assert api.put(f"{base}/settings", json={"toml": TOML}).status_code == 200
            files = {"file": ("activities.csv", activities(), "text/csv")}
            assert api.post(f"{base}/batches", data={"kind": "activities"}, files=files).status_code == 201
            queued = api.post(f"{base}/runs", json={"lang": "zh"}).json()
            run = api.get(f"/runs/{queued['id']}", params={"wait": 60}).json()
            assert run["status"] == "succeeded", run
            summary = api.get(f"/runs/{run['id']}/summary").json()
            assert summary["by_facility_complete"] is False

            log_in(page, server.url, "wangfang")
            page.goto(f"{server.url}/app/#/runs/{run['id']}")
            tab_ready(page, "inventory", "zh")
            shown = page.eval_on_selector_all(
                "[data-testid=facilities] tr[data-facility]", "rows => rows.map((r) => r.dataset.facility)"
            )
            assert shown == [r["facility"] for r in summary["by_facility"][: inventory.TOP]]
            assert shown[0] == "储运站-059" and "储运站-000" not in shown
            others = "[data-testid=facilities] tr[data-others]"
            assert page.get_attribute(others, "data-others") == str(FACILITIES - inventory.TOP)
            assert page.inner_text(f"{others} [data-key=facility]") == zh("topn.others_facilities", n="10")
            note = page.inner_text("[data-testid=facilities-note-top]")
            assert "facilities.csv" in note and "60" in note
            with page.expect_download() as download:
                page.click("[data-testid=facilities-download]")
            assert download.value.suggested_filename == f"facilities-{run['id']}.csv"
            assert download.value.path().read_bytes() == api.get(f"/runs/{run['id']}/files/facilities.csv").content

            # the emission rows' facility filter: every facility, also the ten beyond the summary's list
            page.click("nav.tabs a[data-tab=rows]")
            tab_ready(page, "rows", "zh")
            options = page.eval_on_selector_all(
                "[data-testid=rows-filters] select[name=facility] option", "o => o.map((x) => x.value)"
            )
            assert options == ["", *sorted(f"储运站-{i:03d}" for i in range(FACILITIES))]
            page.select_option("[data-testid=rows-filters] select[name=facility]", "储运站-000")
            page.click("[data-testid=rows-filters] button[type=submit]")
            page.wait_for_function("location.hash.includes('facility=')")
            tab_ready(page, "rows", "zh")
            ids = page.eval_on_selector_all(
                "[data-testid=emission-rows] [data-key=id]", "c => c.map((x) => x.textContent)"
            )
            expected = api.get(f"/runs/{run['id']}/emissions", params={"facility": "储运站-000", "limit": 50}).json()
            assert ids == [r["id"] for r in expected["items"]] and expected["total"] > 0
