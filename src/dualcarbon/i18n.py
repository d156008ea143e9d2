"""Message catalogues (``locales/<lang>.toml``) and the translator used by the CLI and the report.

A catalogue is flat TOML (``report.title = "..."``); messages are ``str.format`` templates.
A key missing in the chosen language falls back to English, then to the key itself.
"""

from __future__ import annotations

import csv
import re
import tomllib
from collections.abc import Callable, Mapping
from functools import cache
from importlib import resources
from types import MappingProxyType

from dualcarbon.errors import InputError, msg

FALLBACK = "en"
_LOCALES = resources.files("dualcarbon").joinpath("locales")


def languages() -> list[str]:
    """The languages with a catalogue, e.g. ``["en", "zh"]``."""
    return sorted(f.name.removesuffix(".toml") for f in _LOCALES.iterdir() if f.name.endswith(".toml"))


def _flatten(table: dict, prefix: str, file: str) -> dict[str, str]:
    flat: dict[str, str] = {}
    for name, value in table.items():
        key = f"{prefix}{name}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{key}.", file))
        elif isinstance(value, str):
            flat[key] = value
        else:
            raise InputError.single("expected a string message", file=file, column=key, value=value)
    return flat


@cache
def catalogue(lang: str) -> Mapping[str, str]:
    """The messages of one language as a read-only ``{dotted key: message}`` mapping."""
    if lang not in languages():
        raise InputError.single(msg("problem.language", choices=", ".join(languages())), column="lang", value=lang)
    file = f"locales/{lang}.toml"
    with _LOCALES.joinpath(f"{lang}.toml").open("rb") as fh:
        return MappingProxyType(_flatten(tomllib.load(fh), "", file))


def translator(lang: str) -> Callable[..., str]:
    """``t(key, **fields)``: the message for ``key`` in ``lang`` (else English, else the key), formatted.

    Raises ``InputError`` (a ``ValueError``) for a language without a catalogue.
    """
    messages, fallback = catalogue(lang), catalogue(FALLBACK)

    def t(key: str, **fields: object) -> str:
        message = messages.get(key) or fallback.get(key)
        return key if message is None else message.format(**fields)

    return t


@cache
def _terms(kind: str, lang: str) -> list[tuple[re.Pattern[str], str]]:
    """``locales/terms.csv`` rows of one kind as (pattern, translation), longest phrase first."""
    with _LOCALES.joinpath("terms.csv").open(encoding="utf-8") as fh:
        rows = [(r["en"], r[lang]) for r in csv.DictReader(fh) if r["kind"] == kind and r.get(lang)]
    rows.sort(key=lambda row: -len(row[0]))
    if kind == "region":  # a region is one name: matched whole
        return [(re.compile(rf"^{re.escape(en)}$"), text) for en, text in rows]
    return [(re.compile(rf"(?<![A-Za-z]){re.escape(en)}(?![A-Za-z])"), text) for en, text in rows]


def term(kind: str, text: str | None, lang: str) -> str:
    """A unit (``kind="unit"``: "kg CH4 / head/yr" → "kg CH4 / 头/年") or a region ("IPCC:Asia") of the
    bundled data as ``lang`` writes it (``locales/terms.csv``); symbols and codes stay as written."""
    if not text or lang == FALLBACK:
        return text or ""
    if lang not in languages():
        return text
    for pattern, translation in _terms(kind, lang):
        text = pattern.sub(translation, text)
    return text
