"""Invariants of the inventory (hypothesis): totals are sums of rows; row order and file splits don't matter."""

from __future__ import annotations

import math
import shutil
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dualcarbon import engine, inventory
from dualcarbon.factors.library import FactorLibrary
from dualcarbon.project.load import load

EXAMPLES = Path(__file__).resolve().parents[1] / "src" / "dualcarbon" / "examples"


@pytest.fixture(scope="module")
def library() -> FactorLibrary:
    return FactorLibrary.load()


def totals_of(project) -> dict:
    result = engine.compute(project.activities, project.library, project.settings, project.instruments, project.spend)
    inv = inventory.summarize(
        result.emissions, project.settings, project.library, result.warnings, project.activities.height
    )
    return inv.summary["totals"], result.emissions


def close(a: dict, b: dict, rel: float = 1e-9) -> bool:
    return all(math.isclose(a[k], b[k], rel_tol=rel, abs_tol=1e-9) for k in a)


@pytest.mark.parametrize("example", ["cement-plant", "dairy", "us-office"])
def test_totals_equal_the_sum_of_rows(library, example):
    totals, rows = totals_of(load(EXAMPLES / example, library))
    counted = rows.filter(~pl.col("biogenic"))
    loc = counted.filter(pl.col("scope2_method").fill_null("location") == "location")
    assert math.isclose(totals["total_location"], loc["co2e_t"].sum(), rel_tol=1e-12)
    mkt = counted.filter(pl.col("scope2_method").fill_null("market") == "market")
    assert math.isclose(totals["total_market"], mkt["co2e_t"].sum(), rel_tol=1e-12)
    for scope in ("1", "3"):
        assert math.isclose(
            totals[f"scope{scope}"], loc.filter(pl.col("scope") == scope)["co2e_t"].sum(), rel_tol=1e-12, abs_tol=1e-12
        )
    assert math.isclose(totals["total_location"], totals["scope1"] + totals["scope2_location"] + totals["scope3"])


def _copy(tmp_path: Path, example: str) -> Path:
    root = tmp_path / example
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(EXAMPLES / example, root)
    return root


@pytest.fixture(scope="module")
def references(library) -> Callable[[str], dict]:
    """The totals of each example as bundled, computed when first asked for (the same for every draw)."""
    made: dict[str, dict] = {}

    def reference(example: str) -> dict:
        if example not in made:
            made[example] = totals_of(load(EXAMPLES / example, library))[0]
        return made[example]

    return reference


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), parts=st.integers(1, 5), example=st.sampled_from(["cement-plant", "dairy"]))
def test_invariant_to_row_order_and_file_splits(tmp_path_factory, library, references, seed, parts, example):
    tmp = tmp_path_factory.mktemp("split")
    root = _copy(tmp, example)
    reference = references(example)
    frame = pl.read_csv(root / "activities.csv", infer_schema=False).sample(fraction=1.0, shuffle=True, seed=seed)
    (root / "activities.csv").unlink()
    (root / "activities").mkdir()
    size = math.ceil(frame.height / parts)
    for i in range(parts):
        chunk = frame.slice(i * size, size)
        if chunk.height:
            chunk.write_csv(root / "activities" / f"part{i}.csv")
    shuffled, _ = totals_of(load(root, library))
    assert close(reference, shuffled)
