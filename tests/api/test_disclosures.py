"""GET /api/runs/{id}/disclosures/{framework}.xlsx: the export of a run made through the API (the dairy
example) carries its summary.json's figures, says the run is not locked, is refused to another
organisation, and answers a bad framework or revenue with 404 / 422, on DuckDB and PostgreSQL."""

from __future__ import annotations

import io

import pytest
from apiworld import world_on
from openpyxl import load_workbook
from stores import BACKENDS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.mark.parametrize("backend", BACKENDS)
def test_disclosure_exports_of_an_api_run(backend, tmp_path):
    with world_on(backend, tmp_path) as world:
        client, headers, run_id = world.client, world.a["headers"], world.run["id"]
        summary = client.get(f"/api/runs/{run_id}/summary", headers=headers).json()
        got = client.get(
            f"/api/runs/{run_id}/disclosures/cdp.xlsx",
            params={"lang": "en", "revenue": 2.5e9, "currency": "CNY"},
            headers=headers,
        )
        assert got.status_code == 200, got.text
        assert got.headers["content-type"] == XLSX
        assert f"disclosure-cdp-en-{run_id}.xlsx" in got.headers["content-disposition"]
        book = load_workbook(io.BytesIO(got.content))
        cover = {row[0]: row[1] for row in book["Cover"].iter_rows(min_row=2, values_only=True)}
        assert cover["Locked"].startswith("NOT LOCKED") and cover["Run"] == f"run {run_id}"
        fields = list(book["Fields"].iter_rows(min_row=2, values_only=True))
        by_question = {row[1]: row for row in fields}
        scope1 = by_question["Gross global Scope 1 emissions (metric tons CO2e)"]
        assert scope1[0] == "7.6" and scope1[2] == summary["totals"]["scope1"]
        assert by_question["Revenue for the reporting period"][2:4] == (2.5e9, "CNY")
        missing = {row[1]: row[2] for row in book["Missing"].iter_rows(min_row=2, values_only=True)}
        assert "no Scope 3 category 11" in missing["Scope 3 category 11: Use of sold products (metric tons CO2e)"]

        zh = client.get(f"/api/runs/{run_id}/disclosures/esrs-e1.xlsx", params={"lang": "zh"}, headers=headers)
        assert zh.status_code == 200 and load_workbook(io.BytesIO(zh.content)).sheetnames == ["封面", "字段", "缺少"]

        unknown = client.get(f"/api/runs/{run_id}/disclosures/gri.xlsx", headers=headers)
        assert unknown.status_code == 404, unknown.text
        bad = client.get(
            f"/api/runs/{run_id}/disclosures/cdp.xlsx", params={"revenue": -1, "currency": "CNY"}, headers=headers
        )
        assert bad.status_code == 422 and bad.json()["error"]["problems"][0]["column"] == "revenue"
        other = client.get(f"/api/runs/{run_id}/disclosures/cdp.xlsx", headers=world.b["headers"])
        assert other.status_code == 404
