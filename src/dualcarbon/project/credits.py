"""``credits.csv``: Scope 2 contractual instruments and retired carbon credits (DESIGN.md).

One row per instrument or credit batch. An instrument or credit may be claimed once: a repeated
id, or serial ranges of the same registry that overlap, are errors (GHG Protocol Scope 2
Quality Criterion 2, "convey claims uniquely"; ISO 14068-1 §9 on double counting).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from dualcarbon import units
from dualcarbon.errors import Problem
from dualcarbon.methods.electricity import SCOPE2_TYPES
from dualcarbon.project import reader

CREDIT_TYPES = {"CCER", "CEA", "VCS", "GS", "CDM"}
COLUMNS = ["id", "type", "quantity", "unit", "factor", "facility", "region", "vintage", "registry", "serial_start",
           "serial_end", "project_type", "removal", "retired_on", "beneficiary", "status"]  # fmt: skip


def _empty_instruments() -> pl.DataFrame:
    from dualcarbon.engine import electricity_instrument_schema

    return pl.DataFrame(schema=electricity_instrument_schema())


def load_credits(root: Path, ureg) -> tuple[pl.DataFrame, pl.DataFrame, list[Problem]]:
    """(Scope 2 instruments, carbon credits, problems) from the optional credits file."""
    paths = [p for p in root.glob("credits.*") if p.suffix.lower() in (".csv", ".tsv", ".xlsx", ".parquet")]
    if not paths:
        return _empty_instruments(), pl.DataFrame(), []
    path = paths[0]
    name = path.name
    try:
        c = reader.read_table(path, display_name=name)
    except Exception as exc:  # InputError from the reader carries its own problems
        return _empty_instruments(), pl.DataFrame(), list(getattr(exc, "problems", [Problem(name, None, None, None, str(exc))]))
    problems = [Problem(name, 1, col, None, "required column is missing") for col in ("id", "type", "quantity", "unit")
                if col not in c.columns]  # fmt: skip
    if problems:
        return _empty_instruments(), pl.DataFrame(), problems
    for col in COLUMNS:
        if col not in c.columns:
            c = c.with_columns(pl.lit(None, pl.String).alias(col))
    c = c.with_columns(pl.lit(name).alias("_file"), reader.parse_number(pl.col("quantity")).alias("_q"),
                       reader.parse_number(pl.col("factor")).alias("_factor"),
                       pl.col("vintage").str.extract(r"(\d{4})").cast(pl.Int32).alias("_vintage"))  # fmt: skip

    def where(mask: pl.Expr, column: str, expected: str) -> None:
        for row in c.filter(mask).head(200).iter_rows(named=True):
            problems.append(Problem(name, row["_row"], column, row.get(column), expected))

    types = SCOPE2_TYPES | CREDIT_TYPES
    where(pl.col("id").is_null(), "id", "an id is required")
    where(pl.col("id").is_duplicated() & pl.col("id").is_not_null(), "id",
          "the same instrument or credit is listed twice (an instrument may be used once)")  # fmt: skip
    where(~pl.col("type").is_in(list(types)), "type", f"expected one of {', '.join(sorted(types))}")
    where(pl.col("_q").is_null(), "quantity", "expected a number")
    where(pl.col("_q") <= 0, "quantity", "expected a quantity > 0")
    where(pl.col("vintage").is_not_null() & pl.col("_vintage").is_null(), "vintage", "expected a year such as 2024")
    where((pl.col("type") == "supplier_factor") & pl.col("_factor").is_null(), "factor",
          "a supplier-specific emission factor (kg CO2e/kWh) is required")  # fmt: skip
    where(pl.col("factor").is_not_null() & pl.col("_factor").is_null(), "factor", "expected a number (kg CO2e/kWh)")

    # overlapping serial ranges in one registry = the same certificates claimed twice
    serial = c.filter(pl.col("serial_start").is_not_null() & pl.col("serial_end").is_not_null()).with_columns(
        pl.col("serial_start").str.extract(r"(\d+)$").cast(pl.Int64).alias("_s0"),
        pl.col("serial_end").str.extract(r"(\d+)$").cast(pl.Int64).alias("_s1"),
        pl.col("serial_start").str.replace(r"\d+$", "").alias("_prefix"),
    )
    if serial.height > 1:
        pairs = serial.join(serial, on=["_prefix"], suffix="_b").filter(
            (pl.col("_row") < pl.col("_row_b")) & (pl.col("registry").fill_null("") == pl.col("registry_b").fill_null(""))
            & (pl.col("_s0") <= pl.col("_s1_b")) & (pl.col("_s0_b") <= pl.col("_s1"))
        )  # fmt: skip
        for row in pairs.iter_rows(named=True):
            problems.append(Problem(name, row["_row_b"], "serial_start", row["serial_start_b"],
                                    f"serial range overlaps row {row['_row']} ({row['id']}): the same certificates used twice"))  # fmt: skip

    conv = units.conversion_table(c["unit"].drop_nulls().unique().to_list(), ureg)
    c = c.join(conv, on="unit", how="left")
    scope2 = pl.col("type").is_in(list(SCOPE2_TYPES))
    where(scope2 & (pl.col("dimension") != "energy"), "unit", "expected an energy unit such as MWh for a Scope 2 instrument")
    where(~scope2 & ~pl.col("unit").fill_null("").str.to_lowercase().str.replace_all(r"[\s·.]", "").is_in(
        ["tco2e", "tco2", "tonneco2e", "tco2eq", "吨二氧化碳当量", "吨"]), "unit", "expected t CO2e for a carbon credit")  # fmt: skip
    if problems:
        return _empty_instruments(), pl.DataFrame(), problems
    instruments = c.filter(scope2).select(
        pl.col("id"), pl.col("type"), (pl.col("_q") * pl.col("to_base") / 3.6).alias("mwh"),
        pl.col("_factor").alias("factor_kg_per_kwh"), pl.col("facility"), pl.col("region").str.to_uppercase(),
        pl.col("_vintage").alias("vintage"), pl.col("status").str.to_lowercase(),
    )  # fmt: skip
    credits = c.filter(~scope2).with_columns(pl.col("_q").alias("quantity_t"))
    return instruments, credits, []
