"""Read activity and credit tables as text, and parse their numbers and dates.

Tables are read with every column as text (nothing guessed), a ``_row`` column giving the row
as a spreadsheet shows it (the header is row 1; for Parquet the first record is row 2 too), and
headers normalised (trimmed, lower case, Chinese headers mapped by ``factors/data/columns.csv``).
CSV may be UTF-8 with or without BOM, GB18030 (a superset of GBK and GB2312) or Windows-1252,
detected (``encoding``), or any encoding named by ``[input] encoding``. Each file is checked
against ``limits.ReadLimits`` before its contents are read.
Parsing is done with polars expressions, so it is vectorised over the rows.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path

import polars as pl

from dualcarbon.errors import InputError, Problem, did_you_mean, msg
from dualcarbon.project import encoding
from dualcarbon.project.limits import ReadLimits, check_cells, check_columns, check_csv, check_parquet, check_xlsx

SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".parquet")
DEFAULT_LIMITS = ReadLimits()


@lru_cache(maxsize=1)
def column_aliases() -> dict[str, str]:
    """Header alias (Chinese or English) → canonical column name."""
    raw = resources.files("dualcarbon.factors").joinpath("data/columns.csv").read_bytes()
    frame = pl.read_csv(raw, infer_schema=False)
    return {_header(a): c for c, a in frame.iter_rows()}


# Columns of free text, shown as typed (never matched against a table): their Chinese punctuation stays
# full-width through NFKC (held in private-use characters meanwhile).
FREE_TEXT = {"note", "source", "evidence", "name", "name_zh", "description", "project_type", "beneficiary"}
CJK_PUNCTUATION = ["（", "）", "，", "：", "；", "！", "？"]
KEPT = [chr(0xE000 + i) for i in range(len(CJK_PUNCTUATION))]


def canonical(header: str) -> str:
    """A column header as the project names it: normalised, and mapped through ``columns.csv``."""
    name = _header(header)
    return column_aliases().get(name, name)


def _header(text: str) -> str:
    text = unicodedata.normalize("NFKC", str(text)).strip().strip("\ufeff").lower()
    return re.sub(r"[\s\-]+", "_", text)


def _read_csv(path: Path, name: str, limits: ReadLimits, ragged: list[Problem] | None) -> pl.DataFrame:
    """The CSV as text columns. A row with more fields than the header cannot be read as the file's
    columns: with ``ragged`` (a list), each such row is a problem appended to it and the row is left
    out (``_ragged`` column true), so that the other rows are still checked; without, the first one
    is raised."""
    text = encoding.decode(path.read_bytes(), name, limits.encoding)
    if not text.strip():
        raise InputError.single(msg("problem.file_empty"), file=name)
    separator = "\t" if path.suffix.lower() == ".tsv" else ","
    check_csv(text, separator, name, limits)
    data = text.encode("utf-8")
    try:
        return pl.read_csv(data, infer_schema=False, separator=separator)
    except BaseException as exc:
        if not (isinstance(exc, pl.exceptions.PolarsError) or _panic(exc)):
            raise
        why = str(exc) if len(str(exc)) <= 300 else str(exc)[:300] + " …"  # polars quotes the text it stopped at
        long = _ragged(text, separator, name)
        if not long:
            raise InputError.single(msg("problem.csv_unreadable", why=why), file=name) from exc
        if ragged is None:
            raise InputError(long[0]) from exc
    try:
        frame = pl.read_csv(data, infer_schema=False, separator=separator, truncate_ragged_lines=True)
    except BaseException as exc:
        if not (isinstance(exc, pl.exceptions.PolarsError) or _panic(exc)):
            raise
        raise InputError(long[0]) from exc
    ragged.extend(long)
    bad = [p.row for p in long]
    return frame.with_columns(pl.int_range(2, frame.height + 2).is_in(bad).alias("__ragged"))


def _ragged(text: str, separator: str, name: str) -> list[Problem]:
    """The lines with more fields than the header (up to 200), when a CSV cannot be parsed."""
    width = None
    line_no = 0
    found: list[Problem] = []
    field_limit = csv.field_size_limit()
    try:
        csv.field_size_limit(max(field_limit, len(text)))  # long cells are for check_cells to report
        for line_no, fields in enumerate(csv.reader(io.StringIO(text), delimiter=separator), start=1):
            width = width if width is not None else len(fields)
            if len(fields) > width:
                found.append(
                    Problem(name, line_no, None, None, msg("problem.too_many_fields", n=len(fields), width=width))
                )
                if len(found) >= 200:
                    break
    except csv.Error as exc:
        raise InputError.single(msg("problem.csv_record", record=line_no + 1, why=str(exc)), file=name) from None
    finally:
        csv.field_size_limit(field_limit)
    return found


def _read_excel(path: Path, name: str, limits: ReadLimits) -> pl.DataFrame:
    check_xlsx(path, name, limits)
    try:
        frame = pl.read_excel(path, sheet_id=1, infer_schema_length=0)
    except BaseException as exc:  # fastexcel's own error types, and panics (a date cell of -1e308 days)
        if not (isinstance(exc, Exception) or _panic(exc)):
            raise
        raise InputError.single(msg("problem.xlsx_unreadable", why=str(exc)), file=name) from exc
    return frame.with_columns(pl.all().cast(pl.String))


def check_parquet_types(schema: dict[str, pl.DataType], name: str) -> None:
    """Every column text, a number, a date or a boolean: what a cell of a table can be written as."""
    problems = []
    for column, dtype in schema.items():
        if not (dtype.is_numeric() or dtype.is_temporal() and not isinstance(dtype, pl.Duration) or dtype in TEXTUAL):
            expected = msg("problem.parquet_type", dtype=str(dtype))
            problems.append(Problem(name, 1, column, None, expected))
    if problems:
        raise InputError(problems)


TEXTUAL = (pl.String, pl.Categorical, pl.Enum, pl.Boolean, pl.Null)


def _panic(exc: BaseException) -> bool:
    """A panic of a reader written in Rust: pyo3 raises it as ``PanicException``, a BaseException
    (so that ``except Exception`` does not swallow it) that cannot be imported by name."""
    return type(exc).__name__ == "PanicException"


def _read_parquet(path: Path, name: str, limits: ReadLimits) -> pl.DataFrame:
    check_parquet(path, name, limits, whole=True)
    try:
        schema = dict(pl.read_parquet_schema(path))
    except Exception as exc:  # noqa: BLE001 - reported with the file name
        raise InputError.single(msg("problem.parquet_unreadable", why=str(exc)), file=name) from exc
    check_parquet_types(schema, name)
    try:
        frame = pl.read_parquet(path)
    except BaseException as exc:  # reported with the file name
        if not (isinstance(exc, Exception) or _panic(exc)):
            raise
        raise InputError.single(msg("problem.parquet_unreadable", why=str(exc)), file=name) from exc
    return frame.with_columns(
        [
            pl.col(c).dt.strftime("%Y-%m-%d") if dt in (pl.Date, pl.Datetime) else pl.col(c).cast(pl.String)
            for c, dt in frame.schema.items()
        ]
    )


def header_problems(name: str, columns: Sequence[str], required: Sequence[str], known: Sequence[str]) -> list[Problem]:
    """A table's header against its file format: each required column missing, and each unknown column with
    the closest known name (columns starting with ``_`` are the reader's own, e.g. ``_row``)."""
    problems = [Problem(name, 1, c, None, msg("problem.required_column")) for c in required if c not in columns]
    for column in columns:
        if not column.startswith("_") and column not in known:
            close = difflib.get_close_matches(column, list(known), n=1)
            hint = did_you_mean(close[0] if close else None)
            problems.append(Problem(name, 1, column, None, msg("problem.unknown_column", hint=hint)))
    return problems


def check_header(path: Path, name: str, limits: ReadLimits = DEFAULT_LIMITS) -> None:
    """The checks ``read_table`` makes before reading, for a CSV another reader parses (a
    project's own ``factors/*.csv``): encoding, width and size."""
    text = encoding.decode(Path(path).read_bytes(), name, limits.encoding)
    check_csv(text, "\t" if Path(path).suffix.lower() == ".tsv" else ",", name, limits)


def read_table(
    path: Path,
    display_name: str | None = None,
    limits: ReadLimits = DEFAULT_LIMITS,
    problems: list[Problem] | None = None,
) -> pl.DataFrame:
    """All columns as text plus ``_row``; blank rows dropped; InputError naming the file otherwise.

    ``limits``: the width, rows, cell length and expanded size a file may have (checked from
    its header, zip directory or Parquet footer before it is read) and its text encoding.
    ``problems``: where the problems of rows that cannot be read as the file's columns (more
    fields than the header) go, those rows left out, so that the rest is checked in the same pass;
    None: they are raised.
    """
    path = Path(path)
    name = display_name or path.name
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        frame = _read_excel(path, name, limits)
    elif suffix == ".parquet":
        frame = _read_parquet(path, name, limits)
    elif suffix in (".csv", ".tsv", ".txt"):
        frame = _read_csv(path, name, limits, problems)
    else:
        raise InputError.single(msg("problem.unsupported_type", suffix=suffix, expected=", ".join(SUFFIXES)), file=name)
    ragged = frame.get_column("__ragged") if "__ragged" in frame.columns else None
    frame = frame.drop("__ragged") if ragged is not None else frame
    check_columns(frame.width, name, limits)  # what the header checks could not see (a quoted line break)
    headers = [canonical(raw) for raw in frame.columns]
    seen: dict[str, str] = {}
    problems = []
    for raw, header in zip(frame.columns, headers, strict=True):
        if not header or header.startswith("_duplicated_") or header.startswith("__unnamed"):
            problems.append(Problem(name, 1, raw, None, msg("problem.header_empty")))
        elif header == "*" or header == "_row" or header.startswith("^") and header.endswith("$"):
            problems.append(Problem(name, 1, raw, None, msg("problem.header_reserved")))
        elif header in seen:
            problems.append(Problem(name, 1, raw, None, msg("problem.header_same", other=seen[header])))
        seen.setdefault(header, raw)
    if problems:
        raise InputError(problems)
    frame = frame.rename(dict(zip(frame.columns, headers, strict=True)))
    frame = frame.with_row_index("_row", offset=2).with_columns(pl.col("_row").cast(pl.Int64))
    if ragged is not None:
        frame = frame.filter(~ragged)
    data = [c for c in frame.columns if c != "_row"]
    frame = frame.with_columns([normalize_text(pl.col(c), c in FREE_TEXT).alias(c) for c in data])
    frame = frame.filter(pl.any_horizontal([pl.col(c).is_not_null() for c in data]))
    if frame.height == 0:
        raise InputError.single(msg("problem.no_rows"), file=name)
    check_cells(frame, name, limits)
    return frame


def normalize_text(expr: pl.Expr, prose: bool = False) -> pl.Expr:
    """NFKC (full-width letters and digits → ASCII), trimmed; empty text becomes null. ``prose``: a
    free-text column (a note, a source) keeps its Chinese punctuation （），：；！？ as typed, which the
    Chinese report shows as written."""
    text = expr.cast(pl.String)
    if prose:
        text = text.str.replace_many(CJK_PUNCTUATION, KEPT)
    text = text.str.normalize("NFKC").str.strip_chars()
    if prose:
        text = text.str.replace_many(KEPT, CJK_PUNCTUATION)
    return pl.when(text.str.len_chars() > 0).then(text).otherwise(None)


def parse_number(expr: pl.Expr) -> pl.Expr:
    """Numbers as people type them: '１２３', '1,234.5', '12 345', '15%' (→ 0.15); else null."""
    text = normalize_text(expr).str.replace_all(r"[\s_']", "")
    percent = text.str.ends_with("%")
    text = text.str.strip_suffix("%")
    grouped = text.str.contains(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")
    text = pl.when(grouped).then(text.str.replace_all(",", "")).otherwise(text)
    plain = text.str.contains(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
    value = pl.when(plain).then(text).otherwise(None).cast(pl.Float64, strict=False)
    return pl.when(percent).then(value / 100).otherwise(value)


def _date_parts(expr: pl.Expr) -> pl.Expr:
    """'2024-03-31', '2024/3/31', '2024.3.31', '2024年3月31日', '20240331', '2024-03' → struct y, m, d."""
    text = normalize_text(expr)
    text = text.str.replace(r"[T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$", "")  # time of a datetime from Excel
    text = text.str.replace(r"^(\d{4})(\d{2})(\d{2})$", "$1-$2-$3")
    text = text.str.replace_all(r"[年月/.]", "-").str.replace(r"日$", "").str.strip_suffix("-")
    return text.str.extract_groups(r"^(?<y>\d{4})-(?<m>\d{1,2})(?:-(?<d>\d{1,2}))?$")


def _to_date(y: pl.Expr, m: pl.Expr, d: pl.Expr) -> pl.Expr:
    return pl.concat_str([y, m.str.zfill(2), d.str.zfill(2)], separator="-").str.to_date("%Y-%m-%d", strict=False)


def parse_date(expr: pl.Expr) -> pl.Expr:
    """A date; a month ('2024-03', '2024年3月') means its first day. Null when not a valid date."""
    parts = _date_parts(expr)
    return _to_date(parts.struct.field("y"), parts.struct.field("m"), parts.struct.field("d").fill_null("01"))


def parse_period_end(expr: pl.Expr) -> pl.Expr:
    """Like ``parse_date``, but a month alone means its last day."""
    parts = _date_parts(expr)
    first = _to_date(parts.struct.field("y"), parts.struct.field("m"), pl.lit("01"))
    return pl.when(parts.struct.field("d").is_null()).then(first.dt.month_end()).otherwise(parse_date(expr))
