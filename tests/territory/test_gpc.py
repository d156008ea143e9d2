"""The IPCC → GPC mapping table and the GPC reporting lines (GPC v1.1 2021, Ch. 4; docs/territory.md)."""

from __future__ import annotations

import polars as pl
import pytest

from dualcarbon.factors.library import FactorLibrary
from dualcarbon.model import Organization
from dualcarbon.territory import gpc

# IPCC category codes the spec (territory_spec.md, "Vocabulary") and the model use
SPEC_CODES = [
    "1.A.1", "1.A.1.a", "1.A.2", "1.A.3.a", "1.A.3.b", "1.A.3.c", "1.A.3.d", "1.A.4.a", "1.A.4.b", "1.A.4.c",
    "1.B.1", "1.B.2", "2.A.1", "3.A.1", "3.A.2", "3.B.1.b", "3.C.4", "3.C.5", "3.C.6", "3.C.7", "4.A", "4.B", "4.C",
    "4.D",
]  # fmt: skip


def test_every_code_of_the_table_maps_to_one_subsector_with_lines():
    table = gpc.mapping()
    assert table["ipcc_category"].is_unique().all()
    subsectors = set(gpc.lines()["subsector"].to_list())
    for row in table.iter_rows(named=True):
        assert row["gpc_subsector"] in subsectors, row
        assert gpc.subsector_of(row["ipcc_category"])["gpc_subsector"] == row["gpc_subsector"]
        assert row["cn_sector_zh"] in {"能源活动", "工业生产过程", "农业", "土地利用变化和林业", "废弃物处理"}
        # scope 1 always has a line: in-boundary emissions of every sub-sector are reportable
        assert gpc.line_for(row["gpc_subsector"], "1", row["gpc_line_scope1"]) is not None


def test_every_code_used_by_the_spec_the_model_and_the_catalogue_resolves():
    library = FactorLibrary.load()
    codes = set(SPEC_CODES) | {Organization(name="x").sector}
    if "ipcc_category" in library.catalog.columns:
        codes |= set(library.catalog["ipcc_category"].drop_nulls().to_list())
    for code in sorted(codes):
        row = gpc.subsector_of(code)
        assert row is not None, code
        assert code == row["ipcc_category"] or code.startswith(row["ipcc_category"] + ".")


@pytest.mark.parametrize(
    ("code", "subsector"),
    [
        ("1.A.4.b", "I.1"),
        ("1.A.4.b.i", "I.1"),  # a finer code takes its parent's sub-sector
        ("1.A.1.a", "I.4"),
        ("1.A.3.a", "II.4"),
        ("2.A.1", "IV.1"),
        ("2.F.1", "IV.2"),
        ("3.A.1", "V.1"),
        ("3.B.1.b", "V.2"),
        ("3.C.6", "V.3"),
        ("4.D", "III.4"),
    ],
)
def test_longest_prefix_wins(code, subsector):
    assert gpc.subsector_of(code)["gpc_subsector"] == subsector


def test_bare_sector_codes_are_not_specific_enough():
    assert gpc.subsector_of("1") is None
    assert gpc.subsector_of("1.A") is None
    assert gpc.subsector_of("1.A.3") is None


def test_lines_basic_and_basic_plus():
    lines = gpc.lines()
    assert lines["ref"].is_unique().all()
    by_ref = {r["ref"]: r for r in lines.iter_rows(named=True)}
    # reported apart, in neither total: grid supply and waste from outside the city (GPC Ch. 4)
    for ref in ("I.4.4", "III.1.3", "III.2.3", "III.3.3", "III.4.3", "VI.1"):
        assert not by_ref[ref]["in_basic"] and not by_ref[ref]["in_basic_plus"], ref
    # BASIC: stationary energy and transport scopes 1 and 2, waste scopes 1 and 3
    for ref in ("I.1.1", "I.1.2", "II.1.1", "II.4.2", "III.1.1", "III.1.2", "III.4.2"):
        assert by_ref[ref]["in_basic"] and by_ref[ref]["in_basic_plus"], ref
    # BASIC+ adds IPPU, AFOLU, transboundary transport and T&D losses
    for ref in ("IV.1", "IV.2", "V.1", "V.2", "V.3", "II.4.3", "II.1.3", "I.1.3", "I.4.3"):
        assert by_ref[ref]["in_basic_plus"] and not by_ref[ref]["in_basic"], ref
    # every line's in_basic implies in_basic_plus
    assert lines.filter(pl.col("in_basic") & ~pl.col("in_basic_plus")).height == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I.4.4", ("I.4.4", None)),
        ("IV.1", ("IV.1", None)),
        ("II.4", (None, "II.4")),
        ("II.4:3", ("II.4.3", None)),
        ("III.1:3", ("III.1.2", None)),
        (" V.3 ", ("V.3", None)),
    ],
)
def test_gpc_override_forms(text, expected):
    ref, subsector, error = gpc.parse_override(text)
    assert error is None
    assert (ref, subsector) == expected


@pytest.mark.parametrize("text", ["II.9", "IV.1:3", "II.5:3", "X.1", "I.4.4:2", "residential"])
def test_bad_gpc_override(text):
    assert gpc.parse_override(text)[2]


def test_a_gas_in_another_category_moves_to_its_line():
    """Indirect N2O of manure management (3.C.6, IPCC 2006 Vol. 4 Eq. 10.28) reports under V.3, not
    under its row's V.1, unless the row's gpc column fixed the line."""
    emissions = pl.DataFrame(
        {
            "category": ["3.A.2", "3.C.6", "3.C.6"],
            "ipcc_category": [None, "3.C.6", "3.C.6"],
            "scope": ["1", "1", "1"],
            "gpc": ["V.1", "V.1", "V.1"],
            "gpc_given": [False, False, True],
        }
    )
    assert gpc.emission_lines(emissions)["gpc"].to_list() == ["V.1", "V.3", "V.1"]


def test_classify_rows():
    """Scope 2 for grid energy, VI.1 for spend-based rows, 1 otherwise; the gpc column wins (GPC Ch. 3-4)."""
    rows = pl.DataFrame(
        {
            "_file": ["a.csv"] * 6,
            "_row": [2, 3, 4, 5, 6, 7],
            "sector": ["1.A.4.b", "1.A.4.a", "1.A.1.a", "1.A.3.a", "1.A.2", "4.A"],
            "kind": ["combustion", "electricity", "combustion", "travel", "spend", "waste"],
            "scope": ["1", "2", "1", "3", "3", "3"],
            "category": ["1.stationary", "2.electricity", "1.stationary", "3.6", "3.1", "3.5"],
            "gpc": [None, None, None, "II.4:3", None, "III.1.3"],
        }
    )
    out, problems = gpc.classify(rows)
    assert problems == []
    assert out["gpc"].to_list() == ["I.1.1", "I.2.2", "I.4.4", "II.4.3", "VI.1", "III.1.3"]
    assert out["scope"].to_list() == ["1", "2", "1", "3", "3", "1"]
    assert out["category"].to_list() == out["sector"].to_list()
    assert out["gpc_given"].to_list() == [False, False, False, True, False, True]


def test_classify_problems_name_file_row_and_column():
    rows = pl.DataFrame(
        {
            "_file": ["a.csv"] * 4,
            "_row": [2, 3, 4, 5],
            "sector": ["1.A.4.b", "2.A.1", "9.Z", "1.A.2"],
            "kind": ["combustion", "electricity", "combustion", "combustion"],
            "scope": ["1", "2", "1", "1"],
            "category": ["1.stationary"] * 4,
            "gpc": ["II.9", None, None, "II.5:3"],
        }
    )
    _, problems = gpc.classify(rows)
    found = {(p.file, p.row, p.column, p.value) for p in problems}
    assert found == {("a.csv", 2, "gpc", "II.9"), ("a.csv", 4, "sector", "9.Z"), ("a.csv", 5, "gpc", "II.5:3")}
    # once those are right, grid electricity of a cement plant (2.A.1, IV.1) has no scope 2 line
    _, problems = gpc.classify(rows.filter(pl.col("_row") == 3))
    assert [(p.row, p.column, p.value) for p in problems] == [(3, "sector", "2.A.1")]
    assert "I.3.2" in problems[0].expected
