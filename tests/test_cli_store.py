"""`dualcarbon org create | list` on a DuckDB store: the printed token works, and a store held by
another process is refused with a message that says why."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from dualcarbon.cli import app
from dualcarbon.store import Store


def test_org_create_prints_an_admin_token_that_authenticates(tmp_path):
    location = str(tmp_path / "store.duckdb")
    created = CliRunner().invoke(app, ["org", "create", "某水泥有限公司", "--admin", "张伟", "--store", location])
    assert created.exit_code == 0, created.output
    token = re.search(r"token: (dct_\S+)", created.output)[1]
    listed = CliRunner().invoke(app, ["org", "list", "--store", location])
    assert "某水泥有限公司" in listed.output
    store = Store.open(location)
    try:
        who = store.authenticate(token)
        assert who["role"] == "admin" and who["name"] == "张伟"
        assert [o["name"] for o in store.organisations()] == ["某水泥有限公司"]
    finally:
        store.close()


def test_a_duckdb_store_in_use_is_refused_with_the_reason(tmp_path):
    location = str(tmp_path / "store.duckdb")
    holder = Store.open(location)  # as a running `dualcarbon serve` holds it (DuckDB locks across processes)
    try:
        command = [str(Path(sys.executable).parent / "dualcarbon"), "org", "create", "x", "--store", location]
        refused = subprocess.run(command, capture_output=True, text=True, timeout=120)
    finally:
        holder.close()
    assert refused.returncode == 1 and "dualcarbon serve" in refused.stderr
