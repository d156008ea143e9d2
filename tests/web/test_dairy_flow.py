"""Issue 5 in a real browser: a new user creates an organisation with the setup token, choosing a
sign-in name and password, signs out and in again with them (a wrong password first), uploads the dairy example's files through the page (a broken activities file
first, whose problems the page lists row by row), runs it, and reads on the page the totals of
`dualcarbon run`'s summary.json; then switches to English and back. On DuckDB, and on PostgreSQL
when DUALCARBON_TEST_POSTGRES is set (CI sets it)."""

from __future__ import annotations

import io
import json

import httpx
import openpyxl
import pytest
from webserver import EXAMPLES, PASSWORD, ROUNDING_T, SETUP_TOKEN, cells, ready, serve, tab_ready, tonnes

from dualcarbon import figures
from dualcarbon.i18n import translator
from dualcarbon.project import reader

DAIRY = EXAMPLES / "dairy"
TOTALS = ["scope1", "scope2_location", "scope2_market", "scope3", "total_location", "total_market", "biogenic_co2"]


def broken_activities() -> tuple[bytes, set[tuple[int, str]]]:
    """The dairy activities with two cells spoilt, and the (row, column) each problem must name:
    data line i is row i + 1 of the spreadsheet (the header is row 1)."""
    lines = (DAIRY / "activities.csv").read_text("utf-8").splitlines()
    header = lines[0].split(",")
    unit, quantity = header.index("unit"), header.index("quantity")
    third = lines[3].split(",")
    third[unit] = "万千瓦"
    lines[3] = ",".join(third)
    fifth = lines[5].split(",")
    fifth[quantity] = "abc"
    lines[5] = ",".join(fifth)
    return ("\n".join(lines) + "\n").encode("utf-8"), {(4, "unit"), (6, "quantity")}


def sign_up(page, url: str) -> str:
    """The sign-up page with the setup token and the admin's sign-in name and password; returns the
    admin's API token the page shows once (for scripts), and signs in."""
    page.goto(f"{url}/")
    ready(page, "login", "zh")
    page.click("[data-testid=to-signup]")
    ready(page, "signup")
    page.fill("input[name=name]", "黑土地乳业")
    page.fill("input[name=admin_name]", "王芳")
    page.fill("input[name=admin_login]", "WangFang")
    page.fill("input[name=admin_password]", PASSWORD)
    page.fill("input[name=setup_token]", SETUP_TOKEN)
    page.click("[data-testid=signup-form] button[type=submit]")
    token = page.inner_text("[data-testid=new-token]").strip()
    assert token.startswith("dct_")
    page.click("[data-testid=continue]")
    ready(page, "projects")
    return token


def upload(page, *paths_or_files) -> dict[str, str]:
    """Choose files in the upload form and send them; ``{file name: accepted|refused}`` once the page
    has also redrawn the project's settings and files."""
    page.set_input_files("[data-testid=upload-files]", list(paths_or_files))
    page.click("[data-testid=upload-form] button[type=submit]")
    page.wait_for_selector("[data-testid=upload-results][data-done=true]")
    return page.eval_on_selector_all(
        "[data-testid=upload-results] [data-outcome]",
        "rows => Object.fromEntries(rows.map(r => [r.dataset.file, r.dataset.outcome]))",
    )


def test_a_new_user_runs_the_dairy_example_in_the_browser_and_reads_the_cli_totals(store_location, page, cli_dairy):
    """``store_location``: a fresh DuckDB file, then a PostgreSQL schema (the root conftest's fixture)."""
    zh, en = translator("zh"), translator("en")
    expected = json.loads(cli_dairy["summary.json"])
    with serve(store_location) as server:
        token = sign_up(page, server.url)
        assert page.inner_text("[data-testid=who]").startswith("黑土地乳业 · 王芳")
        # signed in as a person: the session is an HttpOnly, SameSite=Strict cookie no script reads;
        # no token is kept in the page's storage
        assert page.evaluate("sessionStorage.getItem('dualcarbon.token')") is None
        assert page.evaluate("Object.values(localStorage).some(v => v.includes('dct_'))") is False
        [cookie] = page.context.cookies()
        assert (cookie["name"], cookie["httpOnly"], cookie["sameSite"]) == ("dualcarbon_session", True, "Strict")
        assert page.evaluate("document.cookie") == ""

        # log out (the session ends), then sign in with the name and password (a wrong one first)
        page.click("[data-testid=logout]")
        ready(page, "login")
        assert page.context.cookies() == []
        page.fill("#login", "wangfang")
        page.fill("#password", "not the password")
        page.click("[data-testid=password-login-form] button[type=submit]")
        assert page.inner_text("[data-testid=error]").startswith(zh("web.login.wrong"))
        page.fill("#password", PASSWORD)
        page.click("[data-testid=password-login-form] button[type=submit]")
        ready(page, "projects")

        page.fill("[data-testid=new-project] input[name=name]", "2024 年清单")
        page.click("[data-testid=new-project] button[type=submit]")
        ready(page, "project")
        assert page.is_visible("[data-testid=no-settings]")
        project_id = page.evaluate("location.hash").split("/")[-1]

        # settings first; then a broken activities file: refused, each problem on its own row
        assert upload(page, DAIRY / "dualcarbon.toml") == {"dualcarbon.toml": "accepted"}
        assert page.query_selector("[data-testid=no-settings]") is None  # the page shows the new settings
        assert "黑土地某乳业有限公司" in page.inner_text("[data-testid=settings]")
        data, spoilt = broken_activities()
        assert upload(page, {"name": "activities.csv", "mimeType": "text/csv", "buffer": data}) == {
            "activities.csv": "refused"
        }
        shown = page.eval_on_selector_all(
            "[data-outcome=refused] [data-testid=problems] tbody tr",
            "rows => rows.map(r => [r.querySelector('[data-key=row]').textContent, "
            "r.querySelector('[data-key=column]').textContent, r.querySelector('[data-key=file]').textContent, "
            "r.querySelector('[data-key=value]').textContent])",
        )
        assert {(int(row), column) for row, column, _, _ in shown} == spoilt
        assert {(file, value) for _, _, file, value in shown} == {
            ("activities.csv", "万千瓦"),
            ("activities.csv", "abc"),
        }
        # in the page's language, and as a workbook with Chinese headers; no command to run
        said = page.inner_text("[data-outcome=refused]")
        assert "未知单位“万千瓦”" in said and "应为数字" in said and "dualcarbon " not in said
        with page.expect_download() as download:
            page.click("[data-outcome=refused] [data-testid=problems-download]")
        sheet = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes())).worksheets[0]
        assert [c.value for c in sheet[1]] == ["文件", "行", "列", "实际值", "应为"]
        assert {(r[1].value, r[2].value) for r in sheet.iter_rows(min_row=2)} == spoilt
        # the templates offered beside the upload: Chinese headers that read back as the columns
        with page.expect_download() as download:
            page.click("[data-testid=templates] button[data-kind=activities]")
        headers = [
            c.value for c in openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes())).worksheets[0][1]
        ]
        assert headers[:3] == ["编号", "设施", "日期"]
        assert [reader.canonical(h) for h in headers][:5] == ["id", "facility", "date", "activity", "quantity"]
        with httpx.Client(base_url=f"{server.url}/api", headers={"Authorization": f"Bearer {token}"}) as api:
            answer = api.post(
                f"/projects/{project_id}/batches",
                data={"kind": "activities"},
                files={"file": ("activities.csv", data, "text/csv")},
            )
        assert answer.status_code == 422
        # the page lists exactly the API's problems, by row
        assert sorted((p["row"], p["column"]) for p in answer.json()["error"]["problems"]) == [
            (int(row), column) for row, column, _, _ in shown
        ]

        # the real files: activities and credits together (the page sends each with its kind)
        assert upload(page, DAIRY / "activities.csv", DAIRY / "credits.csv") == {
            "activities.csv": "accepted",
            "credits.csv": "accepted",
        }
        kinds = page.eval_on_selector_all("[data-testid=batches] tbody tr", "rows => rows.map(r => r.dataset.kind)")
        assert kinds == ["settings", "activities", "credits"]

        # run, with the report in English as the CLI's; the page follows the run until it has finished
        page.select_option("select[name=lang]", "en")
        page.click("[data-testid=run]")
        ready(page, "run", timeout_ms=180_000)
        tab_ready(page, "inventory", "zh")
        assert page.get_attribute("[data-testid=run-status] [data-status]", "data-status") == "succeeded"

        shown_totals = cells(page, "[data-testid=totals] tr[data-total]", "data-total", "value")
        assert list(shown_totals) == TOTALS
        for key in TOTALS:
            assert tonnes(shown_totals[key]) == pytest.approx(expected["totals"][key], abs=ROUNDING_T), key
            assert shown_totals[key] == figures.tonnes(expected["totals"][key]), key  # as the report writes it
        # gases as grouped in summary.json (CO2, CH4, N2O named; the spend-based trace gases as "other";
        # factors published only as CO2e apart): one row per group
        row = cells(page, "[data-testid=gases] tr[data-gas]", "data-gas", "co2e_t")
        assert list(row) == [g["group"] for g in expected["by_gas_group"]]
        assert "other" in row and "co2e_only" in row
        for group in expected["by_gas_group"]:
            assert tonnes(row[group["group"]]) == pytest.approx(group["co2e_t"], abs=ROUNDING_T)
        facilities = cells(page, "[data-testid=facilities] tr[data-facility]", "data-facility", "scope1")
        assert {f: tonnes(v) for f, v in facilities.items()} == pytest.approx(
            {f["facility"]: f["scope1"] for f in expected["by_facility"]}, abs=ROUNDING_T
        )
        scope3 = cells(page, "[data-testid=scope3] tr[data-category]", "data-category", "co2e_t")
        assert len(scope3) == 15
        listed = {c["category"]: c["co2e_t"] for c in expected["by_category"] if c["scope"] == "3"}
        for code, text in scope3.items():
            assert (tonnes(text) if code in listed else text) == (
                pytest.approx(listed[code], abs=ROUNDING_T) if code in listed else "—"
            )
        assert page.get_attribute("#chart-breakdown", "data-drawn") == "true"
        assert page.get_attribute("#chart-monthly", "data-drawn") == "true"
        assert page.inner_text("[data-testid=rounding]") == zh("web.inventory.rounding", unit=zh("unit.t_co2e"))

        # the report of the run is the CLI's, byte for byte (both in English)
        with page.expect_download() as download:
            page.click(f"text={zh('web.download.report')}")
        assert download.value.path().read_bytes() == cli_dairy["report.html"]

        # English, then Chinese again: every label changes, not one figure
        page.click("[data-lang=en]")
        tab_ready(page, "inventory", "en")
        assert page.evaluate("document.documentElement.lang") == en("locale.html_lang")
        headings = page.eval_on_selector_all(".tab-body h2", "hs => hs.map(h => h.textContent)")
        assert en("section.key_figures") in headings and en("section.scope3") in headings
        assert page.inner_text("[data-testid=totals] tr[data-total=scope1] td:first-child") == en("totals.scope1")
        assert cells(page, "[data-testid=totals] tr[data-total]", "data-total", "value") == shown_totals
        page.click("[data-lang=zh]")
        tab_ready(page, "inventory", "zh")
        assert page.evaluate("document.documentElement.lang") == zh("locale.html_lang")
        assert zh("section.key_figures") in page.eval_on_selector_all(
            ".tab-body h2", "hs => hs.map(h => h.textContent)"
        )
        assert cells(page, "[data-testid=totals] tr[data-total]", "data-total", "value") == shown_totals

        # the project's run list shows the run with its total
        page.click(".crumbs a:nth-of-type(2)")
        ready(page, "project")
        run_row = page.inner_text("[data-testid=runs] tbody tr")
        assert figures.tonnes(expected["totals"]["total_location"]) in run_row
        assert figures.tonnes(expected["totals"]["total_market"]) in run_row
