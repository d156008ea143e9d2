"""The untranslated-text checks themselves, the Chinese catalogue's punctuation and the user's own
Chinese punctuation (docs/report.md, "Language"; issue 15 point 10). The bundled examples are checked
by test_untranslated_<example>.py and test_untranslated_dashboard.py.
"""

from __future__ import annotations

from untranslated import half_width_in_chinese, html_text, untranslated_en, untranslated_zh


def test_chinese_catalogue_uses_full_width_punctuation():
    """（）：，；？！ next to Chinese characters in every zh message (units and codes stay as written)."""
    from dualcarbon.i18n import catalogue

    found = {key: text for key, text in catalogue("zh").items() if half_width_in_chinese(text)}
    assert found == {}


def test_the_checks_find_what_they_look_for():
    """The checks fail on what issue 15 saw: an English word or an internal code on a Chinese page,
    Chinese on an English page, half-width brackets next to Chinese characters."""
    assert untranslated_zh("范围一 1.stationary 固定燃烧") != []
    assert untranslated_zh("缺少 QES（qes not given）") != []
    assert untranslated_zh("状态为“issued”") != []
    assert untranslated_zh("基准年排放量（base_year_emissions）") != []
    assert untranslated_zh("1,405,714 t CO2e，采用 IPCC 2006 与 GB/T 32150-2015") == []
    assert untranslated_zh("设施 Kiln A", allowed={"Kiln"}) == []
    assert untranslated_en("Scope 1 total 范围一") != []
    assert untranslated_en("Facility 冀东某水泥有限公司", allowed={"冀东某水泥有限公司"}) == []
    assert half_width_in_chinese("排放(基于位置)") != []
    assert half_width_in_chinese("范围二:基于市场") != []
    assert half_width_in_chinese("排放（基于位置）：1,234 t") == []
    assert half_width_in_chinese("应为 category:类别代码") == []  # a selector's syntax
    text, kept = html_text('<p>排放 <span translate="no">IPCC Guidelines</span><script>var x;</script></p>')
    assert "Guidelines" not in text and "var" not in text and "Guidelines" in kept


def test_chinese_punctuation_of_free_text_survives_reading(tmp_path):
    """A note or a source typed with （），：； keeps them (before: NFKC made them "(", ",", ":", ";", so a
    Chinese report showed half-width brackets in the user's own text); codes are still normalised."""
    from dualcarbon.project.reader import read_table

    path = tmp_path / "indicators.csv"
    path.write_text(
        "indicator,year,value,unit,source\npopulation,２０２４,1994000,人,普查（2020 年），见公报；核对：是\n"
    )
    row = read_table(path).row(0, named=True)
    assert row["source"] == "普查（2020 年），见公报；核对：是"
    assert row["year"] == "2024"  # full-width digits of a value become ASCII as before
