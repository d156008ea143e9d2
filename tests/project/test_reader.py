"""Reading activity tables: encodings, Chinese headers, formats, numbers and dates."""

from __future__ import annotations

import polars as pl
import pytest

from dualcarbon.errors import InputError
from dualcarbon.project import reader

ROWS = 'id,activity,quantity,unit,date\nA1,天然气,"1,234.5",万立方米,2024年3月31日\n'


def test_utf8_with_bom_and_gb18030_read_the_same(tmp_path):
    (tmp_path / "bom.csv").write_bytes(ROWS.encode("utf-8-sig"))
    (tmp_path / "gbk.csv").write_bytes(ROWS.encode("gb18030"))
    a = reader.read_table(tmp_path / "bom.csv")
    b = reader.read_table(tmp_path / "gbk.csv")
    assert a.equals(b)
    assert a.columns == ["_row", "id", "activity", "quantity", "unit", "date"]
    assert a["activity"][0] == "天然气" and a["_row"][0] == 2


def test_chinese_headers_are_mapped(tmp_path):
    (tmp_path / "a.csv").write_text("编号,活动,数量,单位,日期\nA1,柴油,10,吨,2024-01-31\n", encoding="utf-8")
    assert reader.read_table(tmp_path / "a.csv").columns == ["_row", "id", "activity", "quantity", "unit", "date"]


def test_blank_rows_dropped_row_numbers_kept(tmp_path):
    (tmp_path / "a.csv").write_text("id,quantity\nA1,1\n\n,\nA2,2\n", encoding="utf-8")
    frame = reader.read_table(tmp_path / "a.csv")
    assert frame["_row"].to_list() == [2, 5]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"id,quantity\n", "no data rows"),
        (b"\xff\xfeid\x00", "UTF-16"),
        (b"id,activity\nA1,\xff\xfe\xfa\n", "cannot decode"),
        (b"id,quantity\nA1,1,2\n", "row 2"),
    ],
)
def test_unreadable_files_name_the_problem(tmp_path, content, message):
    (tmp_path / "a.csv").write_bytes(content)
    with pytest.raises(InputError) as info:
        reader.read_table(tmp_path / "a.csv")
    assert message in str(info.value) and "a.csv" in str(info.value)


def test_xlsx_and_parquet(tmp_path):
    import datetime

    from openpyxl import Workbook

    frame = pl.DataFrame({"id": ["A1"], "activity": ["柴油"], "quantity": [12.5], "unit": ["吨"]}).with_columns(
        pl.date(2024, 3, 31).alias("date")
    )
    frame.write_parquet(tmp_path / "a.parquet")
    book = Workbook()
    book.active.append(["编号", "活动", "数量", "单位", "日期"])
    book.active.append(["A1", "柴油", 12.5, "吨", datetime.datetime(2024, 3, 31)])
    book.save(tmp_path / "a.xlsx")
    for name in ("a.parquet", "a.xlsx"):
        got = reader.read_table(tmp_path / name)
        assert got.columns == ["_row", "id", "activity", "quantity", "unit", "date"], name
        assert pl.select(reader.parse_number(pl.lit(got["quantity"][0])))[0, 0] == 12.5, name
        assert pl.select(reader.parse_date(pl.lit(got["date"][0])))[0, 0].isoformat() == "2024-03-31", name
        assert got["_row"][0] == 2


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("１２３", 123.0),
        ("1,234.5", 1234.5),
        ("12 345", 12345.0),
        ("15%", 0.15),
        ("-5", -5.0),
        ("1e3", 1000.0),
        ("１，２３４", 1234.0),
        ("abc", None),
        ("1,23", None),
        ("nan", None),
        ("", None),
    ],
)
def test_parse_number(text, value):
    got = pl.select(reader.parse_number(pl.lit(text)))[0, 0]
    assert got == (pytest.approx(value) if value is not None else None)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2024-03-31", "2024-03-31", "2024-03-31"),
        ("2024/3/31", "2024-03-31", "2024-03-31"),
        ("2024年3月31日", "2024-03-31", "2024-03-31"),
        ("20240331", "2024-03-31", "2024-03-31"),
        ("2024-03", "2024-03-01", "2024-03-31"),
        ("2024年2月", "2024-02-01", "2024-02-29"),
        ("2024-03-31 00:00:00", "2024-03-31", "2024-03-31"),
        ("2024-13-45", None, None),
        ("2024-02-30", None, None),
    ],
)
def test_dates(text, start, end):
    s, e = pl.select(reader.parse_date(pl.lit(text)), reader.parse_period_end(pl.lit(text)).alias("e")).row(0)
    assert (s.isoformat() if s else None) == start
    assert (e.isoformat() if e else None) == end


@pytest.mark.parametrize(
    ("values", "dtype"),
    [
        ([["a", "b"]], "List(String)"),
        ([b"\xff\xfe"], "Binary"),
        ([{"a": 1}], "Struct"),
        ([__import__("datetime").timedelta(days=1)], "Duration"),
    ],
)
def test_parquet_columns_that_are_not_cells_are_named(tmp_path, values, dtype):
    """Found by bench/fuzz.py: these were cast to text and failed inside polars (an internal error, exit 1)."""
    pl.DataFrame({"id": ["A1"], "odd": values}).write_parquet(tmp_path / "a.parquet")
    with pytest.raises(InputError) as info:
        reader.read_table(tmp_path / "a.parquet")
    assert str(info.value).startswith(f"a.parquet, row 1, column odd: a column of type {dtype}")
    assert "expected text, numbers, dates or true/false" in str(info.value)


@pytest.mark.parametrize("header", ["*", "^id$", "_row"])
def test_headers_that_polars_reads_as_patterns_are_refused(tmp_path, header):
    """Found by bench/fuzz.py: '*' and '^…$' select columns in polars, '_row' is the row number's
    column; each failed inside polars (an internal error, exit 1)."""
    (tmp_path / "a.csv").write_text(f"id,{header}\nA1,1\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        reader.read_table(tmp_path / "a.csv")
    assert str(info.value).startswith(f"a.csv, row 1, column {header}: not a column name")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"id,note\nA1," + b"x" * 200_000 + b"\nA2,1,2\n", "a.csv, row 3: 3 fields but the header has 2"),
        (b'id,note\nA1,"' + b"x" * 200_000 + b"\n", "a.csv: cannot read the CSV: "),
    ],
)
def test_unparsable_csv_with_a_long_field_is_named_briefly(tmp_path, content, message):
    """The search for the ragged line stopped at the csv module's field limit (131,072 characters)
    with an internal error; polars' own message quotes the whole field."""
    (tmp_path / "a.csv").write_bytes(content)
    with pytest.raises(InputError) as info:
        reader.read_table(tmp_path / "a.csv")
    assert str(info.value).startswith(message) and len(str(info.value)) < 500


def test_a_date_cell_out_of_range_is_an_input_error(tmp_path):
    """Found by bench/fuzz.py: a date-formatted cell of -1.8e308 made the workbook reader panic
    (pyo3's PanicException, a BaseException: an internal error that not even ``except Exception`` caught)."""
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["id", "date"])
    book.active.append(["A1", -1.7976931348623157e308])
    book.active["B2"].number_format = "yyyy-mm-dd h:mm:ss"
    book.save(tmp_path / "a.xlsx")
    with pytest.raises(InputError, match=r"^a.xlsx: cannot read the workbook's first sheet: "):
        reader.read_table(tmp_path / "a.xlsx")
