"""`dualcarbon init`, `factors show` and `factors sets` in Chinese and English: every word from the
locale catalogues (``cli.init.*``, ``cli.factor.*``, ``cli.sets.*``)."""

from __future__ import annotations

from typer.testing import CliRunner

from dualcarbon.cli import app


def test_init_speaks_the_examples_language_or_lang(tmp_path):
    made = CliRunner().invoke(app, ["init", str(tmp_path / "d"), "--example", "dairy"])
    assert made.exit_code == 0 and "已根据示例 dairy 创建" in made.output  # the dairy example reports in zh
    again = CliRunner().invoke(app, ["init", str(tmp_path / "d"), "--example", "dairy", "--lang", "zh"])
    assert again.exit_code == 2 and "已存在且不为空" in again.output
    again = CliRunner().invoke(app, ["init", str(tmp_path / "d"), "--example", "dairy"])
    assert again.exit_code == 2 and "exists and is not empty" in again.output
    unknown = CliRunner().invoke(app, ["init", str(tmp_path / "e"), "--example", "nope", "--lang", "zh"])
    assert unknown.exit_code == 2 and "没有示例 nope" in unknown.output and "cement-plant" in unknown.output
    made = CliRunner().invoke(app, ["init", str(tmp_path / "u"), "--example", "us-office", "--lang", "en"])
    assert made.exit_code == 0 and "Created" in made.output and "from example us-office" in made.output


def test_factors_show_and_sets_in_both_languages():
    zh = CliRunner().invoke(app, ["factors", "show", "天然气", "--region", "CN", "--lang", "zh"])
    assert zh.exit_code == 0
    assert "来源：" in zh.output and "编号：gbt32150:" in zh.output and "source:" not in zh.output
    en = CliRunner().invoke(app, ["factors", "show", "fuel/natural_gas", "--region", "CN", "--lang", "en"])
    assert en.exit_code == 0 and "source: " in en.output and "id: gbt32150:" in en.output
    missing = CliRunner().invoke(app, ["factors", "show", "no/such/key", "--lang", "zh"])
    assert missing.exit_code == 1 and "没有 no/such/key 的排放因子" in missing.output
    sets = CliRunner().invoke(app, ["factors", "sets", "--lang", "zh"])
    assert sets.exit_code == 0 and "因子集" in sets.output and "gbt32150" in sets.output
    sets = CliRunner().invoke(app, ["factors", "sets"])
    assert sets.exit_code == 0 and "factor set" in sets.output
