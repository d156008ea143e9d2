"""Registry serial ranges of certificates and credits: their size, and ranges claimed twice.

A serial is a text prefix followed by a number (``GEC2024HE000100001``, ``CCER-14-2023-000501``);
a row covers ``serial_start`` … ``serial_end`` of one prefix in one registry. Two rows whose ranges
overlap claim the same units twice (GHG Protocol Scope 2 Guidance, Quality Criterion 2;
ISO 14068-1:2023 11.3 g), second-hand: rules against double counting).
"""

from __future__ import annotations

import polars as pl

_DIGITS = r"(\d+)$"


def parsed(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with ``_prefix``, ``_s0``, ``_s1`` (null where a serial lacks a trailing number)
    and ``serial_count`` = ``_s1 - _s0 + 1`` when both ends share a prefix."""
    start, end = pl.col("serial_start"), pl.col("serial_end")
    out = frame.with_columns(
        start.str.replace(_DIGITS, "").alias("_prefix"),
        start.str.extract(_DIGITS).cast(pl.Int64, strict=False).alias("_s0"),
        end.str.extract(_DIGITS).cast(pl.Int64, strict=False).alias("_s1"),
        end.str.replace(_DIGITS, "").alias("_prefix_end"),
    )
    same = (pl.col("_prefix") == pl.col("_prefix_end")) & (pl.col("_s1") >= pl.col("_s0"))
    return out.with_columns(pl.when(same).then(pl.col("_s1") - pl.col("_s0") + 1).otherwise(None).alias("serial_count"))


def overlaps(rows: pl.DataFrame, against: pl.DataFrame | None = None) -> pl.DataFrame:
    """Pairs of rows whose serial ranges overlap in the same registry and prefix.

    With ``against`` (e.g. credits of earlier claims), pairs of a row of ``rows`` and a row of
    ``against``; without, pairs within ``rows`` (each pair once, ``_row`` < ``_row_b``). Both
    frames need ``id``, ``_row``, ``registry``, ``serial_start``, ``serial_end``.
    """
    cols = ["id", "_row", "registry", "serial_start", "serial_end"]
    a = parsed(rows.select(cols)).filter(pl.col("_s0").is_not_null() & pl.col("_s1").is_not_null())
    b = (
        a
        if against is None
        else parsed(against.select(cols)).filter(pl.col("_s0").is_not_null() & pl.col("_s1").is_not_null())
    )
    if a.is_empty() or b.is_empty():
        return pl.DataFrame(schema={"id": pl.String, "_row": pl.Int64, "id_b": pl.String, "_row_b": pl.Int64})
    pairs = (
        a.with_columns(pl.col("registry").fill_null(""))
        .join(b.with_columns(pl.col("registry").fill_null("")), on=["registry", "_prefix"], suffix="_b")
        .filter((pl.col("_s0") <= pl.col("_s1_b")) & (pl.col("_s0_b") <= pl.col("_s1")))
    )
    if against is None:
        pairs = pairs.filter(pl.col("_row") < pl.col("_row_b"))
    return pairs.select("id", "_row", "id_b", "_row_b", "serial_start", "serial_start_b").sort("_row", "_row_b")
