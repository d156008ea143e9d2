"""Writing small project folders for tests: the ``dualcarbon.toml`` every test project needs,
and running a malformed one."""

from __future__ import annotations

import json
from pathlib import Path

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
