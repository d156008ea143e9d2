"""Reading emissions.parquet, emissions.csv and emissions.xlsx back as one typed frame, to compare their
values (not their bytes): the Parquet file's dtypes are the reference, the text of the CSV and the
workbook's cells are restored (``spreadsheet.restore``) and cast to them."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from dualcarbon.project.spreadsheet import restore

# openpyxl writes a float with 16 significant digits ("%.16g"), one short of a float64's round trip:
# a workbook's number is the computed one within half a unit of the 16th digit (CSV and Parquet: exact)
XLSX_RELATIVE = 1e-15


def read_parquet(path: Path) -> pl.DataFrame:
    frame = pl.read_parquet(path)
    return frame.with_columns(
        pl.col(c).cast(pl.String)
        for c, dtype in frame.schema.items()
        if dtype == pl.Categorical or isinstance(dtype, pl.Enum)
    )


def read_as(path: Path, schema: pl.Schema) -> pl.DataFrame:
    """emissions.csv or emissions.xlsx at ``path``, text restored, cast to ``schema`` (the Parquet form's)."""
    if path.suffix == ".csv":
        frame = pl.read_csv(path, infer_schema=False)
    else:
        frame = pl.read_excel(path, engine="calamine", infer_schema_length=None)
    frame = restore(frame)
    assert frame.columns == list(schema), (frame.columns, list(schema))
    return frame.select(_cast(c, frame.schema[c], dtype) for c, dtype in schema.items())


def _cast(column: str, found: pl.DataType, wanted: pl.DataType) -> pl.Expr:
    col = pl.col(column)
    if found == wanted:
        return col
    if found == pl.String and wanted == pl.Date:
        return col.str.to_date("%Y-%m-%d")
    if found == pl.String and wanted == pl.Boolean:
        return col.replace_strict({"true": True, "false": False}, default=None, return_dtype=pl.Boolean)
    if found == pl.Datetime and wanted == pl.Date:
        return col.dt.date()
    return col.cast(wanted, strict=True)


def differences(expected: pl.DataFrame, got: pl.DataFrame, relative: float = 0.0) -> list[str]:
    """Every column that differs (floats: beyond ``relative`` of the expected value), with a few rows."""
    assert got.schema == expected.schema and got.height == expected.height, (got.shape, expected.shape)
    found = []
    for column in expected.columns:
        a, b = expected[column], got[column]
        if a.dtype.is_float() and relative:
            same = (a.is_null() & b.is_null()) | ((a - b).abs() <= relative * a.abs())
        else:
            same = a.eq_missing(b)
        bad = (~same).arg_true().head(3).to_list()
        if bad:
            found.append(f"{column}: " + ", ".join(f"row {i}: {a[i]!r} != {b[i]!r}" for i in bad))
    return found
