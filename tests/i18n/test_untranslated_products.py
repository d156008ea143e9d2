"""The product examples' footprints (`dualcarbon footprint`, issue 17) in Chinese and in English: the terminal's
output and report.html hold no untranslated text (the checks of untranslated.py, as for the inventory examples):
no English word in Chinese beyond units, codes and what the user typed, no Chinese in English beyond what the
user typed."""

from __future__ import annotations

import shutil

import pytest
from exampleruns import EXAMPLES_DIR
from typer.testing import CliRunner
from untranslated import LATIN_WORD, html_text, input_words, untranslated_en, untranslated_zh

from dualcarbon.cli import app

#: a setting's name in a check's reason (its digits keep it from untranslated.SETTING)
SETTING_NAMES = ("[product] base_footprint_kg_co2e",)


@pytest.mark.parametrize("example", ["milk", "cement-product"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_footprint_output_and_report_are_in_the_language(tmp_path, example, lang):
    root = tmp_path / example
    shutil.copytree(EXAMPLES_DIR / example, root)
    result = CliRunner().invoke(
        app, ["footprint", str(root), "--iterations", "50", "--lang", lang], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    typed = input_words(EXAMPLES_DIR / example)
    html = (root / "out" / "report.html").read_text(encoding="utf-8")
    for name in SETTING_NAMES:
        html = html.replace(name, " ")
    text, kept = html_text(html)
    if lang == "zh":
        assert untranslated_zh(result.output, typed) == []
        assert untranslated_zh(text, typed | set(LATIN_WORD.findall(kept))) == []
    else:
        assert untranslated_en(result.output, typed) == []
        assert untranslated_en(text, typed) == []
