"""Small holdings frames for the financed tests, built through the real reader from CSV text (``holdings_of``)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from dualcarbon.financed import holdings

HEADER = (
    "id,asset_class,counterparty,outstanding,currency,evic,total_equity_debt,property_value,revenue,"
    "scope1,scope2,scope3,lulucf,ppp_gdp,emissions_basis,data_quality,sector,year"
)


def read(tmp_path: Path, rows: list[str], name: str = "holdings.csv") -> pl.DataFrame:
    """The typed holdings of ``rows`` (CSV lines under ``HEADER``); fails on any problem."""
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    frame, problems = holdings.load_holdings(path)
    assert not problems, [p.message() for p in problems]
    return frame


@pytest.fixture
def holdings_of(tmp_path: Path):
    """``holdings_of(rows)``: the typed holdings of CSV lines under ``HEADER``."""
    return lambda rows, name="holdings.csv": read(tmp_path, rows, name)
