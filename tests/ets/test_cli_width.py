"""`dualcarbon run` of the thermal-plant example in an 80-column terminal: the ETS units table keeps every
header whole (no header cut off with an ellipsis), in Chinese and English; the units of its figures stand
in the caption below it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dualcarbon.cli import app
from dualcarbon.i18n import translator

EXAMPLE = Path(__file__).resolve().parents[2] / "src" / "dualcarbon" / "examples" / "thermal-plant"
HEADERS = ("unit", "emissions", "intensity_power", "intensity_heat", "allowance", "surplus")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_ets_table_is_whole_at_80_columns(tmp_path, lang):
    root = tmp_path / "plant"
    shutil.copytree(EXAMPLE, root)
    result = CliRunner().invoke(app, ["run", str(root), "--lang", lang], env={"COLUMNS": "80", "NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    t = translator(lang)
    start = next(i for i, line in enumerate(lines) if t("ets.report.title") in line)
    end = next(i for i in range(start, len(lines)) if lines[i].startswith("└"))
    table = lines[start : end + 3]
    assert all(len(line) <= 80 for line in table)
    assert not any("…" in line for line in table), "\n".join(table)
    # each header, its words possibly wrapped over lines, is there in full
    header = lines[start + 1 : next(i for i in range(start, end) if lines[i].startswith("┡"))]
    cells = [
        " ".join(part.strip() for part in col)
        for col in zip(*(line.split("┃")[1:-1] for line in header[1:]), strict=True)
    ]
    expected = [t(f"ets.cli.col.{key}") for key in HEADERS]
    assert ["".join(c.split()) for c in cells] == ["".join(e.split()) for e in expected]
    assert "U1" in "\n".join(table) and "2,454,175" in "\n".join(table)
    caption = "".join("".join(lines[end + 1 : end + 4]).split())
    assert "".join(t("ets.cli.caption").split()) in caption
