"""What the untranslated-text tests look for (docs/report.md, "Language"): English words on a Chinese
page, Chinese on an English one, internal codes where a person reads.

A Chinese page may keep Latin letters for what is written that way in Chinese too: units (t CO2e,
kWh), gases (CO2, HFC-134a), standards and their issuers (GB/T 32150, ISO 14068-1, IPCC, GPC, PAS 2060,
EPA), programme codes (CCER, GEC) and what the user typed (facility names, ids, serial numbers: every
word of the project's own input files). Any other Latin word of three letters or more is untranslated
text. An English page may hold Chinese only where the user typed it.

HTML is read without its scripts and styles; an element marked ``translate="no"`` (a citation of a
publication in its own language, a file name, an id) is the one place where a page states on purpose
that its text is not in the page's language, and its words are allowed in the PDF printed from it.
"""

from __future__ import annotations

import csv
import re
import tomllib
from collections.abc import Iterable
from html.parser import HTMLParser
from pathlib import Path

# Latin words of 3+ letters (digits end a word: "CO2e" is "CO" and "e", "HFC-134a" is "HFC").
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")
CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff01-\uff5e]+")
# A content hash (sha256 and its prefixes) and a file name or path (report.html, /srv/p/out/summary.json).
HEX = re.compile(r"\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{12,}\b")
FILE_NAME = re.compile(r"(?:[\w.~-]*/)*[\w.~-]+\.(?:csv|json|html|pdf|toml|xlsx|parquet|md|txt|duckdb|zip)\b")
# The id of a stored record (a project prj_…, a run run_…, a person usr_…).
RECORD_ID = re.compile(r"\b[a-z]{2,5}_[0-9a-f]{12,}\b")
# An identifier in capitals and digits (a check ISO-BAL-01, a certificate GEC-2024-001, a gas HFC-134a).
CODE = re.compile(r"\b[A-Z][A-Z0-9]*(?:-[A-Za-z0-9]+)+\b")
# A setting as the user writes it in dualcarbon.toml: "[neutrality] qes", "[method]".
SETTING = re.compile(r"\[[a-z_]+\](?:\s+[a-z_]+\b)?")
HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")  # Chinese characters (no punctuation)
# Half-width punctuation touching a CJK character (either side), in Chinese text.
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# A colon right after a Latin word is a code's own (a selector "category:类别代码"), not punctuation.
HALF_WIDTH_NEXT_TO_HAN = re.compile(rf"[{HAN}][(),:;?!]|(?<![A-Za-z])[,:;?!][{HAN}]|[{HAN}]\)|\([{HAN}]")

# Units, gases, standards, issuers and programme codes a Chinese text writes in Latin letters.
ALLOWED = {
    # units
    "Excel",  # the spreadsheet program templates and workbooks are made for
    "kWh",
    "MWh",
    "GWh",
    "TWh",
    "tce",
    "tCO",
    "kgCO",
    "Nm",
    "GJ",
    "TJ",
    "MJ",
    "ha",
    "kg",
    "km",
    "MW",
    "kW",
    "gal",
    "mmBtu",
    "MMBtu",
    "Btu",
    "scf",
    "USD",
    "CNY",
    "tkm",
    "pkm",
    "FPCM",
    "ECM",
    "GWP",
    "AR",
    # gases and substance codes
    "CO",
    "CH",
    "HFC",
    "PFC",
    "HCFC",
    "CFC",
    "NF",
    "SF",
    "HFO",
    # standards, methods, issuers, programmes
    "ISO",
    "CDP",  # the disclosure frameworks (docs/disclosure.md): CDP, ESRS, IFRS S2
    "ESRS",
    "IFRS",
    "IPCC",
    "GPC",
    "PAS",
    "GHG",
    "SBTi",
    "SBT",
    "CSI",
    "GCCA",
    "EPA",
    "eGRID",
    "USEEIO",
    "DESNZ",
    "DEFRA",
    "MEE",
    "NDRC",
    "NBS",
    "PCAF",
    "ETF",  # exchange-traded fund: Chinese writes 碳中和ETF so (the financed-emissions example)
    "CCER",
    "CEA",
    "VCS",
    "VCU",
    "CDM",
    "CER",
    "GEC",
    "REC",
    "IREC",
    "PPA",
    "BASIC",
    "NCV",
    "GCV",
    "IEA",
    "WRI",
    "WBCSD",
    "NAICS",
    "BAU",
    "MACC",
    "ETS",
    "EEIO",
    "LULUCF",
    "AFOLU",
    "IPPU",
    "RDF",
    "CCUS",
    "CCS",
    "LNG",
    "LPG",
    "CNG",
    "NEV",
    "HVAC",
    "LED",
    "PUE",
    "QES",
    "EFDB",
    # symbols of the IPCC and GB/T equations (written so in the Chinese editions too)
    "TOC",
    "TAM",
    "BOD",
    "COD",
    "MCF",
    "DOC",
    "DOCf",
    "DDOCm",
    "NPR",
    "NON",
    "CON",
    "IND",
    "COM",
    "TOW",
    "Nex",
    "Nrate",
    "Frac",
    "GAS",
    "LEACH",
    "GasMS",
    "LeachMS",
    "FCF",
    "BEF",
    "CaO",
    "MgO",
    "Bo",
    # the product and file formats
    "dualcarbon",
    "JSON",
    "CSV",
    "PDF",
    "HTML",
    "UTC",
    "SHA",
    "sha",
    "API",
    "URL",
    "ZIP",
    "PNG",
}


class _Text(HTMLParser):
    """Visible text of an HTML document, and separately the text of ``translate="no"`` elements;
    with ``math=False`` without the formulas (elements of class ``formula``, half-width by nature)."""

    SKIP = {"script", "style", "template", "noscript"}
    VOID = {"br", "hr", "img", "input", "meta", "link", "wbr", "col", "area", "base", "source", "track", "embed"}

    def __init__(self, math: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.math = math
        self.stack: list[tuple[str, bool]] = []  # (tag, excluded)
        self.text: list[str] = []
        self.kept: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.VOID:
            self.text.append(" ")
            return
        attributes = dict(attrs)
        formula = not self.math and "formula" in (attributes.get("class") or "").split()
        excluded = (
            bool(self.stack and self.stack[-1][1]) or tag in self.SKIP or attributes.get("translate") == "no" or formula
        )
        self.stack.append((tag, excluded))
        for name, value in attrs:  # what a person reads from attributes
            if name in ("title", "placeholder", "aria-label", "alt") and value and not excluded:
                self.text.append(f" {value} ")

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()[0] == tag:
                break
        self.text.append(" ")

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1][0] in self.SKIP:
            return
        (self.kept if self.stack and self.stack[-1][1] else self.text).append(data)


def html_text(html: str, math: bool = True) -> tuple[str, str]:
    """(the text a person reads, the text of ``translate="no"`` elements) of an HTML document;
    ``math=False``: without formulas."""
    parser = _Text(math)
    parser.feed(html)
    parser.close()
    return "".join(parser.text), " ".join(parser.kept)


def without_typed(text: str, typed: Iterable[str]) -> str:
    """``text`` without what the user typed (``input_texts``): their punctuation is theirs."""
    for value in sorted(typed, key=len, reverse=True):
        text = text.replace(value, " ")
    return text


def input_texts(folder: Path) -> set[str]:
    """The whole values the user typed (CSV cells, TOML strings) of four characters or more, not numbers."""
    values: set[str] = set()
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or "out" in path.relative_to(folder).parts:
            continue
        if path.suffix.lower() == ".toml":
            values.update(_toml_values(tomllib.loads(path.read_text(encoding="utf-8-sig"))))
        elif path.suffix.lower() == ".csv":
            with path.open(encoding="utf-8-sig", newline="") as fh:
                values.update(cell for row in csv.reader(fh) for cell in row)
    return {v.strip() for v in values if len(v.strip()) >= 4 and not re.fullmatch(r"[\d.,\s%-]+", v.strip())}


def _toml_values(value: object) -> Iterable[str]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _toml_values(item)
    elif isinstance(value, list):
        for item in value:
            yield from _toml_values(item)
    else:
        yield str(value)


def input_words(folder: Path) -> set[str]:
    """Every Latin word and CJK run the user typed in a project's input files: the values of
    dualcarbon.toml (not its keys, which the product names), the cells and column names of its CSV
    files, its documents."""
    texts: list[str] = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or "out" in path.relative_to(folder).parts:
            continue
        suffix = path.suffix.lower()
        if suffix == ".toml":
            texts.extend(_toml_values(tomllib.loads(path.read_text(encoding="utf-8-sig"))))
        elif suffix == ".csv":
            with path.open(encoding="utf-8-sig", newline="") as fh:
                texts.extend(cell for row in csv.reader(fh) for cell in row)
        elif suffix in (".md", ".txt"):
            texts.append(path.read_text(encoding="utf-8-sig"))
    text = "\n".join(texts)
    return set(LATIN_WORD.findall(text)) | set(CJK_RUN.findall(text))


def _lines_with(text: str, needle: str, width: int = 60) -> str:
    at = text.find(needle)
    return text[max(0, at - width) : at + len(needle) + width].replace("\n", " ⏎ ")


def _without_names(text: str) -> str:
    """The text without content hashes and file names or paths (a name is not a word to translate)."""
    return SETTING.sub(" ", CODE.sub(" ", FILE_NAME.sub(" ", HEX.sub(" ", RECORD_ID.sub(" ", text)))))


def untranslated_zh(text: str, allowed: Iterable[str] = (), fragments: str = "") -> list[str]:
    """Latin words of a Chinese text that are neither units and codes nor typed by the user, each in
    context. ``fragments``: a text whose parts are allowed too (a PDF breaks codes across lines)."""
    allow = ALLOWED | set(allowed)
    found: dict[str, str] = {}
    for word in LATIN_WORD.findall(_without_names(text)):
        if word not in allow and word not in found and not (fragments and word in fragments):
            found[word] = f"{word!r} in …{_lines_with(text, word)}…"
    return list(found.values())


def untranslated_en(text: str, allowed: Iterable[str] = ()) -> list[str]:
    """Chinese runs of an English text that the user did not type, each in context."""
    allow = set(allowed)
    found: dict[str, str] = {}
    for run in HAN_RUN.findall(text):
        if run not in allow and not any(run in typed for typed in allow) and run not in found:
            found[run] = f"{run!r} in …{_lines_with(text, run)}…"
    return list(found.values())


def half_width_in_chinese(text: str) -> list[str]:
    """Places where a half-width bracket, colon, comma, semicolon or mark touches a Chinese character."""
    return [_lines_with(text, m.group(0), 20) for m in HALF_WIDTH_NEXT_TO_HAN.finditer(text)]
