"""Uploads: the CLI's validation and problems, file formats, and the size limits."""

from __future__ import annotations

import io
import re
from pathlib import Path

import polars as pl
import pytest
from apiworld import EXAMPLES, UPLOAD_LIMIT, api, bearer
from openpyxl import Workbook
from test_bad_input import CASES, project

from dualcarbon.errors import InputError
from dualcarbon.project.load import load

DAIRY = EXAMPLES / "dairy"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    with api("duckdb", tmp_path_factory.mktemp("store"), open_signup=True) as made:
        yield made


def new_project(client) -> tuple[str, dict]:
    headers = bearer(client.post("/api/organisations", json={"name": "o", "admin_name": "a"}).json()["token"])
    made = client.post("/api/projects", json={"name": "p"}, headers=headers).json()
    path = f"/api/projects/{made['id']}"
    assert (
        client.put(
            f"{path}/settings", json={"toml": (DAIRY / "dualcarbon.toml").read_text("utf-8")}, headers=headers
        ).status_code
        == 200
    )
    return path, headers


def cli_problems(folder: Path) -> list[str]:
    with pytest.raises(InputError) as caught:
        load(folder)
    # as a web page tells them: where the CLI names a command, the page names what it offers
    return [p.message("en", web=True) for p in caught.value.problems]


@pytest.mark.parametrize("case", sorted(CASES))
def test_an_upload_gets_the_same_problems_as_the_cli(client, tmp_path, case):
    """Each malformed file of tests/test_bad_input.py, uploaded alone, is refused with exactly the
    problems `dualcarbon validate` reports for it."""
    spec = {k: v for k, v in CASES[case].items() if k != "expect"}
    expected = cli_problems(project(tmp_path, **spec))
    path, headers = new_project(client)
    if "toml" in spec:
        response = client.put(f"{path}/settings", json={"toml": spec["toml"]}, headers=headers)
    else:
        kind, name, content = next(
            (k, n, c)
            for k, n, c in (
                ("activities", "activities.csv", spec.get("activities")),
                ("credits", "credits.csv", spec.get("credits")),
                *[("factors", Path(n).name, c) for n, c in (spec.get("extra") or {}).items()],
            )
            if c is not None
        )
        data = content if isinstance(content, bytes) else content.encode("utf-8")
        response = client.post(f"{path}/batches", data={"kind": kind}, files={"file": (name, data)}, headers=headers)
    assert response.status_code == 422, response.text
    problems = response.json()["error"]["problems"]
    # the same, but for where a limit is set: on a server, its own (a project's [input] cannot raise them)
    server = [
        re.sub(r"set \[input\] \w+ in dualcarbon\.toml to change it", "a limit of this server", m) for m in expected
    ]
    assert [p["message"] for p in problems] == server
    for p in problems:
        assert {"file", "batch", "row", "column", "value", "expected", "message"} <= set(p) and p["batch"] is None
    assert [b["kind"] for b in client.get(f"{path}/batches", headers=headers).json()] == ["settings"]  # none kept


def test_xlsx_and_parquet_activities_are_accepted_like_csv(client):
    path, headers = new_project(client)
    frame = pl.read_csv(DAIRY / "activities.csv", infer_schema=False)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(frame.columns)
    for row in frame.iter_rows():
        sheet.append(list(row))
    xlsx = io.BytesIO()
    workbook.save(xlsx)
    parquet = io.BytesIO()
    frame.write_parquet(parquet)
    for name, data in (("activities.xlsx", xlsx.getvalue()), ("activities.parquet", parquet.getvalue())):
        made = client.post(f"{path}/batches", files={"file": (name, data)}, headers=headers)
        assert made.status_code == 201, made.text
        assert made.json()["rows"] == frame.height and made.json()["filename"] == name


def test_bad_rows_of_a_workbook_are_named_by_the_uploaded_file(client):
    path, headers = new_project(client)
    workbook = Workbook()
    workbook.active.append(["id", "date", "activity", "quantity", "unit"])
    workbook.active.append(["X1", "2024-03-31", "天然气", "ten", "万立方米"])
    data = io.BytesIO()
    workbook.save(data)
    response = client.post(f"{path}/batches", files={"file": ("三月.xlsx", data.getvalue())}, headers=headers)
    problem = response.json()["error"]["problems"][0]
    assert (problem["file"], problem["row"], problem["column"], problem["value"]) == ("三月.xlsx", 2, "quantity", "ten")


def test_unsupported_files_and_uploads_before_settings_are_refused(client):
    path, headers = new_project(client)
    response = client.post(f"{path}/batches", files={"file": ("activities.docx", b"PK")}, headers=headers)
    assert (
        response.status_code == 422
        and "unsupported file type '.docx'" in response.json()["error"]["problems"][0]["message"]
    )
    response = client.post(
        f"{path}/batches", data={"kind": "receipts"}, files={"file": ("a.csv", b"x")}, headers=headers
    )
    assert response.status_code == 422
    empty = client.post("/api/projects", json={"name": "no settings"}, headers=headers).json()
    response = client.post(
        f"/api/projects/{empty['id']}/batches",
        headers=headers,
        files={"file": ("activities.csv", (DAIRY / "activities.csv").read_bytes())},
    )
    assert response.status_code == 409 and response.json()["error"]["code"] == "settings_required"


def test_a_body_over_the_limit_is_refused_before_it_is_read(client):
    path, headers = new_project(client)
    big = b"id,date,activity,quantity,unit\n" + b"A,2024-01-01,diesel,1,t\n" * (UPLOAD_LIMIT // 20)
    assert len(big) > UPLOAD_LIMIT
    declared = client.post(f"{path}/batches", files={"file": ("activities.csv", big * 5)}, headers=headers)
    assert declared.status_code == 413 and declared.json()["error"]["code"] == "too_large"

    def chunks():  # a multipart body without Content-Length: counted as it arrives
        yield b'--cut\r\nContent-Disposition: form-data; name="file"; filename="activities.csv"\r\n\r\n'
        for _ in range(10):
            yield big
        yield b"\r\n--cut--\r\n"

    streamed = client.post(
        f"{path}/batches", content=chunks(), headers={**headers, "Content-Type": "multipart/form-data; boundary=cut"}
    )
    assert streamed.status_code == 413 and streamed.json()["error"]["code"] == "too_large"

    file_over = client.post(f"{path}/batches", files={"file": ("activities.csv", big)}, headers=headers)
    assert file_over.status_code == 413 and str(UPLOAD_LIMIT) in file_over.json()["error"]["message"]
    assert [b["kind"] for b in client.get(f"{path}/batches", headers=headers).json()] == ["settings"]


def test_the_servers_read_limits_are_ceilings_a_projects_settings_lower_but_never_raise(tmp_path):
    header = "id,facility,date,activity,quantity,unit,note\n"
    row = "A{i},plant,2024-03-01,fuel/diesel,2,t,{note}\n"
    with api("duckdb", tmp_path, open_signup=True, max_upload_rows=3) as client:
        path, headers = new_project(client)
        toml = (DAIRY / "dualcarbon.toml").read_text("utf-8")

        def upload(rows: int, note: str = "") -> dict:
            data = header + "".join(row.format(i=i, note=note) for i in range(rows))
            sent = client.post(
                f"{path}/batches", data={"kind": "activities"}, files={"file": ("a.csv", data)}, headers=headers
            )
            problems = sent.json().get("error", {}).get("problems", [])
            return {"status": sent.status_code, "expected": [p["expected"] for p in problems]}

        assert upload(3)["status"] == 201
        refused = upload(4)
        assert refused["status"] == 422 and "at most 3 are read (a limit of this server)" in refused["expected"][0]
        raised = toml + "\n[input]\nmax_rows = 1000\nmax_cell_chars = 50000\n"
        assert client.put(f"{path}/settings", json={"toml": raised}, headers=headers).status_code == 200
        assert upload(4)["status"] == 422  # the project's 1000 rows do not lift the server's 3
        assert (
            "at most 10,000 are read"
            in client.post(
                f"{path}/batches",
                data={"kind": "activities"},
                files={"file": ("a.csv", header + row.format(i=0, note="x" * 10_001))},
                headers=headers,
            ).json()["error"]["problems"][0]["expected"]
        )
        lowered = toml + "\n[input]\nmax_rows = 1\n"
        assert client.put(f"{path}/settings", json={"toml": lowered}, headers=headers).status_code == 200
        assert upload(1)["status"] == 201
        assert "at most 1 are read" in upload(2)["expected"][0]  # a project may lower them
