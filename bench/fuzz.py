"""Fuzzing the readers and the validation of a project folder (hypothesis).

Every input is answered with a table, a project, or an ``InputError`` (exit 2 on the CLI, 422 in
the API): never another exception (an internal error, exit 1), and never more memory than the
cap this process puts on itself (RLIMIT_AS, ``--memory-mib``; past it an allocation fails and
the run stops). Targets:

- ``bytes``: random bytes as a .csv, .tsv, .txt, .xlsx or .parquet file;
- ``mutated``: real CSV, XLSX and Parquet files with bytes flipped, cut or repeated;
- ``csv``: random tables (text from several scripts, quotes, separators, line breaks, control
  characters) in random encodings, read detected or with an encoding set;
- ``xlsx``: random workbooks (openpyxl): text, numbers, dates, blanks, far cells;
- ``parquet``: random frames of random column types (lists, structs, decimals, times ...);
- ``project``: a project folder (``project.load.load``, what an upload's validation calls)
  with a random activities file and a random ``[input]`` table.

    python bench/fuzz.py --examples 20000            # every target, 20,000 examples each
    python bench/fuzz.py --targets csv,xlsx --examples 2000 --seed 1

The file being read is kept as ``--keep DIR/last.<suffix>`` so that an input that kills the
process (an allocation failure in native code aborts it) can be found again.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import decimal
import io
import random
import re
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import polars as pl
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from dualcarbon.errors import InputError
from dualcarbon.project import reader
from dualcarbon.project.limits import MIB, ReadLimits

DAIRY = Path(__file__).resolve().parents[1] / "src" / "dualcarbon" / "examples" / "dairy"
#: The limits every file is read with: what a server would set, well inside the memory cap
#: (the reader's own memory, Python's and polars' come on top of what a file expands to).
LIMITS = ReadLimits(max_expanded_bytes=256 * MIB, max_rows=100_000, origin="the fuzzer")
SUFFIXES = [".csv", ".tsv", ".txt", ".xlsx", ".parquet"]
ENCODINGS = ["utf-8", "utf-8-sig", "gb18030", "gbk", "cp1252", "latin-1", "utf-16", "shift_jis", "big5", "cp1250"]
HEADERS = ["id", "facility", "date", "activity", "quantity", "unit", "region", "note", "编号", "数量", "单位", "日期"]
ACTIVITIES = ["天然气", "柴油", "外购电力", "fuel/diesel", "electricity/grid", "refrigerant/R-410A", "制冷剂R22", "x"]
UNITS = ["t", "吨", "万立方米", "万千瓦时", "kWh", "MWh", "kg", "GJ", "m3", "L", "USD", "xyz", ""]

TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs"])
    | st.sampled_from(list(",;\"'\t\n\r ０１２３４５６７８９，．天然气Zürich€ÌìÈ»Æø\x00\x1a\ufeff")),
    max_size=24,
)


class Fuzz:
    """The targets, each a hypothesis test over files written in ``self.tmp``."""

    def __init__(self, tmp: Path, keep: Path | None):
        self.tmp = tmp
        self.keep = keep
        self.examples = 0
        self.refused = 0
        self.reasons: collections.Counter[str] = collections.Counter()
        self.library = None

    def read(self, data: bytes, suffix: str, limits: ReadLimits = LIMITS) -> None:
        path = self.tmp / f"input{suffix}"
        path.write_bytes(data)
        if self.keep is not None:
            shutil.copyfile(path, self.keep / f"last{suffix}")
        self.answer(lambda: reader.read_table(path, limits=limits))

    def answer(self, call: Callable[[], object]) -> None:
        """The one property: a result or an InputError with a message."""
        self.examples += 1
        try:
            call()
        except BaseException as exc:
            if type(exc).__name__ == "PanicException":  # a BaseException: hypothesis would stop without the input
                raise AssertionError(f"a panic in native code: {exc}") from exc
            if not isinstance(exc, InputError):
                raise
            assert exc.problems and str(exc), "an InputError without a message"
            self.refused += 1
            self.reasons[re.sub(r"'[^']*'|\d[\d,.]*", "…", exc.problems[0].expected)[:70]] += 1

    # -- targets ---------------------------------------------------------------------------

    def bytes_(self, data: bytes, suffix: str) -> None:
        self.read(data, suffix)

    def mutated(self, base: int, edits: list[tuple[int, int, int]], cut: float | None) -> None:
        suffix, data = self.seeds[base % len(self.seeds)]
        buf = bytearray(data)
        for at, value, repeat in edits:
            i = at % len(buf)
            if repeat > 1:  # a slice repeated: lengths and offsets that no longer add up
                buf[i:i] = buf[i : i + 16] * repeat
            else:
                buf[i] = value
        if cut is not None:
            buf = buf[: int(len(buf) * cut)]
        self.read(bytes(buf), suffix)

    def csv(
        self, header: list[str], rows: list[list[str]], ragged: bool, encoding: str, forced: bool, tsv: bool
    ) -> None:
        sep = "\t" if tsv else ","
        if not ragged:  # most tables are rectangular, so that reading goes past the header
            rows = [(row + [""] * len(header))[: len(header)] for row in rows]
        out = io.StringIO()
        for line in [header, *rows]:
            out.write(sep.join(_quoted(cell, sep) for cell in line) + "\n")
        data = out.getvalue().encode(encoding, errors="replace")
        self.read(data, ".tsv" if tsv else ".csv", replace(LIMITS, encoding=encoding if forced else None))

    def xlsx(self, cells: list[tuple[int, int, object]]) -> None:
        from openpyxl import Workbook
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        book = Workbook()
        sheet = book.active
        assert sheet is not None
        for row, col, value in cells:
            if isinstance(value, str):
                value = ILLEGAL_CHARACTERS_RE.sub("", value)
            sheet.cell(row=row, column=col, value=value)
        data = io.BytesIO()
        book.save(data)
        self.read(data.getvalue(), ".xlsx")

    def parquet(self, frame: pl.DataFrame) -> None:
        data = io.BytesIO()
        frame.write_parquet(data)
        self.read(data.getvalue(), ".parquet")

    def project(self, rows: list[list[str]], input_table: str, suffix: str) -> None:
        from dualcarbon.factors.library import FactorLibrary
        from dualcarbon.project.load import load

        if self.library is None:
            self.library = FactorLibrary.load()
        root = self.tmp / "project"
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir()
        (root / "dualcarbon.toml").write_text(
            (DAIRY / "dualcarbon.toml").read_text(encoding="utf-8") + "\n" + input_table, encoding="utf-8"
        )
        header = ["id", "facility", "date", "activity", "quantity", "unit"]
        rows = [[f"A{i}" if i % 7 != 6 else row[0], *row[1:]] for i, row in enumerate(rows)]  # some ids repeat or lack
        frame = pl.DataFrame(rows, schema=header, orient="row")
        if suffix == ".parquet":
            frame.write_parquet(root / "activities.parquet")
        elif suffix == ".xlsx":
            (root / "activities.xlsx").write_bytes(_xlsx(frame))
        else:
            frame.write_csv(root / "activities.csv")
        if self.keep is not None:
            shutil.copytree(root, self.keep / "last-project", dirs_exist_ok=True)
        self.answer(lambda: load(root, library=self.library, limits=LIMITS))

    def seed_files(self) -> None:
        """Valid files of each kind, for ``mutated``."""
        frame = pl.DataFrame(
            {"编号": ["A1", "A2"], "活动": ["天然气", "柴油"], "数量": [1.5, 2.0], "日期": [dt.date(2024, 3, 31)] * 2}
        )
        parquet = io.BytesIO()
        frame.write_parquet(parquet)
        text = frame.write_csv()
        self.seeds = [
            (".csv", text.encode("utf-8")),
            (".csv", text.encode("gb18030")),
            (".parquet", parquet.getvalue()),
            (".xlsx", _xlsx(frame)),
        ]


def _xlsx(frame: pl.DataFrame) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(frame.columns)
    for row in frame.iter_rows():
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row])
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def _quoted(cell: str, sep: str) -> str:
    return '"' + cell.replace('"', '""') + '"' if any(c in cell for c in (sep, '"', "\n", "\r")) else cell


CELL_VALUES = st.one_of(
    TEXT,
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(dt.date(1900, 1, 1), dt.date(9999, 12, 31)),
    st.datetimes(dt.datetime(1900, 1, 1), dt.datetime(9999, 12, 31)),
    st.booleans(),
    st.none(),
)

PARQUET_COLUMNS = st.sampled_from(
    [
        (pl.String, TEXT),
        (pl.Int64, st.integers(-(2**63), 2**63 - 1)),
        (pl.Float64, st.floats()),
        (pl.Date, st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31))),
        (pl.Datetime("us"), st.datetimes()),
        (pl.Boolean, st.booleans()),
        (pl.Time, st.times()),
        (pl.Duration("us"), st.timedeltas(min_value=dt.timedelta(days=-999), max_value=dt.timedelta(days=999))),
        (pl.Decimal(12, 3), st.decimals(-(10**8), 10**8, places=3, allow_nan=False)),
        (pl.List(pl.String), st.lists(TEXT, max_size=3)),
        (pl.Struct({"a": pl.Int64}), st.fixed_dictionaries({"a": st.integers(-100, 100)})),
        (pl.Binary, st.binary(max_size=8)),
        (pl.Categorical, st.sampled_from(["a", "b", "天"])),
        (pl.Null, st.none()),
    ]
)


@st.composite
def frames(draw: st.DrawFn) -> pl.DataFrame:
    names = draw(st.lists(st.one_of(st.sampled_from(HEADERS), TEXT), min_size=1, max_size=6, unique=True))
    height = draw(st.integers(0, 8))
    columns = {}
    for name in names:
        dtype, values = draw(PARQUET_COLUMNS)
        data = draw(st.lists(st.one_of(st.none(), values), min_size=height, max_size=height))
        if dtype == pl.Decimal(12, 3):
            data = [None if v is None else decimal.Decimal(v) for v in data]
        columns[name] = pl.Series(name, data, dtype=dtype)
    return pl.DataFrame(columns)


INPUT_TABLES = st.one_of(
    st.just(""),
    st.builds(
        lambda enc, cols, rows, cell, mib: (
            "[input]\n"
            + (f'encoding = "{enc}"\n' if enc else "")
            + (f"max_columns = {cols}\n" if cols is not None else "")
            + (f"max_rows = {rows}\n" if rows is not None else "")
            + (f"max_cell_chars = {cell}\n" if cell is not None else "")
            + (f"max_expanded_mib = {mib}\n" if mib is not None else "")
        ),
        st.sampled_from([None, *ENCODINGS, "klingon"]),
        st.one_of(st.none(), st.integers(-1, 10)),
        st.one_of(st.none(), st.integers(-1, 10)),
        st.one_of(st.none(), st.integers(0, 20)),
        st.one_of(st.none(), st.floats(0, 2, allow_nan=False)),
    ),
)
ACTIVITY_ROWS = st.lists(
    st.tuples(
        st.one_of(st.sampled_from(["A1", "A2", ""]), TEXT),
        st.one_of(st.sampled_from(["plant", "乳品加工厂", ""]), TEXT),
        st.one_of(st.sampled_from(["2024-03-31", "2024年3月", "20240331", "2023-01-01", "2024-02-30"]), TEXT),
        st.one_of(st.sampled_from(ACTIVITIES), TEXT),
        st.one_of(st.sampled_from(["1", "1,234.5", "-5", "15%", "１２３", "1e400", "nan"]), TEXT),
        st.one_of(st.sampled_from(UNITS), TEXT),
    ).map(list),
    min_size=0,
    max_size=6,
)


def run(
    targets: list[str], examples: int, seed_value: int | None, keep: Path | None, reasons: int = 0
) -> dict[str, tuple[int, int]]:
    """Run ``examples`` examples of each target; (examples, refused) by target."""
    out: dict[str, tuple[int, int]] = {}
    config = settings(
        max_examples=examples,
        deadline=None,
        database=None,
        phases=[Phase.generate, Phase.target, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    with tempfile.TemporaryDirectory(prefix="dualcarbon-fuzz-") as tmp:
        fuzz = Fuzz(Path(tmp), keep)
        fuzz.seed_files()
        tests: dict[str, Callable[[], None]] = {
            "bytes": given(st.binary(max_size=4096), st.sampled_from(SUFFIXES))(fuzz.bytes_),
            "mutated": given(
                st.integers(0, 3),
                st.lists(st.tuples(st.integers(0, 2**31), st.integers(0, 255), st.integers(0, 4)), max_size=8),
                st.one_of(st.none(), st.floats(0, 1)),
            )(fuzz.mutated),
            "csv": given(
                st.lists(st.one_of(st.sampled_from(HEADERS), TEXT), min_size=1, max_size=8, unique=True),
                st.lists(st.lists(TEXT, max_size=9), max_size=8),
                st.booleans(),
                st.sampled_from(ENCODINGS),
                st.booleans(),
                st.booleans(),
            )(fuzz.csv),
            "xlsx": given(
                st.lists(
                    st.tuples(
                        st.integers(1, 40).map(lambda n: {39: 1000, 40: 70000}.get(n, n)),  # a far row now and then
                        st.integers(1, 40).map(lambda n: {39: 300, 40: 600}.get(n, n % 8 + 1)),
                        CELL_VALUES,
                    ),
                    max_size=12,
                )
            )(fuzz.xlsx),
            "parquet": given(frames())(fuzz.parquet),
            "project": given(ACTIVITY_ROWS, INPUT_TABLES, st.sampled_from([".csv", ".xlsx", ".parquet"]))(fuzz.project),
        }
        for name in targets:
            test = settings(config)(tests[name])
            if seed_value is not None:
                test = seed(seed_value)(test)
            before = (fuzz.examples, fuzz.refused)
            test()
            out[name] = (fuzz.examples - before[0], fuzz.refused - before[1])
            for reason, n in fuzz.reasons.most_common(reasons):
                print(f"  {name}: {n:6,} × {reason}")
            fuzz.reasons.clear()
    return out


def cap_memory(mib: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (mib * MIB, mib * MIB))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, default=500, help="examples per target (default 500)")
    parser.add_argument("--targets", default="bytes,mutated,csv,xlsx,parquet,project")
    parser.add_argument("--seed", type=int, default=None, help="a fixed seed (default: random)")
    parser.add_argument("--memory-mib", type=int, default=2048, help="address-space cap of this process")
    parser.add_argument("--keep", type=Path, default=None, help="folder where the file being read is kept")
    parser.add_argument("--reasons", type=int, default=0, help="show the N most frequent reasons for a refusal")
    args = parser.parse_args(argv)
    cap_memory(args.memory_mib)
    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=True)
    seed_value = args.seed if args.seed is not None else random.randrange(2**32)
    print(f"seed {seed_value}, {args.examples} examples a target, address space capped at {args.memory_mib} MiB")
    start = time.perf_counter()
    for name, (n, refused) in run(args.targets.split(","), args.examples, seed_value, args.keep, args.reasons).items():
        print(f"{name:8} {n:7,} examples, {refused:7,} refused with an InputError, the others read")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{time.perf_counter() - start:.1f} s, peak RSS {peak:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
