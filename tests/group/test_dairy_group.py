"""The bundled dairy-group example (docs/examples.md, docs/groups.md): the dairy example split into a farm
(60 % owned, controlled), a processing plant (100 %) and a cold-chain logistics joint venture (50 %, run by the
partner, joint financial control), with a sale of heat (plant → logistics) and of freight (logistics → plant)
within the group.

The split keeps the dairy example's own figures: the farm's and the plant's Scope 1 add up to the dairy
example's 35,099.67 t CO2e and the plant's freight (3.4) is the dairy example's 1,862.0088 t. The consolidation
is checked against a hand computation from the entities' own totals (equity share, GHG Protocol Corporate
Standard Ch. 3): 0.6 x farm + 1.0 x plant + 0.5 x logistics, less 0.5 x 484 t of heat (4,400 GJ x 0.11 t/GJ,
the logistics company's Scope 2 at the lesser share, 50 %) and 0.5 x 1,862.0088 t of freight (the group holds
50 % of the carrier)."""

from __future__ import annotations

import json
import math

from typer.testing import CliRunner

from dualcarbon.cli import app


def test_dairy_group_consolidates_its_three_entities_by_equity_share(tmp_path):
    root = tmp_path / "dairy-group"
    runner = CliRunner()
    result = runner.invoke(app, ["init", str(root), "--example", "dairy-group"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["run", str(root), "--lang", "en"])
    assert result.exit_code == 0, result.output
    summary = json.loads((root / "out" / "summary.json").read_text(encoding="utf-8"))
    group = summary["group"]
    entities = {e["id"]: e for e in group["entities"]}
    assert {k: e["share"] for k, e in entities.items()} == {"farm": 0.6, "plant": 1.0, "logistics": 0.5}
    # the split keeps the dairy example's figures (tests/test_examples.py runs that example)
    assert math.isclose(entities["farm"]["totals"]["scope1"] + entities["plant"]["totals"]["scope1"], 35_099.6655711904)
    eliminated = {x["id"]: x for x in group["eliminations"]}
    assert math.isclose(eliminated["IG-HEAT-2024"]["eliminated_location_t"], 242.0)
    assert math.isclose(eliminated["IG-HEAT-2024"]["eliminated_market_t"], 242.0)
    assert math.isclose(eliminated["IG-FREIGHT-2024"]["eliminated_location_t"], 931.0044)
    for key, less in (("total_location", 242.0 + 931.0044), ("total_market", 242.0 + 931.0044)):
        own = {k: e["totals"][key] for k, e in entities.items()}
        expected = 0.6 * own["farm"] + 1.0 * own["plant"] + 0.5 * own["logistics"] - less
        assert math.isclose(summary["totals"][key], expected, rel_tol=1e-12), key
    assert math.isclose(
        summary["totals"]["scope3"],
        0.6 * entities["farm"]["totals"]["scope3"] + entities["plant"]["totals"]["scope3"] - 931.0044,
        rel_tol=1e-12,
    )
    html = (root / "out" / "report.html").read_text(encoding="utf-8")
    assert "Cold-chain logistics joint venture" in html and "931" in html
    # nothing is written into the entities' folders: the group runs them in memory
    assert not (root / "farm" / "out").exists()


def test_dairy_group_report_holds_no_untranslated_text(tmp_path):
    """The group's report in Chinese holds no English words but units, codes and what the user typed, and in
    English no Chinese but the user's (the checks of tests/i18n/untranslated.py)."""
    from i18n.untranslated import html_text, input_words, untranslated_en, untranslated_zh

    from dualcarbon.project.examples import FOLDER
    from dualcarbon.project.group import run_group
    from dualcarbon.report.group import render_group_report

    root = tmp_path / "dairy-group"
    assert CliRunner().invoke(app, ["init", str(root), "--example", "dairy-group"]).exit_code == 0
    summary = run_group(root, write=False).summary
    typed = input_words(root) | input_words(FOLDER.joinpath("dairy-group"))  # type: ignore[arg-type]
    zh, _ = html_text(render_group_report(summary, "zh"))
    assert untranslated_zh(zh, typed) == []
    en, _ = html_text(render_group_report(summary, "en"))
    assert untranslated_en(en, typed) == []


def test_dairy_group_by_operational_control_is_the_dairy_example(tmp_path):
    """By operational control the farm and the plant count in full and the joint venture, run by the partner,
    not at all; its heat and freight then come from outside the boundary and nothing is eliminated. That is the
    dairy example (farm and plant, freight bought in): the same totals, 59,554.98 t location-based and 56,413.16 t
    market-based (tests/test_examples.py runs it)."""
    from dualcarbon.project.group import run_group

    root = tmp_path / "dairy-group"
    assert CliRunner().invoke(app, ["init", str(root), "--example", "dairy-group"]).exit_code == 0
    toml = root / "dualcarbon.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace('boundary = "equity_share"', 'boundary = "operational_control"'),
        encoding="utf-8",
    )
    summary = run_group(root, write=False).summary
    assert math.isclose(summary["totals"]["total_location"], 59_554.98398802527, rel_tol=1e-12)
    assert math.isclose(summary["totals"]["total_market"], 56_413.16258802527, rel_tol=1e-12)
    assert [x["reason"] for x in summary["group"]["eliminations"]] == ["buyer_outside", "seller_outside"]
