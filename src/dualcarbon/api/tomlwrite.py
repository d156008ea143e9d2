"""Settings sent as JSON, written as the text of a ``dualcarbon.toml`` (TOML v1.0), so that every
stored settings batch is a file the CLI reads as it is."""

from __future__ import annotations

import json
import math
import re
from typing import Any

from dualcarbon.errors import InputError, msg

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def dumps(data: dict[str, Any]) -> str:
    """Nested JSON objects → TOML tables, lists of objects → arrays of tables (``[[name]]``);
    ``null`` values are left out (TOML has none)."""
    lines: list[str] = []
    _table(data, [], lines)
    return "\n".join(lines).strip() + "\n"


def _is_tables(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _table(table: dict[str, Any], path: list[str], lines: list[str], header: str | None = None) -> None:
    scalars = {k: v for k, v in table.items() if not isinstance(v, dict) and not _is_tables(v) and v is not None}
    tables = {k: v for k, v in table.items() if isinstance(v, dict)}
    arrays = {k: v for k, v in table.items() if _is_tables(v)}
    name = ".".join(_key(p) for p in path)
    if header is not None:  # an element of an array of tables: [[name]]
        lines += ["", f"[[{name}]]"]
    elif path and (scalars or not (tables or arrays)):
        lines += ["", f"[{name}]"]
    for key, value in scalars.items():
        lines.append(f"{_key(key)} = {_value(value, [*path, key])}")
    for key, value in tables.items():
        _table(value, [*path, key], lines)
    for key, items in arrays.items():
        for item in items:
            _table(item, [*path, key], lines, header="array")


def _key(key: object) -> str:
    text = str(key)
    return text if _BARE_KEY.match(text) else json.dumps(text, ensure_ascii=False)


def _value(value: Any, path: list[str]) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else ("nan" if value != value else ("inf" if value > 0 else "-inf"))
    if isinstance(value, str):
        return value if _DATE.match(value) else json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v, path) for v in value) + "]"
    raise InputError.single(
        msg("problem.toml_value"),
        file="dualcarbon.toml",
        column=".".join(str(p) for p in path),
        value=json.dumps(value, ensure_ascii=False),
    )
