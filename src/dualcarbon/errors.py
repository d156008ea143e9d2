"""One exception hierarchy, so the CLI and the API map errors to exit codes in one place."""

from __future__ import annotations

from dataclasses import dataclass


class DualCarbonError(Exception):
    """Base of every error dualcarbon raises on purpose."""


@dataclass
class Problem:
    """One problem found in the user's input: where it is, what was found, what was expected."""

    file: str | None
    row: int | None
    column: str | None
    value: str | None
    expected: str

    def message(self) -> str:
        place = ", ".join(
            p
            for p in (
                self.file or "",
                f"row {self.row}" if self.row is not None else "",
                f"column {self.column}" if self.column else "",
            )
            if p
        )
        found = f"{self.value!r}: " if self.value not in (None, "") else ""
        return f"{place}: {found}{self.expected}" if place else f"{found}{self.expected}"


class InputError(DualCarbonError, ValueError):
    """Raised when the user's input (files, settings, parameters) is invalid; carries every problem found."""

    def __init__(self, problems: list[Problem] | Problem):
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__("\n".join(p.message() for p in self.problems))

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
