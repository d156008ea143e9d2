"""One exception hierarchy, so the CLI and the API map errors to exit codes in one place."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


class DualCarbonError(Exception):
    """Base of every error dualcarbon raises on purpose."""


class Msg(str):
    """A message of the locale catalogues (a ``problem.*`` key) and the fields it is filled with.

    It is the English text (a ``str``), so that code and tests that read ``Problem.expected`` see what
    they always saw; ``render(lang)`` gives it in another language."""

    key: str
    fields: dict[str, Any]

    def __new__(cls, key: str, fields: Mapping[str, Any] | None = None) -> Msg:
        fields = dict(fields or {})
        self = super().__new__(cls, render(key, fields, "en"))
        self.key, self.fields = key, fields
        return self

    def __reduce__(self):
        return (Msg, (self.key, self.fields))

    def render(self, lang: str = "en") -> str:
        return render(self.key, self.fields, lang)


def msg(key: str, /, **fields: Any) -> Msg:
    """``msg("problem.required_column")``: what was expected, as a catalogue message to render in any language."""
    return Msg(key, fields)


def _is_msg(value: object) -> bool:
    return isinstance(value, Msg) or (isinstance(value, Mapping) and set(value) == {"key", "fields"})


def render(key: str, fields: Mapping[str, Any] | None, lang: str = "en") -> str:
    """The catalogue message ``key`` in ``lang`` (English where it lacks one), its fields filled in; a
    field that is itself a message (a ``Msg`` or its ``{"key", "fields"}`` record) is rendered first."""
    from dualcarbon.i18n import FALLBACK, catalogue  # i18n raises InputError: imported here, not at the top

    messages = catalogue(lang)

    filled = {}
    for name, value in (fields or {}).items():
        if name == "_sep":
            continue
        if isinstance(value, Msg):
            value = value.render(lang)
        elif _is_msg(value):
            value = render(value["key"], value["fields"], lang)
        elif isinstance(value, (list, tuple)):  # a list of messages, joined
            sep_key = str((fields or {}).get("_sep", "problem.list_sep"))
            sep = messages.get(sep_key) or catalogue(FALLBACK).get(sep_key, "; ")
            value = sep.join(
                v.render(lang) if isinstance(v, Msg) else render(v["key"], v["fields"], lang) for v in value
            )
        filled[name] = value
    template = messages.get(key) or catalogue(FALLBACK).get(key)
    return key if template is None else template.format(**filled)


@dataclass
class Problem:
    """One problem found in the user's input: where it is, what was found, what was expected.

    ``expected`` is the English text (given as text, or as a ``Msg`` that is rendered to it); ``key``
    and ``fields`` keep the catalogue message, so that ``text(lang)`` and ``message(lang)`` give it
    in the user's language."""

    file: str | None
    row: int | None
    column: str | None
    value: str | None
    expected: str
    key: str | None = None
    fields: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        if isinstance(self.expected, Msg):
            self.key, self.fields = self.expected.key, _plain(self.expected.fields)
            self.expected = str.__str__(self.expected)
        elif self.fields is not None:
            self.fields = _plain(self.fields)

    def text(self, lang: str = "en", web: bool = False) -> str:
        """What was expected, in ``lang`` (the English text when the problem has no catalogue key).

        ``web``: for a person on the dashboard or the API, who is told what the page offers rather
        than a command to run (a ``problem.web.*`` message where the catalogue has one)."""
        if self.key is None:
            return self.expected
        key = _web_key(self.key) if web else self.key
        if lang == "en" and key == self.key:
            return self.expected
        return render(key, self.fields, lang)

    def place(self, lang: str = "en") -> str:
        """Where: ``activities.csv, row 14, column unit`` (``activities.csv，第 14 行，列 unit`` in zh)."""
        if lang == "en":
            row = f"row {self.row}" if self.row is not None else ""
            column = f"column {self.column}" if self.column else ""
            sep = ", "
        else:
            row = render("problem.place.row", {"row": self.row}, lang) if self.row is not None else ""
            column = render("problem.place.column", {"column": self.column}, lang) if self.column else ""
            sep = render("problem.place.sep", {}, lang)
        return sep.join(p for p in (self.file or "", row, column) if p)

    def message(self, lang: str = "en", web: bool = False) -> str:
        place, text = self.place(lang), self.text(lang, web)
        if lang == "en":
            found = f"{self.value!r}: " if self.value not in (None, "") else ""
            return f"{place}: {found}{text}" if place else f"{found}{text}"
        colon = render("problem.place.colon", {}, lang)
        found = (
            render("problem.place.value", {"value": self.value}, lang) + colon if self.value not in (None, "") else ""
        )
        return f"{place}{colon}{found}{text}" if place else f"{found}{text}"

    def record(self, lang: str = "en", web: bool = True) -> dict[str, Any]:
        """The problem as JSON: the facts, what was expected and the whole message in ``lang``, and the
        catalogue key (``expected_key``) with its fields for programs that render their own text."""
        return {
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "expected": self.text(lang, web),
            "message": self.message(lang, web),
            "expected_key": self.key,
            "fields": self.fields or {},
        }


def _web_key(key: str) -> str:
    from dualcarbon.i18n import catalogue

    web = "problem.web." + key.removeprefix("problem.")
    return web if web in catalogue("en") else key


def _plain(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Fields as JSON can hold them: nested messages as ``{key, fields}``, other values as they are or as text."""
    out: dict[str, Any] = {}
    for name, value in fields.items():
        if isinstance(value, Msg):
            out[name] = {"key": value.key, "fields": _plain(value.fields)}
        elif _is_msg(value):
            out[name] = {"key": value["key"], "fields": _plain(value["fields"])}
        elif isinstance(value, (list, tuple)):
            out[name] = [_plain({"v": v})["v"] for v in value]
        elif value is None or isinstance(value, (str, int, float, bool)):
            out[name] = value
        else:
            out[name] = str(value)
    return out


class InputError(DualCarbonError, ValueError):
    """Raised when the user's input (files, settings, parameters) is invalid; carries every problem found."""

    def __init__(self, problems: list[Problem] | Problem):
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__("\n".join(p.message() for p in self.problems))

    def messages(self, lang: str = "en") -> list[str]:
        return [p.message(lang) for p in self.problems]

    @classmethod
    def single(
        cls,
        expected: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
        value: object = None,
    ) -> InputError:
        return cls(Problem(file, row, column, None if value is None else str(value), expected))


def did_you_mean(name: str | None) -> Msg | str:
    """``; did you mean 'x'?`` (in the reader's language) after a message, or nothing."""
    return msg("problem.did_you_mean", name=name) if name else ""
