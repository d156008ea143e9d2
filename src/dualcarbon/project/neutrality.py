"""The files a neutrality claim rests on besides the inventory (docs/neutrality.md, "Settings"):
the base-year ``summary.json`` (``base_year_summary``), the summaries of earlier claims
(``previous_claims``, whose credits must not be used again) and the plan and QES documents.

Paths in ``[neutrality]`` are relative to the project folder. A file that cannot be read as
what it should be is an input error naming the key, the path and what was expected; a plan or
QES document that is missing is not an error but a failed check of the assessment.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from dualcarbon.errors import Problem, msg
from dualcarbon.inventory import SCHEMA
from dualcarbon.model import Settings
from dualcarbon.neutrality import rules
from dualcarbon.neutrality.records import BaseYear, Evidence

SETTINGS_FILE = "dualcarbon.toml"


def _summary(root: Path, key: str, text: str) -> tuple[dict | None, Problem | None]:
    """A ``dualcarbon.summary/1`` record from a path in the settings, or the problem with it."""
    path = root / text
    expected = msg("problem.summary_expected", schema=SCHEMA)
    if not path.is_file():
        return None, Problem(
            SETTINGS_FILE, None, f"neutrality.{key}", text, msg("problem.summary_not_found", expected=expected)
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return None, Problem(
            SETTINGS_FILE, None, f"neutrality.{key}", text, msg("problem.summary_json", why=str(exc), expected=expected)
        )
    if not isinstance(data, dict) or data.get("schema") != SCHEMA or not isinstance(data.get("totals"), dict):
        return None, Problem(SETTINGS_FILE, None, f"neutrality.{key}", text, expected)
    return data, None


def load_evidence(root: Path, settings: Settings) -> tuple[Evidence, list[Problem]]:
    """The evidence of the project folder for the assessment, and the problems found reading it."""
    n = settings.neutrality
    assert n is not None, "called only when [neutrality] is configured"
    problems: list[Problem] = []
    if n.standard not in rules.available():
        problems.append(
            Problem(
                SETTINGS_FILE,
                None,
                "neutrality.standard",
                n.standard,
                msg("problem.one_of", choices=", ".join(rules.available())),
            )
        )
    base = None
    if n.base_year_emissions is not None:
        assert n.base_year is not None, "Neutrality requires base_year with base_year_emissions"
        base = BaseYear(n.base_year, n.base_year_emissions, "base_year_emissions", n.base_year_gwp)
    elif n.base_year_summary is not None:
        data, problem = _summary(root, "base_year_summary", n.base_year_summary)
        if problem:
            problems.append(problem)
        else:
            assert data is not None, "_summary returns a record or a problem"
            year = int(str(data.get("period", {}).get("start", "0"))[:4] or 0)
            if year != n.base_year:
                problems.append(
                    Problem(
                        SETTINGS_FILE,
                        None,
                        "neutrality.base_year_summary",
                        n.base_year_summary,
                        msg("problem.summary_year", year=year, base_year=n.base_year),
                    )
                )
            total = data["totals"].get(f"total_{n.scope2_basis}")
            if not isinstance(total, int | float) or total <= 0:
                problems.append(
                    Problem(
                        SETTINGS_FILE,
                        None,
                        "neutrality.base_year_summary",
                        n.base_year_summary,
                        msg("problem.summary_total", basis=n.scope2_basis),
                    )
                )
            else:
                boundary = (data.get("organization") or {}).get("boundary")
                base = BaseYear(year, float(total), n.base_year_summary, data.get("gwp_set"), boundary)
    previous = []
    for text in n.previous_claims:
        data, problem = _summary(root, "previous_claims", text)
        if problem:
            problems.append(problem)
            continue
        assert data is not None, "_summary returns a record or a problem"
        claimed = (data.get("neutrality") or {}).get("credits")
        if claimed is None:
            problems.append(
                Problem(
                    SETTINGS_FILE,
                    None,
                    "neutrality.previous_claims",
                    text,
                    msg("problem.summary_no_neutrality"),
                )
            )
            continue
        previous += [
            {
                "id": c.get("id"),
                "_row": i,
                "registry": c.get("registry"),
                "serial_start": c.get("serial_start"),
                "serial_end": c.get("serial_end"),
                "claim": text,
            }
            for i, c in enumerate(claimed)
        ]
    documents = {key: bool(getattr(n, key)) and (root / getattr(n, key)).is_file() for key in ("plan", "qes")}
    evidence = Evidence(base, documents)
    if previous:
        frame = pl.DataFrame(previous, schema=evidence.previous_credits.schema)
        evidence = Evidence(base, documents, frame)
    return evidence, problems
