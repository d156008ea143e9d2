"""Excel templates (``dualcarbon template KIND``): headers in zh/en mapped back to the contract's column
names, drop-down lists, and a filled template accepted by ``validate`` and ``run`` as it is."""

from __future__ import annotations

import shutil
from importlib import resources

import openpyxl
import pytest
from typer.testing import CliRunner

from dualcarbon.cli import app
from dualcarbon.project import reader, templates


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("kind", templates.KINDS)
def test_every_header_reads_back_as_its_column(tmp_path, kind, lang):
    path = templates.write(kind, lang, tmp_path / f"{kind}.xlsx")
    sheet = openpyxl.load_workbook(path).worksheets[0]
    headers = [c.value for c in sheet[1]]
    expected = [c.name for c in templates.TEMPLATES[kind].columns]
    assert [reader.canonical(h) for h in headers] == expected
    if lang == "zh":
        assert all(any("\u4e00" <= ch <= "\u9fff" for ch in h) for h in headers), headers


def test_enumerated_columns_have_drop_down_lists(tmp_path):
    path = templates.write("credits", "zh", tmp_path / "credits.xlsx")
    book = openpyxl.load_workbook(path)
    sheet, lists = book.worksheets
    assert lists.sheet_state == "hidden"
    by_column = {}
    for dv in sheet.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            by_column[sheet.cell(1, rng.min_col).value] = dv
    assert set(by_column) >= {"类型", "单位", "移除", "状态", "地区"}
    types = by_column["类型"]
    assert types.type == "list" and types.showErrorMessage  # only the listed credit types
    column = types.formula1.split("!")[1].split(":")[0].replace("$", "")[0]
    values = [c.value for c in lists[column][1:] if c.value]
    assert {"GEC", "CCER", "I-REC", "VCS"} <= set(values)


def test_cli_refuses_an_unknown_kind_and_an_existing_file(tmp_path):
    bad = CliRunner().invoke(app, ["template", "nonsense", "-o", str(tmp_path / "x.xlsx")])
    assert bad.exit_code == 2 and "activities, credits" in bad.output
    target = tmp_path / "mine.xlsx"
    target.write_bytes(b"keep")
    again = CliRunner().invoke(app, ["template", "sinks", "-o", str(target)])
    assert again.exit_code == 2 and target.read_bytes() == b"keep"


def test_a_filled_chinese_template_is_validated_and_run_as_it_is(tmp_path):
    root = tmp_path / "plant"
    source = resources.files("dualcarbon").joinpath("examples", "cement-plant")
    with resources.as_file(source) as src:
        shutil.copytree(src, root, ignore=shutil.ignore_patterns("out", "activities.*", "credits.*", "sinks.*"))
    for kind, rows in (
        (
            "activities",
            [
                ["A-1", "一号熟料线", "2024-03-31", "原煤", 1200, "吨", "CN-HE", None, None, 21.6, "GJ/t"],
                ["A-2", "一号熟料线", "2024-03-31", "外购电力", 35, "万千瓦时", "CN-HE"],
            ],
        ),
        (
            "credits",
            [["C-1", "CCER", 500, "tCO2e", None, None, "CN", 2023, None, None, None, None, "否", "2025-03-01"]],
        ),
        ("sinks", [["S-1", "afforestation", 1200, "亩", "刺槐", 2019, 4.5, 0.62]]),
    ):
        path = root / f"{kind}.xlsx"
        templates.write(kind, "zh", path)
        book = openpyxl.load_workbook(path)
        for row in rows:
            book.worksheets[0].append(row)
        book.save(path)
    checked = CliRunner().invoke(app, ["validate", str(root), "--lang", "zh"])
    assert checked.exit_code == 0, checked.output
    ran = CliRunner().invoke(app, ["run", str(root), "--lang", "zh"])
    assert ran.exit_code == 0, ran.output
    assert (root / "out" / "summary.json").is_file()
