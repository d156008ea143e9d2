"""Writing small project folders for tests: the ``dualcarbon.toml`` every test project needs,
and running a malformed one."""

from __future__ import annotations

import io
import json
from pathlib import Path

import polars as pl
from typer.testing import CliRunner

from dualcarbon.cli import app


def write_settings(
    root: Path,
    *,
    sets: list[str],
    name: str = "Test",
    country: str = "CN",
    sector: str | None = None,
    start: str = "2024-01-01",
    end: str = "2024-12-31",
    gwp: str = "AR5",
    extra: str = "",
) -> Path:
    """Create ``root`` (if needed) with a ``dualcarbon.toml`` (docs/file-formats.md)."""
    root.mkdir(parents=True, exist_ok=True)
    lines = ["[organization]", f'name = "{name}"', f'country = "{country}"']
    if sector:
        lines.append(f'sector = "{sector}"')
    lines += [
        "[period]",
        f"start = {start}",
        f"end = {end}",
        "[method]",
        f'gwp = "{gwp}"',
        f"factor_sets = {json.dumps(sets)}",
        extra,
    ]
    (root / "dualcarbon.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def assert_input_error(root: Path, expect: list[str]) -> None:
    """``dualcarbon run root``: exit 2, every text of ``expect`` in the message, nothing written."""
    result = CliRunner().invoke(app, ["run", str(root), "--lang", "en"])
    assert result.exit_code == 2, result.output
    output = " ".join(result.output.split())  # rich wraps long lines
    for text in expect:
        assert text in output, f"{text!r} not in {output!r}"
    assert not (root / "out").exists()


def depots_toml(name: str) -> str:
    """dualcarbon.toml of a Chinese organisation whose depots burn diesel (``depot_activities``)."""
    return f"""[organization]
name = "{name}"
country = "CN"
region = "CN-NCG"

[period]
start = 2024-01-01
end = 2024-12-31

[method]
gwp = "AR5"
factor_sets = ["gbt32150", "cn_mee_grid", "ipcc2006"]
"""


def depot_activities(names: list[str], dates: list[str]) -> bytes:
    """activities.csv: diesel at each depot on each date, 1 t more at each depot than at the one before."""
    rows = [(name, date, 10.0 + i) for date in dates for i, name in enumerate(names)]
    frame = pl.DataFrame(
        {
            "id": [f"D{k}" for k in range(len(rows))],
            "facility": [r[0] for r in rows],
            "date": [r[1] for r in rows],
            "activity": ["柴油"] * len(rows),
            "quantity": [r[2] for r in rows],
            "unit": ["吨"] * len(rows),
        }
    )
    out = io.BytesIO()
    frame.write_csv(out)
    return out.getvalue()
