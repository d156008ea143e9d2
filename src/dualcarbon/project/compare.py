"""Reading two output folders for ``dualcarbon compare`` and writing what it produces (compare.json,
compare.csv, compare.html): the file side of ``dualcarbon.compare``."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from dualcarbon.compare import SOURCE_COLUMNS, RunResults
from dualcarbon.errors import InputError, msg
from dualcarbon.project.outputs import write_documents
from dualcarbon.project.spreadsheet import neutralise, restore

SUMMARY_SCHEMA = "dualcarbon.summary/1"
# The emission rows' columns the comparison reads (dualcarbon.compare.RunResults).
EMISSION_COLUMNS = ["key", "scope", "category", "scope2_method", "gas", "gwp", "co2e_t", "formula"]
_TEXT = {c: pl.String for c in EMISSION_COLUMNS if c not in ("gwp", "co2e_t")} | {
    "gwp": pl.Float64,
    "co2e_t": pl.Float64,
}


def emission_rows(folder: Path) -> pl.LazyFrame | None:
    """The emission rows of an output folder (emissions.parquet, .csv or .xlsx, whichever the run wrote),
    only the columns the comparison reads; None when the run wrote none (``--emissions none``)."""
    if (folder / "emissions.parquet").is_file():
        return pl.scan_parquet(folder / "emissions.parquet").select(EMISSION_COLUMNS).cast(_TEXT)  # type: ignore[arg-type]
    if (folder / "emissions.csv").is_file():
        header = pl.read_csv(folder / "emissions.csv", n_rows=0).columns
        overrides = {c: _TEXT.get(c, pl.String) for c in header}
        frame = pl.scan_csv(folder / "emissions.csv", schema_overrides=overrides).select(EMISSION_COLUMNS)
        return frame.with_columns(
            pl.when(pl.col(c).str.contains(r"^'[=+\-@\t\r']")).then(pl.col(c).str.slice(1)).otherwise(pl.col(c))
            for c in ("key", "formula", "category")
        )
    if (folder / "emissions.xlsx").is_file():
        sheet = pl.read_excel(folder / "emissions.xlsx", engine="calamine", infer_schema_length=None)
        return restore(sheet.select(EMISSION_COLUMNS).cast(_TEXT)).lazy()  # type: ignore[arg-type]
    return None


def read_run(folder: Path, label: str) -> RunResults:
    """One output folder of ``dualcarbon run`` (its summary.json, sources.csv and emission rows);
    InputError naming the folder or file when it is not one."""
    folder = Path(folder)
    summary_path, sources_path = folder / "summary.json", folder / "sources.csv"
    if not folder.is_dir():
        raise InputError.single(msg("problem.compare.folder"), file=str(folder))
    for path in (summary_path, sources_path):
        if not path.is_file():
            raise InputError.single(msg("problem.compare.missing", name=path.name), file=str(folder))
    try:
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError.single(msg("problem.compare.summary"), file=str(summary_path), value=str(exc)) from None
    if not isinstance(summary, dict) or summary.get("schema") != SUMMARY_SCHEMA:
        found = summary.get("schema") if isinstance(summary, dict) else type(summary).__name__
        raise InputError.single(msg("problem.compare.summary"), file=str(summary_path), column="schema", value=found)
    sources = restore(pl.read_csv(sources_path, infer_schema_length=None, schema_overrides={"scope": pl.String}))
    return RunResults(summary, sources, emission_rows(folder), label)


def sources_table(result: dict) -> pl.DataFrame:
    """compare.csv: the per-source lines of a comparison (``dualcarbon.compare.SOURCE_COLUMNS``)."""
    schema = {c: pl.String for c in SOURCE_COLUMNS} | {
        c: pl.Float64
        for c in SOURCE_COLUMNS
        if c.startswith(("quantity", "co2e")) or c in ("change_t", "method_t", "factor_t", "activity_t")
    }
    return pl.DataFrame(result["sources"], schema=schema)


def write(out_dir: Path, result: dict, html: str) -> list[Path]:
    """compare.json, compare.csv (spreadsheet-safe) and compare.html into ``out_dir``, with a manifest."""
    return write_documents(
        out_dir,
        {
            "compare.json": (json.dumps(result, ensure_ascii=False, indent=2) + "\n").encode(),
            "compare.csv": neutralise(sources_table(result)).write_csv().encode(),
            "compare.html": html.encode(),
        },
    )
