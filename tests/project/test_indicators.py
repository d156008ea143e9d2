"""indicators.csv: reading, validation (file, row, column), status against a target, summary records."""

from __future__ import annotations

import json
import shutil
from importlib import resources
from pathlib import Path

import pytest

from dualcarbon.errors import InputError
from dualcarbon.project import indicators as ind
from dualcarbon.project import job, reader
from dualcarbon.project.load import load

GOOD = """\
指标,年份,数值,单位,目标,目标年份,方向,来源
pm25,2020,51,μg/m3,35,2025,,公报
pm25,2021,34,,,,,
森林覆盖率,2020,27%,,30%,2025,,
forest_cover,2021,28,,,,,
population,2020,199.4,万人,,,,
gdp,2020,1000,亿元,,,,
gdp,2021,1100,,,,,
lakes,2021,5,,,,,
"""


def _parse(tmp_path: Path, text: str, name: str = "indicators.csv"):
    (tmp_path / name).write_text(text, encoding="utf-8")
    return ind.parse(reader.read_table(tmp_path / name, display_name=name), name)


def test_chinese_headers_names_and_percent_values(tmp_path):
    frame, problems = _parse(tmp_path, GOOD)
    assert problems == []
    assert frame["indicator"].unique(maintain_order=True).to_list() == [
        "pm25",
        "forest_cover",
        "population",
        "gdp",
        "lakes",
    ]
    forest = frame.filter(frame["indicator"] == "forest_cover")
    # '27%' is 27 in per cent, the unit % (not the fraction 0.27 a quantity column would read)
    assert forest["value"].to_list() == [27.0, 28.0] and forest["unit"].to_list() == ["%", "%"]
    assert forest["target"].to_list() == [30.0, 30.0] and forest["better"].to_list() == ["higher", "higher"]
    # the well-known direction and the target given on the first row only apply to all rows
    assert frame.filter(frame["indicator"] == "pm25")["better"].to_list() == ["lower", "lower"]


def test_series_converts_population_and_gdp_scales(tmp_path):
    frame, _ = _parse(tmp_path, GOOD)
    assert ind.series(frame, "population", "人") == {2020: pytest.approx(1_994_000.0)}
    assert ind.series(frame, "gdp") == {2020: 1000.0, 2021: 1100.0}
    assert ind.series(frame, "gdp", "元") == {2020: pytest.approx(1e11), 2021: pytest.approx(1.1e11)}
    assert ind.series(frame, "absent") == {}
    with pytest.raises(ValueError, match="cannot be converted"):
        ind.series(frame, "gdp", "人")


def test_records_follow_the_summary_contract(tmp_path):
    frame, _ = _parse(tmp_path, GOOD)
    records = {r["indicator"]: r for r in ind.records(frame)}
    pm25 = records["pm25"]
    assert list(pm25) == [
        "indicator",
        "name_zh",
        "name_en",
        "unit",
        "better",
        "target",
        "target_year",
        "source",
        "series",
        "latest",
        "status",
    ]
    assert pm25["name_zh"] == "PM2.5年均浓度" and pm25["name_en"] == "PM2.5 annual mean concentration"
    assert pm25["series"] == [{"year": 2020, "value": 51.0}, {"year": 2021, "value": 34.0}]
    assert pm25["latest"] == 34.0 and pm25["status"] == "met" and pm25["source"] == "公报"
    # 27 → 28 a year: the line reaches 32 in 2025 ≥ 30
    assert records["forest_cover"]["status"] == "on_track"
    assert records["lakes"] | {"series": None} == {
        "indicator": "lakes",
        "name_zh": "lakes",
        "name_en": "lakes",
        "unit": None,
        "better": None,
        "target": None,
        "target_year": None,
        "source": None,
        "series": None,
        "latest": 5.0,
        "status": "no_target",
    }
    assert ind.records(ind.empty()) == []


@pytest.mark.parametrize(
    ("values", "target", "target_year", "better", "expected"),
    [
        ({2020: 51.0, 2024: 30.0}, 35.0, 2025, "lower", "met"),
        ({2020: 35.0}, 35.0, 2025, "lower", "met"),  # on the target is meeting it
        # 89 → 37 over 4 years: −13 a year, 2025 on the line: 24 ≤ 35
        ({2020: 89.0, 2024: 37.0}, 35.0, 2025, "lower", "on_track"),
        # least squares through (2020, 40), (2021, 39), (2022, 40), (2023, 39): mean 39.5 at 2021.5,
        # slope Σ(x − x̄)(y − ȳ) / Σ(x − x̄)² = −1 / 5 = −0.2; at 2025: 39.5 − 0.2 · 3.5 = 38.8 > 35
        ({2020: 40.0, 2021: 39.0, 2022: 40.0, 2023: 39.0}, 35.0, 2025, "lower", "off_track"),
        # the same line, target 2045: 39.5 − 0.2 · 23.5 = 34.8 ≤ 35
        ({2020: 40.0, 2021: 39.0, 2022: 40.0, 2023: 39.0}, 35.0, 2045, "lower", "on_track"),
        ({2020: 27.0, 2024: 29.0}, 34.0, 2025, "higher", "off_track"),  # 29.5 in 2025 < 34
        ({2020: 27.0, 2024: 33.0}, 34.0, 2025, "higher", "on_track"),  # 34.5 in 2025 ≥ 34
        ({2020: 27.0}, 34.0, 2030, "higher", "off_track"),  # one year: no trend to extend
        ({2020: 27.0, 2024: 33.0}, 34.0, 2024, "higher", "off_track"),  # the target year has come: not met
        ({2020: 27.0, 2024: 33.0}, None, None, "higher", "no_target"),
        ({2020: 27.0, 2024: 33.0}, 34.0, 2030, None, "no_target"),
    ],
)
def test_status(values, target, target_year, better, expected):
    assert ind.status(values, target, target_year, better) == expected


@pytest.mark.parametrize(
    ("text", "row", "column", "expected"),
    [
        ("indicator,year,value\npm25,20x4,30\n", 2, "year", "expected a year"),
        ("indicator,year,value\npm25,2024,thirty\n", 2, "value", "expected a number"),
        ("indicator,year,value\npm25,2024,\n", 2, "value", "a value is required"),
        ("indicator,year,value,better\nx,2024,3,down\n", 2, "better", "expected lower or higher"),
        ("indicator,year,value\npm25,2023,30\npm25,2023,31\n", 3, "year", "one value per indicator and year"),
        ("indicator,year,value,target\npm25,2024,30,35\n", 2, "target_year", "the year it is for"),
        ("indicator,year,value,target_year\npm25,2024,30,2025\n", 2, "target", "expected the target value"),
        ("indicator,year,value,target,target_year\nx,2024,3,2,2025\n", 2, "better", "expected lower or higher"),
        (
            "indicator,year,value,target,target_year\npm25,2023,30,35,2025\npm25,2024,30,30,2025\n",
            3,
            "target",
            "one target per indicator",
        ),
        ("indicator,year,value,unit\npm25,2023,30,μg/m3\npm25,2024,30,mg/m3\n", 3, "unit", "one unit per"),
        ("indicator,year,value,unit\npopulation,2023,200,万户\n", 2, "unit", "expected one of 人"),
        ("indicator,year,value,unit\nforest_cover,2023,27%,ha\n", 2, "unit", "the value is in %"),
        ("indicator,year,value,target_yaer\npm25,2024,30,2025\n", 1, "target_yaer", "did you mean 'target_year'"),
        ("indicator,value\npm25,30\n", 1, "year", "required column is missing"),
    ],
)
def test_problems_name_file_row_and_column(tmp_path, text, row, column, expected):
    frame, problems = _parse(tmp_path, text)
    assert frame.height == 0
    assert any(
        p.file == "indicators.csv" and p.row == row and p.column == column and expected in p.expected for p in problems
    ), [p.message() for p in problems]


EXAMPLE = resources.files("dualcarbon").joinpath("examples", "us-office")


def _project(tmp_path: Path) -> Path:
    root = tmp_path / "p"
    shutil.copytree(str(EXAMPLE), root)
    return root


def test_summary_has_indicators_and_bad_rows_stop_the_run(tmp_path):
    root = _project(tmp_path)
    job.run(root, tmp_path / "out0")
    summary = json.loads((tmp_path / "out0" / "summary.json").read_text(encoding="utf-8"))
    assert summary["indicators"] == []
    (root / "indicators.csv").write_text(GOOD, encoding="utf-8-sig")
    job.run(root, tmp_path / "out1")
    summary = json.loads((tmp_path / "out1" / "summary.json").read_text(encoding="utf-8"))
    assert [r["indicator"] for r in summary["indicators"]] == ["pm25", "forest_cover", "population", "gdp", "lakes"]
    assert load(root).indicators.height == 8
    (root / "indicators.csv").write_text("indicator,year,value\npm25,2024,x\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        job.run(root, tmp_path / "out2")
    assert "indicators.csv, row 2, column value" in str(info.value)
    assert not (tmp_path / "out2").exists()


def test_regression_english_default_units_feed_the_territory(tmp_path):
    # With [report] lang = "en", population and GDP written without a unit take the English catalogue's
    # "10,000 persons" and "100 million CNY"; the territory figures read them through series(), where
    # before a table of its own knew only 人/万人 and 元/万元/亿元 and refused the run (indicators.csv,
    # column unit). 2023: 150 万人 = 1,500,000 persons; GDP 80 亿元 (= [territory] gdp_unit).
    root = tmp_path / "t"
    root.mkdir()
    (root / "dualcarbon.toml").write_text(
        '[organization]\nname = "T"\nkind = "territory"\n\n[territory]\npopulation = 1600000\ngdp = 90.0\n'
        'gdp_unit = "亿元"\n\n[period]\nstart = 2023-01-01\nend = 2024-12-31\n\n[report]\nlang = "en"\n',
        encoding="utf-8",
    )
    (root / "activities.csv").write_text(
        "id,date,activity,quantity,unit,sector\n"
        "a,2023-06-30,fuel/natural_gas,1000,m3,1.A.4.b\nb,2024-06-30,fuel/natural_gas,1000,m3,1.A.4.b\n",
        encoding="utf-8",
    )
    (root / "indicators.csv").write_text("indicator,year,value\npopulation,2023,150\ngdp,2023,80\n", encoding="utf-8")
    population, gdp = job.territory_inputs(load(root))
    assert population == {2023: pytest.approx(1_500_000.0), 2024: 1_600_000}
    assert gdp == {2023: pytest.approx(80.0), 2024: 90.0}
    result = job.run(root, write=False)
    first = result.inventory.summary["by_year"][0]
    assert first["territory"]["per_capita_t"] == pytest.approx(first["territory"]["gpc"]["basic_plus"] / 1_500_000.0)


def test_gb18030_csv_and_xlsx_read_alike(tmp_path):
    from openpyxl import Workbook

    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "indicators.csv").write_bytes(GOOD.encode("gb18030"))
    book = Workbook()
    sheet = book.active
    for line in GOOD.splitlines():
        sheet.append([cell or None for cell in line.split(",")])
    (tmp_path / "b").mkdir()
    book.save(tmp_path / "b" / "indicators.xlsx")
    a, problems_a = ind.load_indicators(tmp_path / "a")
    b, problems_b = ind.load_indicators(tmp_path / "b")
    assert problems_a == problems_b == []
    assert a.equals(b) and a.height == 8
