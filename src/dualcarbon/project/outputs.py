"""Write a run's outputs atomically: everything goes to a temporary folder beside ``out/``, which
replaces ``out/`` only when every file is complete. A failure leaves the previous ``out/`` intact."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

import polars as pl

from dualcarbon.inventory import Inventory

TRACE_COLUMNS = [
    "id",
    "_file",
    "_row",
    "facility",
    "date",
    "month",
    "activity",
    "key",
    "kind",
    "quantity",
    "unit",
    "region",
    "scope",
    "category",
    "iso_category",
    "scope2_method",
    "gas",
    "mass_t",
    "gwp",
    "co2e_t",
    "biogenic",
    "factor_ids",
    "factor_sets",
    "region_used",
    "year_used",
    "formula",
    "parameters",
]


def emissions_table(emissions: pl.DataFrame, ordered: bool = False) -> pl.DataFrame:
    """Emission rows with their trace, in the documented column order (``_file``/``_row`` renamed)."""
    cols = [c for c in TRACE_COLUMNS if c in emissions.columns]
    if not ordered:
        emissions = emissions.sort("_idx", "scope2_method", "gas", nulls_last=False)  # input order, stable output
    return emissions.select(cols).rename({"_file": "source_file", "_row": "source_row"})


def write_outputs(
    out_dir: Path,
    inventory: Inventory,
    emissions: pl.DataFrame | Iterable[pl.DataFrame],
    report_html: str | None,
    extra: dict[str, pl.DataFrame] | None = None,
    extra_text: dict[str, str] | None = None,
    files: dict[str, bytes] | None = None,
) -> list[Path]:
    """Write summary.json, emissions.csv, inventory.csv, report.html (and extras) atomically.

    ``extra``: more tables written as CSV; ``extra_text``: more text files (UTF-8), by file name;
    ``files``: more documents (``report.pdf``) as bytes, by file name.

    ``emissions`` is one frame, or batches already in row order (large ledgers), appended in turn.
    """
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
    try:
        (tmp / "summary.json").write_text(
            json.dumps(inventory.summary, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8"
        )
        if isinstance(emissions, pl.DataFrame):
            emissions_table(emissions).write_csv(tmp / "emissions.csv")
        else:
            with open(tmp / "emissions.csv", "wb") as fh:
                for i, batch in enumerate(emissions):
                    emissions_table(batch, ordered=True).write_csv(fh, include_header=i == 0)
        inventory.inventory.write_csv(tmp / "inventory.csv")
        for name, frame in (extra or {}).items():
            frame.write_csv(tmp / name)
        for name, text in (extra_text or {}).items():
            (tmp / name).write_text(text, encoding="utf-8")
        if report_html is not None:
            (tmp / "report.html").write_text(report_html, encoding="utf-8")
        for name, data in (files or {}).items():
            (tmp / name).write_bytes(data)
        _replace_dir(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return sorted(out_dir.iterdir())


def _replace_dir(new: Path, target: Path) -> None:
    """Swap ``new`` into place of ``target`` with renames (atomic on one filesystem)."""
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.replace(target, old)
        os.replace(new, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(new, target)
