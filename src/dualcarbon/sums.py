"""Sums whose result does not depend on the order of their terms.

Floating-point addition is not associative, and polars adds the values of a group in partial sums
per thread, morsel and batch, in an order that varies with the number of threads and from run to
run: the last digit of a total varied with it, so that ``summary.json`` of two runs of the same
project differed. Here each value is split exactly into its integer part and its fraction, the
fraction taken to 2^-90 (about 8e-28), and each part is summed as a 128-bit integer. Integer sums
are exact, so every order of the terms gives the same two integers, and the same float from them.

The split (integer part ``floor(x)``, fraction ``x - floor(x)``) is exact for every value of 1 or
more in magnitude and every value in [0, 1) (the difference is exact by Sterbenz's lemma), except
the digits of the fraction below 2^-90: values above about 1e-13 are summed to the last bit. Between
-1 and 0 the fraction ``x + 1`` is rounded to a double (an error of at most 1.1e-16 per term): the
sum stays order-independent, as every term's two integers are still a function of the term alone
(``floor`` alone is cheaper than a truncation on the ledger passes). The integer parts sum without overflow while the total stays
below 1.7e38 in magnitude and the fractions for up to 2^37 terms.

Partial sums that are added up later (batches of a ledger, partitions on Dask) keep both integer
columns (``parts``, summed again by ``merge``) and become a float once, at the end (``value``).

When every term and the number of terms are known to be small enough (``fits_int64``; the ledger
passes know it from the Parquet statistics), the integer parts are cast and summed as 64-bit
integers: the same integers, for less CPU than the cast of a float to 128 bits, which has no
hardware instruction (``narrow``). The fractions need their 90 bits, and stay 128-bit.
"""

from __future__ import annotations

import polars as pl

FRACTION_BITS = 90
_SCALE = float(2**FRACTION_BITS)
NARROW_LIMIT = 2.0**62  # a bound on |sum| of the integer parts that keeps a 64-bit sum clear of overflow


def fits_int64(bound: float | None, terms: int) -> bool:
    """Whether ``terms`` values of magnitude at most ``bound`` (None: unknown) sum as 64-bit integers."""
    return bound is not None and bound == bound and (abs(bound) + 1.0) * max(terms, 1) < NARROW_LIMIT


def _integer_part(x: pl.Expr) -> pl.Expr:
    return x.floor()


def parts(x: pl.Expr, name: str, narrow: bool = False) -> list[pl.Expr]:
    """Aggregations: the sums of ``x``'s integer parts and of its fractions (in units of 2^-90), as
    128-bit integers ``{name}_i`` and ``{name}_f``.

    ``narrow``: the caller knows that ``fits_int64`` holds for the terms of every group; the integer
    parts are then summed through 64-bit integers (the same sum)."""
    whole = _integer_part(x)
    ints = whole.cast(pl.Int64).sum().cast(pl.Int128) if narrow else whole.cast(pl.Int128).sum()
    return [
        ints.alias(f"{name}_i"),
        ((x - whole) * _SCALE).round().cast(pl.Int128).sum().alias(f"{name}_f"),
    ]


def merge(name: str) -> list[pl.Expr]:
    """Aggregations that add partial sums (``parts``) up."""
    return [pl.col(f"{name}_i").sum(), pl.col(f"{name}_f").sum()]


def value(name: str) -> pl.Expr:
    """The float of partial sums (``parts``) ``name``."""
    return (pl.col(f"{name}_i").cast(pl.Float64) + pl.col(f"{name}_f").cast(pl.Float64) / _SCALE).alias(name)


def exact_sum(x: pl.Expr | str) -> pl.Expr:
    """Aggregation: the sum of ``x``, the same whatever the order of its terms (0.0 for none)."""
    x = pl.col(x) if isinstance(x, str) else x
    whole = _integer_part(x)
    ints = whole.cast(pl.Int128).sum().cast(pl.Float64)
    fractions = ((x - whole) * _SCALE).round().cast(pl.Int128).sum().cast(pl.Float64)
    return ints + fractions / _SCALE


def total(series: pl.Series) -> float:
    """The sum of a series' values (nulls skipped), the same whatever their order or chunks."""
    return float(series.to_frame("x").select(exact_sum("x")).item() or 0.0)
