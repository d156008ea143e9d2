"""Connections to the store's database: an embedded DuckDB file or a PostgreSQL server.

Both speak the same SQL for everything the repository does; queries are written with ``?``
placeholders and values are always passed as parameters (never formatted into the text).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal, Protocol

from dualcarbon.errors import DualCarbonError


class StoreError(DualCarbonError):
    """Raised when the store cannot be opened or its schema is newer than this dualcarbon."""


class Tx(Protocol):
    """One transaction: statements with parameters, rows as dicts."""

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int: ...

    def one(self, sql: str, params: Sequence[Any] = ()) -> dict[str, Any] | None: ...

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]: ...


#: The SQL dialects a store speaks (the API's /health names it).
Dialect = Literal["duckdb", "postgresql"]


class Database(Protocol):
    dialect: Dialect
    location: str

    def transaction(self, write: bool = False) -> Any: ...

    def close(self) -> None: ...


class _Cursor:
    """A DB-API cursor seen through ``Tx``; ``placeholder`` replaces ``?`` for drivers that need it."""

    def __init__(self, cursor: Any, placeholder: str | None = None):
        self._cursor = cursor
        self._placeholder = placeholder

    def _sql(self, sql: str) -> str:
        if self._placeholder is None:
            return sql
        if "%" in sql:  # would be read as a placeholder by psycopg: keep such text in parameters
            raise ValueError("write '%' in a parameter, not in the SQL text")
        return sql.replace("?", self._placeholder)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        self._cursor.execute(self._sql(sql), list(params))
        return self._cursor.rowcount

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        self._cursor.execute(self._sql(sql), list(params))
        names = [d[0] for d in self._cursor.description]
        return [dict(zip(names, row, strict=True)) for row in self._cursor.fetchall()]

    def one(self, sql: str, params: Sequence[Any] = ()) -> dict[str, Any] | None:
        rows = self.all(sql, params)
        return rows[0] if rows else None


class DuckDB:
    """An embedded DuckDB file (one process at a time may open it).

    Each transaction runs on its own cursor, so threads read in parallel; writing transactions
    take a lock, because DuckDB aborts concurrent writers that touch the same rows.
    """

    dialect: Dialect = "duckdb"

    def __init__(self, path: Path | str):
        import duckdb

        self.location = str(path)
        if self.location != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self._con = duckdb.connect(self.location)
        except duckdb.IOException as exc:  # another process holds the file
            raise StoreError(
                f"cannot open the store {self.location} (is a running `dualcarbon serve` using "
                f"it? a DuckDB file opens in one process at a time): {exc}"
            ) from exc
        self._write_lock = threading.Lock()

    @contextmanager
    def transaction(self, write: bool = False) -> Iterator[Tx]:
        lock = self._write_lock if write else None
        if lock:
            lock.acquire()
        cursor = self._con.cursor()
        try:
            cursor.begin()
            yield _Cursor(cursor)
            cursor.commit()
        except BaseException:
            cursor.rollback()
            raise
        finally:
            cursor.close()
            if lock:
                lock.release()

    def close(self) -> None:
        self._con.close()


class PostgreSQL:
    """A PostgreSQL server, through a small pool of psycopg connections."""

    dialect: Dialect = "postgresql"

    def __init__(self, url: str, max_connections: int = 10):
        try:
            import psycopg
            from psycopg_pool import ConnectionPool
        except ImportError as exc:
            raise StoreError('PostgreSQL needs the postgres extra: pip install "dualcarbon[postgres]"') from exc
        self.location = _redact(url)
        self._pool = ConnectionPool(url, min_size=1, max_size=max_connections, open=False, kwargs={"autocommit": False})
        try:
            self._pool.open(wait=True, timeout=10)
        except psycopg.Error as exc:
            self._pool.close()
            raise StoreError(f"cannot connect to {self.location}: {exc}") from exc
        except Exception as exc:  # the pool's own timeout error
            self._pool.close()
            raise StoreError(f"cannot connect to {self.location}: {exc}") from exc

    @contextmanager
    def transaction(self, write: bool = False) -> Iterator[Tx]:
        with self._pool.connection() as conn:  # commits on success, rolls back on an exception
            with conn.cursor() as cursor:
                yield _Cursor(cursor, "%s")

    def close(self) -> None:
        self._pool.close()


def _redact(url: str) -> str:
    """The URL without its password, for messages and logs."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def connect(location: str | Path) -> Database:
    """A PostgreSQL URL (``postgresql://…``) or the path of a DuckDB file."""
    text = str(location)
    if text.startswith(("postgresql://", "postgres://")):
        return PostgreSQL(text)
    return DuckDB(text)
