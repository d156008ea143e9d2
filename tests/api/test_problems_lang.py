"""Upload problems in the request's language (lang parameter, Accept-Language) with their catalogue key
and fields; the templates and the problems' workbook the dashboard downloads."""

from __future__ import annotations

import io

import openpyxl
import pytest
from apiworld import api
from test_uploads import new_project

from dualcarbon.project import reader

BAD = "id,facility,date,activity,quantity,unit\nA1,plant,2024-03-31,天然汽,10,万立方米\nA2,plant,2024-03-31,柴油,x,t,extra\n"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    with api("duckdb", tmp_path_factory.mktemp("store"), open_signup=True) as made:
        yield made


def _upload(client, path, headers, query=""):
    return client.post(
        f"{path}/batches{query}",
        data={"kind": "activities"},
        files={"file": ("activities.csv", BAD.encode("utf-8"))},
        headers=headers,
    )


def test_problems_follow_accept_language_and_carry_their_key(client):
    path, headers = new_project(client)
    zh = _upload(client, path, {**headers, "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"})
    assert zh.status_code == 422
    error = zh.json()["error"]
    assert error["message"] == "输入中有 2 个问题"
    by_row = {p["row"]: p for p in error["problems"]}
    assert by_row[3]["expected"] == "该行有 7 个字段，而表头只有 6 个"  # one pass: the ragged row and row 2 together
    unknown = by_row[2]
    assert unknown["message"].startswith("activities.csv，第 2 行，列 activity：“天然汽”：未知的活动")
    assert unknown["expected_key"] == "problem.unknown_activity"
    assert unknown["fields"]["hint"] == {"key": "problem.did_you_mean", "fields": {"name": "天然气"}}
    assert "dualcarbon" not in unknown["message"]  # a web user is not told to run a command
    en = _upload(client, path, headers, "?lang=en")
    assert en.json()["error"]["message"] == "2 problems in the input"
    assert (
        "unknown activity; did you mean '天然气'?"
        in {p["row"]: p for p in en.json()["error"]["problems"]}[2]["message"]
    )


def test_the_problems_workbook_has_the_page_language(client):
    path, headers = new_project(client)
    problems = _upload(client, path, headers).json()["error"]["problems"]
    book = client.post("/api/problems.xlsx?lang=zh", json={"problems": problems}, headers=headers)
    assert book.status_code == 200 and book.headers["content-type"].startswith("application/vnd.openxmlformats")
    rows = [[c.value for c in r] for r in openpyxl.load_workbook(io.BytesIO(book.content)).worksheets[0].iter_rows()]
    assert rows[0] == ["文件", "行", "列", "实际值", "应为"]
    assert [r[:4] for r in rows[1:]] == [["activities.csv", 2, "activity", "天然汽"], ["activities.csv", 3, None, None]]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_templates_download_in_the_request_language(client, lang):
    _, headers = new_project(client)
    got = client.get(f"/api/templates/sinks.xlsx?lang={lang}", headers=headers)
    assert got.status_code == 200
    headers_row = [c.value for c in openpyxl.load_workbook(io.BytesIO(got.content)).worksheets[0][1]]
    assert [reader.canonical(h) for h in headers_row][:3] == ["id", "type", "area"]
    assert ("面积" in headers_row) == (lang == "zh")
    assert client.get("/api/templates/nonsense.xlsx", headers=headers).status_code == 404
    assert client.get("/api/templates/sinks.xlsx").status_code == 401
