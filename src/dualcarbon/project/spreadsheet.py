"""Text cells made safe for spreadsheets (CSV and XLSX outputs), and read back faithfully.

A spreadsheet program treats a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, in some
programs, a tab or carriage return) as a formula, so an id such as ``=HYPERLINK(...)`` in the
activities would run in the user's Excel (OWASP, "CSV Injection"). Every text cell that starts
with one of these characters is written with a leading apostrophe, which a spreadsheet shows as
text. A text cell that already starts with an apostrophe followed by one of those characters (or
by another apostrophe) gets one more, so that ``restore`` undoes ``neutralise`` exactly. Numeric
columns are never touched: ``-5.0`` in ``quantity`` stays a number.
"""

from __future__ import annotations

import polars as pl

TRIGGERS = "=+-@\t\r"
_LEADS = r"^[=+\-@\t\r]"
_QUOTED = r"^'[=+\-@\t\r']"


def _text_columns(frame: pl.DataFrame | pl.LazyFrame) -> list[str]:
    schema = frame.collect_schema() if isinstance(frame, pl.LazyFrame) else frame.schema
    return [
        name for name, dtype in schema.items() if dtype in (pl.String, pl.Categorical) or isinstance(dtype, pl.Enum)
    ]


def neutralise_expr(column: str) -> pl.Expr:
    """The text column ``column`` with every cell a spreadsheet would read as a formula quoted."""
    text = pl.col(column).cast(pl.String)
    risky = text.str.contains(_LEADS) | text.str.contains(_QUOTED)
    return pl.when(risky).then(pl.concat_str([pl.lit("'"), text])).otherwise(text).alias(column)


def neutralise(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with its text columns safe to open in a spreadsheet (numeric columns unchanged)."""
    columns = _text_columns(frame)
    return frame.with_columns(neutralise_expr(c) for c in columns) if columns else frame


def restore(frame: pl.DataFrame) -> pl.DataFrame:
    """The inverse of ``neutralise``: the original text of a spreadsheet-safe table read back."""
    exprs = [
        pl.when(pl.col(c).str.contains(_QUOTED)).then(pl.col(c).str.slice(1)).otherwise(pl.col(c)).alias(c)
        for c, dtype in frame.schema.items()
        if dtype == pl.String
    ]
    return frame.with_columns(exprs) if exprs else frame
