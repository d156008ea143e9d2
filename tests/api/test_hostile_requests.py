"""Requests built to break the server answer 422 in the error shape, never 500: offsets past a
64-bit integer, lone surrogates in JSON strings, control characters in names (DuckDB and PostgreSQL)."""

from __future__ import annotations

import json

import pytest


def refused(response, where: str) -> dict:
    """A 422 whose problem names the field (``where``: the field, then the path inside it)."""
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_input", error
    field = where.split(".")[0]
    assert any(p["column"] == field and where in p["message"] for p in error["problems"]), error
    return error


@pytest.mark.parametrize("offset", [2**63, 2**63 - 1 + 2**64, 10**30])
def test_an_offset_past_a_64_bit_integer_is_refused(world, offset):
    client, headers = world.client, world.a["headers"]
    refused(client.get(f"/api/projects/{world.project['id']}/runs?offset={offset}", headers=headers), "offset")
    refused(client.get(f"/api/runs/{world.run['id']}/emissions?offset={offset}", headers=headers), "offset")


def test_the_largest_offset_answers_an_empty_page(world):
    client, headers, largest = world.client, world.a["headers"], 2**63 - 1
    page = client.get(f"/api/projects/{world.project['id']}/runs?offset={largest}", headers=headers)
    assert page.status_code == 200 and page.json()["items"] == [] and page.json()["offset"] == largest
    page = client.get(f"/api/runs/{world.run['id']}/emissions?offset={largest}", headers=headers)
    assert page.status_code == 200 and page.json()["items"] == []


def _raw(client, method: str, url: str, text: str, headers: dict):
    """A JSON body sent as written: json.dumps cannot make a lone surrogate escape, a client can."""
    return client.request(method, url, content=text.encode(), headers={**headers, "Content-Type": "application/json"})


def test_a_lone_surrogate_in_a_json_string_is_refused(world):
    client, headers = world.client, world.a["headers"]
    project = world.project["id"]
    refused(_raw(client, "POST", "/api/projects", '{"name": "dairy \\ud800"}', headers), "name")
    refused(_raw(client, "PATCH", f"/api/projects/{project}", '{"name": "\\udfff"}', headers), "name")
    refused(_raw(client, "POST", "/api/tokens", '{"name": "laptop \\ud83d"}', headers), "name")
    refused(_raw(client, "PUT", f"/api/projects/{project}/settings", '{"toml": "# \\ud800\\n"}', headers), "toml")
    nested = '{"settings": {"organization": {"name": "x\\udc00", "country": "CN"}}}'
    refused(_raw(client, "PUT", f"/api/projects/{project}/settings", nested, headers), "settings.organization.name")
    # a pair is one character, and welcome
    made = _raw(client, "POST", "/api/projects", '{"name": "dairy \\ud83d\\udc04"}', headers)
    assert made.status_code == 201 and made.json()["name"] == "dairy \U0001f404"
    assert [p["name"] for p in client.get("/api/projects", headers=headers).json()].count("dairy \U0001f404") == 1


@pytest.mark.parametrize("bad", ["a\x00b", "\x00", "tab\there", "line\nbreak", "bell\x07", "del\x7f", "c1\x85"])
def test_control_characters_are_refused_in_names(world, bad):
    client, headers = world.client, world.a["headers"]
    before = client.get("/api/projects", headers=headers).json()
    refused(client.post("/api/projects", json={"name": bad}, headers=headers), "name")
    refused(client.patch(f"/api/projects/{world.project['id']}", json={"name": bad}, headers=headers), "name")
    refused(client.post("/api/tokens", json={"name": bad}, headers=headers), "name")
    refused(client.post("/api/users", json={"name": bad}, headers=headers), "name")
    refused(
        client.post("/api/users", json={"name": "Li", "login": f"li{bad}", "role": "viewer"}, headers=headers), "login"
    )
    refused(client.post("/api/users", json={"name": "Li", "email": f"li{bad}@x.cn"}, headers=headers), "email")
    refused(client.patch(f"/api/users/{world.a['user']['id']}", json={"login": bad}, headers=headers), "login")
    refused(client.patch(f"/api/organisations/{world.a['org']['id']}", json={"name": bad}, headers=headers), "name")
    assert client.get("/api/projects", headers=headers).json() == before  # nothing half-written
    assert client.get(f"/api/projects/{world.project['id']}", headers=headers).json()["name"] == "dairy"


def test_names_in_any_script_with_inner_spaces_are_accepted(world):
    client, headers = world.client, world.a["headers"]
    for name in ("黑土地乳业 2024", "Zürich – Büro", "مصنع الأسمنت", "a b"):
        made = client.post("/api/projects", json={"name": name}, headers=headers)
        assert made.status_code == 201 and made.json()["name"] == name, made.text
    assert json.loads(json.dumps(made.json()))["name"] == "a b"


def test_bytes_that_are_not_utf_8_in_paths_queries_and_file_names_are_not_a_500(world):
    client, headers = world.client, world.a["headers"]
    for url in (
        f"/api/runs/{world.run['id']}/emissions?facility=%ED%A0%80",
        f"/api/runs/{world.run['id']}/emissions?facility=%FF%FE",
        "/api/batches/%ED%A0%80",
        "/api/runs/bat_%FF",
    ):
        answer = client.get(url, headers=headers)
        assert answer.status_code in (200, 404, 422), (url, answer.text)
    sent = client.post(
        f"/api/projects/{world.project['id']}/batches",
        data={"kind": "documents"},
        headers=headers,
        files={"file": ("plan-\udc80.md".encode("utf-8", "surrogateescape").decode("latin-1"), b"# plan\n")},
    )
    assert sent.status_code in (201, 422), sent.text
