"""Exact sums through 64-bit integer parts where the Parquet footers bound the terms (docs/bench.md,
issue 16): the same integers as the 128-bit route, and the 128-bit route wherever a term or a sum
could leave 64 bits."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from projects import write_settings

from dualcarbon import collapse, sums
from dualcarbon.project import job
from dualcarbon.project.ledger import magnitude


def test_narrow_parts_are_the_same_integers():
    draw = random.Random(16)
    values = [draw.uniform(-1e12, 1e12) * 10 ** draw.randint(-12, 0) for _ in range(20_000)] + [None, -0.5, 0.0]
    frame = pl.DataFrame({"g": [i % 13 for i in range(len(values))], "x": values})
    assert sums.fits_int64(1e12, frame.height)
    wide = frame.group_by("g").agg(sums.parts(pl.col("x"), "x")).sort("g")
    narrow = frame.group_by("g").agg(sums.parts(pl.col("x"), "x", narrow=True)).sort("g")
    assert narrow.schema == wide.schema
    assert narrow.equals(wide)


@pytest.mark.parametrize(
    "bound,terms,fits",
    [
        (None, 1, False),  # unknown
        (float("nan"), 1, False),
        (float("inf"), 1, False),
        (0.0, 0, True),
        (1e9, 2_000_000, True),
        (2.0**62, 1, False),
        (2.0**41, 2**21, False),  # each term fits, their sum might not
        (2.0**40, 2**21, True),
    ],
)
def test_fits_int64(bound, terms, fits):
    assert sums.fits_int64(bound, terms) is fits


def test_magnitude_from_the_footers(tmp_path):
    a, b = tmp_path / "a.parquet", tmp_path / "b.parquet"
    pl.DataFrame(
        {"Quantity": [3.0, -7.5, None], "ncv": [None, None, None]}, schema_overrides={"ncv": pl.Float64}
    ).write_parquet(a)
    pl.DataFrame({"quantity": [2, 6]}).write_parquet(b, row_group_size=1)
    assert magnitude([str(a), str(b)], "quantity") == 7.5  # the header as the project reads it; the larger |min|
    assert magnitude([str(a)], "ncv") == 0.0  # nulls only
    assert magnitude([str(b)], "ncv") == 0.0  # no such column
    bare = tmp_path / "bare.parquet"
    pl.DataFrame({"quantity": [1.0]}).write_parquet(bare, statistics=False)
    assert magnitude([str(a), str(bare)], "quantity") is None  # a file without statistics: unknown


def test_share_bound():
    table = pl.DataFrame({"rate_none": [2.0, -3.0], "rate_market": [None, 1.0], "per_row_none": [0.5, -4.0]})
    assert collapse.share_bound(table, 10.0) == 10.0 * 3.0 + 4.0
    assert collapse.share_bound(table, None) is None


def one_row_ledger(root: Path, quantity: float, rows: int = 1) -> Path:
    write_settings(root, sets=["ipcc2006"], sector="1.A.2")
    (root / "activities").mkdir()
    pl.DataFrame(
        {
            "id": [f"r{i}" for i in range(rows)],
            "facility": ["plant"] * rows,
            "date": [date(2024, 3, 1)] * rows,
            "activity": ["fuel/diesel"] * rows,
            "quantity": [quantity] * rows,
            "unit": ["t"] * rows,
        }
    ).write_parquet(root / "activities" / "part-0.parquet")
    return root


def narrow_calls(monkeypatch) -> list[bool]:
    seen: list[bool] = []
    original = sums.fits_int64

    def spy(bound, terms):
        seen.append(original(bound, terms))
        return seen[-1]

    monkeypatch.setattr(sums, "fits_int64", spy)
    return seen


def test_a_ledger_sums_the_same_through_64_bits(tmp_path, monkeypatch):
    root = one_row_ledger(tmp_path / "p", 1234.5678, rows=5)
    seen = narrow_calls(monkeypatch)
    narrow = job.run(root, write=False).inventory
    assert seen == [True, True]  # the grouping pass and the facility pass
    monkeypatch.setattr(sums, "fits_int64", lambda bound, terms: False)
    wide = job.run(root, write=False).inventory
    assert narrow.summary == wide.summary
    assert narrow.inventory.equals(wide.inventory)


@pytest.mark.parametrize(
    "quantity,passes",
    [
        (4e18, [True, False]),  # the quantity fits 64 bits, its CO2e (about 3.2 t a tonne of diesel) does not
        (3e19, [False, False]),  # the quantity itself is beyond 2^63
    ],
)
def test_terms_beyond_64_bits_sum_in_128(tmp_path, monkeypatch, quantity, passes):
    root = one_row_ledger(tmp_path / "p", quantity)
    seen = narrow_calls(monkeypatch)
    summary = job.run(root, write=False).inventory.summary
    assert seen == passes
    small = job.run(one_row_ledger(tmp_path / "small", 1.0), write=False).inventory.summary
    assert summary["totals"]["scope1"] == pytest.approx(small["totals"]["scope1"] * quantity, rel=1e-12)
