"""Schema migrations on DuckDB and PostgreSQL: from an empty database, and from every earlier
version with data in it, to the same schema as a fresh database."""

from __future__ import annotations

import pytest
import stores

from dualcarbon.store import Store, StoreError
from dualcarbon.store.db import connect
from dualcarbon.store.migrate import Migration, current_version, migrate, migrations

VERSIONS = [m.version for m in migrations()]
LATEST = VERSIONS[-1]
TABLES = {
    "schema_migrations",
    "organisations",
    "users",
    "tokens",
    "projects",
    "blobs",
    "blob_chunks",
    "batches",
    "batch_withdrawals",
    "runs",
    "run_inputs",
    "run_outputs",
    "logins",
    "sessions",
    "one_time_codes",
    "sign_in_failures",
    "audit_log",
    "project_members",
    "data_requests",
    "request_events",
    "request_row_comments",
    "run_locks",
    "run_verifiers",
    "findings",
    "finding_replies",
    "run_signatures",
    "evidence",
    "evidence_withdrawals",
}


def columns(db) -> set[tuple[str, str, str]]:
    """(table, column, type) of every column in the database's current schema."""
    with db.transaction() as tx:
        rows = tx.all(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = current_schema()"
        )
    return {(r["table_name"], r["column_name"], r["data_type"].lower()) for r in rows}


def test_migration_files_are_numbered_from_one_each_number_once():
    found = migrations()
    assert VERSIONS[0] == 1 and VERSIONS == sorted(set(VERSIONS))
    assert LATEST >= 2  # an upgrade path exists to be tested below
    for m in found:
        assert m.statements() and all("%" not in s for s in m.statements())


def test_a_migration_numbered_below_one_already_applied_is_applied_when_it_arrives(store_location):
    # changes made in parallel number their migrations apart (0004 before 0003 exists): a store that
    # applied the higher one still gets the lower one once its file ships
    shipped = migrations()
    late = Migration(LATEST + 1, "late_arrival", "CREATE TABLE late_arrival (id TEXT PRIMARY KEY);")
    ahead = Migration(LATEST + 2, "ahead", "CREATE TABLE ahead (id TEXT PRIMARY KEY);")
    db = connect(store_location)
    try:
        assert migrate(db, known=[*shipped, ahead]) == [*VERSIONS, LATEST + 2]
        assert migrate(db, known=[*shipped, late, ahead]) == [LATEST + 1]
        assert {"late_arrival", "ahead"} <= {t for t, _, _ in columns(db)}
        assert migrate(db, known=[*shipped, late, ahead]) == []
    finally:
        db.close()


def test_an_empty_database_migrates_to_the_latest_schema(store_location):
    db = connect(store_location)
    try:
        assert current_version(db) == 0
        assert migrate(db) == VERSIONS
        assert current_version(db) == LATEST
        assert {t for t, _, _ in columns(db)} == TABLES
        assert migrate(db) == []  # applied once only
    finally:
        db.close()


@pytest.mark.parametrize("previous", VERSIONS[:-1])
def test_a_previous_version_migrates_to_the_latest_and_keeps_its_data(store_location, tmp_path, previous):
    db = connect(store_location)
    try:
        assert migrate(db, target=previous) == [v for v in VERSIONS if v <= previous]
        old = Store(db)  # what version 1 holds: organisations, users, tokens, projects, batches
        org, user, token = old.create_organisation("某水泥有限公司", "管理员")
        project = old.create_project(org["id"], "2024 inventory", user["id"])
        batch = old.add_batch(
            org["id"], project["id"], "activities", "activities.csv", b"id,activity\n1,x\n", 1, user["id"]
        )
        wrong = old.add_batch(org["id"], project["id"], "activities", "wrong.csv", b"id\n2\n", 1, user["id"])
        if previous < 3:  # a withdrawal as versions 1 and 2 kept it: in the batch's own columns
            with db.transaction(write=True) as tx:
                tx.execute(
                    "UPDATE batches SET withdrawn_at = CAST('2025-03-01 08:00:00' AS TIMESTAMP), withdrawn_by = ? "
                    "WHERE id = ?",
                    [user["id"], wrong["id"]],
                )
        else:  # as versions 3 and later keep it (a row of its own; withdraw_batch needs 0007's run_locks)
            with db.transaction(write=True) as tx:
                tx.execute(
                    "INSERT INTO batch_withdrawals (batch_id, withdrawn_at, withdrawn_by) "
                    "VALUES (?, CAST('2025-03-01 08:00:00' AS TIMESTAMP), ?)",
                    [wrong["id"], user["id"]],
                )

        assert migrate(db) == [v for v in VERSIONS if v > previous]
        store = Store(db)
        assert store.authenticate(token)["org_id"] == org["id"]
        assert store.project(org["id"], project["id"])["name"] == "2024 inventory"
        assert store.blob(batch["sha256"]) == b"id,activity\n1,x\n"
        kept = store.batch(org["id"], wrong["id"])
        assert kept["withdrawn_at"] is not None and kept["withdrawn_by"] == user["id"]  # the withdrawal survives
        assert [b["id"] for b in store.current_inputs(org["id"], project["id"])] == [batch["id"]]
        run = store.create_run(org["id"], project["id"], "inventory", {}, [(batch, "activities/a.csv")], user["id"], 5)
        assert store.run(org["id"], run["id"])["status"] == "queued"  # the newer tables work on old rows

        backend = "postgresql" if store_location.startswith("postgresql") else "duckdb"
        with stores.location(backend, tmp_path / "fresh") as fresh_location:
            fresh = connect(fresh_location)
            try:
                migrate(fresh)
                assert columns(db) == columns(fresh)
            finally:
                fresh.close()
    finally:
        db.close()


def test_a_schema_newer_than_this_dualcarbon_is_refused(store_location):
    db = connect(store_location)
    try:
        migrate(db)
        with db.transaction(write=True) as tx:
            tx.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'future', "
                "CAST('2030-01-01 00:00:00' AS TIMESTAMP))",
                [LATEST + 1],
            )
        with pytest.raises(StoreError, match="newer than this dualcarbon"):
            migrate(db)
    finally:
        db.close()
