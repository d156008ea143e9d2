"""How much of an input file is read: limits checked from a file's header, zip directory or
Parquet footer before its contents are loaded, so that a hostile or careless file is refused
in milliseconds instead of taking the process's memory (docs/file-formats.md, 'Limits').

Each check raises an ``InputError`` naming the file (and the row or column where there is one),
what was found and the limit, and says where the limit is set.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl
import pyarrow.parquet as pq

from dualcarbon.errors import InputError, Msg, msg

if TYPE_CHECKING:
    from dualcarbon.model import InputSettings

MIB = 1024 * 1024
#: Bytes a value is counted at in memory once read: polars' string view (16 bytes) or
#: calamine's cell (32 bytes, for the grid of an XLSX sheet, which it allocates whole).
VALUE_BYTES = 16
XLSX_CELL_BYTES = 32
CHUNK_BYTES = 1 * MIB


@dataclass(frozen=True)
class ReadLimits:
    """What one input table may hold, and how its text is decoded.

    ``max_rows`` None: no cap (the CLI's default: typed Parquet ledgers of 200 M rows are read
    in batches); a server sets one. ``max_expanded_bytes``: the size a file may reach once
    expanded, from what it declares before it is read: the uncompressed members of an XLSX
    plus its sheet's grid of cells at 32 bytes each (the reader allocates the whole grid); a
    Parquet file's values at 16 bytes each plus their uncompressed pages; a CSV's bytes plus
    its lines × columns at 16 bytes. ``encoding`` None: detected (UTF-8, GB18030 or
    Windows-1252, see ``project.encoding``). ``origin`` is where the limits come from, named
    in the messages so that a user knows what to change.
    """

    max_columns: int = 500
    max_rows: int | None = None
    max_cell_chars: int = 10_000
    max_expanded_bytes: int = 2048 * MIB
    encoding: str | None = None
    origin: str = "dualcarbon.toml"

    def hint(self, key: str) -> str:
        return str(self.hint_msg(key))

    def hint_msg(self, key: str) -> Msg:
        if self.origin == "dualcarbon.toml":
            return msg("problem.limit_settings", key=key)
        if self.origin == "this server":
            return msg("problem.limit_server")
        return msg("problem.limit_of", origin=self.origin)

    def tightened(self, project: InputSettings | None) -> ReadLimits:
        """These limits as ceilings, lowered (never raised) by a project's ``[input]``; its
        encoding taken as it is. For a server, whose users must not lift its limits."""
        if project is None:
            return self
        rows = [r for r in (self.max_rows, project.max_rows) if r is not None]
        return replace(
            self,
            max_columns=min(self.max_columns, project.max_columns or self.max_columns),
            max_rows=min(rows) if rows else None,
            max_cell_chars=min(self.max_cell_chars, project.max_cell_chars or self.max_cell_chars),
            max_expanded_bytes=min(self.max_expanded_bytes, _expanded(project) or self.max_expanded_bytes),
            encoding=project.encoding,
        )


def from_settings(project: InputSettings | None) -> ReadLimits:
    """The CLI's limits: the defaults, changed by the project's ``[input]`` table where it sets them."""
    default = ReadLimits()
    if project is None:
        return default
    return ReadLimits(
        max_columns=project.max_columns or default.max_columns,
        max_rows=project.max_rows if project.max_rows is not None else default.max_rows,
        max_cell_chars=project.max_cell_chars or default.max_cell_chars,
        max_expanded_bytes=_expanded(project) or default.max_expanded_bytes,
        encoding=project.encoding,
    )


def _expanded(project: InputSettings) -> int | None:
    return None if project.max_expanded_mib is None else int(project.max_expanded_mib * MIB)


def _mib(n: int) -> str:
    return f"{n / MIB:,.0f} MiB" if n >= MIB else f"{n:,} bytes"


def check_columns(width: int, name: str, limits: ReadLimits) -> None:
    if width > limits.max_columns:
        raise InputError.single(
            msg(
                "problem.too_many_columns",
                width=f"{width:,}",
                most=f"{limits.max_columns:,}",
                hint=limits.hint_msg("max_columns"),
            ),
            file=name,
            row=1,
        )


def check_rows(rows: int, name: str, limits: ReadLimits, about: bool = False) -> None:
    if limits.max_rows is not None and rows > limits.max_rows:
        raise InputError.single(
            msg(
                "problem.too_many_rows_about" if about else "problem.too_many_rows",
                rows=f"{rows:,}",
                most=f"{limits.max_rows:,}",
                hint=limits.hint_msg("max_rows"),
            ),
            file=name,
        )


def check_expanded(expanded: int, what: str, name: str, limits: ReadLimits, at_least: bool = False) -> None:
    """``at_least``: ``expanded`` is a running count, stopped as soon as it passed the limit."""
    if expanded > limits.max_expanded_bytes:
        size, limit = _mib(expanded), _mib(limits.max_expanded_bytes)
        if size == limit and not at_least:  # just above: in bytes, or it would read "2,048 MiB: at most 2,048 MiB"
            size, limit = f"{expanded:,} bytes", f"{limits.max_expanded_bytes:,} bytes"
        raise InputError.single(
            msg(
                "problem.expands_more" if at_least else "problem.expands",
                what=msg(f"problem.what.{what.replace(' ', '_')}"),
                size=size,
                limit=limit,
                hint=limits.hint_msg("max_expanded_mib"),
            ),
            file=name,
        )


# --- CSV ----------------------------------------------------------------------------------


def check_csv(text: str, separator: str, name: str, limits: ReadLimits) -> None:
    """Width of the header (before a parser builds a column for each field) and the size the
    table takes once read (its lines × columns)."""
    end = text.find("\n")
    first = text if end < 0 else text[:end]
    width = first.count(separator) + 1  # an upper bound: a quoted field may hold separators
    if width > limits.max_columns:
        width = _first_record_width(text, separator, width)
    check_columns(width, name, limits)
    lines = text.count("\n") + 1
    check_expanded(len(text) + lines * width * VALUE_BYTES, "the table", name, limits)


def _first_record_width(text: str, separator: str, bound: int) -> int:
    """Fields of the first record, quotes honoured (only asked when the plain count is too many)."""
    import csv
    import io

    limit = csv.field_size_limit()
    try:
        csv.field_size_limit(max(limit, len(text)))
        return len(next(csv.reader(io.StringIO(text), delimiter=separator), []))
    except csv.Error:
        return bound
    finally:
        csv.field_size_limit(limit)


# --- Parquet ------------------------------------------------------------------------------


def check_parquet(path: Path, name: str, limits: ReadLimits, whole: bool = True) -> None:
    """From the footer alone: columns, rows and (``whole``: the file is read at once, not in
    batches) the size its values take once read."""
    try:
        meta = pq.ParquetFile(path).metadata
    except Exception as exc:  # noqa: BLE001 - pyarrow raises several types; reported with the file name
        raise InputError.single(msg("problem.parquet_unreadable", why=str(exc)), file=name) from exc
    check_columns(meta.num_columns, name, limits)
    groups = [meta.row_group(i) for i in range(meta.num_row_groups)]
    rows = max(meta.num_rows, sum(g.num_rows for g in groups))
    check_rows(rows, name, limits)
    if whole:
        expanded = 0
        for group in groups:
            for i in range(group.num_columns):
                chunk = group.column(i)
                expanded += max(group.num_rows, chunk.num_values) * VALUE_BYTES + chunk.total_uncompressed_size
        check_expanded(expanded, "the table", name, limits)


# --- XLSX ---------------------------------------------------------------------------------

_SHEET = re.compile(rb"<(?:\w+:)?sheet\b[^>]*?\b\w+:id=\"([^\"]+)\"")  # r:id, whatever the prefix
_CELL_REF = re.compile(rb"<(?:\w+:)?c\b[^>]*?\br=\"([A-Z]{1,4})(\d{1,9})\"")
_ROW_REF = re.compile(rb"<(?:\w+:)?row\b[^>]*?\br=\"(\d{1,9})\"")
_CELL = re.compile(rb"<(?:\w+:)?c[\s/>]")


def check_xlsx(path: Path, name: str, limits: ReadLimits) -> None:
    """A workbook's zip directory and its first sheet's extent, before the workbook reader
    (which holds the sheet's whole grid of cells in memory) is given the file.

    The members' declared sizes are added up, then each member is inflated once to count what
    it really expands to: a deflate stream ends by itself, whatever the directory declares, and
    a reader that trusts the stream reads all of it. The first sheet's cell references give its
    grid (``A1`` and ``CV1000000`` alone make a grid of 100 M cells).
    """
    try:
        book = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError.single(msg("problem.not_xlsx", why=str(exc)), file=name) from exc
    with book:
        members = book.infolist()
        check_expanded(sum(m.file_size for m in members), "the workbook", name, limits)
        extent = [0, 0, 0]  # the first sheet's last row, last column and cells
        expanded = 0
        try:
            sheet = _first_sheet(book)
            # a workbook whose first sheet cannot be told: every sheet's grid counts
            scanned = {sheet} if sheet else {m.filename for m in members if m.filename.startswith("xl/worksheets/")}
            for member in members:
                chunks = _inflate(path, book, member)
                if member.filename in scanned:
                    chunks = _scanned(chunks, extent)
                for chunk in chunks:
                    expanded += len(chunk)
                    check_expanded(expanded, "the workbook", name, limits, at_least=True)
        except (
            zipfile.BadZipFile,
            zlib.error,
            OSError,
            EOFError,
            NotImplementedError,
            RuntimeError,
            ValueError,
        ) as exc:
            raise InputError.single(msg("problem.xlsx_damaged", why=str(exc)), file=name) from exc
    last_row, last_column, cells = extent
    check_columns(last_column, name, limits)
    check_rows(max(last_row - 1, 0), name, limits, about=True)
    grid = max(last_row * last_column, cells)
    check_expanded(expanded + grid * XLSX_CELL_BYTES, "the first sheet", name, limits)


def _inflate(path: Path, book: zipfile.ZipFile, member: zipfile.ZipInfo) -> Iterator[bytes]:
    """A member's contents in chunks: a deflated one to the end of its deflate stream (not to its
    declared size), a stored one to its stored size; other methods through ``zipfile``, which
    stops at the declared size and checks the CRC."""
    if member.flag_bits & 0x1:
        raise zipfile.BadZipFile(f"{member.filename} is encrypted")
    if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        with book.open(member) as stream:
            while chunk := stream.read(CHUNK_BYTES):
                yield chunk
        return
    with path.open("rb") as fh:
        fh.seek(member.header_offset)
        head = fh.read(30)
        if len(head) < 30 or head[:4] != b"PK\x03\x04":
            raise zipfile.BadZipFile(f"{member.filename}: no local header where the directory points")
        name_len, extra_len = struct.unpack("<HH", head[26:30])
        fh.seek(member.header_offset + 30 + name_len + extra_len)
        if member.compress_type == zipfile.ZIP_STORED:
            left = member.compress_size
            while left > 0 and (chunk := fh.read(min(left, CHUNK_BYTES))):
                left -= len(chunk)
                yield chunk
            return
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        pending = b""
        while not inflater.eof:
            if not pending:
                pending = fh.read(CHUNK_BYTES)
                if not pending:
                    raise zipfile.BadZipFile(f"{member.filename}: the compressed data ends early")
            chunk = inflater.decompress(pending, CHUNK_BYTES)
            pending = inflater.unconsumed_tail
            if chunk:
                yield chunk


def _first_sheet(book: zipfile.ZipFile) -> str | None:
    """The zip member of the workbook's first sheet (workbook.xml, then its relationships)."""
    try:
        workbook = _small(book, "xl/workbook.xml")
        rels = _small(book, "xl/_rels/workbook.xml.rels")
    except KeyError:
        return None
    found = _SHEET.search(workbook)
    if found is None:
        return None
    rel = re.search(rb"<(?:\w+:)?Relationship\b[^>]*?\bId=\"" + re.escape(found.group(1)) + rb"\"[^>]*>", rels)
    if rel is None:
        return None
    target = re.search(rb"\bTarget=\"([^\"]+)\"", rel.group(0))
    if target is None:
        return None
    text = target.group(1).decode("utf-8", "replace")
    return text.lstrip("/") if text.startswith("/") else f"xl/{text}"


def _small(book: zipfile.ZipFile, member: str) -> bytes:
    """A member that is small in any real workbook, read up to 16 MiB."""
    with book.open(member) as stream:
        return stream.read(16 * MIB)


def _scanned(chunks: Iterator[bytes], extent: list[int]) -> Iterator[bytes]:
    """The chunks of a sheet, passed on, while ``extent`` gathers its last row, last column and
    cell count from the cells' references (a tag may straddle two chunks: the text after the
    last complete tag waits for the next)."""
    tail = b""
    for chunk in chunks:
        data = tail + chunk
        cut = data.rfind(b">") + 1
        _extent(data[:cut], extent)
        tail = data[cut:] if len(data) - cut <= CHUNK_BYTES else b""  # no tag end in a whole chunk
        yield chunk
    _extent(tail, extent)
    if extent[2] and not extent[1]:
        extent[1] = 1


def _extent(body: bytes, extent: list[int]) -> None:
    for col, row in _CELL_REF.findall(body):
        extent[1] = max(extent[1], _column_number(col))
        extent[0] = max(extent[0], int(row))
    for row in _ROW_REF.findall(body):
        extent[0] = max(extent[0], int(row))
    extent[2] += len(_CELL.findall(body))


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


# --- After reading ------------------------------------------------------------------------


def check_cells(frame: pl.DataFrame, name: str, limits: ReadLimits) -> None:
    """Rows and the longest cell of a table read as text (``_row`` as the user counts rows)."""
    check_rows(frame.height, name, limits)
    text = [c for c, t in frame.schema.items() if t == pl.String]
    if not text or frame.height == 0:
        return
    longest = frame.select([pl.col(c).str.len_chars().max().alias(c) for c in text]).row(0)
    for column, chars in zip(text, longest, strict=True):
        if chars is not None and chars > limits.max_cell_chars:
            at = frame[column].str.len_chars().arg_max()
            row = frame["_row"][at] if "_row" in frame.columns and at is not None else None
            raise InputError.single(
                msg(
                    "problem.cell_too_long",
                    chars=f"{chars:,}",
                    most=f"{limits.max_cell_chars:,}",
                    hint=limits.hint_msg("max_cell_chars"),
                ),
                file=name,
                row=None if row is None else int(row),
                column=column,
            )
