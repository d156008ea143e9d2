"""summary.json and the report do not grow with the rows (issue 16, point 3): ``by_facility`` lists the
``inventory.TOP`` largest facilities and one record of the others, the report as many facilities and activity
sources and an "others" line; facilities.csv and sources.csv hold every one. Projects with few facilities
(every bundled example) keep the summary they had."""

from __future__ import annotations

import csv
import json
import math
import shutil
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from dualcarbon import inventory
from dualcarbon.factors.library import FactorLibrary
from dualcarbon.i18n import translator
from dualcarbon.neutrality import assess
from dualcarbon.project import job

EXAMPLES = Path(__file__).parents[2] / "src" / "dualcarbon" / "examples"
# summary.json by_facility of each bundled example as main wrote it before the list had a bound
# (dualcarbon run EXAMPLE, commit 29f496e): the bound must leave them exactly as they were.
BEFORE = Path(__file__).parent / "data" / "by_facility_examples.json"
COLUMNS = ["scope1", "scope2_location", "scope2_market", "scope3"]
SPEND_KEYS = 60  # more activity sources than the report lists


def generated(root: Path, facilities: int, rows: int, seed: int = 1) -> Path:
    """A US project of ``rows`` activity rows over ``facilities`` facilities (each at least once): natural
    gas, grid electricity and 60 spend categories in turn, so every size has the same 62 sources."""
    library = FactorLibrary.load()
    spend = library.factors.filter(pl.col("key").str.starts_with("spend/naics/") & (pl.col("factor_set") == "useeio"))
    keys = sorted(spend["key"].unique().to_list())[:SPEND_KEYS]
    activities = ["natural gas", "electricity/grid", *keys]
    units = ["therm", "kWh", *["USD"] * len(keys)]
    rng = np.random.default_rng(seed)
    pick = np.arange(rows) % len(activities)
    facility = rng.integers(0, facilities, rows)
    facility[:facilities] = np.arange(facilities)
    root.mkdir(parents=True)
    (root / "dualcarbon.toml").write_text(
        '[organization]\nname = "Generated"\ncountry = "US"\n\n[period]\nstart = 2024-01-01\nend = 2024-12-31\n\n'
        '[method]\ngwp = "AR5"\nfactor_sets = ["us_epa_hub", "egrid", "useeio"]\n',
        encoding="utf-8",
    )
    pl.DataFrame(
        {
            "id": [f"R{i}" for i in range(rows)],
            "facility": [f"F{f:05d}" for f in facility],
            "date": [f"2024-{m:02d}-28" for m in rng.integers(1, 13, rows)],
            "activity": [activities[p] for p in pick],
            "quantity": np.round(rng.lognormal(8, 1, rows), 2),
            "unit": [units[p] for p in pick],
            "region": ["US-CAMX"] * rows,
        }
    ).write_csv(root / "activities.csv")
    return root


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[int, tuple[job.JobResult, Path]]:
    """The generated project at two sizes, the second with 5 times the facilities and rows."""
    out = {}
    for facilities, rows in ((120, 1_200), (600, 6_000)):
        root = generated(tmp_path_factory.mktemp("ledger") / f"f{facilities}", facilities, rows)
        out[facilities] = (job.run(root, root / "out", lang="en", emissions="none"), root / "out")
    return out


def test_summary_and_report_keep_their_size_when_the_rows_grow_fivefold(runs):
    (small, small_out), (large, large_out) = runs[120], runs[600]
    for result, facilities in ((small, 120), (large, 600)):
        s = result.inventory.summary
        assert len(s["by_facility"]) == inventory.TOP + 1
        assert s["facilities"] == facilities and s["by_facility_complete"] is False
    for name in ("summary.json", "report.html"):
        a, b = (small_out / name).stat().st_size, (large_out / name).stat().st_size
        # measured: summary.json 74,701 and 74,970 bytes, report.html 1,033,926 and 1,035,165 (before the
        # bound the 600-facility summary had 480 more by_facility records, about 85 KB)
        assert abs(b - a) / a < 0.02, (name, a, b)


def test_by_facility_lists_the_largest_then_the_others_which_add_up_exactly(runs):
    result, out = runs[600]
    s = result.inventory.summary
    every = pl.read_csv(out / "facilities.csv", schema_overrides={"facility": pl.String})
    assert every.columns == ["facility", *COLUMNS, "total_location", "total_market"]
    assert every.height == 600 and every["facility"].n_unique() == 600
    assert set(every["facility"]) == {f"F{i:05d}" for i in range(600)}
    # the listed ones are facilities.csv's first rows: the largest location-based totals, largest first
    listed, others = s["by_facility"][:-1], s["by_facility"][-1]
    assert [r["facility"] for r in listed] == every["facility"].head(inventory.TOP).to_list()
    totals = [r["scope1"] + r["scope2_location"] + r["scope3"] for r in listed]
    assert totals == sorted(totals, reverse=True) and min(totals) >= every["total_location"][inventory.TOP]
    assert others["facility"] is None and others["facilities"] == 600 - inventory.TOP
    assert set(others) == {"facility", "facilities", *COLUMNS}
    for c in COLUMNS:
        # an exact sum of by_facility is that of every facility, to the last digit, and the inventory's total
        assert math.fsum(r[c] for r in s["by_facility"]) == math.fsum(every[c].to_list())
        assert math.fsum(r[c] for r in s["by_facility"]) == pytest.approx(s["totals"][c], rel=1e-12)
        assert others[c] == pytest.approx(math.fsum(every[c].tail(600 - inventory.TOP).to_list()), rel=1e-12)
    # summary.json on disk says the same
    assert json.loads((out / "summary.json").read_text(encoding="utf-8"))["by_facility"] == s["by_facility"]


def test_the_report_lists_the_largest_and_names_the_files_with_every_one(runs):
    result, out = runs[600]
    html = (out / "report.html").read_text(encoding="utf-8")
    t = translator("en")
    facilities = html[html.index('<section id="facilities">') : html.index("</section>", html.index('id="facilities"'))]
    assert facilities.count("<tr><td>F") == inventory.TOP
    assert t("topn.others_facilities", n="550") in facilities and 'class="others"' in facilities
    assert "facilities.csv" in facilities and "600 facilities" in facilities
    sources = html[html.index('<section id="sources">') : html.index("</section>", html.index('id="sources"'))]
    assert sources.count('<span class="code" translate="no">') == inventory.TOP
    assert t("topn.others_sources", n="12") in sources and "sources.csv" in sources
    every = list(csv.DictReader((out / "sources.csv").open(encoding="utf-8")))
    assert len(every) == 62 == result.inventory.by_source.height
    assert math.fsum(float(r["co2e_t"]) for r in every) == pytest.approx(
        result.inventory.summary["totals"]["total_location"]
    )
    manifest = json.loads((out / "dualcarbon-manifest.json").read_text(encoding="utf-8"))
    assert {"facilities.csv", "sources.csv"} <= {f["name"] for f in manifest["files"]}


def test_few_facilities_are_listed_by_name_and_ties_go_by_name():
    lines = pl.DataFrame(
        {
            "facility": ["b", "a", "c", "d", ""],
            "scope": ["1", "1", "2", "3", "1"],
            "category": ["1.stationary", "1.stationary", "2.electricity", "3.1", "1.mobile"],
            "iso_category": ["1", "1", "2", "4", "1"],
            "scope2_method": [None, None, "location", None, None],
            "co2e_t": [5.0, 5.0, 7.0, 1.0, 2.0],
        }
    )
    table = inventory.facility_table(lines)
    assert table["facility"].to_list() == ["c", "a", "b", "", "d"]  # 7, then 5 and 5 by name, 2, 1
    assert [r["facility"] for r in inventory.listed_facilities(table, top=5)] == ["", "a", "b", "c", "d"]
    short = inventory.listed_facilities(table, top=3)
    assert [r["facility"] for r in short] == ["c", "a", "b", None]
    assert short[-1] == {
        "facility": None,
        "facilities": 2,
        "scope1": 2.0,
        "scope2_location": 0.0,
        "scope2_market": 0.0,
        "scope3": 1.0,
    }


@pytest.mark.parametrize("example", ["cement-plant", "dairy", "daxing-district", "us-office"])
def test_the_examples_list_every_facility_as_before(example):
    before = json.loads(BEFORE.read_text(encoding="utf-8"))[example]
    s = job.run(EXAMPLES / example, write=False).inventory.summary
    assert s["by_facility"] == before
    assert s["facilities"] == len(before) and s["by_facility_complete"] is True


def test_a_credit_from_a_facility_beyond_the_listed_ones_is_inside_the_boundary(tmp_path):
    """ISO 14068-1 clause 10: a credit from one of the subject's own facilities cannot offset it. The
    cement example with 60 small depots more: the credit of the smallest, not among the 50 listed in
    summary.json, is still found inside the boundary (the assessment took the summary's list before)."""
    root = tmp_path / "cement"
    shutil.copytree(EXAMPLES / "cement-plant", root)
    with (root / "activities.csv").open("a", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        header = next(csv.reader((EXAMPLES / "cement-plant" / "activities.csv").open(encoding="utf-8-sig")))
        for i in range(60):
            row = dict.fromkeys(header, "")
            row |= {"id": f"D-{i:02d}", "facility": f"储运站-{i:02d}", "date": "2024-06-30"}
            row |= {"activity": "柴油", "quantity": str(10 + i), "unit": "吨", "region": "CN-HE"}
            writer.writerow([row[c] for c in header])
    credits = (root / "credits.csv").read_text(encoding="utf-8").splitlines()
    ccer = next(line for line in credits if line.startswith("CCER-2024-AF01,"))
    own = ccer.replace("CCER-2024-AF01,", "CCER-OWN,", 1).replace(",12000,tCO2e,,,", ",100,tCO2e,,储运站-00,", 1)
    own = own.replace("CCER-EX-14-2023-000000001,CCER-EX-14-2023-000012000", "OWN-1,OWN-100")
    (root / "credits.csv").write_text("\n".join([*credits, own]) + "\n", encoding="utf-8")

    result = job.run(root, write=False)
    listed = {r["facility"] for r in result.inventory.summary["by_facility"]}
    assert result.inventory.summary["facilities"] == 63 and "储运站-00" not in listed
    assert result.assessment is not None
    check = next(c for c in result.assessment.as_dict()["checks"] if c["id"] == "ISO-CR-08")
    assert check["status"] == "failed" and "储运站-00" in check["reason_en"]


def test_an_assessment_of_a_summary_listing_only_the_largest_needs_every_facility():
    from claims import credit, frame, settings, summary

    from dualcarbon.neutrality.records import CREDIT_SCHEMA

    short = summary() | {"by_facility": [{"facility": "plant"}, {"facility": None, "facilities": 3}]}
    short["by_facility_complete"] = False
    credits = frame([credit(facility="depot-3")], CREDIT_SCHEMA)
    with pytest.raises(ValueError, match="only the largest facilities"):
        assess(short, settings(), credits)
    a = assess(short, settings(), credits, facilities=["plant", "depot-1", "depot-2", "depot-3"])
    check = next(c for c in a.as_dict()["checks"] if c["id"] == "ISO-CR-08")
    assert check["status"] == "failed" and "depot-3" in check["reason_en"]
