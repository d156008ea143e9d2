"""The checks of one example's runs in Chinese and in English (exampleruns.py makes them): the CLI's
output, report.html and the text of report.pdf hold no untranslated text (docs/report.md, "Language";
issue 15 point 10). The problems of invalid input (the "  • " lines) are left to their own tests.

Each test_untranslated_<example>.py collects these checks and gives them its example (the fixture
``example``): a file per example, so that the two test workers share the examples' runs.
"""

from __future__ import annotations

__all__ = [  # what each test_untranslated_<example>.py collects (``from examplechecks import *``)
    "test_chinese_cli_output_is_chinese",
    "test_chinese_reports_are_chinese",
    "test_chinese_pdf_is_chinese",
    "test_english_output_and_reports_hold_no_chinese",
]

from exampleruns import EXAMPLES_DIR
from untranslated import (
    LATIN_WORD,
    half_width_in_chinese,
    html_text,
    input_texts,
    input_words,
    untranslated_en,
    untranslated_zh,
    without_typed,
)


def _problem_free(output: str) -> str:
    """The CLI's output without the lines of invalid-input problems (localised and tested on their own)."""
    return "\n".join(line for line in output.splitlines() if not line.startswith("  • "))


def _typed(example: str) -> set[str]:
    return input_words(EXAMPLES_DIR / example)


def test_chinese_cli_output_is_chinese(runs, example):
    result = runs[(example, "zh")]
    for name in ("run", "pathway"):
        output = _problem_free(result[name])
        found = untranslated_zh(output, _typed(example))
        assert found == [], f"{example} `{name} --lang zh`: " + "\n".join(found)
        found = half_width_in_chinese(without_typed(output, input_texts(EXAMPLES_DIR / example)))
        assert found == [], f"{example} `{name} --lang zh`: half-width punctuation: " + "\n".join(found)


def test_chinese_reports_are_chinese(runs, example):
    result = runs[(example, "zh")]
    reports = {"report.html": result["report"], "pathway report.html": result["pathway_report"]}
    for name, html in reports.items():
        if html is None:
            continue
        text, kept = html_text(html)
        found = untranslated_zh(text, _typed(example) | set(LATIN_WORD.findall(kept)))
        assert found == [], f"{example} {name}: " + "\n".join(found)
        prose = without_typed(html_text(html, math=False)[0], input_texts(EXAMPLES_DIR / example))
        found = half_width_in_chinese(prose)
        assert found == [], f"{example} {name}: half-width punctuation in Chinese text: " + "\n".join(found)


def test_chinese_pdf_is_chinese(runs, example):
    """The PDF's text as pypdfium2 reads it back: no word that report.html does not allow (its citations,
    ``translate="no"``, are the PDF's too)."""
    result = runs[(example, "zh")]
    text, kept = html_text(result["report"])
    assert "温室气体排放清单" in result["pdf"]
    # a word the PDF breaks at a line end ("livestock/ent" "eric/...") is a part of a word of the report
    typed = _typed(example) | set(LATIN_WORD.findall(kept))
    words = " ".join(w for w in LATIN_WORD.findall(f"{text} {kept}") if w in typed or not untranslated_zh(w, typed))
    found = untranslated_zh(result["pdf"], typed, fragments=words)
    assert found == [], f"{example} report.pdf: " + "\n".join(found)


def test_english_output_and_reports_hold_no_chinese(runs, example):
    result = runs[(example, "en")]
    typed = _typed(example)
    for name in ("run", "pathway"):
        if result[name] is not None:
            found = untranslated_en(result[name], typed)
            assert found == [], f"{example} `{name} --lang en`: " + "\n".join(found)
    for name in ("report", "pathway_report"):
        if result[name] is not None:
            text, _ = html_text(result[name])
            found = untranslated_en(text, typed)
            assert found == [], f"{example} {name}: " + "\n".join(found)
