"""The text encoding of a CSV file: given (``[input] encoding``) or detected, never guessed wrong in silence.

Detection reads three encodings without a setting: UTF-8 (with or without BOM; a file that is
valid UTF-8 and not ASCII is practically never anything else), GB18030 (the superset of GBK and
GB2312 that Chinese spreadsheets export) and Windows-1252 (Western European). Almost any bytes
decode as GB18030 or as Windows-1252, so a file that is not UTF-8 is read in the one of the two
whose text is plausible, and refused, with a sample in each, when both or neither are:

- GB18030 is plausible when at least 75 % of its distinct non-ASCII characters are in GB2312
  (the 6,763 common hanzi and the full-width symbols: more than 99.7 % of modern Chinese text),
  none is private-use or a control, and charset-normalizer's mess ratio stays below 0.2.
  Latin text read as GB18030 lands in the rarely used GBK extensions or the private-use area
  ('Zürich' → 'Z黵ich').
- Windows-1252 is plausible when no three non-ASCII characters follow each other, every pair
  that does is two letters ('ü' 'ß' in 'Grüße'), and the mess ratio stays below 0.2. Chinese
  read as Windows-1252 gives runs of two characters per hanzi, mostly with symbols among them
  ('天然气' → 'ÌìÈ»Æø').

Short files can be read both ways ('A1,天' is 'A1,Ìì' in Windows-1252); they are refused with
both readings, and ``[input] encoding`` decides. Other encodings need the setting.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Callable

from charset_normalizer.md import mess_ratio

from dualcarbon.errors import InputError, msg

BOMS_UTF16_32 = (b"\xff\xfe", b"\xfe\xff")
DETECTED = {"gb18030": "GB18030 (Chinese, GBK)", "cp1252": "Windows-1252 (Western European)"}
GB2312_SHARE = 0.75
MAX_MESS = 0.2
SAMPLE_CHARS = 1_000_000  # of the lines with non-ASCII text, what the characters are counted on
MESS_CHARS = 64 * 1024  # and the mess ratio measured on (it runs in Python, character by character)


def decode(raw: bytes, name: str, encoding: str | None = None) -> str:
    """The text of a file: in ``encoding`` when given, else detected (see the module's rule)."""
    if encoding is not None:
        return _forced(raw, name, encoding)
    if raw.startswith(BOMS_UTF16_32):
        raise InputError.single(msg("problem.utf16"), file=name)
    raw = raw.removeprefix(codecs.BOM_UTF8)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    readings: dict[str, str] = {}
    for codec in DETECTED:
        try:
            readings[codec] = raw.decode(codec)
        except UnicodeDecodeError:
            continue
    if not readings:
        raise InputError.single(msg("problem.undecodable"), file=name)
    plausible = [codec for codec, text in readings.items() if PLAUSIBLE[codec](text)]
    if len(plausible) == 1:
        return readings[plausible[0]]
    raise _ambiguous(readings, name, plausible)


def _forced(raw: bytes, name: str, encoding: str) -> str:
    codec = codecs.lookup(encoding).name
    if codec == "utf-8":
        raw = raw.removeprefix(codecs.BOM_UTF8)
    try:
        return raw.decode(codec)
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        bad = raw[exc.start : exc.end].hex(" ")
        raise InputError.single(
            msg("problem.forced_encoding", bad=bad, at=f"{exc.start:,}", codec=codec),
            file=name,
            row=line,
        ) from None


def _non_ascii_lines(text: str) -> str:
    """The lines holding non-ASCII characters, up to ``SAMPLE_CHARS`` of them: what tells encodings
    apart (a whole file of 40 MB took 2.8 s to count its distinct characters; this, 0.1 s)."""
    out: list[str] = []
    size = 0
    for line in re.finditer(r"[^\n]*[^\x00-\x7f][^\n]*", text):
        out.append(line.group(0))
        size += len(out[-1])
        if size >= SAMPLE_CHARS:
            break
    return "\n".join(out)


def _chinese(text: str) -> bool:
    sample = _non_ascii_lines(text)
    odd = {c for c in set(sample) if ord(c) > 127}
    if any(unicodedata.category(c) in ("Co", "Cn", "Cc", "Cs") for c in odd):
        return False
    common = sum(1 for c in odd if _gb2312(c))
    if odd and common / len(odd) < GB2312_SHARE:
        return False
    return mess_ratio(sample[:MESS_CHARS], MAX_MESS) < MAX_MESS


def _gb2312(ch: str) -> bool:
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def _western(text: str) -> bool:
    sample = _non_ascii_lines(text)
    if re.search(r"[^\x00-\x7f]{3}", sample):
        return False
    if any(unicodedata.category(c) == "Cc" for c in set(sample) if ord(c) > 127):
        return False
    if not all(pair.isalpha() for pair in set(re.findall(r"[^\x00-\x7f]{2}", sample))):
        return False
    return mess_ratio(sample[:MESS_CHARS], MAX_MESS) < MAX_MESS


PLAUSIBLE: dict[str, Callable[[str], bool]] = {"gb18030": _chinese, "cp1252": _western}


def _ambiguous(readings: dict[str, str], name: str, plausible: list[str]) -> InputError:
    """The refusal: the first line the readings differ on, as each would read it."""
    lines = {codec: text.splitlines() for codec, text in readings.items()}
    first = next(iter(lines.values()))
    row = next(
        (i for i in range(len(first)) if len({ls[i] if i < len(ls) else "" for ls in lines.values()}) > 1),
        next((i for i, line in enumerate(first) if not line.isascii()), 0),
    )
    samples = [
        msg(
            "problem.encoding_sample",
            encoding=msg(f"problem.codec.{codec}"),
            text=repr(_excerpt(ls[row] if row < len(ls) else "")),
        )
        for codec, ls in lines.items()
    ]
    why = "problem.encoding_ambiguous" if len(plausible) > 1 else "problem.encoding_implausible"
    names = [msg("problem.quoted", text=codec) for codec in readings]
    return InputError.single(
        msg(why, samples=samples, names=msg("problem.either", choices=names, _sep="problem.or_sep")),
        file=name,
        row=row + 1,
    )


def _excerpt(line: str, width: int = 60) -> str:
    """Up to ``width`` characters of a line, from a little before its first non-ASCII character."""
    at = next((i for i, ch in enumerate(line) if ord(ch) > 127), 0)
    start = max(0, at - 20)
    cut = line[start : start + width]
    return ("…" if start else "") + cut + ("…" if start + width < len(line) else "")
