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


# The files whose tests take longest (seconds on one worker of a 2-core machine, --durations), slowest
# first. pytest-xdist's ``--dist loadfile`` hands a whole file to a worker, in the order of the test
# collection when ``--no-loadscope-reorder`` is given (pyproject's addopts); by default it sorts the files
# by their number of tests, which put these files, each of one to four long tests, at the very end, where
# one worker finished them alone while the other waited. Handed out first, the tail is made of the many
# short files instead. A file not named here keeps its place in the collection, after these.
SLOWEST_FIRST = (
    "tests/api/test_flow.py",  # three API runs, one reproduced by the CLI and again by the API
    # before every file of tests/web: their Chromium (tests/web/conftest.py) lives as long as the worker's
    # session, and this file's own sync Playwright cannot start in a worker where that one runs
    "tests/i18n/test_untranslated_dashboard.py",
    "tests/pathway/test_outputs_kept.py",  # report.pdf printed by Chromium
    "tests/api/test_endpoints.py",
    "tests/test_reproducible_examples.py",  # three processes at once, each running every example
    "tests/test_reproducible.py",  # eight runs of a 6,000-row ledger in processes of their own
    "tests/web/test_dairy_flow.py",
    "tests/web/test_collection_page.py",  # three people through request, return and approval
    "tests/web/test_assurance_page.py",
    "tests/web/test_product_page.py",
    "tests/web/test_financed_page.py",
    "tests/api/test_neutrality_pathway.py",
    "tests/api/test_emissions_parquet.py",
    "tests/api/test_tenant_isolation.py",
    "tests/project/test_outputs_streaming.py",
    "tests/web/test_run_downloads.py",
    "tests/api/test_serve_hardening.py",
    "tests/test_properties.py",
    "tests/i18n/test_untranslated_daxing_district.py",
    "tests/test_bench_scripts.py",
    "tests/api/test_run_pdf.py",
    "tests/web/test_results_pages.py",
    "tests/web/test_settings_and_rows_pages.py",
    "tests/i18n/test_untranslated_cement_plant.py",
    "tests/i18n/test_untranslated_dairy.py",
    "tests/i18n/test_untranslated_us_office.py",
    "tests/api/test_hostile_requests.py",
    "tests/web/test_accounts_pages.py",
    "tests/web/test_pathway_intensity_page.py",
    "tests/web/test_territory_pages.py",
    "tests/web/test_top_facilities_page.py",
    "tests/web/test_factors_page.py",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The slowest files' tests first (SLOWEST_FIRST), the others in their collected order."""
    rank = {name: place for place, name in enumerate(SLOWEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::", 1)[0], len(rank)))  # a stable sort
