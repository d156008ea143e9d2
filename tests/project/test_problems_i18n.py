"""Input problems in the user's language (a catalogue message per problem), every problem in one pass
(structural ones included), and the problems as a workbook (``validate --problems``)."""

from __future__ import annotations

import pickle
import re
import shutil
from dataclasses import asdict
from importlib import resources
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from dualcarbon.cli import app
from dualcarbon.errors import Problem, did_you_mean, msg
from dualcarbon.i18n import catalogue

SRC = Path(__file__).resolve().parents[2] / "src" / "dualcarbon"
KEY = re.compile(r"""msg\(\s*f?["'](problem\.[a-z0-9_.{}]+)["']""")


def test_every_problem_key_is_in_both_catalogues():
    used = set()
    for path in SRC.rglob("*.py"):
        used |= set(KEY.findall(path.read_text(encoding="utf-8")))
    assert len(used) > 150
    zh, en = catalogue("zh"), catalogue("en")
    problem_keys = {k for k in en if k.startswith("problem.")}
    assert problem_keys == {k for k in zh if k.startswith("problem.")}
    for key in used:
        if "{" in key:  # msg(f"problem.dim.{...}"): every key of the family is in both
            prefix = key.split("{")[0]
            assert any(k.startswith(prefix) for k in problem_keys), key
        else:
            assert key in en and key in zh, key


def test_a_problem_renders_in_both_languages_and_survives_pickling():
    p = Problem("a.csv", 3, "unit", "万千瓦", msg("problem.unknown_unit", unit="万千瓦", hint=did_you_mean("万千瓦时")))
    assert p.message() == "a.csv, row 3, column unit: '万千瓦': unknown unit '万千瓦'; did you mean '万千瓦时'?"
    assert p.message("zh") == "a.csv，第 3 行，列 unit：“万千瓦”：未知单位“万千瓦”；是否应为“万千瓦时”？"
    for copy in (pickle.loads(pickle.dumps(p)), Problem(**asdict(p))):
        assert copy.message("zh") == p.message("zh")
    record = p.record("zh")
    assert record["expected_key"] == "problem.unknown_unit"
    assert record["fields"]["unit"] == "万千瓦" and record["row"] == 3


def test_the_web_is_told_what_the_page_offers_not_a_command():
    p = Problem("a.csv", 2, "activity", "天然汽", msg("problem.unknown_activity", hint=""))
    assert "dualcarbon factors search" in p.message("en")
    for lang in ("en", "zh"):
        assert "dualcarbon" not in p.message(lang, web=True)


def _broken(tmp_path: Path) -> Path:
    root = tmp_path / "broken"
    source = resources.files("dualcarbon").joinpath("examples", "cement-plant")
    with resources.as_file(source) as src:
        shutil.copytree(src, root, ignore=shutil.ignore_patterns("out"))
    lines = (root / "activities.csv").read_text(encoding="utf-8").splitlines()
    lines[1] += ",extra,fields"  # row 2: more fields than the header
    lines[3] = lines[3].replace(",吨,", ",万千瓦,", 1)  # row 4: not a unit
    (root / "activities.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    credits = (root / "credits.csv").read_text(encoding="utf-8").splitlines()
    first = credits[1].split(",")
    first[2] = "abc"  # quantity
    credits[1] = ",".join(first)
    (root / "credits.csv").write_text("\n".join(credits) + "\n", encoding="utf-8")
    sinks = (root / "sinks.csv").read_text(encoding="utf-8").splitlines()
    sinks[0] = sinks[0].replace("area", "aera", 1)  # a missing column, and an unknown one
    (root / "sinks.csv").write_text("\n".join(sinks) + "\n", encoding="utf-8")
    (root / "indicators.csv").write_bytes("indicator,year,value\npm25,2024,三十\n".encode("utf-16"))
    return root


def test_validate_reports_every_problem_in_one_pass(tmp_path):
    root = _broken(tmp_path)
    result = CliRunner().invoke(app, ["validate", str(root), "--lang", "en"])
    assert result.exit_code == 2
    out = " ".join(result.output.split())
    assert "activities.csv, row 2: 22 fields but the header has 20" in out
    assert "activities.csv, row 4, column unit: '万千瓦': unknown unit '万千瓦'" in out
    assert "credits.csv, row 2, column quantity: 'abc': expected a number" in out
    assert "sinks.csv, row 1, column area: required column is missing" in out
    assert "indicators.csv: the file is UTF-16" in out


def test_a_broken_project_validated_in_chinese_prints_no_english_sentence(tmp_path):
    root = _broken(tmp_path)
    book = tmp_path / "problems.xlsx"
    result = CliRunner().invoke(app, ["validate", str(root), "--lang", "zh", "--problems", str(book)])
    assert result.exit_code == 2
    text = result.output
    assert "第 2 行" in text and "未知单位" in text and "应为数字" in text
    # what is left once file and column names, codes and values the user typed are taken out
    words = re.findall(r"[A-Za-z]{3,}(?:\s+[A-Za-z]{2,})+", text)
    allowed = {"CSV UTF", "GJ MMBtu"}
    english = [w for w in words if w not in allowed and not re.fullmatch(r"[A-Z0-9\- ]+", w)]
    assert english == [], english
    sheet = openpyxl.load_workbook(book).worksheets[0]
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    assert rows[0] == ["文件", "行", "列", "实际值", "应为"]
    assert ["credits.csv", 2, "quantity", "abc", "应为数字"] in rows
    assert len(rows) - 1 == text.count("•")


def test_problems_option_needs_an_xlsx_name(tmp_path):
    root = _broken(tmp_path)
    result = CliRunner().invoke(app, ["validate", str(root), "--lang", "en", "--problems", str(tmp_path / "p.csv")])
    assert result.exit_code == 2 and ".xlsx" in result.output


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_settings_errors_are_catalogue_messages(tmp_path, lang):
    root = tmp_path / "p"
    source = resources.files("dualcarbon").joinpath("examples", "cement-plant")
    with resources.as_file(source) as src:
        shutil.copytree(src, root, ignore=shutil.ignore_patterns("out"))
    toml = (root / "dualcarbon.toml").read_text(encoding="utf-8")
    (root / "dualcarbon.toml").write_text(toml.replace("[organization]", "[organization]\nnmae = 1"), encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(root), "--lang", lang])
    assert result.exit_code == 2
    assert ("未知的键" if lang == "zh" else "unknown key (a typo?)") in result.output
