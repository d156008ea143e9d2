"""The disclosure frameworks' field lists, one TOML file per framework under ``frameworks/``.

Each field names its code in the framework, its question in English and Chinese, the filler that
takes its value from a run's outputs (``disclosure.fill.FILLERS``), the section it comes from and
how far its definition was checked against the text (``status``: read, second-hand, unverified).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from dualcarbon.errors import InputError, msg

_DATA = resources.files("dualcarbon").joinpath("disclosure", "frameworks")
STATUSES = ("read", "second-hand", "unverified")
FIELD_KEYS = {"code", "question_en", "question_zh", "fill", "section", "status"}
FRAMEWORK_KEYS = {"id", "name_en", "name_zh", "publication", "year", "fields"}


@dataclass(frozen=True)
class FieldSpec:
    """One datapoint a framework asks for."""

    code: str
    question_en: str
    question_zh: str
    fill: str
    section: str
    status: str

    def question(self, lang: str) -> str:
        return self.question_zh if lang == "zh" else self.question_en


@dataclass(frozen=True)
class Framework:
    """A framework's identity and its fields, in the order the framework asks them."""

    id: str
    name_en: str
    name_zh: str
    publication: str
    year: int
    fields: tuple[FieldSpec, ...]

    def name(self, lang: str) -> str:
        return self.name_zh if lang == "zh" else self.name_en


def framework_ids() -> list[str]:
    """The frameworks with a field list, e.g. ``["cdp", "cn-exchange", "esrs-e1", "ifrs-s2"]``."""
    return sorted(f.name.removesuffix(".toml") for f in _DATA.iterdir() if f.name.endswith(".toml"))


@cache
def framework(framework_id: str) -> Framework:
    """One framework's field list; ``InputError`` for an unknown id or a malformed file."""
    from dualcarbon.disclosure.fill import FILLERS

    if framework_id not in framework_ids():
        raise InputError.single(
            msg("problem.disclosure_framework", choices=", ".join(framework_ids())),
            column="framework",
            value=framework_id,
        )
    file = f"disclosure/frameworks/{framework_id}.toml"
    with _DATA.joinpath(f"{framework_id}.toml").open("rb") as fh:
        record = tomllib.load(fh)
    unknown = set(record) - FRAMEWORK_KEYS
    if unknown or record.get("id") != framework_id:
        raise InputError.single(f"unexpected keys {sorted(unknown)} or id", file=file, value=record.get("id"))
    fields = []
    for row, entry in enumerate(record["fields"], start=1):
        if set(entry) != FIELD_KEYS or entry["fill"] not in FILLERS or entry["status"] not in STATUSES:
            raise InputError.single(
                f"expected the keys {sorted(FIELD_KEYS)}, a filler of {sorted(FILLERS)} and a status of {STATUSES}",
                file=file,
                row=row,
                value=entry,
            )
        fields.append(FieldSpec(**{k: str(v) for k, v in entry.items()}))
    return Framework(
        id=framework_id,
        name_en=record["name_en"],
        name_zh=record["name_zh"],
        publication=record["publication"],
        year=int(record["year"]),
        fields=tuple(fields),
    )
