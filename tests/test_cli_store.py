"""`dualcarbon org create | list` and `dualcarbon user list | reset-password` on a DuckDB store: the
printed token works, the password asked for signs in, a reset's code sets a new one, and a store held
by another process is refused with a message that says why."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from typer.testing import CliRunner

from dualcarbon.cli import app
from dualcarbon.store import Store
from dualcarbon.store.accounts import hash_password, verify_password

PASSWORD = "correct horse battery"


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


def test_org_create_with_a_login_asks_for_a_password_that_signs_in(tmp_path):
    location = str(tmp_path / "store.duckdb")
    short = CliRunner().invoke(
        app, ["org", "create", "A", "--login", "ann", "--store", location], input="short\nshort\n"
    )
    assert short.exit_code == 2 and "at least 10 characters" in short.output
    created = CliRunner().invoke(
        app, ["org", "create", "A", "--admin", "Ann", "--login", "Ann", "--store", location], input=f"{PASSWORD}\n" * 2
    )
    assert created.exit_code == 0, created.output
    assert PASSWORD not in created.output and "sign-in name: ann" in created.output  # typed without echo
    taken = CliRunner().invoke(
        app, ["org", "create", "B", "--login", "ann", "--password-stdin", "--store", location], input=f"{PASSWORD}\n"
    )
    assert taken.exit_code == 2 and "taken" in taken.output
    store = Store.open(location)
    try:
        row = store.password_login("ann")
        assert row["role"] == "admin" and verify_password(row["password_hash"], PASSWORD)
        assert store.count_organisations() == 1
    finally:
        store.close()


def test_user_reset_password_is_the_way_back_in_for_a_sole_admin(tmp_path):
    location = str(tmp_path / "store.duckdb")
    store = Store.open(location)
    try:
        org, admin, _ = store.create_organisation("A", "Ann", None, "ann", hash_password("forgotten password"))
        session, secret = store.create_session(org["id"], admin["id"], timedelta(days=1), None)
    finally:
        store.close()
    listed = CliRunner().invoke(app, ["user", "list", "--store", location])
    assert listed.output.strip().split("\t") == ["A", "ann", "Ann", "admin"]
    unknown = CliRunner().invoke(app, ["user", "reset-password", "nobody", "--store", location])
    assert unknown.exit_code == 2 and "no user signs in as 'nobody'" in unknown.output
    reset = CliRunner().invoke(app, ["user", "reset-password", "ANN", "--store", location])
    assert reset.exit_code == 0, reset.output
    code = re.search(r"^code: (\S+)$", reset.output, re.M)[1]
    assert f"/app/#/password?code={code}" in reset.output
    store = Store.open(location)
    try:
        assert store.session(secret, timedelta(hours=12)) is None  # the admin's sessions ended
        assert not verify_password(store.password_login("ann")["password_hash"], "forgotten password")
        assert store.redeem_code(code, hash_password(PASSWORD))["login"] == "ann"
        assert verify_password(store.password_login("ann")["password_hash"], PASSWORD)
        assert [e["action"] for e in store.audit_log(org["id"], 10, 0)[0]] == ["password.reset"]
    finally:
        store.close()
    direct = CliRunner().invoke(
        app, ["user", "reset-password", "ann", "--set-password", "--store", location], input="another password\n" * 2
    )
    assert direct.exit_code == 0 and "another password" not in direct.output
    store = Store.open(location)
    try:
        assert verify_password(store.password_login("ann")["password_hash"], "another password")
    finally:
        store.close()


def test_the_operator_commands_speak_chinese_with_lang_zh(tmp_path):
    location = str(tmp_path / "store.duckdb")
    created = CliRunner().invoke(
        app,
        [
            "org",
            "create",
            "某乳业有限公司",
            "--admin",
            "李明",
            "--login",
            "liming",
            "--store",
            location,
            "--lang",
            "zh",
        ],
        input=f"{PASSWORD}\n" * 2,
    )
    assert created.exit_code == 0, created.output
    assert "密码" in created.output and "再次输入以确认" in created.output  # the prompts
    assert "登录名：liming" in created.output and re.search(r"令牌（只显示这一次）：dct_\S+", created.output)
    taken = CliRunner().invoke(
        app,
        ["org", "create", "B", "--login", "liming", "--password-stdin", "--store", location, "--lang", "zh"],
        input=f"{PASSWORD}\n",
    )
    assert taken.exit_code == 2 and "已被使用" in taken.output
    unknown = CliRunner().invoke(app, ["user", "reset-password", "nobody", "--store", location, "--lang", "zh"])
    assert unknown.exit_code == 2 and "没有以“nobody”登录的用户" in unknown.output
    reset = CliRunner().invoke(app, ["user", "reset-password", "liming", "--store", location, "--lang", "zh"])
    assert reset.exit_code == 0 and "liming（李明）的密码已重置" in reset.output
    assert re.search(r"^验证码：\S+$", reset.output, re.M)
