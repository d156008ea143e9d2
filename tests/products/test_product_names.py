"""A product's footprint read in Chinese (issue 17): the functional unit (``[product] functional_unit_zh``), the
life-cycle stages (catalogue ``product.stage.*``) and the background processes (the factor library's Chinese
names, ``factor_names.csv``) in the zh outputs of `dualcarbon footprint` (terminal, footprint.json, the claim),
and their English names in en."""

from __future__ import annotations

import json
import shutil
from importlib import resources
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dualcarbon.cli import app
from dualcarbon.factors.library import FactorLibrary
from dualcarbon.factors.search import key_names

EXAMPLES = Path(str(resources.files("dualcarbon").joinpath("examples")))


def footprint(tmp_path: Path, name: str, lang: str) -> tuple[str, dict]:
    root = tmp_path / name
    shutil.copytree(EXAMPLES / name, root)
    result = CliRunner().invoke(
        app, ["footprint", str(root), "--iterations", "0", "--lang", lang], env={"COLUMNS": "250"}
    )
    assert result.exit_code == 0, result.output
    return result.output, json.loads((root / "out" / "footprint.json").read_text(encoding="utf-8"))


def test_milk_in_chinese(tmp_path):
    out, record = footprint(tmp_path, "milk", "zh")
    # [product] functional_unit_zh, in footprint.json beside the functional unit as written
    assert record["functional_unit"] == "1 L packaged milk at retail"
    assert record["functional_unit_zh"] == "1 L 零售包装鲜奶"
    assert record["functional_unit_en"] == "1 L packaged milk at retail"
    assert record["products"][1]["functional_unit_zh"] == "1 kg 原料奶（牧场大门，按脂肪蛋白校正乳 FPCM 计）"
    # the stages by their catalogue names; the background processes by the library's Chinese names
    stages = {r["stage"]: (r["name"], r["name_en"]) for r in record["by_stage"]}
    assert stages["farm"] == ("牧场", "Farm") and stages["processing"] == ("加工", "Processing")
    assert stages["packaging"] == ("包装", "Packaging") and stages["distribution"] == ("配送", "Distribution")
    rows = {r["process"]: r for r in record["by_process"]}
    feed = rows["spend/naics/311119@CN-HL"]
    assert (feed["name"], feed["name_en"]) == ("其他动物饲料制造（精饲料）", "Other Animal Food Manufacturing")
    assert (feed["stage_name"], feed["stage_name_en"]) == ("牧场", "Farm")
    assert rows["spend/naics/326160@CN-HL"]["name"] == "塑料瓶制造"
    assert rows["spend/naics/322211@CN-HL"]["name"] == "瓦楞纸箱和硬纸板箱制造"
    # what the terminal prints: no English functional unit, stage id or boundary id
    assert "1 L 零售包装鲜奶" in out and "从摇篮到大门" in out and "其他动物饲料制造（精饲料）" in out
    assert "packaged milk" not in out and "cradle-to-gate" not in out
    assert "│ farm" not in out and "│ 牧场" in out
    # the label's claim in Chinese names the Chinese functional unit
    claim = record["neutrality"]["claim"]
    assert "每1 L 零售包装鲜奶 0.791 千克" in claim["zh"] and "packaged milk" not in claim["zh"]
    assert "1 L packaged milk at retail" in claim["en"]


def test_milk_in_english(tmp_path):
    out, _ = footprint(tmp_path, "milk", "en")
    assert "1 L packaged milk at retail" in out and "Cradle to gate" in out and "Other Animal Food Manufacturing" in out
    assert "零售包装" not in out and "│ Farm" in out


def test_cement_product_in_chinese(tmp_path):
    out, record = footprint(tmp_path, "cement-product", "zh")
    assert record["functional_unit_zh"] == "1 t 水泥（粉磨站出厂）"
    stages = {r["stage"]: r["name"] for r in record["by_stage"]}
    assert stages == {"raw materials": "原材料", "clinker": "熟料生产", "grinding": "粉磨"}
    names = {r["process"].split("@")[0]: r["name"] for r in record["by_process"]}
    assert names["spend/naics/212312"] == "碎石灰石开采（石灰石矿）"
    assert "1 t cement" not in out and "raw materials" not in out


def test_key_names_fall_back_to_the_parent_and_the_sources_name():
    library = FactorLibrary.load()
    names = key_names(library, ["electricity/grid", "spend/naics/311119", "spend/naics/331110", "no/such/key"])
    assert names["electricity/grid"] == ("外购电力", "Purchased electricity (grid)")
    # not in factor_names.csv: the spend keys' catalogue name with the code; the source's own English name
    assert names["spend/naics/331110"][0] == "外购商品和服务（按支出） 331110"
    assert names["spend/naics/331110"][1].startswith("Iron and Steel Mills")
    assert names["no/such/key"] == ("no/such/key", "no/such/key")


@pytest.mark.parametrize("key", ["functional_unit_zh", "functional_unit_en"])
def test_an_empty_functional_unit_name_is_refused(tmp_path, key):
    root = tmp_path / "milk"
    shutil.copytree(EXAMPLES / "milk", root)
    toml = (root / "dualcarbon.toml").read_text(encoding="utf-8")
    toml = toml.replace('functional_unit_zh = "1 L 零售包装鲜奶"\n', f'{key} = ""\n')
    (root / "dualcarbon.toml").write_text(toml, encoding="utf-8")
    result = CliRunner().invoke(app, ["footprint", str(root), "--iterations", "0", "--lang", "en"])
    assert result.exit_code == 2 and key in result.output
    assert not (root / "out").exists()
