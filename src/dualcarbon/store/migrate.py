"""Versioned schema migrations: numbered SQL files (``migrations/0001_name.sql``), each applied
once, in order, in its own transaction, and recorded in ``schema_migrations``.

A store gets every migration it has not recorded, not only those above its highest version: changes
made in parallel may number theirs with a gap (0004 before 0003 exists) and a store that applied
0004 still gets 0003 when it arrives."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources

from dualcarbon.store.db import Database, StoreError, Tx

_FILES = resources.files("dualcarbon.store").joinpath("migrations")
_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
# Serialises servers that migrate the same PostgreSQL database at once (an arbitrary constant).
_PG_LOCK = 5_402_812


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    def statements(self) -> list[str]:
        """The file's statements: split at a ``;`` that ends a line; ``--`` comment lines dropped."""
        lines = [line for line in self.sql.splitlines() if not line.lstrip().startswith("--")]
        return [s.strip() for s in re.split(r";\s*$", "\n".join(lines), flags=re.M) if s.strip()]


def migrations() -> list[Migration]:
    """Every migration shipped with this dualcarbon, by version."""
    found = []
    for entry in _FILES.iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if not versions or versions[0] != 1 or len(set(versions)) != len(versions):
        raise StoreError(f"migrations must be numbered from 1, each number once: {versions}")
    return found


def current_version(db: Database) -> int:
    """The highest migration applied to ``db`` (0 for an empty database)."""
    with db.transaction() as tx:
        return _version(tx)


def _version(tx: Tx) -> int:
    exists = tx.one(
        "SELECT count(*) AS n FROM information_schema.tables "
        "WHERE table_name = 'schema_migrations' AND table_schema = current_schema()"
    )
    if not exists or not exists["n"]:
        return 0
    row = tx.one("SELECT max(version) AS v FROM schema_migrations")
    return int(row["v"] or 0) if row else 0


def _applied(tx: Tx) -> set[int]:
    if _version(tx) == 0:
        return set()
    return {int(r["version"]) for r in tx.all("SELECT version FROM schema_migrations")}


def migrate(db: Database, target: int | None = None, known: list[Migration] | None = None) -> list[int]:
    """Apply the migrations (``known``, default: every one shipped) the database has not recorded, up
    to ``target`` (default: all), in order of their numbers.

    Returns the versions applied. A database migrated by a newer dualcarbon is refused. Each
    migration re-reads what was applied under a lock, so servers starting together apply it once.
    """
    known = migrations() if known is None else known
    target = known[-1].version if target is None else target
    applied = []
    for migration in [None, *known]:
        with db.transaction(write=True) as tx:
            if db.dialect == "postgresql":
                tx.one("SELECT pg_advisory_xact_lock(?)", [_PG_LOCK])
            version = _version(tx)
            if version > known[-1].version:
                raise StoreError(
                    f"the store's schema is version {version}, newer than this dualcarbon knows "
                    f"({known[-1].version}): upgrade dualcarbon"
                )
            if migration is None:
                if version == 0:
                    tx.execute(
                        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                        "name TEXT NOT NULL, applied_at TIMESTAMP NOT NULL)"
                    )
                continue
            if migration.version > target or migration.version in _applied(tx):
                continue
            for statement in migration.statements():
                tx.execute(statement)
            tx.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                [migration.version, migration.name, datetime.now(UTC).replace(tzinfo=None)],
            )
            applied.append(migration.version)
    return applied
