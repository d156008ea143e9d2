"""The settings editor and the emission-row browser in a real browser (issue 15, point 18): the main
settings edited in a form and the whole dualcarbon.toml as text, each through the API's settings call,
with every problem shown beside its field or the line of its key and nothing saved; a run's emission
rows filtered by scope, gas, facility and activity key and paged, exactly the API's pages."""

from __future__ import annotations

import httpx
from webserver import log_in, person, ready, serve, tab_ready

from dualcarbon.i18n import translator


def test_the_settings_editor_shows_problems_in_place_and_saves_through_the_api(tmp_path, page):
    zh, en = translator("zh"), translator("en")
    with serve(str(tmp_path / "store.duckdb")) as server:
        _, _, token = person(server, "乳业", "王芳", "wangfang")
        with httpx.Client(
            base_url=f"{server.url}/api", headers={"Authorization": f"Bearer {token}"}, timeout=120
        ) as api:
            project = api.post("/projects", json={"name": "乳业", "example": "dairy"}).json()

            def settings_batches() -> int:
                return len(api.get(f"/projects/{project['id']}/batches", params={"kind": "settings"}).json())

            before = settings_batches()
            run = api.post(f"/projects/{project['id']}/runs", json={"lang": "zh"}).json()

            log_in(page, server.url, "wangfang")
            page.goto(f"{server.url}/app/#/projects/{project['id']}")
            ready(page, "project", "zh")
            page.click("[data-testid=edit-settings]")
            ready(page, "settings", "zh")
            form = "[data-testid=settings-form]"
            assert page.input_value(f"{form} input[name='organization.name']") == "黑土地某乳业有限公司"
            # two mistakes: no organisation name, and a period ending before it starts
            page.fill(f"{form} input[name='organization.name']", "")
            page.fill(f"{form} input[name='period.end']", "2023-06-30")
            page.click(f"{form} button[type=submit]")
            page.wait_for_selector("[data-testid=settings-problems]")
            assert page.inner_text("[data-testid=settings-problems] strong") == zh("settings_editor.problems", n=2)
            name_problem = page.inner_text("[data-problem-for='organization.name']")
            period_problem = page.inner_text("[data-problem-for='period.start']")
            assert name_problem and "2023-06-30" in period_problem
            assert page.get_attribute(f"{form} input[name='organization.name']", "aria-invalid") == "true"
            assert page.inner_text("[data-problem-for='method.gwp']") == ""
            assert settings_batches() == before  # nothing saved

            # then an unknown factor set (checked against the library once the settings read)
            page.fill(f"{form} input[name='organization.name']", "黑土地某乳业有限公司")
            page.fill(f"{form} input[name='period.end']", "2024-12-31")
            page.fill(f"{form} input[name='method.factor_sets']", "gbt32150, nope")
            page.click(f"{form} button[type=submit]")
            page.wait_for_selector("[data-problem-for='method.factor_sets'] div")
            assert "nope" in page.inner_text("[data-problem-for='method.factor_sets']")
            assert page.inner_text("[data-problem-for='period.start']") == ""
            assert settings_batches() == before

            page.fill(f"{form} input[name='method.factor_sets']", "")
            page.fill(f"{form} input[name='period.end']", "2024-12-31")
            page.select_option(f"{form} select[name='method.gwp']", "AR6")
            page.click(f"{form} button[type=submit]")
            page.wait_for_selector("[data-testid=settings-saved]")
            ready(page, "settings", "zh")
            saved = api.get(f"/projects/{project['id']}/settings").json()
            assert settings_batches() == before + 1
            assert saved["settings"]["method"]["gwp"] == "AR6" and saved["settings"]["method"]["factor_sets"] is None
            assert saved["settings"]["organization"]["name"] == "黑土地某乳业有限公司"
            assert page.inner_text("[data-testid=settings-saved]") == zh(
                "settings_editor.saved", batch=saved["batch"]["id"]
            )

            # the text: a wrong GWP set is shown with the line that holds it
            page.click("details.toml-editor summary")
            text = page.input_value("[data-testid=settings-toml]")
            assert text == saved["toml"]
            broken = text.replace('gwp = "AR6"', 'gwp = "AR9"')
            line = broken.splitlines().index('gwp = "AR9"') + 1
            page.fill("[data-testid=settings-toml]", broken)
            page.click("[data-testid=settings-text-form] button[type=submit]")
            page.wait_for_selector("[data-testid=settings-toml-message] [data-testid=problems]")
            row = "[data-testid=settings-toml-message] tr[data-column='method.gwp']"
            assert page.inner_text(f"{row} [data-key=line]") == zh("settings_editor.line", line=line)
            assert settings_batches() == before + 1

            page.click("[data-lang=en]")
            ready(page, "settings", "en")
            assert page.inner_text("[data-testid=settings-form] .field[data-path='method.scope2'] > span") == en(
                "settings_editor.scope2"
            )

            # the emission rows of the run (started before the settings changed), filtered and paged
            api.get(f"/runs/{run['id']}", params={"wait": 60})
            page.goto(f"{server.url}/app/#/runs/{run['id']}")
            tab_ready(page, "inventory", "en")
            page.click("nav.tabs a[data-tab=rows]")
            tab_ready(page, "rows", "en")
            everything = api.get(f"/runs/{run['id']}/emissions", params={"limit": 50}).json()
            assert page.inner_text(".tab-body[data-tab=rows] section h2") == en(
                "rows.count", n=everything["total"], first=1, last=50
            )
            page.select_option("[data-testid=rows-filters] select[name=scope]", "1")
            page.select_option("[data-testid=rows-filters] select[name=gas]", "CO2")
            page.click("[data-testid=rows-filters] button[type=submit]")
            page.wait_for_function("location.hash.includes('scope=1')")
            tab_ready(page, "rows", "en")
            scope1 = api.get(f"/runs/{run['id']}/emissions", params={"scope": "1", "gas": "CO2", "limit": 50}).json()
            shown = page.eval_on_selector_all(
                "[data-testid=emission-rows] tbody tr",
                "rows => rows.map(r => [r.querySelector('[data-key=id]').textContent, "
                "r.querySelector('[data-key=gas]').textContent, r.querySelector('[data-key=co2e]').textContent])",
            )
            assert [(i, g) for i, g, _ in shown] == [(r["id"], r["gas"]) for r in scope1["items"]]
            assert [float(c.replace(",", "")) for _, _, c in shown] == [round(r["co2e_t"], 2) for r in scope1["items"]]
            assert page.inner_text(".tab-body[data-tab=rows] section h2") == en(
                "rows.count", n=scope1["total"], first=1, last=len(scope1["items"])
            )
            facility = scope1["items"][0]["facility"]
            key = scope1["items"][0]["key"]
            page.select_option("[data-testid=rows-filters] select[name=facility]", facility)
            page.fill("[data-testid=rows-filters] input[name=key]", key)
            page.click("[data-testid=rows-filters] button[type=submit]")
            page.wait_for_function("location.hash.includes('key=')")
            tab_ready(page, "rows", "en")
            narrow = api.get(
                f"/runs/{run['id']}/emissions",
                params={"scope": "1", "gas": "CO2", "facility": facility, "key": key, "limit": 50},
            ).json()
            ids = page.eval_on_selector_all(
                "[data-testid=emission-rows] [data-key=id]", "c => c.map(x => x.textContent)"
            )
            assert ids == [r["id"] for r in narrow["items"]] and 0 < narrow["total"] < scope1["total"]

            # paging over all rows: the second page is the API's
            page.click("[data-testid=rows-clear]")
            tab_ready(page, "rows", "en")
            page.click("[data-testid=rows-pager] [data-testid=next]")
            page.wait_for_function("location.hash.includes('offset=50')")
            tab_ready(page, "rows", "en")
            second = api.get(f"/runs/{run['id']}/emissions", params={"limit": 50, "offset": 50}).json()
            rows = page.eval_on_selector_all("[data-testid=emission-rows] tbody tr", "r => r.map(x => x.dataset.row)")
            assert rows == [
                f"{r['source_file']}:{r['source_row']}:{r['gas']}:{r['scope2_method'] or ''}" for r in second["items"]
            ]
