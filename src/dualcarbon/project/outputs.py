"""Write a run's outputs atomically: everything goes to a temporary folder beside ``out/``, which
replaces ``out/`` only when every file is complete. A failure leaves the previous ``out/`` intact."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import polars as pl

from dualcarbon.inventory import Inventory
from dualcarbon.project.spreadsheet import neutralise

EMISSIONS_FORMATS = ("auto", "csv", "parquet", "none")
# Row-level emissions go to CSV while they fit one spreadsheet (Excel's 1,048,576 rows with the header),
# to Parquet above: a CSV of 10 million activity rows is ~18 GB that no spreadsheet opens.
SPREADSHEET_ROWS = 1_048_575
# Trace columns repeat a few values over millions of rows: dictionary-encoded in emissions.parquet.
PARQUET_ROW_GROUP = 262_144
PER_ROW_TEXT = {"id", "facility", "parameters"}  # text that differs from row to row: not dictionary-encoded

TRACE_COLUMNS = [
    "id",
    "_file",
    "_row",
    "facility",
    "date",
    "month",
    "activity",
    "key",
    "kind",
    "quantity",
    "unit",
    "region",
    "scope",
    "category",
    "iso_category",
    "scope2_method",
    "gas",
    "mass_t",
    "gwp",
    "co2e_t",
    "biogenic",
    "factor_ids",
    "factor_sets",
    "region_used",
    "year_used",
    "formula",
    "parameters",
]


def emissions_table(emissions: pl.DataFrame, ordered: bool = False) -> pl.DataFrame:
    """Emission rows with their trace, in the documented column order (``_file``/``_row`` renamed)."""
    cols = [c for c in TRACE_COLUMNS if c in emissions.columns]
    if not ordered:
        emissions = emissions.sort("_idx", "scope2_method", "gas", nulls_last=False)  # input order, stable output
    return emissions.select(cols).rename({"_file": "source_file", "_row": "source_row"})


def write_outputs(
    out_dir: Path,
    inventory: Inventory,
    emissions: pl.DataFrame | Iterable[pl.DataFrame],
    report_html: str | None,
    extra: dict[str, pl.DataFrame] | None = None,
    extra_text: dict[str, str] | None = None,
    files: dict[str, bytes] | None = None,
    emissions_format: str = "csv",
) -> list[Path]:
    """Write summary.json, emissions.csv, inventory.csv, report.html (and extras) atomically.

    ``extra``: more tables written as CSV; ``extra_text``: more text files (UTF-8), by file name;
    ``files``: more documents (``report.pdf``) as bytes, by file name.

    ``emissions`` is one frame, or batches already in row order (large ledgers), appended in turn.
    ``emissions_format``: ``csv`` (emissions.csv), ``parquet`` (emissions.parquet) or ``none`` (no row-level
    file; ``auto`` is resolved by the caller with ``choose_format``).

    Every CSV is spreadsheet-safe (``spreadsheet.neutralise``: text cells that a spreadsheet would read
    as a formula get a leading apostrophe); summary.json and emissions.parquet keep every value as it is.
    """
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
    try:
        (tmp / "summary.json").write_text(
            json.dumps(inventory.summary, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8"
        )
        write_emissions(tmp, emissions, emissions_format)
        neutralise(inventory.inventory).write_csv(tmp / "inventory.csv")
        for name, frame in (extra or {}).items():
            neutralise(frame).write_csv(tmp / name)
        for name, text in (extra_text or {}).items():
            (tmp / name).write_text(text, encoding="utf-8")
        if report_html is not None:
            (tmp / "report.html").write_text(report_html, encoding="utf-8")
        for name, data in (files or {}).items():
            (tmp / name).write_bytes(data)
        _replace_dir(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return sorted(out_dir.iterdir())


def choose_format(requested: str, emission_rows: int) -> str:
    """The emissions file's format: ``requested``, or for ``auto`` CSV up to ``SPREADSHEET_ROWS`` rows
    and Parquet above."""
    if requested != "auto":
        return requested
    return "csv" if emission_rows <= SPREADSHEET_ROWS else "parquet"


def _batches(emissions: pl.DataFrame | Iterable[pl.DataFrame]) -> Iterator[pl.DataFrame]:
    if isinstance(emissions, pl.DataFrame):
        yield emissions_table(emissions)
    else:
        for batch in emissions:
            yield emissions_table(batch, ordered=True)


def write_emissions(folder: Path, emissions: pl.DataFrame | Iterable[pl.DataFrame], fmt: str) -> Path | None:
    """The row-level emission table in ``folder``: emissions.csv (spreadsheet-safe) or emissions.parquet
    (values as computed, trace columns dictionary-encoded), written batch by batch; nothing for ``none``."""
    if fmt == "none":
        return None
    if fmt == "csv":
        path = folder / "emissions.csv"
        with open(path, "wb") as fh:
            for i, table in enumerate(_batches(emissions)):
                neutralise(table).write_csv(fh, include_header=i == 0)
        return path
    if fmt != "parquet":
        raise ValueError(f"unknown emissions format {fmt!r}: expected one of {', '.join(EMISSIONS_FORMATS)}")
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = folder / "emissions.parquet"
    writer: pq.ParquetWriter | None = None
    schema: pa.Schema | None = None
    try:
        for table in _batches(emissions):
            arrow = table.to_arrow()
            if writer is None or schema is None:
                schema = arrow.schema
                # dictionary pages for the trace columns (from a ledger they come as dictionary arrays,
                # written as they are); the per-row text plain: zstd packed one 1 M-row batch as small
                # in 56 % of the time
                coded = [
                    f.name
                    for f in schema
                    if f.name not in PER_ROW_TEXT
                    and (
                        pa.types.is_dictionary(f.type) or pa.types.is_string(f.type) or pa.types.is_large_string(f.type)
                    )
                ]
                writer = pq.ParquetWriter(path, schema, compression="zstd", use_dictionary=coded)
            elif arrow.schema != schema:
                arrow = arrow.cast(schema)
            writer.write_table(arrow, row_group_size=PARQUET_ROW_GROUP)
            del arrow, table
        if writer is None:  # no emission rows: an empty file with the documented columns
            empty = emissions_table(pl.DataFrame(schema={c: pl.String for c in TRACE_COLUMNS}), ordered=True)
            empty.write_parquet(path)
    finally:
        if writer is not None:
            writer.close()
    return path


def _replace_dir(new: Path, target: Path) -> None:
    """Swap ``new`` into place of ``target`` with renames (atomic on one filesystem)."""
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.replace(target, old)
        os.replace(new, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(new, target)
