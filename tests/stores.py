"""The two kinds of store the tests run on: a DuckDB file, and a PostgreSQL server.

PostgreSQL is found through ``DUALCARBON_TEST_POSTGRES`` (a ``postgresql://`` URL of a database the
tests may create schemas in; `.ci/run` sets it). Without it the PostgreSQL tests are skipped,
except under CI (``CI`` set), where they fail: CI must run them. With it, an unreachable server
is an error, never a skip. Each test gets its own schema, dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote

import pytest

POSTGRES_ENV = "DUALCARBON_TEST_POSTGRES"
BACKENDS = ["duckdb", "postgresql"]


def postgres_url() -> str:
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        if os.environ.get("CI"):
            pytest.fail(f"{POSTGRES_ENV} is not set: CI must run the PostgreSQL tests (.ci/run sets it)")
        pytest.skip(f"set {POSTGRES_ENV}=postgresql://user:password@host/db to run the PostgreSQL tests")
    return url


@contextmanager
def postgres_schema() -> Iterator[str]:
    """A fresh schema on the test server; yields a URL whose connections use it."""
    import psycopg
    from psycopg import sql

    url = postgres_url()
    schema = f"dualcarbon_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url, autocommit=True, connect_timeout=10) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    try:
        separator = "&" if "?" in url else "?"
        yield f"{url}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        with psycopg.connect(url, autocommit=True, connect_timeout=10) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


@contextmanager
def location(backend: str, folder) -> Iterator[str]:
    """Where a store of ``backend`` lives for one test."""
    if backend == "duckdb":
        yield str(folder / "store.duckdb")
        return
    with postgres_schema() as url:
        yield url
