"""Write a run's outputs into an output folder, never touching what dualcarbon did not write.

Every file is first written in full to a temporary folder beside the output folder
(``.out.tmp-<host>-<pid>-<start>-<random>``), so a failure leaves the previous outputs as they
were. A new output folder is then that temporary folder, renamed (atomic). An existing one is
updated file by file: each output replaces its namesake with one rename (a reader never sees a
half-written file), outputs of the previous run that this run does not write are removed, and the
manifest ``dualcarbon-manifest.json`` (every file dualcarbon wrote there, with its size and
sha256) is written last. Files that are not in the manifest are the user's: they are never moved,
replaced or removed, and a non-empty folder without a manifest is refused (``InputError``), so
``--out`` pointed at a project folder or at a home folder deletes nothing. Before the update the
folder's manifest names the old and the new outputs together, so a run killed halfway through the
renames leaves a folder whose every output file the next run recognises as its own.

The default ``PROJECT/out`` may have been written by a version without manifests: there, files
that bear the name of a dualcarbon output (``LEGACY_OUTPUTS``) are taken as dualcarbon's, others
are kept. Temporary folders left by killed runs are removed at the next run, those of processes
that are no longer alive only: the name carries the writer's host, pid and process start time.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import socket
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import cast

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from dualcarbon.errors import InputError, msg
from dualcarbon.inventory import Inventory
from dualcarbon.project.spreadsheet import neutralise

MANIFEST = "dualcarbon-manifest.json"
MANIFEST_SCHEMA = "dualcarbon.manifest/1"
# What dualcarbon wrote into out/ before output folders had a manifest.
LEGACY_OUTPUTS = frozenset(
    {
        "summary.json",
        "emissions.csv",
        "emissions.parquet",
        "inventory.csv",
        "report.html",
        "report.pdf",
        "neutrality.csv",
        "pathway.csv",
        "measures_plan.csv",
        "abatement.csv",
        "pathway.json",
    }
)
SUMMARY_SCHEMA = "dualcarbon.summary/1"

EMISSIONS_FORMATS = ("auto", "csv", "parquet", "xlsx", "none")
# Row-level emissions go to CSV while they fit one spreadsheet (Excel's 1,048,576 rows with the header),
# to Parquet above: a CSV of 10 million activity rows is ~18 GB that no spreadsheet opens.
SPREADSHEET_ROWS = 1_048_575
XLSX_SHEET = "emissions"
# Characters XML 1.0 cannot hold (C0 controls but tab, line feed, carriage return): in a workbook a cell
# holds them as OOXML's escape _xHHHH_, which spreadsheet programs read back as the character.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_ILLEGAL_CHARS = [chr(i) for i in range(32) if _XML_ILLEGAL.match(chr(i))]
_ESCAPES = [f"_x{ord(c):04X}_" for c in _ILLEGAL_CHARS]
# Trace columns repeat a few values over millions of rows: dictionary-encoded in emissions.parquet.
PARQUET_ROW_GROUP = 262_144
PER_ROW_TEXT = {"id", "facility"}
STATISTICS = (
    "source_row",
    "date",
    "year",
)  # emissions.parquet columns with min/max statistics  # text that differs from row to row: not dictionary-encoded

TRACE_COLUMNS = [
    "id",
    "_file",
    "_row",
    "facility",
    "date",
    "month",
    "year",  # the year the emission occurs (FOD: a later year than the deposit's date)
    "activity",
    "key",
    "kind",
    "quantity",
    "unit",
    "region",
    "scope",
    "category",
    "gpc",  # a territory's GPC line (docs/territory.md); absent for an organisation
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
        # input order; an instrument's part and the rest of one activity's electricity differ by factor only
        emissions = emissions.sort("_idx", "scope2_method", "gas", "factor_ids", "co2e_t", nulls_last=False)
    return emissions.select(cols).rename({"_file": "source_file", "_row": "source_row"})


def write_outputs(
    out_dir: Path,
    inventory: Inventory,
    emissions: pl.DataFrame | Iterable[pl.DataFrame | pa.Table],
    report_html: str | None,
    extra: dict[str, pl.DataFrame] | None = None,
    extra_text: dict[str, str] | None = None,
    files: dict[str, bytes] | None = None,
    emissions_format: str = "csv",
    legacy: bool = False,
) -> list[Path]:
    """Write summary.json, emissions.csv, inventory.csv, report.html (and extras) and the manifest
    into ``out_dir`` (see the module docstring); the paths written, in name order.

    ``extra``: more tables written as CSV; ``extra_text``: more text files (UTF-8), by file name;
    ``files``: more documents (``report.pdf``) as bytes, by file name.

    ``emissions`` is one frame, or batches already in row order (large ledgers), appended in turn.
    ``emissions_format``: ``csv`` (emissions.csv), ``parquet`` (emissions.parquet), ``xlsx`` (emissions.xlsx) or
    ``none`` (no row-level file; ``auto`` is resolved by the caller with ``choose_format``).

    Every CSV (and emissions.xlsx) is spreadsheet-safe (``spreadsheet.neutralise``: text cells that a spreadsheet would read
    as a formula get a leading apostrophe); summary.json and emissions.parquet keep every value as it is.

    ``legacy``: ``out_dir`` is the project's default ``out/``, which older versions wrote without a
    manifest. InputError, before anything is written, if ``out_dir`` holds files dualcarbon did not
    write and has no manifest, or a file of the user's that an output would replace.
    """
    out_dir = Path(out_dir)
    names = ["summary.json", "inventory.csv", *(extra or {}), *(extra_text or {})] + emissions_names(emissions_format)
    names += ["report.html"] * (report_html is not None) + list(files or {})
    owned = prepare(out_dir, legacy, names)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = _make_tmp(out_dir)
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
        _write_manifest(tmp / MANIFEST, _entries(tmp, names))
        _move_in(tmp, out_dir, sorted(names), owned)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return sorted(out_dir / name for name in [*names, MANIFEST])


def emissions_names(emissions_format: str) -> list[str]:
    """The file the row-level emission table goes to in a format (none for ``none``; ``auto`` is either)."""
    if emissions_format == "auto":
        return ["emissions.csv", "emissions.parquet"]
    return [] if emissions_format == "none" else [f"emissions.{emissions_format}"]


def choose_format(requested: str, emission_rows: int) -> str:
    """The emissions file's format: ``requested``, or for ``auto`` CSV up to ``SPREADSHEET_ROWS`` rows
    and Parquet above. InputError for ``xlsx`` above ``SPREADSHEET_ROWS`` rows (one sheet's rows below
    its header): a workbook of several sheets is no table a spreadsheet filters or sums, and a file of
    that size opens slowly if at all; CSV and Parquet have no such limit."""
    if requested == "xlsx" and emission_rows > SPREADSHEET_ROWS:
        raise InputError.single(
            msg("export.xlsx_too_many_rows", rows=f"{emission_rows:,}", most=f"{SPREADSHEET_ROWS:,}"),
            column="--emissions",
            value="xlsx",
        )
    if requested != "auto":
        return requested
    return "csv" if emission_rows <= SPREADSHEET_ROWS else "parquet"


def _frames(emissions: pl.DataFrame | Iterable[pl.DataFrame | pa.Table]) -> Iterator[pl.DataFrame]:
    """The emission table as polars frames, in the documented column order."""
    if isinstance(emissions, pl.DataFrame):
        yield emissions_table(emissions)
        return
    for batch in cast(Iterable[pl.DataFrame | pa.Table], emissions):
        if isinstance(batch, pa.Table):
            frame = pl.from_arrow(arrow_table(batch))
            assert isinstance(frame, pl.DataFrame)
            yield frame
        else:
            yield emissions_table(batch, ordered=True)


def _tables(emissions: pl.DataFrame | Iterable[pl.DataFrame | pa.Table]) -> Iterator[pa.Table]:
    """The emission table as Arrow tables, in the documented column order."""
    if isinstance(emissions, pl.DataFrame):
        yield emissions_table(emissions).to_arrow()
        return
    for batch in cast(Iterable[pl.DataFrame | pa.Table], emissions):
        yield arrow_table(batch) if isinstance(batch, pa.Table) else emissions_table(batch, ordered=True).to_arrow()


#: TRACE_COLUMNS as written (``_file``/``_row`` renamed)
OUTPUT_COLUMNS = [{"_file": "source_file", "_row": "source_row"}.get(c, c) for c in TRACE_COLUMNS]


def arrow_table(batch: pa.Table) -> pa.Table:
    """A ledger's emission batch (``ledger.Ledger.emission_rows``) in the documented column order."""
    return batch.select([c for c in OUTPUT_COLUMNS if c in batch.column_names])


def write_emissions(folder: Path, emissions: pl.DataFrame | Iterable[pl.DataFrame | pa.Table], fmt: str) -> Path | None:
    """The row-level emission table in ``folder``: emissions.csv (spreadsheet-safe), emissions.parquet
    (values as computed, trace columns dictionary-encoded) or emissions.xlsx (``write_emissions_xlsx``),
    written batch by batch; nothing for ``none``."""
    if fmt == "none":
        return None
    if fmt == "csv":
        path = folder / "emissions.csv"
        with open(path, "wb") as fh:
            for i, table in enumerate(_frames(emissions)):
                neutralise(table).write_csv(fh, include_header=i == 0)
        return path
    if fmt == "xlsx":
        return write_emissions_xlsx(folder / "emissions.xlsx", _frames(emissions))
    if fmt != "parquet":
        raise ValueError(f"unknown emissions format {fmt!r}: expected one of {', '.join(EMISSIONS_FORMATS)}")
    path = folder / "emissions.parquet"
    writer: pq.ParquetWriter | None = None
    schema: pa.Schema | None = None
    # One batch is written in a second thread while the next is computed (both release the GIL): the
    # Parquet encoder is single-threaded and would otherwise leave a core idle. At most two batches live.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending: Future | None = None
        try:
            for arrow in _tables(emissions):
                if writer is None or schema is None:
                    schema = arrow.schema
                    writer = pq.ParquetWriter(
                        path,
                        schema,
                        compression="zstd",
                        # dictionary pages for the trace columns and parameters (they come as dictionary arrays);
                        # id and facility plain: zstd packed one 1 M-row batch as small in 56 % of the time
                        use_dictionary=[f.name for f in schema if f.name not in PER_ROW_TEXT and _text(f.type)],
                        # statistics only where a reader can skip row groups by them: the rows are in ledger
                        # order, so by source row and, in a ledger kept by date, by date (on every column they
                        # took a sixth of the writing time)
                        write_statistics=[c for c in STATISTICS if c in schema.names],
                    )
                elif arrow.schema != schema:
                    arrow = arrow.cast(schema)
                if pending is not None:
                    pending.result()
                pending = pool.submit(writer.write_table, arrow, row_group_size=PARQUET_ROW_GROUP)
                del arrow
            if pending is not None:
                pending.result()
            if writer is None:  # no emission rows: an empty file with the documented columns
                empty = emissions_table(pl.DataFrame(schema={c: pl.String for c in TRACE_COLUMNS}), ordered=True)
                empty.write_parquet(path)
        finally:
            if pending is not None:
                pending.exception()  # wait for the writer before closing the file, even on error
            if writer is not None:
                writer.close()
    return path


def write_emissions_xlsx(path: Path, batches: Iterable[pl.DataFrame]) -> Path:
    """emissions.xlsx: one sheet of the emission rows under a frozen header row, written batch by batch in
    openpyxl's write-only mode (rows go to the file as they come: memory holds one batch). Numbers,
    dates and true/false are cells of their type; text is spreadsheet-safe (``spreadsheet.neutralise``:
    openpyxl would take a text starting with ``=`` for a formula). A number that is not finite is an
    empty cell (a workbook has no NaN). InputError, with nothing written, above ``SPREADSHEET_ROWS``
    rows."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(XLSX_SHEET)
    sheet.freeze_panes = "A2"
    rows = 0
    try:
        for table in batches:
            if rows == 0:
                sheet.append(table.columns)
            rows += table.height
            if rows > SPREADSHEET_ROWS:
                choose_format("xlsx", rows)  # the caller counts first; a batch past a sheet is refused here too
            for row in xlsx_cells(table).iter_rows():
                sheet.append(row)
        if rows == 0:  # no emission rows: the documented columns alone
            sheet.append(
                emissions_table(pl.DataFrame(schema={c: pl.String for c in TRACE_COLUMNS}), ordered=True).columns
            )
        book.save(path)
    except BaseException:
        _discard(sheet)
        raise
    return path


def _discard(sheet) -> None:  # noqa: ANN001 - openpyxl's write-only worksheet
    """Close a write-only worksheet left half-written and remove its temporary file."""
    writer = getattr(sheet, "_writer", None)
    for stream in (getattr(sheet, "_rows", None), getattr(writer, "xf", None)):
        try:
            if stream is not None:
                stream.close()
        except Exception:  # noqa: BLE001 - the XML writer objects to closing mid-element; it is dropped anyway
            pass
    if writer is not None and isinstance(writer.out, str):
        Path(writer.out).unlink(missing_ok=True)


def xlsx_cells(table: pl.DataFrame) -> pl.DataFrame:
    """``table`` as workbook cells: text spreadsheet-safe, characters XML cannot hold as their escape
    ``_xHHHH_``, numbers that are not finite null."""
    safe = neutralise(table)
    text = [c for c, dtype in safe.schema.items() if dtype == pl.String]
    floats = [c for c, dtype in safe.schema.items() if dtype.is_float()]
    if text:
        found = safe.select(pl.col(c).str.contains(_XML_ILLEGAL.pattern).any() for c in text).row(0)
        text = [c for c, hit in zip(text, found, strict=True) if hit]
    return safe.with_columns(
        [pl.col(c).str.replace_many(_ILLEGAL_CHARS, _ESCAPES) for c in text]
        + [pl.when(pl.col(c).is_finite()).then(pl.col(c)).alias(c) for c in floats]
    )


def _text(t: pa.DataType) -> bool:
    return pa.types.is_dictionary(t) or pa.types.is_string(t) or pa.types.is_large_string(t)


def prepare(out_dir: Path, legacy: bool = False, names: Iterable[str] = ()) -> set[str]:
    """Check that ``out_dir`` may receive outputs named ``names``, after removing the temporary
    folders of dead runs beside it; the names of the files in it that dualcarbon wrote (which a
    new run replaces or removes). InputError naming the folder, and why, if it may not."""
    out_dir = Path(out_dir)
    remove_leftovers(out_dir)
    owned = owned_files(out_dir, legacy)
    if out_dir.is_dir():
        for name in names:
            path = out_dir / name
            if name not in owned and (path.exists() or path.is_symlink()):
                raise InputError.single(
                    f"the folder holds a file {name!r} that dualcarbon did not write (it is not in {MANIFEST}), "
                    "and an output of this run has its name: dualcarbon never replaces a file it did not write; "
                    "move the file away or choose another --out",
                    file=str(out_dir),
                    column="--out",
                )
    return owned


def owned_files(out_dir: Path, legacy: bool = False) -> set[str]:
    """Names of the files in ``out_dir`` that dualcarbon wrote: those of its manifest; without a
    manifest, none in an empty (or absent) folder and, in a folder of an older version (``legacy``,
    or a ``summary.json`` of dualcarbon), the files named as its outputs. InputError for a folder
    that is none of these: dualcarbon would write among files it does not know."""
    out_dir = Path(out_dir)
    if not out_dir.exists() and not out_dir.is_symlink():
        return set()
    if not out_dir.is_dir():
        raise InputError.single(
            "this is a file, not a folder: expected a folder for the outputs (new, empty, or written by dualcarbon)",
            file=str(out_dir),
            column="--out",
        )
    manifest = out_dir / MANIFEST
    if manifest.exists() or manifest.is_symlink():
        return _manifest_names(manifest)
    present = {entry.name for entry in out_dir.iterdir()}
    if not present:
        return set()
    if legacy or _older_output_folder(out_dir):
        return {name for name in present & LEGACY_OUTPUTS if (out_dir / name).is_file()}
    raise InputError.single(
        f"the folder is not empty and has no {MANIFEST}, so it is not an output folder of dualcarbon, "
        "which never deletes or replaces files it did not write: expected a new or empty folder, "
        "or one that dualcarbon wrote",
        file=str(out_dir),
        column="--out",
    )


def _manifest_names(manifest: Path) -> set[str]:
    """The file names a manifest lists; InputError if it is not one of dualcarbon's."""
    try:
        record = json.loads(manifest.read_text(encoding="utf-8"))
        if record.get("schema") != MANIFEST_SCHEMA:
            raise ValueError(f"schema {record.get('schema')!r}")
        names = {str(entry["name"]) for entry in record["files"]}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InputError.single(
            f"{MANIFEST} is not a manifest of dualcarbon ({exc}): expected a JSON record of schema "
            f"{MANIFEST_SCHEMA}; without it, dualcarbon cannot tell its files from yours",
            file=str(manifest.parent),
            column="--out",
        ) from exc
    bad = sorted(n for n in names if not _plain_name(n))
    if bad:
        raise InputError.single(
            f"{MANIFEST} lists {bad[0]!r}: expected plain file names of the folder",
            file=str(manifest.parent),
            column="--out",
        )
    return {n for n in names if (manifest.parent / n).is_file() and not (manifest.parent / n).is_symlink()}


def _plain_name(name: str) -> bool:
    return name not in ("", ".", "..", MANIFEST) and "/" not in name and "\\" not in name


def _older_output_folder(out_dir: Path) -> bool:
    """Whether ``out_dir`` holds the ``summary.json`` of a dualcarbon run (a version without manifests)."""
    try:
        with open(out_dir / "summary.json", encoding="utf-8") as fh:
            return json.loads(fh.read()).get("schema") == SUMMARY_SCHEMA
    except (OSError, ValueError, AttributeError):
        return False


def _entries(folder: Path, names: Iterable[str]) -> list[dict[str, object]]:
    entries: list[dict[str, object]] = []
    for name in sorted(names):
        with open(folder / name, "rb") as fh:
            digest = hashlib.file_digest(fh, "sha256").hexdigest()
        entries.append({"name": name, "bytes": (folder / name).stat().st_size, "sha256": digest})
    return entries


def _write_manifest(path: Path, entries: list[dict[str, object]]) -> None:
    record = {"schema": MANIFEST_SCHEMA, "files": entries}
    path.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _move_in(tmp: Path, out_dir: Path, names: list[str], owned: set[str]) -> None:
    """Move the outputs written in ``tmp`` into ``out_dir`` (see the module docstring)."""
    if not out_dir.exists():
        os.replace(tmp, out_dir)
        return
    new = json.loads((tmp / MANIFEST).read_text(encoding="utf-8"))["files"]
    stale = sorted(owned - set(names))
    # while files are moved, the manifest names old and new outputs: a run killed now leaves
    # no output of dualcarbon that the next run would take for the user's
    _write_manifest(tmp / ".manifest-during", new + [{"name": n, "bytes": None, "sha256": None} for n in stale])
    os.replace(tmp / ".manifest-during", out_dir / MANIFEST)
    for name in names:
        os.replace(tmp / name, out_dir / name)
    for name in stale:
        (out_dir / name).unlink(missing_ok=True)
    os.replace(tmp / MANIFEST, out_dir / MANIFEST)
    tmp.rmdir()


# -- temporary folders of runs killed before they finished ---------------------------------------
def _host_tag() -> str:
    return hashlib.sha256(socket.gethostname().encode()).hexdigest()[:8]


def _make_tmp(out_dir: Path) -> Path:
    """A new temporary folder beside ``out_dir``, named after this process (``remove_leftovers``);
    made with the usual permissions, so that the output folder it becomes has them too."""
    prefix = f".{out_dir.name}.tmp-{_host_tag()}-{os.getpid()}-{_started(os.getpid()) or 0}-"
    while True:
        path = out_dir.parent / (prefix + secrets.token_hex(4))
        try:
            path.mkdir()
            return path
        except FileExistsError:
            continue


def _started(pid: int) -> int | None:
    """When process ``pid`` started (clock ticks since boot on Linux; None if there is no such
    process or the platform cannot tell): with the pid, it tells a process from a later one of
    the same pid."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read()
        return int(stat[stat.rindex(b")") + 2 :].split()[19])  # field 22, starttime
    except FileNotFoundError:
        if os.path.isdir("/proc/self"):
            return None  # Linux, and no such process
    except (OSError, ValueError, IndexError):
        return None
    try:
        import psutil
    except ImportError:
        return None
    try:
        return int(psutil.Process(pid).create_time() * 100)
    except psutil.Error:
        return None


def _alive(pid: int, start: int) -> bool:
    """Whether the process that wrote a temporary folder may still be running."""
    started = _started(pid)
    if started is not None:
        return start == 0 or started == start
    if os.path.isdir("/proc/self"):
        return False  # Linux tells: no such process
    if os.name != "posix":
        return True  # cannot tell: keep the folder
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def remove_leftovers(out_dir: Path) -> list[Path]:
    """Remove the temporary folders of ``out_dir`` left by runs on this host that are no longer
    running (killed while writing); the folders removed. A running run's folder is never removed."""
    out_dir = Path(out_dir)
    pattern = re.compile(rf"\.{re.escape(out_dir.name)}\.tmp-{_host_tag()}-(\d+)-(\d+)-[0-9a-f]{{8}}")
    removed: list[Path] = []
    try:
        entries = list(out_dir.parent.iterdir())
    except OSError:
        return removed
    for entry in entries:
        found = pattern.fullmatch(entry.name)
        if found is None or entry.is_symlink() or not entry.is_dir():
            continue
        pid, start = int(found[1]), int(found[2])
        if pid == os.getpid() or _alive(pid, start):
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry)
    return removed


def write_documents(out_dir: Path, documents: dict[str, bytes]) -> list[Path]:
    """Write ``documents`` (file name → bytes) and the manifest into ``out_dir`` as ``write_outputs``
    does: checked first (``prepare``), written in a temporary folder, then moved in."""
    out_dir = Path(out_dir)
    names = sorted(documents)
    owned = prepare(out_dir, False, names)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = _make_tmp(out_dir)
    try:
        for name, data in documents.items():
            (tmp / name).write_bytes(data)
        _write_manifest(tmp / MANIFEST, _entries(tmp, names))
        _move_in(tmp, out_dir, names, owned)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return [out_dir / name for name in [*names, MANIFEST]]
