"""What a run produced, read back from its stored output files (``summary.json``,
``emissions.csv``, ``inventory.csv``, …) exactly as the CLI wrote them.

Output files are immutable and addressed by their hash, so parsed tables are cached by hash.
"""

from __future__ import annotations

import json
import math
import threading
from collections import OrderedDict

import polars as pl

from dualcarbon.api.errors import ApiError
from dualcarbon.store import Store

# emissions.csv columns that are numbers; every other column is read as text.
NUMERIC = {
    "source_row": pl.Int64,
    "quantity": pl.Float64,
    "mass_t": pl.Float64,
    "gwp": pl.Float64,
    "co2e_t": pl.Float64,
    "year_used": pl.Int64,
}


def _digest(store: Store, org_id: str, run: dict, name: str) -> str:
    """The SHA-256 of one output file of a succeeded run; 409 unless the run succeeded, 404 for a file
    it did not write."""
    if run["status"] != "succeeded":
        raise ApiError(
            409,
            "run_not_succeeded",
            f"run {run['id']} is {run['status']}: its results exist once it "
            "has succeeded (GET /api/runs/{id} tells its status)",
        )
    digest = next((r["sha256"] for r in store.run_outputs(org_id, run["id"]) if r["name"] == name), None)
    if digest is None:
        raise ApiError(404, "not_produced", f"run {run['id']} did not produce {name}")
    return digest


def output(store: Store, org_id: str, run: dict, name: str) -> bytes:
    """One output file of a succeeded run, byte for byte."""
    return store.blob(_digest(store, org_id, run, name))


def summary(store: Store, org_id: str, run: dict) -> dict:
    return json.loads(output(store, org_id, run, "summary.json"))


_CACHE: OrderedDict[tuple[str, bool], pl.DataFrame] = OrderedDict()
_CACHE_SIZE = 16
_LOCK = threading.Lock()


def table(store: Store, org_id: str, run: dict, name: str, typed: bool = False) -> pl.DataFrame:
    """A CSV output of a run as a frame (``typed``: emissions.csv's declared column types), parsed
    once per content hash."""
    digest = _digest(store, org_id, run, name)
    with _LOCK:
        frame = _CACHE.get((digest, typed))
        if frame is not None:
            _CACHE.move_to_end((digest, typed))
            return frame
    frame = _parse(store.blob(digest), typed)
    with _LOCK:
        _CACHE[(digest, typed)] = frame
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return frame


def _parse(data: bytes, typed: bool) -> pl.DataFrame:
    if not data.strip():
        return pl.DataFrame()
    if not typed:
        return pl.read_csv(data, infer_schema_length=10_000)
    header = pl.read_csv(data, n_rows=0).columns
    return pl.read_csv(data, schema_overrides={c: NUMERIC.get(c, pl.String) for c in header})


def records(frame: pl.DataFrame) -> list[dict]:
    """Rows as JSON-ready dicts (NaN and infinities become null)."""
    rows = frame.to_dicts()
    for row in rows:
        for key, value in row.items():
            if isinstance(value, float) and not math.isfinite(value):
                row[key] = None
    return rows


def emissions_page(frame: pl.DataFrame, filters: dict[str, str | None], offset: int, limit: int) -> dict:
    """A page of emission rows that equal every given filter, in the file's order."""
    for column, value in filters.items():
        if value is None:
            continue
        if column not in frame.columns:
            return {"total": 0, "offset": offset, "limit": limit, "items": []}
        frame = frame.filter(pl.col(column).cast(pl.String) == value)
    return {"total": frame.height, "offset": offset, "limit": limit, "items": records(frame.slice(offset, limit))}
