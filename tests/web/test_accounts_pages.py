"""People sign in as people, in a real browser (issue 13): an admin signs in with a password, invites
a viewer from the users page, the viewer sets a password with the invitation's link and signs in,
and sees only what a viewer may; a request without the CSRF token is refused; the admin reads the
audit log; a wrong password, then too many, are told on the login page."""

from __future__ import annotations

import json

import httpx
from webserver import PASSWORD, log_in, person, ready, serve

from dualcarbon.i18n import translator

# a request the page's own script could make, with the session cookie, but without the CSRF header
FORGED = """async () => {
  const answer = await fetch("/api/projects", {method: "POST", credentials: "same-origin",
    headers: {"Content-Type": "application/json"}, body: JSON.stringify({name: "forged"})});
  return [answer.status, await answer.text()];
}"""
WITH_CSRF = """async () => {
  const session = await (await fetch("/api/session")).json();
  const answer = await fetch("/api/projects", {method: "POST", credentials: "same-origin",
    headers: {"Content-Type": "application/json", "X-CSRF-Token": session.csrf_token},
    body: JSON.stringify({name: "with the token"})});
  return answer.status;
}"""


def test_an_admin_invites_a_viewer_who_sets_a_password_and_sees_what_a_viewer_may(tmp_path, page):
    zh = translator("zh")
    with serve(str(tmp_path / "store.duckdb")) as server:
        org, admin, _ = person(server, "乳业", "王芳", "wangfang")
        log_in(page, server.url, "WangFang")  # the name in any case
        assert page.inner_text("[data-testid=who]").startswith("乳业 · 王芳")

        # a request with the session cookie but without the CSRF token is refused; with it, accepted
        status, text = page.evaluate(FORGED)
        assert status == 403 and json.loads(text)["error"]["code"] == "csrf_failed"
        assert page.evaluate(WITH_CSRF) == 201
        assert [p["name"] for p in server.store.projects(org["id"])] == ["with the token"]

        # the users page: invite a viewer, and read the one-time link
        page.click("[data-testid=nav-users]")
        ready(page, "users")
        page.fill("[data-testid=invite-form] input[name=name]", "李明")
        page.fill("[data-testid=invite-form] input[name=login]", "liming")
        page.select_option("[data-testid=invite-form] select[name=role]", "viewer")
        page.click("[data-testid=invite-form] button[type=submit]")
        link = page.inner_text("[data-testid=one-time-link]").strip()
        assert link.startswith(f"{server.url}/app/#/password?code=")
        assert zh("web.users.invited", name="李明") in page.inner_text("[data-testid=one-time-code]")
        page.reload()  # the session outlives a reload: the page asks GET /api/session again
        ready(page, "users")
        row = "[data-testid=users] tr[data-login=liming]"
        assert page.inner_text(f"{row} [data-key=state]") == zh("web.users.no_password")

        # a user for scripts: no sign-in name, an API token shown once, which works at once
        page.fill("[data-testid=script-user-form] input[name=script-name]", "夜间上传")
        page.select_option("[data-testid=script-user-form] select[name=script-role]", "editor")
        page.click("[data-testid=script-user-form] button[type=submit]")
        script_token = page.inner_text("[data-testid=script-token] [data-testid=new-token]").strip()
        assert zh("settings_editor.script_made", name="夜间上传") in page.inner_text("[data-testid=script-token]")
        me = httpx.get(f"{server.url}/api/me", headers={"Authorization": f"Bearer {script_token}"}, timeout=120).json()
        assert (me["user"]["name"], me["user"]["role"], me["user"]["login"]) == ("夜间上传", "editor", None)

        page.click("[data-testid=logout]")
        ready(page, "login")
        assert page.context.cookies() == []

        # the viewer opens the link, sets a password (a short one first) and is signed in
        page.goto(link)
        ready(page, "password")
        page.fill("#new-password", "short")
        page.fill("#again", "short")
        page.click("[data-testid=set-password-form] button[type=submit]")
        page.wait_for_selector("[data-testid=error] [data-testid=problems]")
        assert "10" in page.inner_text("[data-testid=problems] [data-key=expected]")
        page.fill("#new-password", "李明的新密码 2024")
        page.fill("#again", "李明的新密码 2024")
        page.click("[data-testid=set-password-form] button[type=submit]")
        ready(page, "projects")
        assert page.inner_text("[data-testid=who]").startswith("乳业 · 李明 (" + zh("web.role.viewer"))
        # a viewer: no new project, no users or audit pages, no invitation form
        assert page.query_selector("[data-testid=new-project]") is None
        assert page.query_selector("[data-testid=nav-users]") is None
        assert page.query_selector("[data-testid=nav-audit]") is None
        page.goto(f"{server.url}/app/#/users")
        ready(page, "users")
        assert page.inner_text(".page[data-view=users] .notice") == zh("web.users.admins_only")
        assert page.query_selector("[data-testid=invite-form]") is None
        # the viewer's own account page: a token of their own (a signed-in person may mint one)
        page.click("[data-testid=nav-account]")
        ready(page, "account")
        page.fill("[data-testid=new-token-form] input[name=token-name]", "my script")
        page.click("[data-testid=new-token-form] button[type=submit]")
        token = page.inner_text("[data-testid=new-token]").strip()
        assert token.startswith("dct_")
        who = server.store.authenticate(token)
        assert who["name"] == "李明" and who["role"] == "viewer"

        # the admin again: the audit log tells who did what
        page.click("[data-testid=logout]")
        ready(page, "login")
        log_in(page, server.url, "wangfang")
        page.click("[data-testid=nav-audit]")
        ready(page, "audit")
        actions = page.eval_on_selector_all("[data-testid=audit] tbody tr", "rows => rows.map(r => r.dataset.action)")
        assert actions[:3] == ["sign_in", "sign_out", "token.created"]
        assert {"user.invited", "password.set", "project.created"} <= set(actions)
        invited = "[data-testid=audit] tr[data-action='user.invited']"
        assert page.inner_text(f"{invited} [data-key=who]") == "王芳"
        assert page.inner_text(f"{invited} [data-key=action]") == zh("web.audit.act.user_invited")
        assert page.inner_text(f"{invited} [data-key=address]") == "127.0.0.1"

        # the admin disables the viewer: their token stops working at once
        page.click("[data-testid=nav-users]")
        ready(page, "users")
        page.click(f"{row} [data-testid=disable]")
        page.wait_for_selector(f"{row} [data-testid=enable]")
        assert page.inner_text(f"{row} [data-key=state]") == zh("web.users.disabled")
        assert server.store.authenticate(token) is None
        assert admin["id"] != who["user_id"]


def test_a_wrong_password_is_told_and_too_many_failures_make_the_page_say_wait(tmp_path, page):
    zh = translator("zh")
    with serve(str(tmp_path / "store.duckdb")) as server:
        person(server, "乳业", "王芳", "wangfang")
        page.goto(f"{server.url}/app/")
        ready(page, "login")  # not signed in: the login page
        page.fill("#login", "wangfang")
        for attempt in range(5):
            page.fill("#password", f"wrong password {attempt}")
            page.click("[data-testid=password-login-form] button[type=submit]")
            page.wait_for_selector("[data-testid=error]")
            assert page.inner_text("[data-testid=error] strong") == zh("web.login.wrong")
            assert page.input_value("#password") == ""  # a wrong password is not kept in the field
        page.fill("#password", PASSWORD)  # even the right one, while locked
        page.click("[data-testid=password-login-form] button[type=submit]")
        page.wait_for_selector("[data-testid=error] .code")
        assert page.inner_text("[data-testid=error] strong") == zh("web.login.too_many", minutes=15)
        assert page.evaluate("location.hash") == "#/login"
        assert page.context.cookies() == []
