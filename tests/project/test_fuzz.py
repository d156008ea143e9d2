"""Fuzzing the readers and the validation of a project folder (``bench/fuzz.py``, hypothesis):
random bytes, random CSV, XLSX and Parquet shapes in random encodings, and project folders as an
upload's validation loads them. Every input gives a table, a project or an ``InputError`` (exit 2
on the CLI), never an internal error; the run is a child process whose address space is capped,
so an input that takes more memory than the limits allow fails it.

A bounded number of examples runs here, with a fixed seed; ``python bench/fuzz.py --examples
20000`` runs longer with a random one.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import dualcarbon

FUZZ = Path(__file__).resolve().parents[2] / "bench" / "fuzz.py"


def test_every_input_is_read_or_refused_with_a_message(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(Path(dualcarbon.__file__).parents[1])}
    command = [sys.executable, str(FUZZ), "--examples", "25", "--seed", "0", "--memory-mib", "2048"]
    done = subprocess.run([*command, "--keep", str(tmp_path)], capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, (done.stdout + done.stderr)[-6000:]
    counts = dict(re.findall(r"^(\w+) +([\d,]+) examples", done.stdout, re.MULTILINE))
    assert counts == dict.fromkeys(["bytes", "mutated", "csv", "xlsx", "parquet", "project"], "25"), done.stdout
