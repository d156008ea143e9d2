"""Every bundled example gives the same summary.json, inventory.csv and emissions.csv byte for byte from
three concurrent processes with one, two and the default number of polars threads (issue 13, item 8).
A file of its own (the helpers are test_reproducible.py's), so that the two test workers share the
runs of test_reproducible.py and these."""

from __future__ import annotations

import pytest
from test_reproducible import assert_all_equal, finish, start  # tests/ is on the path (conftest)
from typer.testing import CliRunner

from dualcarbon.cli import app


@pytest.mark.parametrize("name", ["cement-plant", "dairy", "us-office", "daxing-district", "thermal-plant"])
def test_every_example_gives_the_same_bytes_in_every_run(name, tmp_path):
    root = tmp_path / name
    assert CliRunner().invoke(app, ["init", str(root), "--example", name]).exit_code == 0
    outs = [tmp_path / f"out-{i}" for i in range(3)]
    finish(*[start(root, out, threads) for out, threads in zip(outs, [1, 2, None], strict=True)])
    assert_all_equal(outs)
