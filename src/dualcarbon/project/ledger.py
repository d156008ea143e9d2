"""Large typed activity ledgers (Parquet), read batch by batch with bounded memory.

A ledger is one or more Parquet files whose columns already carry types (quantity a number,
dates dates). It is never held whole: each pass streams at most ``batch_rows`` rows at a time
through polars' streaming engine, sums them into partial groups (``collapse``), and keeps only
those. Three passes at most: groups (with the id check), facility shares, and, when outputs
are written, the per-row emission table. The facility pass reads the files again only for
ledgers above ``KEEP_ROWS`` rows (or on Dask); below, the first pass keeps the three narrow
columns it needs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from dualcarbon import collapse, sums
from dualcarbon.errors import InputError, msg
from dualcarbon.project import reader

DEFAULT_BATCH_ROWS = 2_000_000
# The emission pass widens each activity row to ~3 rows × 27 trace columns (~1 KB a row in memory):
# it reads fewer rows at a time than the grouping passes, so that a batch stays near 0.5 GB.
EMISSION_BATCH_ROWS = 250_000
ID_SEED = 7
KEEP_ROWS = 40_000_000  # rows whose facility, weight and group hash stay in memory between passes (~1.3 GB)


def schema(path: Path, name: str) -> dict[str, pl.DataType]:
    """Column → dtype of a Parquet file, with headers mapped as for any activities table."""
    try:
        raw = pl.read_parquet_schema(path)
    except Exception as exc:  # noqa: BLE001 - reported with the file name
        raise InputError.single(msg("problem.parquet_unreadable", why=str(exc)), file=name) from exc
    return {reader.canonical(c): t for c, t in raw.items()}


def rows_in(path: Path | str) -> int:
    """Number of rows of a Parquet file, from its footer."""
    return pq.ParquetFile(path).metadata.num_rows


def magnitude(paths: list[str], column: str) -> float | None:
    """The largest magnitude of a number column (``column`` as ``reader.canonical`` names it) over these
    Parquet files, from their footers' statistics: 0 where the files lack it or hold only nulls in it,
    None when a row group keeps no minimum and maximum of it (the files tell nothing: the sums stay
    128-bit, ``sums.fits_int64``)."""
    largest = 0.0
    for path in paths:
        meta = pq.ParquetFile(path).metadata
        for g in range(meta.num_row_groups):
            group = meta.row_group(g)
            for c in range(group.num_columns):
                chunk = group.column(c)
                if reader.canonical(chunk.path_in_schema) != column:
                    continue
                stats = chunk.statistics
                if stats is not None and stats.has_null_count and stats.null_count == group.num_rows:
                    continue  # nulls only
                if stats is None or not stats.has_min_max:
                    return None
                try:
                    low, high = abs(float(stats.min)), abs(float(stats.max))
                except (TypeError, ValueError):
                    return None
                largest = max(largest, low, high)
    return largest


@dataclass
class Partition:
    """Some files of the ledger, with what every pass over them needs (picklable, for Dask).

    Rows carry a ledger-wide row number in ``_row`` while they are grouped; ``Ledger.locate``
    turns it back into a file name and the row as a spreadsheet shows it.
    """

    paths: list[str]
    first_row: int  # ledger-wide number of the first row of paths[0]
    rows: int
    columns: list[str]
    keys: list[str]
    linear: dict[str, str]
    apart: list[str]
    batch_rows: int = DEFAULT_BATCH_ROWS
    exact: bool = False  # activities looked up by text (``collapse.collapse_keys``)
    kept: list[pl.DataFrame] | None = field(default=None, repr=False)
    weight_bound: float | None = field(default=None, repr=False)  # of ``weight_bounds``

    def weight_bounds(self) -> tuple[float | None, float | None]:
        """The largest magnitudes of a row's terms in the group sums (quantity, weight ``_wr``, NCV;
        the larger of the three) and of its weight alone, from the footers (``magnitude``); None:
        unknown. A row's weight is its quantity times its NCV, or the quantity alone without one."""
        quantity, ncv = magnitude(self.paths, "quantity"), magnitude(self.paths, "ncv")
        if quantity is None or ncv is None:
            return None, None
        weight = quantity * max(ncv, 1.0)
        return max(weight, ncv), weight

    def scans(self, batch_rows: int | None = None) -> Iterator[pl.LazyFrame]:
        """Conformed batches (lazy) of at most ``batch_rows`` rows: every project column, one dtype
        each, ``_file`` (filled in by ``Ledger.locate``) and the ledger-wide ``_row``.

        Files of one schema are read as one stream; otherwise each file is scanned and conformed
        on its own, so that files with other column sets or types (integers here, floats there;
        dates or timestamps) mix.
        """
        step = batch_rows or self.batch_rows
        same = len({tuple(pl.read_parquet_schema(p).items()) for p in self.paths}) == 1
        streams = [(self.paths, self.rows)] if same else [([p], rows_in(p)) for p in self.paths]
        first = self.first_row
        for paths, rows in streams:
            raw = pl.scan_parquet(paths, row_index_name="_row", row_index_offset=first)
            raw = raw.rename({c: reader.canonical(c) for c in raw.collect_schema().names() if c != "_row"})
            raw = raw.with_columns(pl.col("_row").cast(pl.Int64), pl.lit(None, pl.String).alias("_file"))
            for offset in range(0, rows, step):
                yield collapse.conform(raw.slice(offset, step), self.columns)
            first += rows

    def batch_count(self) -> int:
        return sum(1 for _ in self.scans())

    def groups(self, buckets: int = 1, keep: bool = False) -> tuple[pl.DataFrame, list[pl.Series]]:
        """Partial groups of these files, and the hashes of their ids split into ``buckets`` by
        value (hash modulo ``buckets``), for the duplicate check.

        ``keep``: also keep each row's facility, weight and group hash (``collapse.tag``) in memory,
        about 32 bytes a row, so that sharing CO2e out to facilities needs no second read of the
        files; only when the partition has at most ``KEEP_ROWS`` rows.
        """
        keep = keep and self.rows <= KEEP_ROWS
        # 64-bit integer parts when the footers bound the terms (a few per cent of this pass's CPU)
        term, self.weight_bound = self.weight_bounds()
        narrow = sums.fits_int64(term, min(self.batch_rows, self.rows))
        parts: list[pl.DataFrame] = []
        hashes: list[list[pl.Series]] = [[] for _ in range(buckets)]
        kept: list[pl.DataFrame] = []
        for batch in self.scans():
            grouped = collapse.collapse(batch, self.keys, self.linear, self.apart, self.exact, narrow)
            if keep:  # the ids' hashes ride along with the kept rows: one output fewer (0.07 s at 10 M rows)
                tagged = collapse.tag(batch, self.keys, self.linear, self.apart, also=(id_hash(),), exact=self.exact)
                g, t = pl.collect_all([grouped, tagged], engine="streaming")
                kept.append(t.drop("h"))
                h = t.select(pl.col("h").drop_nulls())
            else:
                g, h = pl.collect_all([grouped, batch.select(id_hash().drop_nulls())], engine="streaming")
            if buckets > 1:
                h = h.with_columns((pl.col("h") % buckets).alias("b"))
            parts.append(g)
            if buckets > 1:
                for (b,), piece in h.partition_by("b", as_dict=True).items():
                    hashes[b].append(piece["h"])
            else:
                hashes[0].append(h["h"])
            if len(parts) >= 8:  # keep the partial groups small: combine as we go
                parts = [collapse.combine(parts, self.keys)]
        self.kept = kept if keep else None
        return collapse.combine(parts, self.keys), [
            pl.concat(b, rechunk=False) if b else pl.Series("h", [], pl.UInt64) for b in hashes
        ]

    def facility_lines(self, table: pl.DataFrame, lines: pl.DataFrame, hashed: bool) -> pl.DataFrame:
        """Facility sums of these files (``collapse.facility_lines``), added up batch by batch: from
        the rows kept by ``groups`` when there are, else read again. ``table``, ``lines``: of
        ``collapse.line_table``; ``hashed``: whether its hashes are distinct."""
        if hashed and self.kept is not None:
            batches = [pl.concat(self.kept, rechunk=False).lazy()]  # narrow: one query over all
        else:
            batches = [
                collapse.tag(frame, self.keys, self.linear, self.apart, hashed, exact=self.exact)
                for frame in self.scans()
            ]
        self.kept = None  # used once: the memory is free for what follows
        if self.weight_bound is None:  # on Dask, a worker's copy did the grouping pass
            self.weight_bound = self.weight_bounds()[1]
        narrow = sums.fits_int64(collapse.share_bound(table, self.weight_bound), self.rows)
        total: list[pl.DataFrame] = []
        for batch in batches:
            total.append(collapse.facility_lines(batch, table, lines, self.keys, narrow).collect(engine="streaming"))
            if len(total) >= 8:
                total = [collapse.add_wide(total)]
        return collapse.add_wide(total)

    def rows_where(self, select: Callable[[pl.LazyFrame], pl.LazyFrame]) -> pl.DataFrame:
        return pl.concat(
            [select(collapse.collapse_keys(f, self.linear, self.apart, self.exact)).collect() for f in self.scans()]
        )

    def emission_rows(self, groups: pl.DataFrame, trace: Trace) -> Iterator[tuple[np.ndarray, pa.Table]]:
        """Per activity row × gas, batch by batch, in row order: its group's emission rows (``trace``),
        scaled by the row's share, with the row's own id, facility, date and quantity. Each batch is
        the ledger-wide ``_row`` of every emission row and the table without its source columns
        (``Ledger.emission_rows`` adds them)."""
        table = groups.select(self.keys).with_row_index("_idx").lazy()
        for batch in self.scans(min(self.batch_rows, EMISSION_BATCH_ROWS)):
            rows = (
                collapse.collapse_keys(batch, self.linear, self.apart, self.exact)
                .join(table, on=self.keys, how="inner", nulls_equal=True, maintain_order="left")
                .select(
                    "_idx",
                    "_row",
                    "id",
                    "facility",
                    "date",
                    "quantity",
                    collapse.weight().alias("_wr"),
                    pl.col("ncv").alias("_ncv"),
                    (pl.col("ncv_unit") if "ncv_unit" in self.columns else pl.lit(None, pl.String)).alias("_ncv_unit"),
                )
                .collect()
            )
            if not rows["_row"].is_sorted():  # the join keeps the scan's order; never pair rows out of it
                rows = rows.sort("_row", maintain_order=True)
            yield trace.widen(rows)


@dataclass
class Trace:
    """The groups' emission rows as the emission pass joins them to every activity row.

    Ordered by group, then as the output lists them (method, then gas); the text columns are
    dictionary-encoded once, so that widening a batch of activity rows to its emission rows takes
    4-byte codes (the same dictionaries for every batch, written as dictionary pages), never strings.
    ``start``/``length``: each group's span of trace rows; ``n``/``w``: its row count and weight.
    """

    table: pa.Table
    start: np.ndarray
    length: np.ndarray
    n: np.ndarray
    w: np.ndarray
    mass: np.ndarray
    co2e: np.ndarray
    ncv_ref: np.ndarray  # the trace row's parameters state an NCV (a group's weighted mean)
    parameters: pa.Array  # the dictionary of ``parameters``
    parameter_codes: np.ndarray

    @classmethod
    def of(cls, emissions: pl.DataFrame, groups: int) -> Trace:
        import pyarrow.compute as pc  # here: 60 ms of start-up that a project without a ledger never needs

        own = ["_row", "id", "facility", "date", "_file", "quantity"]
        # a total order: an instrument's part and the rest of one activity's electricity differ by factor only
        frame = emissions.drop(own, strict=False).sort(
            "_idx", "scope2_method", "gas", "factor_ids", "co2e_t", nulls_last=False
        )
        idx = frame["_idx"].cast(pl.Int64).to_numpy()
        length = np.bincount(idx, minlength=groups).astype(np.int64)
        start = np.cumsum(length) - length
        firsts = frame.select("_idx", "_n", "_w").unique("_idx", keep="first").sort("_idx")
        n = np.ones(groups, np.float64)
        w = np.zeros(groups, np.float64)
        at = firsts["_idx"].cast(pl.Int64).to_numpy()
        n[at] = firsts["_n"].cast(pl.Float64).fill_null(1.0).to_numpy()
        w[at] = firsts["_w"].cast(pl.Float64).fill_null(0.0).to_numpy()
        from dualcarbon.project.outputs import TRACE_COLUMNS

        kept = [c for c in TRACE_COLUMNS if c in frame.columns and c not in ("mass_t", "co2e_t", *own)]
        arrow = frame.select(kept).to_arrow()
        columns = {}
        for name in arrow.column_names:
            column = arrow.column(name).combine_chunks()
            if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
                column = pc.dictionary_encode(column.cast(pa.string()))
            columns[name] = column
        parameters = columns.pop("parameters", None)
        if parameters is None:
            parameters = pc.dictionary_encode(pa.nulls(frame.height, pa.string()))
        return cls(
            table=pa.table(columns).combine_chunks(),
            start=start,
            length=length,
            n=n,
            w=w,
            mass=frame["mass_t"].cast(pl.Float64).to_numpy(),
            co2e=frame["co2e_t"].cast(pl.Float64).to_numpy(),
            ncv_ref=frame["parameters"].str.contains("NCV=").fill_null(False).to_numpy()
            if "parameters" in frame.columns
            else np.zeros(frame.height, bool),
            parameters=parameters.dictionary,
            parameter_codes=parameters.indices.to_numpy(zero_copy_only=False),
        )

    def widen(self, rows: pl.DataFrame) -> tuple[np.ndarray, pa.Table]:
        """Activity rows (``_idx``, ``_row``, id, facility, date, quantity, ``_wr``, ``_ncv``,
        ``_ncv_unit``; in row order) → their emission rows: ledger-wide ``_row`` and the table."""
        g = rows["_idx"].cast(pl.Int64).to_numpy()
        length = self.length[g]
        r = np.repeat(np.arange(rows.height), length)  # each activity row, once per emission row of its group
        offset = np.cumsum(length) - length
        t = np.repeat(self.start[g] - offset, length) + np.arange(r.size)  # the group's trace rows in turn
        # a row's share of its group: pro rata to weight, or by count when the group weighs 0 (collapse.row_share)
        wr = rows["_wr"].fill_null(0.0).to_numpy()
        w, n = self.w[g], self.n[g]
        by_count = w == 0
        share = np.where(by_count, 1.0 / n, wr / np.where(by_count, 1.0, w))[r]
        # one chunk per column: a take from a many-chunked array resolves the chunk of every index (20 × slower)
        own = rows.select("id", "facility", "date", "quantity").rechunk().to_arrow().combine_chunks()
        take_rows = pa.array(r)
        traced = self.table.take(pa.array(t))
        columns = {
            "id": own["id"].take(take_rows),
            "facility": own["facility"].take(take_rows),
            "date": own["date"].take(take_rows),
            "quantity": own["quantity"].take(take_rows),
            **{name: traced[name] for name in traced.column_names},
            "mass_t": pa.array(self.mass[t] * share),
            "co2e_t": pa.array(self.co2e[t] * share),
            "parameters": self._parameters(rows, r, t),
        }
        return rows["_row"].to_numpy()[r], pa.table(columns)

    def _parameters(self, rows: pl.DataFrame, r: np.ndarray, t: np.ndarray) -> pa.Array:
        """``parameters``, dictionary-encoded: the group's; where a measured NCV entered the group as a
        weight, the trace shows the group's weighted mean, so each such row also states its own."""
        codes = self.parameter_codes[t]
        has_ncv = rows["_ncv"].is_not_null().to_numpy()[r] & self.ncv_ref[t]
        if not has_ncv.any():
            return pa.DictionaryArray.from_arrays(pa.array(codes, pa.int32()), self.parameters)
        where = np.flatnonzero(has_ncv)
        own = (
            pl.DataFrame(
                {
                    "p": pl.Series(self.parameters.take(pa.array(codes[where]))),
                    "ncv": rows["_ncv"].gather(r[where]),
                    "unit": rows["_ncv_unit"].gather(r[where]),
                }
            )
            .select(
                pl.concat_str(
                    [
                        pl.col("p"),
                        pl.lit("; this row's NCV="),
                        pl.col("ncv").cast(pl.String),
                        pl.lit(" "),
                        pl.col("unit").fill_null(""),
                        pl.lit(" (NCV above: quantity-weighted mean of the rows summed with it)"),
                    ]
                )
            )
            .to_series()
            .to_arrow()
            .cast(pa.string())
        )
        codes = codes.astype(np.int32)
        codes[where] = len(self.parameters) + np.arange(where.size, dtype=np.int32)
        return pa.DictionaryArray.from_arrays(pa.array(codes), pa.concat_arrays([self.parameters, own]))


ID_BUCKET_ROWS = 20_000_000


def id_hash() -> pl.Expr:
    """A row's id as a 64-bit hash (null for a missing id), for ``repeated``; ``Ledger.rows_where``
    finds the rows of a repeated hash with the same expression."""
    return pl.when(pl.col("id").is_not_null()).then(pl.col("id").hash(seed=ID_SEED)).alias("h")


def id_buckets(rows: int) -> int:
    """How many buckets the id hashes of ``rows`` rows are sorted in (bounded memory per sort)."""
    return max(1, -(-rows // ID_BUCKET_ROWS))


def repeated(buckets: list[list[pl.Series]]) -> pl.Series:
    """Values occurring more than once, found by sorting each bucket in turn (a value's
    occurrences all lie in one bucket); each bucket is released once sorted. numpy's sort of
    unsigned integers took half the time of polars' on 10 M hashes (bench/speed.py)."""
    out = [np.empty(0, np.uint64)]
    while buckets:
        pieces = buckets.pop()
        part = np.concatenate([p.to_numpy() for p in pieces]) if pieces else np.empty(0, np.uint64)
        del pieces
        part.sort()  # in place: a copy of 10 M hashes cost more than the sort after the grouping pass
        later = part[1:]
        out.append(np.unique(later[later == part[:-1]]))
        del part, later
    return pl.Series("h", np.concatenate(out), pl.UInt64)


@dataclass
class Ledger:
    """The Parquet activities of a project as partitions, and the groups once summed."""

    names: list[str]
    starts: list[int]  # ledger-wide number of each file's first row
    partitions: list[Partition]
    keys: list[str]
    groups: pl.DataFrame | None = None
    batches: int = field(default=0)

    @classmethod
    def of(
        cls,
        paths: list[Path],
        names: list[str],
        columns: list[str],
        keys: list[str],
        linear: dict[str, str],
        apart: list[str],
        batch_rows: int = DEFAULT_BATCH_ROWS,
        per_file: bool = False,
    ) -> Ledger:
        """One partition over all files (read as one stream), or one per file (for Dask)."""
        sizes = [rows_in(p) for p in paths]
        starts = [sum(sizes[:i]) for i in range(len(sizes))]
        if per_file:
            parts = [
                Partition([str(p)], s, n, columns, keys, linear, apart, batch_rows)
                for p, s, n in zip(paths, starts, sizes, strict=True)
            ]
        else:
            parts = [Partition([str(p) for p in paths], 0, sum(sizes), columns, keys, linear, apart, batch_rows)]
        return cls(names, starts, parts, keys)

    def locate(self, frame: pl.DataFrame) -> pl.DataFrame:
        """``_file`` and ``_row`` as the user knows them, from the ledger-wide row number."""
        at = pl.Series(self.starts, dtype=pl.Int64).search_sorted(frame["_row"], side="right") - 1
        start = pl.Series(self.starts, dtype=pl.Int64).gather(at)
        return frame.with_columns(
            pl.Series("_file", self.names, dtype=pl.String).gather(at),
            (frame["_row"] - start + 2).alias("_row"),  # the header is row 1
        )

    def sum_groups(self, mapper: Callable = map) -> tuple[pl.DataFrame, list[list[pl.Series]]]:
        """Groups of the whole ledger and its id hashes by bucket (``repeated`` finds repeats);
        ``mapper`` may be a distributed map."""
        buckets = id_buckets(sum(p.rows for p in self.partitions))
        local = mapper is map  # on Dask the rows would be kept by a worker's copy, out of reach
        results = list(mapper(lambda p: p.groups(buckets, keep=local), self.partitions))
        self.batches = sum(p.batch_count() for p in self.partitions)
        parts = [r[0] for r in results]
        groups = collapse.combine(parts, self.keys)
        first = self.partitions[0]
        if not first.exact and collapse.misclassified(groups["activity"], first.linear):
            for part in self.partitions:  # a hash collision among the activity texts: again, by text
                part.exact = True
            return self.sum_groups(mapper)
        self.groups = self.locate(groups)
        return self.groups, [[r[1][b] for r in results] for b in range(buckets)]

    def facility_lines(self, rates: pl.DataFrame, mapper: Callable = map) -> pl.DataFrame:
        assert self.groups is not None
        table, lines = collapse.line_table(self.groups, rates, self.keys)
        hashed = collapse.distinct_hashes(table)
        parts = list(mapper(lambda p: p.facility_lines(table, lines, hashed), self.partitions))
        return collapse.sum_facility_lines(pl.concat(parts))

    def emission_rows(self, emissions: pl.DataFrame) -> Iterator[pa.Table]:
        """The emission table of every activity row, batch by batch, in row order: the row's own
        ``source_file``, ``source_row`` (located), id, facility, date and quantity, then its group's trace."""
        assert self.groups is not None
        trace = Trace.of(emissions, self.groups.height)
        starts = np.asarray(self.starts, np.int64)
        files = pa.array(self.names, pa.string())
        for part in self.partitions:
            for row, table in part.emission_rows(self.groups, trace):
                at = np.searchsorted(starts, row, side="right") - 1
                source = {
                    "source_file": pa.DictionaryArray.from_arrays(pa.array(at.astype(np.int32)), files),
                    "source_row": pa.array(row - starts[at] + 2),  # the header is row 1
                }
                yield pa.table({**source, **{name: table[name] for name in table.column_names}})

    def rows_where(self, select: Callable[[pl.LazyFrame], pl.LazyFrame]) -> pl.DataFrame:
        rows = pl.concat([p.rows_where(select) for p in self.partitions], how="diagonal_relaxed")
        return self.locate(rows)
