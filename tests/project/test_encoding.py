"""Encodings of CSV files (issue 13): detected without a setting when only one reading is
plausible, refused with a sample in each candidate encoding when not, or set by ``[input] encoding``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from projects import assert_input_error

import dualcarbon
from dualcarbon.errors import InputError
from dualcarbon.project import encoding, reader
from dualcarbon.project.limits import ReadLimits
from dualcarbon.project.load import load

EXAMPLES = Path(dualcarbon.__file__).parent / "examples"
ZURICH = "id,facility,activity,quantity,unit,date\nA1,Zürich office,electricity/grid,1200,kWh,2024-03-31\n"


def test_a_windows_1252_file_is_read_as_such(tmp_path):
    """Read as GB18030 before: 'Zürich office' became 'Z黵ich office'."""
    path = tmp_path / "a.csv"
    path.write_bytes(ZURICH.encode("cp1252"))
    assert reader.read_table(path)["facility"].to_list() == ["Zürich office"]


@pytest.mark.parametrize(
    "text",
    [
        "id,facility\nA1,Zürich office\n",
        "id,note\nA1,Grüße aus Köln, Größe\n",
        "id,facility,note\nA1,Siège social,électricité réseau été\nA2,Usine Lyon,gaz naturel chaudière\n",
        "id,note\nA1,Año de fundación, Peñalolén, Ñuñoa\n",
        "id,note\nA1,Ærø Ålborg Øst\n",
    ],
)
def test_western_european_text_is_detected(text):
    assert encoding.decode(text.encode("cp1252"), "a.csv") == text


@pytest.mark.parametrize(
    "text",
    [
        'id,activity,quantity,unit,date\nA1,天然气,"1,234.5",万立方米,2024年3月31日\n',
        "id,facility\nA1,厂\n",
        "id,quantity,note\nA1,１２３，４,（备注）：天然气\n",
        "id,facility\nA1,北京堃喆科技有限公司,天然气\n",  # two characters outside GB2312 among 12
    ],
)
def test_chinese_text_is_detected(text):
    assert encoding.decode(text.encode("gb18030"), "a.csv") == text


@pytest.mark.parametrize(
    "example", ["dairy/activities.csv", "daxing-district/activities.csv", "daxing-district/sinks.csv"]
)
def test_chinese_exports_of_the_examples_read_as_in_utf8(tmp_path, example):
    text = (EXAMPLES / example).read_text(encoding="utf-8")
    (tmp_path / "gbk.csv").write_bytes(text.encode("gb18030"))
    (tmp_path / "utf8.csv").write_bytes(text.encode("utf-8-sig"))
    assert reader.read_table(tmp_path / "gbk.csv").equals(reader.read_table(tmp_path / "utf8.csv"))


def test_an_ambiguous_file_is_refused_with_a_sample_in_each_encoding(tmp_path):
    """'A1,天' in GB18030 is 'A1,Ìì' in Windows-1252: both plausible, so neither is chosen."""
    path = tmp_path / "a.csv"
    path.write_bytes("id,facility\nA1,天\n".encode("gb18030"))
    with pytest.raises(InputError) as info:
        reader.read_table(path)
    message = str(info.value)
    assert message.startswith("a.csv, row 2: the encoding is ambiguous")
    assert "as GB18030 (Chinese, GBK) it reads 'A1,天'" in message
    assert "as Windows-1252 (Western European) it reads 'A1,Ìì'" in message
    assert 'set [input] encoding = "gb18030" or "cp1252"' in message


@pytest.mark.parametrize(
    ("raw", "samples"),
    [
        ("id,facility\nA1,東京電力株式会社\n".encode("shift_jis"), ["'A1,搶嫗揹椡姅幃夛幮'", "'A1,“Œ‹ž“d—ÍŠ”Ž®‰ïŽÐ'"]),
        ("id,facility\nA1,臺北市政府環境保護局\n".encode("big5"), ["as GB18030", "as Windows-1252"]),
    ],
)
def test_other_encodings_are_refused_not_misread(tmp_path, raw, samples):
    path = tmp_path / "a.csv"
    path.write_bytes(raw)
    with pytest.raises(InputError) as info:
        reader.read_table(path)
    assert str(info.value).startswith("a.csv, row 2: cannot decode the file: it is not UTF-8")
    for sample in samples:
        assert sample in str(info.value)


def dairy(tmp_path: Path, activities: bytes, input_table: str = "") -> Path:
    root = tmp_path / "p"
    shutil.copytree(EXAMPLES / "dairy", root)
    (root / "credits.csv").unlink()
    (root / "activities.csv").write_bytes(activities)
    if input_table:
        with (root / "dualcarbon.toml").open("a", encoding="utf-8") as toml:
            toml.write(f"\n[input]\n{input_table}\n")
    return root


AMBIGUOUS = "id,facility,date,activity,quantity,unit\nA1,天,2024-03-31,柴油,1,吨\n"


def test_the_encoding_setting_reads_an_ambiguous_file(tmp_path):
    root = dairy(tmp_path, AMBIGUOUS.replace("柴油", "diesel").replace("吨", "t").encode("gb18030"))
    assert_input_error(root, ["activities.csv, row 2: the encoding is ambiguous", "[input] encoding"])
    (root / "dualcarbon.toml").write_text(
        (root / "dualcarbon.toml").read_text(encoding="utf-8") + '\n[input]\nencoding = "gb18030"\n', encoding="utf-8"
    )
    project = load(root)
    assert project.limits.encoding == "gb18030"
    assert project.activities["facility"].to_list() == ["天"]


def test_the_encoding_setting_applies_to_every_table(tmp_path):
    root = dairy(tmp_path, ZURICH.encode("cp1252"), 'encoding = "windows-1252"')
    (root / "credits.csv").write_bytes(
        "id,type,quantity,unit,beneficiary\nC1,VCS,1,t CO2e,Zürich office\n".encode("cp1252")
    )
    project = load(root)
    assert project.activities["facility"].to_list() == ["Zürich office"]
    assert project.credits["beneficiary"].to_list() == ["Zürich office"]


def test_bytes_not_in_the_set_encoding_name_their_row(tmp_path):
    text = "id,facility\nA1,plant\nA2,Zürich office\n"
    path = tmp_path / "a.csv"
    path.write_bytes(text.encode("cp1252"))
    with pytest.raises(InputError) as info:
        reader.read_table(path, limits=ReadLimits(encoding="utf-8"))
    assert str(info.value) == (
        "a.csv, row 3: fc (at byte 25) cannot be read as utf-8, the encoding set by [input] encoding"
    )


def test_utf16_needs_the_setting(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes("id,facility\nA1,工厂\n".encode("utf-16"))
    with pytest.raises(InputError, match='UTF-16.*set \\[input\\] encoding = "utf-16"'):
        reader.read_table(path)
    assert reader.read_table(path, limits=ReadLimits(encoding="utf-16"))["facility"].to_list() == ["工厂"]
