"""Issue 20's data collection in a real browser: three people in three project roles, each signed in
in turn. The coordinator asks the farm (牧场) of the dairy example for its 2024 activities; the contributor
submits them through the page; the reviewer returns them with a comment on row 2; the contributor reads
the comment and submits again; the reviewer approves; the coordinator's board shows it approved."""

from __future__ import annotations

import datetime as dt

import httpx
from webserver import EXAMPLES, ready, serve

SITE = "牧场"


def site_file(tmp_path) -> str:
    header, *rows = (EXAMPLES / "dairy" / "activities.csv").read_text("utf-8").splitlines()
    path = tmp_path / f"{SITE}.csv"
    path.write_text("\n".join([header, *(r for r in rows if r.split(",")[1] == SITE)]) + "\n", "utf-8")
    return str(path)


def as_person(page, url: str, token: str, project_id: str) -> None:
    """Sign out whoever is signed in, sign in with ``token`` and open the project's data collection."""
    page.goto(f"{url}/app/#/login")
    ready(page, "login")
    page.click("[data-testid=token-login] summary")
    page.fill("#token", token)
    page.click("[data-testid=login-form] button[type=submit]")
    ready(page, "projects")
    page.goto(f"{url}/app/#/projects/{project_id}/requests")
    ready(page, "requests")


def test_request_submit_return_resubmit_approve_with_three_roles(tmp_path, page):
    with serve(str(tmp_path / "store.duckdb")) as server:
        store = server.store
        org, admin, admin_token = store.create_organisation("黑土地乳业", "王芳")
        people = {}
        for name, role in (("Cora", "coordinator"), ("Sam", "contributor"), ("Rex", "reviewer")):
            user, token = store.create_user(org["id"], name, None, "viewer")
            people[role] = (user, token)
        api = httpx.Client(base_url=f"{server.url}/api", headers={"Authorization": f"Bearer {admin_token}"}, timeout=60)
        project = api.post("/projects", json={"name": "乳业 2024", "example": "dairy"}).json()
        for role, (user, _) in people.items():
            assert (
                api.post(f"/projects/{project['id']}/members", json={"user_id": user["id"], "role": role}).status_code
                == 201
            )

        # the coordinator asks the farm for its data
        as_person(page, server.url, people["coordinator"][1], project["id"])
        form = page.locator("[data-testid=request-form]")
        form.locator("[data-testid=request-site]").fill(SITE)
        form.locator("[data-testid=request-period_start]").fill("2024-01-01")
        form.locator("[data-testid=request-period_end]").fill("2024-12-31")
        form.locator("[data-testid=request-due_on]").fill((dt.date.today() + dt.timedelta(days=5)).isoformat())
        form.locator("button[type=submit]").click()
        page.wait_for_selector(f'[data-testid=request-board] tr[data-site="{SITE}"][data-status="requested"]')
        assert page.inner_text("[data-testid=reminders] [data-key=due_soon]") == "1"
        page.goto(f"{server.url}/app/#/projects/{project['id']}")  # the reminder where people land
        ready(page, "project")
        reminder = page.wait_for_selector("[data-testid=reminder]").inner_text()
        assert reminder == "逾期 0 项，7 天内到期 1 项，待审核 0 项"

        # the contributor submits the farm's rows
        as_person(page, server.url, people["contributor"][1], project["id"])
        assert page.locator("[data-testid=request-form]").count() == 0  # no coordinator's form for a site user
        page.set_input_files("[data-testid=submission-file]", site_file(tmp_path))
        page.click("[data-testid=submission-form] button[type=submit]")
        page.wait_for_selector('[data-testid=my-request][data-status="submitted"]')

        # the reviewer returns it with a comment on row 2
        as_person(page, server.url, people["reviewer"][1], project["id"])
        card = page.locator(f'[data-testid=review][data-site="{SITE}"]')
        card.locator("[data-testid=review-comment]").fill("一月外购电力与电费单不符")
        card.locator("[data-testid=add-row-comment]").click()
        card.locator("[data-testid=row-number]").fill("2")
        card.locator("[data-testid=row-column]").fill("quantity")
        card.locator("[data-testid=row-text]").fill("电费单为 63.5 万千瓦时")
        card.locator("[data-testid=return]").click()
        page.wait_for_selector("[data-testid=queue-empty]")

        # the contributor reads the comments and submits again
        as_person(page, server.url, people["contributor"][1], project["id"])
        returned = page.locator("[data-testid=returned]")
        assert "一月外购电力与电费单不符" in returned.inner_text()
        row = returned.locator("[data-testid=row-comments] tbody tr")
        assert row.locator("[data-key=row]").inner_text() == "2"
        assert row.locator("[data-key=text]").inner_text() == "电费单为 63.5 万千瓦时"
        page.set_input_files("[data-testid=submission-file]", site_file(tmp_path))
        page.click("[data-testid=submission-form] button[type=submit]")
        page.wait_for_selector('[data-testid=my-request][data-status="submitted"]')

        # the reviewer approves; the coordinator's board shows it approved
        as_person(page, server.url, people["reviewer"][1], project["id"])
        page.locator(f'[data-testid=review][data-site="{SITE}"] [data-testid=approve]').click()
        page.wait_for_selector("[data-testid=queue-empty]")
        as_person(page, server.url, people["coordinator"][1], project["id"])
        page.wait_for_selector(f'[data-testid=request-board] tr[data-site="{SITE}"][data-status="approved"]')
        assert page.inner_text("h1") == "数据收集"
        page.click("[data-lang=en]")
        ready(page, "requests", "en")
        assert page.inner_text("h1") == "Data collection"
        status = page.inner_text(f'[data-testid=request-board] tr[data-site="{SITE}"] [data-key=status]')
        assert status.strip() == "approved"
        history = api.get(f"/projects/{project['id']}/requests").json()[0]
        actions = [e["action"] for e in api.get(f"/requests/{history['id']}").json()["history"]]
        assert actions == ["requested", "submitted", "returned", "resubmitted", "approved"]
        api.close()
