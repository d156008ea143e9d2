"""The store: organisations, users, tokens, projects, immutable uploads and reproducible runs,
in an embedded DuckDB file or on a PostgreSQL server (one schema, versioned migrations)."""

from __future__ import annotations

import os
from pathlib import Path

from dualcarbon.store.db import StoreError
from dualcarbon.store.repo import Store

__all__ = ["Store", "StoreError", "default_location"]


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
