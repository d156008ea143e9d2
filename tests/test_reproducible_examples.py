"""Every bundled example gives the same summary.json, inventory.csv and emissions.csv byte for byte from
three concurrent processes with one, two and the default number of polars threads (issue 13, item 8).
A file of its own (the helpers are test_reproducible.py's), so that the two test workers share the
runs of test_reproducible.py and these.

Each of the three processes runs every example, one after the other, each in another order (an example's
place in the sequence differs from one process to the next), so a figure that depended on what an earlier
run left in the process would differ too. (A process per run, three per example, spent most of the file's
time starting Python and importing dualcarbon.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_reproducible import assert_all_equal, finish, start_runs  # tests/ is on the path (conftest)
from typer.testing import CliRunner

from dualcarbon.cli import app

EXAMPLES = ["cement-plant", "dairy", "us-office", "daxing-district", "thermal-plant"]
THREADS = [1, 2, None]  # None: polars' default


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Path]]:
    """Each example's output folders, one from each of the three concurrent processes."""
    folder = tmp_path_factory.mktemp("examples")
    for name in EXAMPLES:
        assert CliRunner().invoke(app, ["init", str(folder / name), "--example", name]).exit_code == 0
    outs = {name: [folder / f"{name}-out-{i}" for i in range(len(THREADS))] for name in EXAMPLES}
    processes = []
    for i, threads in enumerate(THREADS):
        order = EXAMPLES[i:] + EXAMPLES[:i]  # each process starts with another example
        processes.append(start_runs([(folder / name, outs[name][i]) for name in order], threads))
    finish(*processes, seconds=600 * len(EXAMPLES))  # each process runs every example
    return outs


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_example_gives_the_same_bytes_in_every_run(name, outputs):
    assert_all_equal(outputs[name])
