"""The factor browser in a real browser: a search lists the API's factors, what fits first, named in the
page's language, each with its value, unit and folded citation; filters and pages; the factor sets."""

from __future__ import annotations

import httpx
from webserver import log_in, log_in_with_token, person, ready, serve

from dualcarbon.i18n import translator


def test_factor_search_ranks_names_folds_filters_and_pages_and_the_english_page_fits(tmp_path, page):
    """Issue 15, point 17: on a Chinese page China's factors come first, named in Chinese, each citation
    folded; the filters and the pages are the API's; the English page has no horizontal overflow at 1280 px."""
    zh, en = translator("zh"), translator("en")
    with serve(str(tmp_path / "store.duckdb")) as server:
        _, _, token = person(server, "乳业", "王芳", "wangfang")
        log_in(page, server.url, "wangfang")
        page.click("#nav a[href='#/factors']")
        ready(page, "factors", "zh")
        page.fill("input[name=q]", "gasoline")
        page.click("[data-testid=factor-search] button[type=submit]")
        page.wait_for_selector("[data-testid=factors] tbody tr")
        with httpx.Client(
            base_url=f"{server.url}/api", headers={"Authorization": f"Bearer {token}"}, timeout=120
        ) as api:
            found = api.get("/factors", params={"q": "gasoline", "lang": "zh", "limit": 50}).json()
            second = api.get("/factors", params={"q": "gasoline", "lang": "zh", "limit": 50, "offset": 50}).json()
            grid = api.get(
                "/factors", params={"set": "cn_mee_grid", "region": "CN-NCG", "year": 2022, "lang": "zh"}
            ).json()
            sets = api.get("/factors/sets").json()
        assert page.evaluate("location.hash") == "#/factors?q=gasoline"
        rows = page.eval_on_selector_all(
            "[data-testid=factors] tbody tr",
            "rows => rows.map(r => [r.dataset.factor, r.dataset.region, r.querySelector('.name').textContent, "
            "r.querySelector('[data-key=value]').textContent, r.querySelector('details.citation').open, "
            "r.querySelector('details.citation .full').textContent])",
        )
        assert [r[0] for r in rows] == [f["factor_id"] for f in found["items"]] and found["total"] > 50
        # zh's home is China: GB/T 32150's Chinese default for gasoline (汽油) is the first row, before GLOBAL ones
        assert rows[0][1] == "CN" and rows[0][2] == "汽油" and found["items"][0]["factor_set"] == "gbt32150"
        assert [r[1] for r in rows].index("GLOBAL") > 0
        for (_, _, name, value, opened, cited), expected in zip(rows, found["items"], strict=True):
            assert name == expected["name_zh"] and float(value) == float(f"{expected['value']:.6g}")
            assert not opened and cited == expected["citation"]  # folded, whole inside
        checks = page.eval_on_selector_all(
            "[data-testid=factors] tbody tr",
            "rows => rows.map(r => r.querySelector('details.citation .check').textContent)",
        )
        # issue 15: how far each value was checked, beside its citation, in the page's language
        assert checks == [zh("fsearch.check") + "：" + zh(f"cite.check.{f['check']}") for f in found["items"]]
        heading = page.inner_text("[data-view=factors] section h2")
        assert heading == zh("fsearch.results", n=found["total"], first=1, last=50)
        page.click("[data-testid=factors] tbody tr:first-child details.citation summary")
        assert page.eval_on_selector("[data-testid=factors] tbody tr:first-child details.citation", "d => d.open")

        page.click("[data-testid=factor-pager] [data-testid=next]")
        ready(page, "factors", "zh")
        page.wait_for_selector("[data-testid=factors] tbody tr")
        ids = page.eval_on_selector_all("[data-testid=factors] tbody tr", "rows => rows.map(r => r.dataset.factor)")
        assert ids == [f["factor_id"] for f in second["items"]]
        assert page.inner_text("[data-view=factors] section h2") == zh(
            "fsearch.results", n=found["total"], first=51, last=50 + len(second["items"])
        )

        page.click("[data-testid=clear-filters]")
        ready(page, "factors", "zh")
        page.select_option("select[name=set]", "cn_mee_grid")
        page.fill("input[name=region]", "CN-NCG")
        page.fill("input[name=year]", "2022")
        page.click("[data-testid=factor-search] button[type=submit]")
        page.wait_for_selector("[data-testid=factors] tbody tr")
        assert page.evaluate("location.hash") == "#/factors?set=cn_mee_grid&region=CN-NCG&year=2022"
        ids = page.eval_on_selector_all("[data-testid=factors] tbody tr", "rows => rows.map(r => r.dataset.factor)")
        assert ids == [f["factor_id"] for f in grid["items"]] and {f["year"] for f in grid["items"]} == {2022}
        assert grid["items"][0]["region"] == "CN-NCG"
        listed = page.eval_on_selector_all(
            "[data-testid=factor-set-list] tbody tr td:first-child", "cells => cells.map(c => c.textContent)"
        )
        assert listed == [s["factor_set"] for s in sets]

        # English: the same search, named in English; the page fits 1280 px (no horizontal scrolling)
        page.goto(f"{server.url}/app/#/factors?q=gasoline")
        page.click("[data-lang=en]")
        ready(page, "factors", "en")
        page.wait_for_selector("[data-testid=factors] tbody tr")
        assert page.inner_text("[data-view=factors] h1") == en("web.factors.title")
        names = page.eval_on_selector_all("[data-testid=factors] .factor-name .name", "n => n.map(x => x.textContent)")
        assert names[0] == "Gasoline (petrol)"
        widths = page.evaluate(
            "() => { const t = document.querySelector('[data-testid=factors]'); return [t.scrollWidth, "
            "t.parentElement.clientWidth, document.documentElement.scrollWidth, window.innerWidth]; }"
        )
        assert widths[0] <= widths[1] and widths[2] <= widths[3] == 1280, widths


def test_a_revoked_token_brings_back_the_login_page_and_sign_up_closes_after_the_first_organisation(tmp_path, page):
    zh = translator("zh")
    with serve(str(tmp_path / "store.duckdb")) as server:
        _, _, token = server.store.create_organisation("乳业", "王芳")
        log_in_with_token(page, server.url, token)
        with httpx.Client(
            base_url=f"{server.url}/api", headers={"Authorization": f"Bearer {token}"}, timeout=120
        ) as api:
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
