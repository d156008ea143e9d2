"""Rule sets: ISO 14068-1, PAS 2060 and the Chinese guides as data over one engine.

A rule set is a TOML file in ``data/rules/``: its id (the ``[neutrality] standard`` value), names,
the claim wording it permits, and an ordered list of checks, each naming a check kind of
``checks.KINDS`` with its clause (``clause`` in English, ``clause_zh``), how the clause was established (``read`` in the standard,
``second-hand``, or ``unverified``), its severity (``mandatory`` blocks the claim, ``advisory``
does not) and its parameters. ``extends = "<id>"`` takes another rule set's keys and checks,
overriding what the file gives. Adding a rule set is adding a file.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType

from dualcarbon.neutrality.checks import KINDS
from dualcarbon.neutrality.records import ADVISORY, MANDATORY, Rule

CLAUSE_STATUS = ("read", "second-hand", "unverified")


@dataclass(frozen=True)
class RuleSet:
    """One standard's checks and claim wording."""

    id: str
    name_en: str
    name_zh: str
    claim_en: str  # str.format template: {subject}, {entity}, {start}, {end}, {claim_date}, {verification}
    claim_zh: str
    claim_status: str  # how the wording was established (CLAUSE_STATUS)
    note_en: str
    note_zh: str
    checks: tuple[Rule, ...]
    # a product (``subject = "product"``): the checks added to ``checks`` and the claim a label may carry,
    # str.format templates with {subject}, {functional_unit}, {footprint_kg}, {units}, {start}, {end},
    # {entity}, {claim_date}, {verification}, {credits_t}
    product_checks: tuple[Rule, ...] = ()
    product_claim_en: str = ""
    product_claim_zh: str = ""


class RuleSetError(ValueError):
    """Raised when a bundled rule-set file is malformed (a packaging bug, not a user error)."""


def _rules(items: list[dict]) -> tuple[Rule, ...]:
    return tuple(
        Rule(
            c["id"],
            c["kind"],
            c["clause"],
            c["clause_status"],
            c["severity"],
            MappingProxyType(dict(c.get("params", {}))),
            c.get("clause_zh", c["clause"]),
        )
        for c in items
    )


def _parse(data: dict, file: str) -> RuleSet:
    try:
        checks = _rules(data["checks"])
        product_checks = _rules(data.get("product_checks", []))
        rule_set = RuleSet(
            data["id"],
            data["name_en"],
            data["name_zh"],
            data["claim_en"],
            data["claim_zh"],
            data["claim_status"],
            data.get("note_en", ""),
            data.get("note_zh", ""),
            checks,
            product_checks,
            data.get("product_claim_en", ""),
            data.get("product_claim_zh", ""),
        )
    except KeyError as exc:
        raise RuleSetError(f"{file}: missing key {exc}") from exc
    for rule in checks + product_checks:
        if rule.kind not in KINDS:
            raise RuleSetError(f"{file}: check {rule.id} has unknown kind {rule.kind!r}")
        if rule.severity not in (MANDATORY, ADVISORY):
            raise RuleSetError(f"{file}: check {rule.id} has severity {rule.severity!r}")
        if rule.clause_status not in CLAUSE_STATUS:
            raise RuleSetError(f"{file}: check {rule.id} has clause_status {rule.clause_status!r}")
    if len({r.id for r in checks + product_checks}) != len(checks) + len(product_checks):
        raise RuleSetError(f"{file}: a check id is repeated")
    return rule_set


@cache
def available() -> dict[str, RuleSet]:
    """Every bundled rule set by id, in file-name order."""
    folder = resources.files("dualcarbon.neutrality").joinpath("data", "rules")
    raw = {}
    for item in sorted(folder.iterdir(), key=lambda p: p.name):
        if item.name.endswith(".toml"):
            data = tomllib.loads(item.read_text(encoding="utf-8"))
            raw[data.get("id", item.name)] = (data, item.name)
    sets = {}
    for rule_id, (data, file) in raw.items():
        base = data.get("extends")
        if base is not None:
            if base not in raw or "extends" in raw[base][0]:
                raise RuleSetError(f"{file}: extends {base!r}, which is not a bundled rule set without extends")
            data = {**raw[base][0], **{k: v for k, v in data.items() if k != "extends"}}
        sets[rule_id] = _parse(data, file)
    return sets


def load(standard: str) -> RuleSet:
    """The rule set of ``standard`` (e.g. ``ISO14068-1``); KeyError naming the known ids otherwise."""
    sets = available()
    if standard not in sets:
        raise KeyError(f"unknown standard {standard!r}: expected one of {', '.join(sets)}")
    return sets[standard]
