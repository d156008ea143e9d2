"""Hypothesis: the optimised (grouped, batch-wise) path equals a plain-Python reference.

Random ledgers of purchased electricity over regions with and without their own grid factor
(so the fallback chain province → grid → country is used), several years (so the year rule is
used), units kWh / 万千瓦时 / MWh, and random certificates per facility or organisation-wide with a
vintage in the period (so the market-based allocation by vintage year is used), read in small batches.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from projects import write_settings

from dualcarbon.project import job
from dualcarbon.project.load import load

from . import reference

# Provinces with their own MEE factor (CN-HE, CN-BJ), one without (CN-XZ: Tibet falls back along
# its chain), a grid and the country themselves.
REGIONS = ["CN-HE", "CN-BJ", "CN-XZ", "CN-NCG", "CN"]
UNITS = {"kWh": 0.001, "万千瓦时": 10.0, "MWh": 1.0}
FACILITIES = ["F1", "F2", "F3", "F4"]
SETS = ["cn_mee_grid"]

row = st.fixed_dictionaries(
    {
        "facility": st.sampled_from(FACILITIES),
        "region": st.sampled_from(REGIONS),
        "year": st.sampled_from([2022, 2023, 2024]),
        "month": st.integers(1, 12),
        "unit": st.sampled_from(list(UNITS)),
        "quantity": st.floats(0, 5e5, allow_nan=False).map(lambda q: round(q, 3)),
    }
)
certificate = st.fixed_dictionaries(
    {
        "facility": st.sampled_from([*FACILITIES, None]),
        "mwh": st.floats(1, 3000, allow_nan=False).map(lambda q: round(q, 1)),
        "vintage": st.sampled_from([2022, 2023, 2024]),
    }
)


def write(root: Path, rows: list[dict], certs: list[dict], library) -> list[dict]:
    write_settings(root, sets=SETS, name="Ref", start="2022-01-01")
    frame = pl.DataFrame(
        {
            "id": [f"R{i}" for i in range(len(rows))],
            "facility": [r["facility"] for r in rows],
            "date": [dt.date(r["year"], r["month"], 28) for r in rows],
            "activity": ["外购电力" if i % 2 else "electricity/grid" for i in range(len(rows))],
            "quantity": [r["quantity"] for r in rows],
            "unit": [r["unit"] for r in rows],
            "region": [r["region"] for r in rows],
        },
        schema_overrides={"quantity": pl.Float64},
    )
    (root / "activities").mkdir()
    half = len(rows) // 2
    for name, part in [("a", frame.slice(0, half)), ("b", frame.slice(half))]:
        if part.height:
            part.write_parquet(root / "activities" / f"{name}.parquet")
    if certs:
        pl.DataFrame(
            {
                "id": [f"GEC-{i}" for i in range(len(certs))],
                "type": ["GEC"] * len(certs),
                "quantity": [c["mwh"] for c in certs],
                "unit": ["MWh"] * len(certs),
                "facility": [c["facility"] for c in certs],
                "vintage": [str(c["vintage"]) for c in certs],
                "status": ["retired"] * len(certs),
            }
        ).write_csv(root / "credits.csv")
    return [{**r, "mwh": r["quantity"] * UNITS[r["unit"]]} for r in rows]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(row, min_size=1, max_size=60), certs=st.lists(certificate, max_size=5), data=st.data())
def test_grouped_path_equals_reference(tmp_path_factory, library, rows, certs, data):
    root = tmp_path_factory.mktemp("ref") / "p"
    ref_rows = write(root, rows, certs, library)
    batch = data.draw(st.sampled_from([None, 1000, 7]))
    project = load(root, library=library, batch_rows=batch and max(batch, 1))
    assert project.ledger is not None
    _, inv = job.calculate(project)
    gwp = library.gwp("AR5").values
    expected = reference.electricity(ref_rows, certs, library, SETS, gwp)
    totals = inv.summary["totals"]
    scale = max(expected["location"], 1.0)
    assert abs(totals["scope2_location"] - expected["location"]) <= 1e-9 * scale
    assert abs(totals["scope2_market"] - expected["market"]) <= 1e-9 * scale
    got = {f["facility"]: (f["scope2_location"], f["scope2_market"]) for f in inv.summary["by_facility"]}
    for facility, (loc, mkt) in expected["facilities"].items():
        assert abs(got[facility][0] - loc) <= 1e-9 * scale
        assert abs(got[facility][1] - mkt) <= 1e-9 * scale
