"""Reading processes.csv / exchanges.csv into a ProductSystem (project/products.py), checked by a dense solve
of small systems solved by hand: a loop, co-products by allocation and by substitution, activity keys as the
inventory resolves them, and every bad cell an InputError naming file, row and column."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest
from projects import write_settings

from dualcarbon import engine
from dualcarbon.errors import InputError
from dualcarbon.project.load import load
from dualcarbon.project.products import load_product
from dualcarbon.uncertainty.distributions import LOGNORMAL, NORMAL, TRIANGULAR

PRODUCT = '[product]\nreference = "{ref}"\nfunctional_unit = "1 kg"\nboundary = "cradle-to-gate"\n'
HEAD = "process,input,amount,unit,type,uncertainty,gsd,sd,min,max,allocation,source\n"


def project(root: Path, processes: str, exchanges: str, ref: str, extra: str = "", sets=None) -> Path:
    write_settings(root, sets=sets or ["cn_mee_grid", "ipcc2006"], extra=PRODUCT.format(ref=ref) + extra)
    (root / "processes.csv").write_text("id,name,name_en,unit,location,stage\n" + processes, encoding="utf-8")
    (root / "exchanges.csv").write_text(HEAD + exchanges, encoding="utf-8")
    return root


def dense(system):
    """Footprints of one unit of every product by a dense solve of Aᵀx = Bᵀc (DESIGN.md "Products")."""
    n, m = len(system.processes), len(system.flows)
    a = np.zeros((n, n))
    np.add.at(a, (system.technosphere.row, system.technosphere.col), system.technosphere.amount.amount)
    b = np.zeros((m, n))
    np.add.at(b, (system.biosphere.row, system.biosphere.col), system.biosphere.amount.amount)
    x = np.linalg.solve(a.T, b.T @ system.characterisation)
    return {p.id: float(v) for p, v in zip(system.processes, x, strict=True)}


def problems(root: Path) -> list[tuple[str | None, int | None, str | None, str]]:
    with pytest.raises(InputError) as info:
        load_product(root)
    return [(p.file, p.row, p.column, p.message()) for p in info.value.problems]


def test_a_loop(tmp_path):
    # a: 1 kg CO2 and 0.5 kg of b per kg; b: 2 kg CH4 (AR5 GWP 28) and 0.2 kg of a per kg.
    # x_a = 1 + 0.5 x_b, x_b = 56 + 0.2 x_a  →  x_a = 29 / 0.9, x_b = 56 + 0.2 x_a (solved by hand).
    root = project(
        tmp_path / "loop",
        "a,甲,A,kg,,making\nb,乙,B,kg,,making\n",
        "a,a,1,kg,production\na,b,500,g,technosphere\na,CO2,1,kg,biosphere\n"
        "b,b,1,kg,production\nb,a,0.2,kg,technosphere\nb,甲烷,2000,g,biosphere\n",
        "a",
    )
    x = dense(load_product(root).system)
    assert x["a"] == pytest.approx(29 / 0.9, rel=1e-12)
    assert x["b"] == pytest.approx(56 + 0.2 * 29 / 0.9, rel=1e-12)


def test_co_products_by_allocation(tmp_path):
    # farm: 100 kg milk (share 0.8) and 20 kg meat (0.2) from 50 kg biogenic CH4 (× 28) and 100 kg CO2 = 1,500
    # kg CO2e; milk 0.8 × 1500 / 100 = 12, meat 0.2 × 1500 / 20 = 15 kg CO2e/kg (ISO 14044 4.3.4.2).
    # shop: 1.03 kg milk and 0.1 kg CO2 per kg sold: 12.36 + 0.1 = 12.46.
    root = project(
        tmp_path / "alloc",
        "farm,牧场,Farm,a,,farm\nmilk,原料奶,Raw milk,kg,,farm\nshop,零售,Retail,kg,,retail\n",
        "farm,milk,100,kg,production,,,,,,0.8\nfarm,meat,20,kg,production,,,,,,20%\n"
        "farm,CH4_biogenic,50,kg,biosphere,lognormal,1.2\nfarm,CO2,0.1,t,biosphere,normal,,0.01\n"
        "shop,shop,1,kg,production\nshop,milk,1.03,kg,technosphere\nshop,CO2,0.1,kg,biosphere\n",
        "shop",
        extra='report = ["milk", "meat"]\n',
    )
    product = load_product(root)
    system = product.system
    x = dense(system)
    assert x["milk"] == pytest.approx(12.0, rel=1e-12)
    assert x["meat"] == pytest.approx(15.0, rel=1e-12)
    assert x["shop"] == pytest.approx(12.46, rel=1e-12)
    assert "farm" not in x  # split into its co-products
    assert system.processes[system.index("meat")].name_en == "Farm"  # a co-product not in processes.csv
    # the split scales the distributions: σg kept, sd × share
    bio = system.biosphere
    milk, meat = system.index("milk"), system.index("meat")
    ch4 = system.flows.index("CH4_biogenic")
    co2 = system.flows.index("CO2")
    for col, share in ((milk, 0.8), (meat, 0.2)):
        k = np.flatnonzero((bio.row == ch4) & (bio.col == col))[0]
        assert bio.amount.kind[k] == LOGNORMAL and bio.amount.scale[k] == 1.2
        assert bio.amount.amount[k] == pytest.approx(50 * share)
        k = np.flatnonzero((bio.row == co2) & (bio.col == col))[0]
        assert bio.amount.kind[k] == NORMAL
        assert bio.amount.amount[k] == pytest.approx(100 * share) and bio.amount.scale[k] == pytest.approx(10 * share)
    assert system.characterisation[ch4] == 28.0


def test_co_product_by_substitution(tmp_path):
    # boiler: 60 kg CO2 per GJ of heat. plant: 100 kg CO2 per t, and 2 GJ of exported heat that replaces the
    # boiler's (system expansion, ISO 14044 4.3.4.2; ISO 14067 6.4.6.2): 100 − 2 × 60 = −20 kg CO2e per t.
    # The heat given as 2,000 MJ is converted to the boiler's GJ; triangular bounds flip with the sign.
    root = project(
        tmp_path / "subst",
        "boiler,锅炉,Boiler,GJ,,energy\nplant,工厂,Plant,t,,making\n",
        "boiler,boiler,1,GJ,production\nboiler,CO2,60,kg,biosphere\n"
        "plant,plant,1,t,production\nplant,CO2,100,kg,biosphere\n"
        "plant,boiler,2000,MJ,substitution,triangular,,,1500,2500\n",
        "plant",
    )
    system = load_product(root).system
    assert dense(system)["plant"] == pytest.approx(-20.0, rel=1e-12)
    tech = system.technosphere
    k = np.flatnonzero((tech.row == system.index("boiler")) & (tech.col == system.index("plant")))[0]
    assert tech.amount.amount[k] == pytest.approx(2.0)  # an avoided product: positive in A
    assert tech.amount.kind[k] == TRIANGULAR
    assert (tech.amount.low[k], tech.amount.high[k]) == pytest.approx((1.5, 2.5))


def test_activity_keys_resolve_as_inventory_rows(tmp_path):
    # 1,000 kWh of grid electricity and 2 t of diesel in a process located in CN-HL give the same kg CO2e as
    # the same rows of activities.csv do through `dualcarbon run`'s engine (location-based electricity).
    root = project(
        tmp_path / "keys",
        "plant,工厂,Plant,t,CN-HL,making\n",
        "plant,plant,1,t,production\nplant,外购电力,1000,kWh,technosphere\nplant,fuel/diesel,2,t,technosphere\n",
        "plant",
    )
    product = load_product(root)
    footprint = dense(product.system)["plant"]
    inventory = tmp_path / "inventory"
    write_settings(inventory, sets=["cn_mee_grid", "ipcc2006"])
    (inventory / "activities.csv").write_text(
        "id,date,activity,quantity,unit,region\nE1,2024-01-01,外购电力,1000,kWh,CN-HL\n"
        "D1,2024-01-01,fuel/diesel,2,t,CN-HL\n",
        encoding="utf-8",
    )
    p = load(inventory)
    rows = engine.compute(p.activities, p.library, p.settings, p.instruments, p.spend).emissions
    rows = rows.filter(pl.col("scope2_method").is_null() | (pl.col("scope2_method") == "location"))
    assert footprint == pytest.approx(rows["co2e_t"].sum() * 1000, rel=1e-9)
    background = {b.key: b for b in product.background}
    assert set(background) == {"electricity/grid", "fuel/diesel"}
    grid = background["electricity/grid"]
    assert grid.region == "CN-HL" and "cn_mee_grid" in grid.trace["factor_sets"] and grid.trace["citation"]
    assert all(p.background for p in product.system.processes if p.id in {b.id for b in product.background})


def test_biogenic_flows_apart(tmp_path):
    # CO2_biogenic counts 1 (emission +, removal −; ISO 14067:2018 6.4.9.2), CH4_biogenic the set's CH4 GWP:
    # AR6 27.9 (the project's GWP table). 10 − 4 + 2 × 27.9 = 61.8.
    root = project(
        tmp_path / "bio",
        "p,产品,Product,kg,,making\n",
        "p,p,1,kg,production\np,CO2_biogenic,10,kg,biosphere\np,co2_biogenic,-4,kg,biosphere\n"
        "p,CH4_biogenic,2,kg,biosphere\n",
        "p",
    )
    text = (root / "dualcarbon.toml").read_text(encoding="utf-8").replace('gwp = "AR5"', 'gwp = "AR6"')
    (root / "dualcarbon.toml").write_text(text, encoding="utf-8")
    assert dense(load_product(root).system)["p"] == pytest.approx(10 - 4 + 2 * 27.9, rel=1e-12)


def test_every_bad_cell_is_named(tmp_path):
    root = project(
        tmp_path / "bad",
        "farm,牧场,Farm,a,,farm\nshop,零售,Retail,kg,,retail\nidle,闲置,Idle,kg,,x\nmilk,原料奶,Raw milk,kg,,farm\n",
        "farm,milk,100,kg,production,,,,,,0.7\nfarm,meat,20,kg,production,,,,,,0.2\n"  # rows 2, 3: sum 0.9
        "farm,CH4_biogenic,50,kg,biosphere,lognormal,1.0\n"  # row 4: σg must be > 1
        "shop,shop,1,kg,production\nshop,milk,1.03,千米,technosphere\n"  # row 6: km is no mass
        "shp,milk,1,kg,technosphere\n"  # row 7: unknown process
        "shop,fuel/dieesel,1,t,technosphere\n"  # row 8: an activity key mistyped
        "shop,farm,1,kg,technosphere\n"  # row 9: a multi-output process
        "shop,CO3,1,kg,biosphere\n"  # row 10: not a flow
        "shop,CO2,abc,kg,biosphere,weird\n"  # row 11: not a number, not a distribution
        "milk,CO2,1,kg,biosphere\n",  # row 12: the farm's co-product has no exchanges of its own
        "shop",
    )
    found = problems(root)
    places = {(f, r, c) for f, r, c, _ in found}
    assert ("exchanges.csv", 2, "allocation") in places
    assert ("exchanges.csv", 4, "gsd") in places
    assert ("exchanges.csv", 6, "unit") in places
    assert ("exchanges.csv", 7, "process") in places
    assert ("exchanges.csv", 8, "input") in places
    assert ("exchanges.csv", 9, "input") in places
    assert ("exchanges.csv", 10, "input") in places
    assert ("exchanges.csv", 11, "amount") in places and ("exchanges.csv", 11, "uncertainty") in places
    assert ("exchanges.csv", 12, "process") in places
    assert ("processes.csv", 4, "id") in places  # idle: no production
    text = "\n".join(m for *_, m in found)
    assert "add up to 0.9, not 1" in text
    assert "did you mean 'shop'?" in text
    assert "fuel/diesel" in text  # the closest activity key
    assert "name one of milk, meat" in text
    assert "co-product of farm" in text
    assert "did you mean 'CO2'?" in text


def test_reference_must_be_a_product(tmp_path):
    root = project(tmp_path / "ref", "p,产品,Product,kg,,making\n", "p,p,1,kg,production\n", "q")
    assert [(f, c) for f, _, c, _ in problems(root)] == [("dualcarbon.toml", "product.reference")]


def test_full_width_digits_and_gbk(tmp_path):
    # exchanges.csv as a Chinese spreadsheet exports it: GB18030, full-width digits and a thousands separator.
    root = project(tmp_path / "gbk", "p,产品,Product,kg,,making\n", "", "p")
    (root / "exchanges.csv").write_bytes(
        (HEAD + 'p,p,１,kg,production\np,二氧化碳,"1,000",g,biosphere\n').encode("gb18030")
    )
    assert dense(load_product(root).system)["p"] == pytest.approx(1.0, rel=1e-12)
