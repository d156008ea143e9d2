"""Shared fixtures: one factor library per session and a small-project builder."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import polars as pl
import pytest
import stores
from chromium import browser  # noqa: F401 (the session's one Chromium: one sync Playwright per worker)
from projects import write_settings

from dualcarbon import engine, inventory
from dualcarbon.factors.library import FactorLibrary
from dualcarbon.project.load import load

# The CLI's rich consoles wrap at the terminal width, 80 columns when there is none; a path longer than
# that (pytest's temporary folders can make them so) is then broken mid-word. Tests read messages whole.
os.environ.setdefault("COLUMNS", "240")


@pytest.fixture(scope="session")
def library() -> FactorLibrary:
    return FactorLibrary.load()


class Run:
    """The result of running a small project: emission rows and the summary."""

    def __init__(self, emissions: pl.DataFrame, summary: dict, warnings: list[dict]):
        self.emissions = emissions
        self.summary = summary
        self.warnings = warnings

    def co2e_rows(self, **where) -> pl.DataFrame:
        rows = self.emissions
        for column, value in where.items():
            rows = rows.filter(pl.col(column) == value)
        return rows

    def co2e(self, **where) -> float:
        return float(self.co2e_rows(**where)["co2e_t"].sum())

    def mass(self, gas: str, **where) -> float:
        return self.co2e_rows(gas=gas, **where)["mass_t"].sum()


@pytest.fixture
def run_project(tmp_path: Path, library: FactorLibrary):
    """``run_project(rows, sets=[...], country="CN", credits=None, gwp="AR5", extra_toml="", year=2024,
    end_year=None)``: the period is ``year`` (to ``end_year`` when given)."""

    def _run(
        rows: str,
        *,
        sets: list[str],
        country: str = "CN",
        credits: str | None = None,
        gwp: str = "AR5",
        extra_toml: str = "",
        sector: str = "1.A.2",
        year: int = 2024,
        end_year: int | None = None,
    ) -> Run:
        root = write_settings(
            tmp_path / f"p{len(list(tmp_path.iterdir()))}",
            sets=sets,
            country=country,
            sector=sector,
            gwp=gwp,
            start=f"{year}-01-01",
            end=f"{end_year or year}-12-31",
            extra=textwrap.dedent(extra_toml).replace("'", '"'),
        )
        (root / "activities.csv").write_text(textwrap.dedent(rows).strip() + "\n", encoding="utf-8")
        if credits:
            (root / "credits.csv").write_text(textwrap.dedent(credits).strip() + "\n", encoding="utf-8")
        project = load(root, library)
        result = engine.compute(
            project.activities, project.library, project.settings, project.instruments, project.spend
        )
        inv = inventory.summarize(
            result.emissions, project.settings, project.library, result.warnings, project.activities.height
        )
        return Run(result.emissions, inv.summary, result.warnings)

    return _run


@pytest.fixture(params=stores.BACKENDS)
def store_location(request, tmp_path: Path):
    """A DuckDB path or a PostgreSQL URL (own schema) for one test, once per backend."""
    with stores.location(request.param, tmp_path) as where:
        yield where
