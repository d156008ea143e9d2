"""What a run produced, read back from its stored output files (``summary.json``,
``emissions.csv``, ``emissions.parquet`` or ``emissions.xlsx``, ``inventory.csv``, …) exactly as the CLI wrote them.

Output files are immutable and addressed by their hash, so parsed tables are cached by hash. CSV
files are spreadsheet-safe (``project.spreadsheet``): their text is restored when parsed, so the
JSON answers carry the values as computed. emissions.parquet is never parsed whole: a page reads
the filter columns, then only the row groups that hold the page's rows, and a large file (kept in
parts by the store) is fetched only as far as those reads reach.
"""

from __future__ import annotations

import bisect
import json
import math
import threading
from collections import OrderedDict
from typing import BinaryIO

import polars as pl

from dualcarbon.api.errors import ApiError
from dualcarbon.project.spreadsheet import restore
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
    once per content hash; emissions.xlsx as its CSV would read (``_parse_xlsx``)."""
    digest = _digest(store, org_id, run, name)
    with _LOCK:
        frame = _CACHE.get((digest, typed))
        if frame is not None:
            _CACHE.move_to_end((digest, typed))
            return frame
    data = store.blob(digest)
    frame = _parse_xlsx(data) if name.endswith(".xlsx") else _parse(data, typed)
    with _LOCK:
        _CACHE[(digest, typed)] = frame
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return frame


def _parse(data: bytes, typed: bool) -> pl.DataFrame:
    if not data.strip():
        return pl.DataFrame()
    if not typed:
        return restore(pl.read_csv(data, infer_schema_length=10_000))
    header = pl.read_csv(data, n_rows=0).columns
    return restore(pl.read_csv(data, schema_overrides={c: NUMERIC.get(c, pl.String) for c in header}))


def _parse_xlsx(data: bytes) -> pl.DataFrame:
    """emissions.xlsx as ``_parse`` reads emissions.csv typed: ``NUMERIC`` columns numbers, every other
    cell the text the CSV holds (dates ``YYYY-MM-DD``, ``true``/``false``), text restored. The workbook
    holds at most one sheet of rows (``outputs.SPREADSHEET_ROWS``); its numbers have 16 significant digits."""
    import io

    frame = pl.read_excel(io.BytesIO(data), engine="calamine", infer_schema_length=None)

    def as_csv(column: str, dtype: pl.DataType) -> pl.Expr:
        col = pl.col(column)
        if column in NUMERIC:
            return col.cast(NUMERIC[column])
        if dtype == pl.Date:
            return col.dt.strftime("%Y-%m-%d")
        if dtype == pl.Datetime:
            return col.dt.date().dt.strftime("%Y-%m-%d")
        if dtype == pl.Boolean:
            return pl.when(col).then(pl.lit("true")).when(~col).then(pl.lit("false"))
        return col.cast(pl.String)

    return restore(frame.select(as_csv(c, t).alias(c) for c, t in frame.schema.items()))


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


def emissions(store: Store, org_id: str, run: dict, filters: dict[str, str | None], offset: int, limit: int) -> dict:
    """A page of the run's emission rows, from emissions.parquet when the run wrote it (large runs), from
    emissions.xlsx (``--emissions xlsx``), else from emissions.csv; 404 when it wrote none of them
    (``dualcarbon run --emissions none``)."""
    names = {o["name"] for o in store.run_outputs(org_id, run["id"])}
    if "emissions.parquet" in names and "emissions.csv" not in names:
        with store.blob_file(_digest(store, org_id, run, "emissions.parquet")) as source:
            return parquet_page(source, filters, offset, limit)
    if "emissions.xlsx" in names and "emissions.csv" not in names:
        return emissions_page(table(store, org_id, run, "emissions.xlsx"), filters, offset, limit)
    return emissions_page(table(store, org_id, run, "emissions.csv", typed=True), filters, offset, limit)


def _as_csv_types(frame: pl.DataFrame) -> pl.DataFrame:
    """Parquet columns typed as the API's reading of emissions.csv: ``NUMERIC`` numbers, the rest text."""
    return frame.with_columns(
        pl.col(c).cast(NUMERIC[c]) if c in NUMERIC else pl.col(c).cast(pl.String) for c in frame.columns
    )


def parquet_page(data: bytes | BinaryIO, filters: dict[str, str | None], offset: int, limit: int) -> dict:
    """``emissions_page`` over emissions.parquet (its bytes, or a seekable file such as
    ``Store.blob_file``, which fetches only the parts read): the filters read only their columns, row
    group by row group; only the row groups holding the page's rows are read whole."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    parquet = pq.ParquetFile(pa.BufferReader(data) if isinstance(data, bytes) else data)
    columns = parquet.schema_arrow.names
    active = {c: v for c, v in filters.items() if v is not None}
    if any(c not in columns for c in active):
        return {"total": 0, "offset": offset, "limit": limit, "items": []}
    sizes = [parquet.metadata.row_group(g).num_rows for g in range(parquet.num_row_groups)]
    starts = [sum(sizes[:g]) for g in range(len(sizes))]
    if active:
        hits: list[pl.Series] = []
        for g, start in enumerate(starts):
            part = pl.from_arrow(parquet.read_row_group(g, columns=list(active)))
            assert isinstance(part, pl.DataFrame)
            mask = pl.all_horizontal(pl.col(c).cast(pl.String) == v for c, v in active.items())
            hits.append(part.with_row_index("i", offset=start).filter(mask)["i"])
        matching = pl.concat(hits) if hits else pl.Series("i", [], pl.UInt32)
        total = matching.len()
        wanted = matching.slice(offset, limit).cast(pl.Int64)
    else:
        total = sum(sizes)
        wanted = pl.int_range(min(offset, total), min(offset + limit, total), eager=True, dtype=pl.Int64)
    if wanted.is_empty():
        return {"total": total, "offset": offset, "limit": limit, "items": []}
    at = [bisect.bisect_right(starts, i) - 1 for i in wanted.to_list()]
    pieces = []
    for g in sorted(set(at)):  # the row groups that hold the page, each read once
        local = [i - starts[g] for i, h in zip(wanted.to_list(), at, strict=True) if h == g]
        part = pl.from_arrow(parquet.read_row_group(g))
        assert isinstance(part, pl.DataFrame)
        pieces.append(part[local])
    page = pl.concat(pieces)
    return {"total": total, "offset": offset, "limit": limit, "items": records(_as_csv_types(page))}
