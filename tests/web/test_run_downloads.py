"""A run page's downloads follow the files the run wrote: a run that wrote emissions.csv offers it, one
that wrote emissions.parquet (the API's ``emissions`` option, as `dualcarbon run --emissions parquet`)
offers that instead, and each download is the file byte for byte."""

from __future__ import annotations

import httpx
from webserver import log_in, person, serve, tab_ready

from dualcarbon.i18n import translator

LABELS = {
    "report.html": "web.download.report",
    "summary.json": "web.download.summary",
    "emissions.csv": "web.download.emissions_csv",
    "emissions.parquet": "web.download.emissions_parquet",
    "inventory.csv": "web.download.inventory",
    "facilities.csv": "topn.download.facilities",
    "sources.csv": "topn.download.sources",
    "inputs.zip": "web.download.inputs",
}


def offered(page) -> dict[str, str]:
    """``{file: button text}`` of the run page's downloads, in the page's order."""
    return page.eval_on_selector_all(
        "[data-testid=downloads] button",
        "buttons => Object.fromEntries(buttons.map((b) => [b.dataset.file, b.textContent]))",
    )


def test_the_downloads_are_the_emission_file_the_run_wrote(tmp_path, page):
    zh = translator("zh")
    with serve(str(tmp_path / "store.duckdb")) as server:
        _, _, token = person(server, "黑土地乳业", "王芳", "wangfang")
        with httpx.Client(
            base_url=f"{server.url}/api", headers={"Authorization": f"Bearer {token}"}, timeout=90
        ) as api:
            project = api.post("/projects", json={"name": "乳业 2024", "example": "dairy"}).json()
            runs = {}
            for fmt, body in {"csv": {}, "parquet": {"emissions": "parquet"}, "pdf": {"pdf": True}}.items():
                started = api.post(f"/projects/{project['id']}/runs", json=body)
                assert started.status_code == 202, started.text
                for _ in range(5):  # printing a PDF takes a while on a busy machine
                    runs[fmt] = api.get(f"/runs/{started.json()['id']}", params={"wait": 60}).json()
                    if runs[fmt]["status"] in ("succeeded", "failed"):
                        break
                assert runs[fmt]["status"] == "succeeded", runs[fmt]
            pdf_run = runs.pop("pdf")
            written = {fmt: api.get(f"/runs/{run['id']}/files/emissions.{fmt}").content for fmt, run in runs.items()}
            printed = api.get(f"/runs/{pdf_run['id']}/files/report.pdf").content
        assert written["parquet"][:4] == b"PAR1" and written["csv"][:4] != b"PAR1"

        log_in(page, server.url, "wangfang")
        for fmt, run in runs.items():
            page.goto(f"{server.url}/app/#/runs/{run['id']}")
            tab_ready(page, "inventory", "zh")
            names = ["report.html", "summary.json", f"emissions.{fmt}", "inventory.csv", "facilities.csv"]
            names += ["sources.csv", "inputs.zip"]
            assert offered(page) == {name: zh(LABELS[name]) for name in names}
            with page.expect_download() as download:
                page.click(f"[data-testid=downloads] button[data-file='emissions.{fmt}']")
            assert download.value.suggested_filename == f"emissions-{run['id']}.{fmt}"
            assert download.value.path().read_bytes() == written[fmt]
            # a run started without a PDF says so where the PDF would be offered
            assert page.inner_text("[data-testid=no-pdf]") == zh("report2.no_pdf_run")

        # a run with the PDF (this server has Chromium): offered beside the HTML report, byte for byte
        page.goto(f"{server.url}/app/#/runs/{pdf_run['id']}")
        tab_ready(page, "inventory", "zh")
        assert list(offered(page))[:2] == ["report.html", "report.pdf"]
        assert offered(page)["report.pdf"] == zh("report2.download_pdf")
        with page.expect_download() as download:
            page.click("[data-testid=downloads] button[data-file='report.pdf']")
        assert download.value.suggested_filename == f"report-{pdf_run['id']}.pdf"
        assert download.value.path().read_bytes() == printed and printed.startswith(b"%PDF")
        # the project page offers the option, enabled
        page.goto(f"{server.url}/app/#/projects/{project['id']}")
        page.wait_for_selector("[data-testid=run-pdf]")
        assert page.is_enabled("[data-testid=run-pdf]")
