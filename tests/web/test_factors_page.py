"""The factor browser in a real browser: a search for 天然气 lists the API's factors, each with its
value, unit and citation; the factor sets are listed with versions and hashes."""

from __future__ import annotations

import httpx
from webserver import log_in, log_in_with_token, person, ready, serve

from dualcarbon.i18n import translator


def test_searching_natural_gas_shows_every_factor_with_its_citation(tmp_path, page):
    zh, en = translator("zh"), translator("en")
    with serve(str(tmp_path / "store.duckdb")) as server:
        _, _, token = person(server, "乳业", "王芳", "wangfang")
        log_in(page, server.url, "wangfang")
        page.click("#nav a[href='#/factors']")
        ready(page, "factors")
        page.fill("input[name=q]", "天然气")
        page.click("[data-testid=factor-search] button[type=submit]")
        page.wait_for_selector("[data-testid=factors] tbody tr")
        with httpx.Client(base_url=f"{server.url}/api", headers={"Authorization": f"Bearer {token}"}) as api:
            found = api.get("/factors", params={"q": "天然气", "limit": 200}).json()["items"]
            sets = api.get("/factors/sets").json()
        assert page.evaluate("location.hash") == "#/factors?q=%E5%A4%A9%E7%84%B6%E6%B0%94"
        rows = page.eval_on_selector_all(
            "[data-testid=factors] tbody tr",
            "rows => rows.map(r => [r.dataset.factor, r.querySelector('[data-key=key]').textContent, "
            "r.querySelector('[data-key=value]').textContent, r.querySelector('[data-key=citation]').textContent])",
        )
        checks = page.eval_on_selector_all(
            "[data-testid=factors] tbody tr", "rows => rows.map(r => r.querySelector('[data-key=check]').textContent)"
        )
        # issue 15: how far each value was checked, beside its citation, in the page's language
        assert checks == [zh(f"cite.check.{f['check']}") for f in found]
        assert all(not c.startswith("cite.") for c in checks)
        assert len(rows) == len(found) > 0
        assert {key for _, key, _, _ in rows} >= {"fuel/natural_gas"}
        for (factor_id, key, value, citation), expected in zip(rows, found, strict=True):
            assert (factor_id, key) == (expected["factor_id"], expected["key"])
            assert float(value) == float(f"{expected['value']:.6g}")
            assert expected["citation"] and citation.startswith(expected["citation"])
        heading = page.inner_text("[data-view=factors] section h2")
        assert heading == zh("web.factors.results", n=len(found), q="天然气")
        listed = page.eval_on_selector_all(
            "[data-testid=factor-set-list] tbody tr td:first-child", "cells => cells.map(c => c.textContent)"
        )
        assert listed == [s["factor_set"] for s in sets]

        page.click("[data-lang=en]")
        ready(page, "factors", "en")
        page.wait_for_selector("[data-testid=factors] tbody tr")
        assert page.inner_text("[data-view=factors] h1") == en("web.factors.title")
        assert page.eval_on_selector_all("[data-testid=factors] tbody tr", "rows => rows.length") == len(found)


def test_a_revoked_token_brings_back_the_login_page_and_sign_up_closes_after_the_first_organisation(tmp_path, page):
    zh = translator("zh")
    with serve(str(tmp_path / "store.duckdb")) as server:
        _, _, token = server.store.create_organisation("乳业", "王芳")
        log_in_with_token(page, server.url, token)
        with httpx.Client(base_url=f"{server.url}/api", headers={"Authorization": f"Bearer {token}"}) as api:
            token_id = api.get("/me").json()["token_id"]
            assert api.delete(f"/tokens/{token_id}").status_code == 200
        page.click("#nav a[href='#/factors']")
        ready(page, "login")
        assert page.inner_text(".page[data-view=login] .notice") == zh("web.login.expired")
        assert page.evaluate("sessionStorage.getItem('dualcarbon.token')") is None

        page.click("[data-testid=to-signup]")
        ready(page, "signup")
        assert page.inner_text("[data-testid=signup-closed]") == zh("web.signup.closed")
        assert page.query_selector("[data-testid=signup-form]") is None
