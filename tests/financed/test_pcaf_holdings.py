"""holdings.csv and the benchmark file: every bad cell named by file, row, column and what was expected,
all collected in one pass; nothing typed while a problem remains."""

from __future__ import annotations

from pathlib import Path

from dualcarbon.financed import holdings

HEADER = (
    "id,asset_class,counterparty,outstanding,currency,evic,total_equity_debt,property_value,revenue,"
    "scope1,scope2,scope3,lulucf,ppp_gdp,emissions_basis,data_quality,sector,year"
)


def problems_of(tmp_path: Path, rows: list[str], header: str = HEADER) -> list[tuple]:
    path = tmp_path / "holdings.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    frame, problems = holdings.load_holdings(path)
    assert frame.height == 0 or not problems
    return [(p.file, p.row, p.column, p.value, p.message()) for p in problems]


def test_every_bad_cell_is_named(tmp_path):
    rows = [
        "A,listed_equity,Co,100,CNY,1000,,,,10,10,,,,reported,,materials,2024",  # row 2: fine
        "B,listed_equty,Co,100,CNY,1000,,,,10,10,,,,reported,,materials,2024",  # row 3: asset class typo
        "C,listed_equity,Co,-5,CNY,1000,,,,10,10,,,,reported,,materials,2024",  # row 4: negative amount
        "D,corporate_bond,Co,100,CNY,,,,,10,10,,,,reported,,materials,2024",  # row 5: no EVIC
        "E,listed_equity,Co,100,CNY,1000,,,,ten,10,,,,reported,,materials,2024",  # row 6: not a number
        "F,listed_equity,Co,100,CNY,1000,,,,10,10,,,,rumour,7,steel,24",  # row 7: basis, score, sector, year
        "A,mortgage,Co,100,CNY,,,500,,,1,,,,reported,,households,2024",  # row 8: id twice, scope1 blank
        "G,listed_equity,Co,100,USD,1000,,,,10,10,,5,,reported,,materials,2024",  # row 9: currency, lulucf
        "H,business_loan,Co,100,CNY,,,,,,,,,,sector_average,,,2024",  # row 10: denominator, estimate inputs
    ]
    found = {(row, column) for _, row, column, _, _ in problems_of(tmp_path, rows)}
    assert found == {
        (3, "asset_class"),
        (4, "outstanding"),
        (5, "evic"),
        (6, "scope1"),
        (7, "emissions_basis"),
        (7, "data_quality"),
        (7, "sector"),
        (7, "year"),
        (2, "id"),
        (8, "id"),
        (8, "scope1"),
        (9, "currency"),
        (9, "lulucf"),
        (10, "evic"),
        (10, "revenue"),
        (10, "sector"),
    }
    messages = {(row, column): text for _, row, column, _, text in problems_of(tmp_path, rows)}
    assert (
        messages[(5, "evic")]
        == "holdings.csv, row 5, column evic: a corporate_bond holding needs its attribution denominator: evic"
    )
    assert (
        messages[(4, "outstanding")]
        == "holdings.csv, row 4, column outstanding: '-5': expected a number of zero or more"
    )


def test_unknown_and_missing_columns(tmp_path):
    found = problems_of(tmp_path, ["A,listed_equity,100"], header="id,asset_class,outstandng")
    assert [(r, c) for _, r, c, _, _ in found] == [(1, "outstanding"), (1, "outstandng")]
    assert "did you mean 'outstanding'" in found[1][4]


def test_messages_in_chinese(tmp_path):
    path = tmp_path / "holdings.csv"
    path.write_text(HEADER + "\nD,corporate_bond,Co,100,CNY,,,,,10,10,,,,reported,,materials,2024\n", encoding="utf-8")
    _, problems = holdings.load_holdings(path)
    assert problems[0].message("zh") == "holdings.csv，第 2 行，列 evic：corporate_bond 类持仓需给出归因分母：evic"


def test_benchmark_problems(tmp_path):
    path = tmp_path / "benchmark.csv"
    path.write_text("counterparty,weight,revenue,scope1,scope2,sector\nA,x,10,1,1,materials\nB,0.5,0,1,,nowhere\n")
    _, problems = holdings.load_benchmark(path)
    assert {(p.row, p.column) for p in problems} == {(2, "weight"), (3, "revenue"), (3, "scope2"), (3, "sector")}
