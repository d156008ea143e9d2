"""The repository on DuckDB and PostgreSQL: tokens kept hashed and checked, everything scoped by
organisation, blobs written once, a run claimed by one worker."""

from __future__ import annotations

import pytest

from dualcarbon.store import Store


@pytest.fixture
def store(store_location):
    opened = Store.open(store_location)
    yield opened
    opened.close()


def test_a_token_is_kept_as_a_hash_and_checked(store):
    org, user, token = store.create_organisation("A", "alice")
    secret = token.split("_", 2)[2]
    with store.db.transaction() as tx:
        rows = tx.all("SELECT * FROM tokens")
    assert len(rows) == 1 and secret not in repr(rows)  # never the secret itself
    who = store.authenticate(token)
    assert (who["org_id"], who["user_id"], who["role"]) == (org["id"], user["id"], "admin")
    for bad in (
        "",
        "dct_",
        token[:-1] + ("A" if token[-1] != "A" else "B"),
        token.replace("dct_", "xyz_"),
        f"dct_{'0' * 16}_{secret}",
    ):
        assert store.authenticate(bad) is None


def test_a_revoked_token_and_a_disabled_user_are_refused(store):
    org, user, first = store.create_organisation("A", "alice")
    row, second = store.create_token(org["id"], user["id"], "laptop")
    store.revoke_token(org["id"], row["id"])
    assert store.authenticate(second) is None and store.authenticate(first) is not None
    viewer, token = store.create_user(org["id"], "bob", None, "viewer")
    assert store.authenticate(token)["role"] == "viewer"
    store.update_user(org["id"], viewer["id"], disabled=True)
    assert store.authenticate(token) is None


def test_objects_are_found_only_through_their_organisation(store):
    a, alice, _ = store.create_organisation("A", "alice")
    b, bob, _ = store.create_organisation("B", "bob")
    project = store.create_project(a["id"], "p", alice["id"])
    batch = store.add_batch(a["id"], project["id"], "activities", "a.csv", b"x\n1\n", 1, alice["id"])
    run = store.create_run(a["id"], project["id"], "inventory", {}, [(batch, "activities/a.csv")], alice["id"], 5)
    assert store.project(b["id"], project["id"]) is None and store.projects(b["id"]) == []
    assert store.batch(b["id"], batch["id"]) is None and store.batches(b["id"], project["id"]) == []
    assert store.run(b["id"], run["id"]) is None and store.run_inputs(b["id"], run["id"]) == []
    assert store.rename_project(b["id"], project["id"], "taken") is None
    assert store.project(a["id"], project["id"])["name"] == "p"
    assert store.withdraw_batch(b["id"], batch["id"], bob["id"]) is None
    assert store.batch(a["id"], batch["id"])["withdrawn_at"] is None
    assert store.user(b["id"], alice["id"]) is None and store.token(b["id"], "tok_0") is None


def test_the_same_content_is_stored_once_and_inputs_follow_the_latest_settings(store):
    org, user, _ = store.create_organisation("A", "alice")
    project = store.create_project(org["id"], "p", user["id"])
    first = store.add_batch(org["id"], project["id"], "settings", "dualcarbon.toml", b"[a]\n", None, user["id"])
    again = store.add_batch(org["id"], project["id"], "activities", "a.csv", b"[a]\n", 1, user["id"])
    newer = store.add_batch(org["id"], project["id"], "settings", "dualcarbon.toml", b"[b]\n", None, user["id"])
    with store.db.transaction() as tx:
        assert tx.one("SELECT count(*) AS n FROM blobs")["n"] == 2
    assert first["sha256"] == again["sha256"]
    assert [b["id"] for b in store.current_inputs(org["id"], project["id"])] == [again["id"], newer["id"]]
    store.withdraw_batch(org["id"], again["id"], user["id"])
    assert [b["id"] for b in store.current_inputs(org["id"], project["id"])] == [newer["id"]]


def test_a_queued_run_is_claimed_once_and_finishes_with_its_outputs(store):
    org, user, _ = store.create_organisation("A", "alice")
    project = store.create_project(org["id"], "p", user["id"])
    batch = store.add_batch(org["id"], project["id"], "activities", "a.csv", b"x\n", 1, user["id"])
    run = store.create_run(
        org["id"], project["id"], "inventory", {"lang": "en"}, [(batch, "activities/a.csv")], user["id"], 5
    )
    assert store.queued_runs() == [run["id"]]
    assert store.claim_run(run["id"]) is True and store.claim_run(run["id"]) is False
    store.finish_run(run["id"], {"summary.json": b"{}"}, [{"dataset": "d"}], None)
    done = store.run(org["id"], run["id"])
    assert (done["status"], done["steps_done"]) == ("succeeded", 5)
    assert store.run_output(org["id"], run["id"], "summary.json") == b"{}"
    assert store.fail_interrupted_runs() == 0


def test_codes_and_sessions_are_kept_as_hashes_and_a_new_code_voids_the_older(store):
    from datetime import timedelta

    from dualcarbon.store.accounts import hash_password, verify_password

    org, admin, _ = store.create_organisation("A", "alice", None, "Alice", hash_password("alice's password"))
    user, _, first = store.invite_user(org["id"], "bob", "bob", None, "editor", admin["id"])
    _, second = store.reset_password(org["id"], user["id"], admin["id"])  # a new code voids the first
    session, secret = store.create_session(org["id"], admin["id"], timedelta(days=7), "127.0.0.1")
    with store.db.transaction() as tx:
        kept = repr(tx.all("SELECT * FROM one_time_codes")) + repr(tx.all("SELECT * FROM sessions"))
    assert first not in kept and second not in kept and secret not in kept
    assert store.redeem_code(first, hash_password("bob's password")) is None
    assert store.redeem_code(second, hash_password("bob's password"))["login"] == "bob"
    assert store.redeem_code(second, hash_password("another one")) is None  # used up
    assert verify_password(store.password_login("BOB")["password_hash"], "bob's password")
    assert store.session(secret, timedelta(hours=12))["user_id"] == admin["id"]
    assert store.session(secret + "x", timedelta(hours=12)) is None
    store.update_user(org["id"], admin["id"], disabled=True)  # disabling ends the sessions
    store.update_user(org["id"], admin["id"], disabled=False)
    assert store.session(secret, timedelta(hours=12)) is None
    assert {u["login"] for u in store.users(org["id"])} == {"alice", "bob"}
