"""The words of the assessment: every reason and fix in English and Chinese, from the locale catalogues.

A check's outcome carries both languages (summary.json has ``reason_en`` and ``reason_zh``), so a
message is looked up in each catalogue (``neutrality.check.<kind>.<case>``, ``neutrality.fix.<kind>…``
in ``locales/en.toml`` and ``zh.toml``) and formatted with the same fields. A field is either one value
for both languages (a number already formatted, an id, a date) or a ``Text``, whose English goes into
the English message and its Chinese into the Chinese one (a list joined with each language's
separator, a part of a sentence). A key missing from a catalogue is a packaging bug: ``KeyError``.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import polars as pl

from dualcarbon.i18n import catalogue

LANGS = ("en", "zh")


@dataclass(frozen=True)
class Text:
    """One message in English and in Chinese."""

    en: str
    zh: str

    def __add__(self, other: Text) -> Text:
        return Text(self.en + other.en, self.zh + other.zh)

    def pick(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


EMPTY = Text("", "")


def template(key: str, lang: str) -> str:
    """The catalogue's message of ``key`` in ``lang``, unformatted."""
    return catalogue(lang)[key]


def say(key: str, /, **fields: object) -> Text:
    """The message ``key`` in both languages, formatted with ``fields`` (a ``Text`` field per language)."""
    return Text(
        *(
            template(key, lang).format(**{k: v.pick(lang) if isinstance(v, Text) else v for k, v in fields.items()})
            for lang in LANGS
        )
    )


def same(value: object) -> Text:
    """A value written alike in both languages (an id, a code, a number)."""
    return Text(str(value), str(value))


def joined(parts: Iterable[Text], separator: str = "neutrality.separator.clauses") -> Text:
    """Parts of a reason joined with the separator message ``separator`` of each language."""
    items = list(parts)
    return Text(*(template(separator, lang).join(p.pick(lang) for p in items) for lang in LANGS))


def series(items: Sequence[object]) -> Text:
    """A list written with each language's list separator ("a, b" and "a、b")."""
    return joined([same(i) for i in items], "term.list_separator")


def fields_of(message: str) -> set[str]:
    """The ``str.format`` field names of a message."""
    return {name for _, name, _, _ in string.Formatter().parse(message) if name is not None}


def frame_text(key: str, lang: str, /, **fields: pl.Expr) -> pl.Expr:
    """The message ``key`` in ``lang`` as a polars expression, each field an expression of the row (a null
    field gives a null message, as ``concat_str`` does)."""
    parts: list[pl.Expr] = []
    for literal, name, spec, _ in string.Formatter().parse(template(key, lang)):
        if literal:
            parts.append(pl.lit(literal))
        if name is not None:
            if spec:
                raise ValueError(f"{key}: a field of a row's message takes no format spec ({name}:{spec})")
            parts.append(fields[name])
    return pl.concat_str(parts) if parts else pl.lit("")
