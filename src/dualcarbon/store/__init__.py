"""The store: organisations, users, tokens, projects, immutable uploads and reproducible runs,
in an embedded DuckDB file or on a PostgreSQL server (one schema, versioned migrations)."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from dualcarbon.store.db import StoreError
from dualcarbon.store.repo import Store

__all__ = ["Store", "StoreError", "clean_scratch", "default_location", "scratch_folder"]


def default_location() -> str:
    """``$DUALCARBON_STORE``, else ``store.duckdb`` in ``$DUALCARBON_HOME`` or the user's data folder
    (``$XDG_DATA_HOME/dualcarbon``, by default ``~/.local/share/dualcarbon``)."""
    if os.environ.get("DUALCARBON_STORE"):
        return os.environ["DUALCARBON_STORE"]
    home = os.environ.get("DUALCARBON_HOME")
    if home:
        return str(Path(home) / "store.duckdb")
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return str(Path(data) / "dualcarbon" / "store.duckdb")


def _data_home() -> Path:
    home = os.environ.get("DUALCARBON_HOME")
    if home:
        return Path(home)
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "dualcarbon"


def scratch_folder(location: str) -> Path:
    """Where a server on the store ``location`` keeps temporary files (run folders, uploads being
    checked): beside a DuckDB file (``store.duckdb`` → ``store.duckdb.tmp/``); for PostgreSQL (or an
    in-memory DuckDB) ``tmp/<hash of the location>/`` in ``$DUALCARBON_HOME`` or the user's data folder.
    Never the system's temporary folder, so that what a killed server leaves is found and removed."""
    if location.startswith(("postgresql://", "postgres://")) or location == ":memory:":
        key = hashlib.sha256(location.encode()).hexdigest()[:16]
        if location == ":memory:":
            key = f"memory-{os.getpid()}"
        return _data_home() / "tmp" / key
    return Path(f"{location}.tmp")


def clean_scratch(folder: Path) -> int:
    """Remove what a previous server left in its scratch folder (it stopped without cleaning up);
    the number of entries removed. Call it before the server starts its workers."""
    if not folder.is_dir():
        return 0
    removed = 0
    for entry in folder.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        removed += 1
    return removed
