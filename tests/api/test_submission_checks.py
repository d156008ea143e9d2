"""The checks a submission to a data request adds to an upload's (project/intake.py, docs/collection.md):
every activity row of the request's site, dated within the request's period. Run in this process
(``intake.validate`` is what the server's worker runs), on the dairy example's settings."""

from __future__ import annotations

import datetime as dt
import shutil

from apiworld import EXAMPLES

from dualcarbon.project import intake
from dualcarbon.project.limits import ReadLimits

DAIRY = EXAMPLES / "dairy"
PATH = "activities/upload-farm.csv"
YEAR = (dt.date(2024, 1, 1), dt.date(2024, 12, 31))
FARM = [r for r in (DAIRY / "activities.csv").read_text("utf-8").splitlines()[1:] if r.split(",")[1] == "牧场"]


def folder(tmp_path, edit=lambda rows: rows) -> str:
    """A project folder with the dairy settings and the farm's (牧场) rows as the upload at PATH."""
    shutil.copy(DAIRY / "dualcarbon.toml", tmp_path / "dualcarbon.toml")
    header, *rows = (DAIRY / "activities.csv").read_text("utf-8").splitlines()
    farm = edit([r.split(",") for r in rows if r.split(",")[1] == "牧场"])
    (tmp_path / "activities").mkdir()
    (tmp_path / PATH).write_text("\n".join([header, *(",".join(r) for r in farm)]) + "\n", "utf-8")
    return str(tmp_path)


def problems(outcome: dict) -> list[tuple[int, str, str]]:
    return [(p["row"], p["column"], p["value"]) for p in outcome.get("problems", [])]


def test_the_farms_own_rows_of_the_year_pass(tmp_path):
    assert intake.validate(folder(tmp_path), "activities", PATH, ReadLimits(), "牧场", YEAR) == {"rows": 35}


def test_a_row_of_another_site_is_named(tmp_path):
    def stray(rows):
        rows[3][1] = "物流"
        return rows

    outcome = intake.validate(folder(tmp_path, stray), "activities", PATH, ReadLimits(), "牧场", YEAR)
    assert problems(outcome) == [(5, "facility", "物流")]


def test_a_row_outside_the_requests_period_is_named(tmp_path):
    """A quarter's request: the settings' year lets an April row through; the request's period does not."""

    def first_quarter_and_one_april_row(rows):
        quarter = [r for r in rows if r[2][:7] in ("2024-01", "2024-02", "2024-03")]
        return [*quarter, next(r for r in rows if r[2].startswith("2024-04"))]

    root = folder(tmp_path, first_quarter_and_one_april_row)
    q1 = (dt.date(2024, 1, 1), dt.date(2024, 3, 31))
    outcome = intake.validate(root, "activities", PATH, ReadLimits(), "牧场", q1)
    rows = 1 + len(first_quarter_and_one_april_row([r.split(",") for r in FARM]))
    assert problems(outcome) == [(rows, "date", "2024-04-30")]
    assert "2024-01-01" in outcome["problems"][0]["expected"] and "2024-03-31" in outcome["problems"][0]["expected"]
    assert intake.validate(root, "activities", PATH, ReadLimits(), "牧场", YEAR) == {"rows": rows - 1}
