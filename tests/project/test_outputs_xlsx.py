"""emissions.xlsx (``dualcarbon run --emissions xlsx``): the same values as emissions.parquet and
emissions.csv for every bundled example, cells of their type, no formula, a frozen header, and a
refusal with nothing written when the rows exceed one worksheet."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from emission_files import XLSX_RELATIVE, differences, read_as, read_parquet
from openpyxl import load_workbook
from typer.testing import CliRunner

from dualcarbon.cli import app
from dualcarbon.errors import InputError, render
from dualcarbon.project import job, outputs
from dualcarbon.project.spreadsheet import restore

EXAMPLES = ["cement-plant", "dairy", "daxing-district", "us-office"]


def init(tmp_path: Path, name: str) -> Path:
    root = tmp_path / name
    result = CliRunner().invoke(app, ["init", str(root), "--example", name])
    assert result.exit_code == 0, result.output
    return root


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_example_writes_the_same_values_in_parquet_csv_and_xlsx(tmp_path: Path, name: str) -> None:
    """The three writers on one computed emission table: every column equal after reading back (CSV and
    XLSX text restored and cast to the Parquet dtypes); floats exact in CSV, to 16 digits in XLSX."""
    result = job.run(init(tmp_path, name), write=False)
    for fmt in ("parquet", "csv", "xlsx"):
        outputs.write_emissions(tmp_path, result.emissions, fmt)
    parquet = read_parquet(tmp_path / "emissions.parquet")
    assert parquet.height == result.inventory.summary["emission_rows"] > 0
    assert parquet.columns == [c for c in outputs.emissions_table(result.emissions).columns]
    assert differences(parquet, read_as(tmp_path / "emissions.csv", parquet.schema)) == []
    assert differences(parquet, read_as(tmp_path / "emissions.xlsx", parquet.schema), XLSX_RELATIVE) == []


def trace(**columns) -> pl.DataFrame:
    """A few emission rows in the engine's naming (``_file``, ``_row``)."""
    n = len(next(iter(columns.values())))
    base = {"_file": ["a.csv"] * n, "_row": list(range(2, n + 2))}
    return pl.DataFrame(base | columns)


def test_cells_have_their_types_and_the_header_is_frozen(tmp_path: Path) -> None:
    frame = trace(
        id=["A-1", "A-2"],
        date=[dt.date(2024, 3, 1), None],
        quantity=[12.5, 7.0],
        co2e_t=[0.1 + 0.2, 3.0],
        biogenic=[False, True],
        year_used=pl.Series([2023, None], dtype=pl.Int32),
        scope=pl.Series(["1", "2"], dtype=pl.Categorical),
    )
    path = outputs.write_emissions(tmp_path, [frame], "xlsx")
    assert path == tmp_path / "emissions.xlsx"
    sheet = load_workbook(path).active
    assert sheet.title == outputs.XLSX_SHEET and sheet.freeze_panes == "A2"
    rows = [[(c.value, c.data_type) for c in row] for row in sheet.iter_rows()]
    header = ["id", "source_file", "source_row", "date", "quantity", "scope", "co2e_t", "biogenic", "year_used"]
    assert [v for v, _ in rows[0]] == header  # TRACE_COLUMNS' order
    assert rows[1] == [
        ("A-1", "s"),
        ("a.csv", "s"),
        (2, "n"),
        (dt.datetime(2024, 3, 1), "d"),
        (12.5, "n"),
        ("1", "s"),
        (0.3, "n"),  # 0.1 + 0.2 to 16 significant digits, as openpyxl writes numbers (XLSX_RELATIVE)
        (False, "b"),
        (2023, "n"),
    ]
    assert sheet["D2"].number_format == "yyyy-mm-dd" and sheet["D3"].value is None and sheet["I3"].value is None


def test_no_text_becomes_a_formula_and_text_reads_back_as_it_was(tmp_path: Path) -> None:
    """openpyxl makes a cell of a text starting with '=' a formula: every text is first made
    spreadsheet-safe (a leading apostrophe, as in emissions.csv), which ``restore`` takes off again."""
    risky = ['=HYPERLINK("http://example.invalid","x")', "+1+2", "-3", "@SUM(A1)", "'=already quoted", "plain"]
    frame = trace(id=risky, facility=risky, co2e_t=[1.0] * len(risky))
    path = outputs.write_emissions(tmp_path, [frame], "xlsx")
    sheet = load_workbook(path).active
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert sheet["A2"].value == "'" + risky[0]
    back = restore(pl.read_excel(path, engine="calamine"))
    assert back["id"].to_list() == back["facility"].to_list() == risky


def test_characters_xml_cannot_hold_are_escaped_not_fatal(tmp_path: Path) -> None:
    """A control character in an input text (openpyxl refuses it: IllegalCharacterError) is written as
    OOXML's _xHHHH_, which spreadsheet readers turn back into the character; numbers that are not
    finite are empty cells."""
    frame = trace(id=["a\x01b", "tab\tok"], co2e_t=[float("nan"), float("inf")])
    path = outputs.write_emissions(tmp_path, [frame], "xlsx")
    assert load_workbook(path).active["A2"].value == "a_x0001_b"
    back = pl.read_excel(path, engine="calamine")
    assert back["id"].to_list() == ["a\x01b", "tab\tok"] and back["co2e_t"].is_null().all()


def test_no_rows_is_a_sheet_of_the_documented_columns(tmp_path: Path) -> None:
    path = outputs.write_emissions(tmp_path, [], "xlsx")
    rows = list(load_workbook(path).active.iter_rows(values_only=True))
    expected = ["source_file" if c == "_file" else "source_row" if c == "_row" else c for c in outputs.TRACE_COLUMNS]
    assert rows == [tuple(expected)]


def test_a_batch_past_one_sheet_is_refused_while_writing(tmp_path: Path, monkeypatch) -> None:
    """A caller that did not count first (``choose_format``) still never gets a truncated workbook."""
    monkeypatch.setattr(outputs, "SPREADSHEET_ROWS", 3)
    batches = [trace(id=["a", "b"], co2e_t=[1.0, 2.0]), trace(id=["c", "d"], co2e_t=[3.0, 4.0])]
    with pytest.raises(InputError) as caught:
        outputs.write_emissions(tmp_path, batches, "xlsx")
    assert caught.value.problems[0].column == "--emissions"


def test_more_rows_than_a_sheet_are_refused_before_anything_is_written(tmp_path: Path, monkeypatch) -> None:
    root = init(tmp_path, "dairy")
    rows = job.run(root, write=False).inventory.summary["emission_rows"]
    monkeypatch.setattr(outputs, "SPREADSHEET_ROWS", rows - 1)
    rendered: list[str] = []
    monkeypatch.setattr("dualcarbon.report.html.render_report", lambda *a, **k: rendered.append("report") or "")
    for lang in ("en", "zh"):
        out = tmp_path / f"out-{lang}"
        result = CliRunner().invoke(app, ["run", str(root), "--out", str(out), "--emissions", "xlsx", "--lang", lang])
        assert result.exit_code == 2, result.output
        text = " ".join(result.output.split())
        assert "emissions.xlsx" in text and f"{rows:,}" in text and f"{rows - 1:,}" in text
        assert ("parquet" in text) and (("工作表" in text) if lang == "zh" else ("worksheet" in text))
        assert not out.exists() and rendered == []  # refused once counted: no report made, no file written
    # auto never chooses xlsx: the same run writes emissions.parquet
    assert job.run(root, out=tmp_path / "auto").written and (tmp_path / "auto/emissions.parquet").exists()


def test_the_refusal_is_catalogued_in_both_languages() -> None:
    for lang in ("en", "zh"):
        text = render("export.xlsx_too_many_rows", {"rows": "2,000,000", "most": "1,048,575"}, lang)
        assert "2,000,000" in text and "1,048,575" in text and "export." not in text
