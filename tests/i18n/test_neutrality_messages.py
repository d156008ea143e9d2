"""The neutrality assessment's words come from the locale catalogues (neutrality/texts.py), and so do
the calculation's warnings (engine.py, methods/electricity.py, scope3.py, solid_waste.py) and the
pathway's shortfalls (pathway/optimize.py): every ``neutrality.*``, ``warning.*`` or
``pathway.shortfall.*`` key the code or a rule set names exists in zh.toml and en.toml with the same
format fields, each call gives exactly those fields, and no message is written inline in the code."""

from __future__ import annotations

import ast
import re
import tomllib
from importlib import resources
from pathlib import Path

import pytest

from dualcarbon.i18n import catalogue
from dualcarbon.neutrality.texts import Text, fields_of, joined, say, series

NEUTRALITY = Path(str(resources.files("dualcarbon.neutrality")))
PACKAGE = NEUTRALITY.parent
METHODS = [PACKAGE / "methods" / name for name in ("electricity.py", "scope3.py", "solid_waste.py")]
SOURCES = sorted(NEUTRALITY.glob("*.py")) + [PACKAGE / "engine.py", *METHODS, PACKAGE / "pathway" / "optimize.py"]
PREFIXES = ("neutrality.", "warning.", "pathway.shortfall.")
RULE_FILES = sorted((NEUTRALITY / "data" / "rules").glob("*.toml"))
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
#: Chinese in the neutrality code that is data, not a message: statuses a credits.csv may carry, project
#: types that are nature-based, the punctuation a name comparison ignores.
CHINESE_DATA = {("records.py", "RETIRED_STATUS"), ("records.py", "EX_ANTE_STATUS"), ("records.py", "CREDIT_STATUS")}
CHINESE_DATA |= {("credit_checks.py", "NATURE_BASED"), ("credit_checks.py", "_NAME_NOISE")}
CHINESE_DATA |= {("electricity.py", "ACCEPTED_STATUS")}
#: The functions that take a message key, and its position (the fields follow as keywords).
MESSAGE_CALLS = {"say": 0, "frame_text": 0, "msg": 0, "warning": 1, "_cases": 2}


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _keys_in_code() -> dict[str, list[str]]:
    """Every string literal starting with ``neutrality.`` or ``warning.`` in the code, by file."""
    found: dict[str, list[str]] = {}
    for path in SOURCES:
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith(PREFIXES):
                found.setdefault(node.value, []).append(path.name)
    return found


def _keys_in_rule_files() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}

    def walk(value: object, file: str) -> None:
        if isinstance(value, dict):
            for v in value.values():
                walk(v, file)
        elif isinstance(value, list):
            for v in value:
                walk(v, file)
        elif isinstance(value, str) and value.startswith("neutrality."):
            found.setdefault(value, []).append(file)

    for path in RULE_FILES:
        walk(tomllib.loads(path.read_text(encoding="utf-8")), path.name)
    return found


def _dict_keys(tree: ast.Module) -> dict[str, set[str]]:
    """Names bound to a dict literal with string keys (``figures = {"year": ...}``): what ``**figures`` gives."""
    bound: dict[str, set[str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict):
            keys = {k.value for k in node.value.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)}
            for target in node.targets:
                if isinstance(target, ast.Name):
                    bound[target.id] = keys
    return bound


def _message_calls() -> list[tuple[str, int, str, set[str]]]:
    """(file, line, key, fields given) of each call of ``MESSAGE_CALLS`` with a literal key."""
    calls = []
    for path in SOURCES:
        tree = _tree(path)
        bound = _dict_keys(tree)
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            if node.func.id == "_cases":  # credit_checks: (condition, key, {fields}) for each case of a row
                for case in node.args[1].elts if isinstance(node.args[1], ast.List) else []:
                    assert isinstance(case, ast.Tuple) and isinstance(case.elts[2], ast.Dict), (
                        f"{path.name}:{case.lineno}"
                    )
                    case_key = case.elts[1]
                    assert isinstance(case_key, ast.Constant), f"{path.name}:{case.lineno}"
                    given = {k.value for k in case.elts[2].keys if isinstance(k, ast.Constant)}
                    calls.append((path.name, case.lineno, case_key.value, given))
            if node.func.id not in MESSAGE_CALLS or len(node.args) <= MESSAGE_CALLS[node.func.id]:
                continue
            key = node.args[MESSAGE_CALLS[node.func.id]]
            if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
                continue
            given: set[str] = set()
            for keyword in node.keywords:
                if keyword.arg is not None:
                    given.add(keyword.arg)
                elif isinstance(keyword.value, ast.Name) and keyword.value.id in bound:
                    given |= bound[keyword.value.id]
                else:
                    pytest.fail(f"{path.name}:{node.lineno}: fields of {key.value} passed as an unknown mapping")
            calls.append((path.name, node.lineno, key.value, given))
    return calls


def test_every_message_key_of_the_code_and_rule_sets_is_in_both_catalogues_with_the_same_fields():
    en, zh = catalogue("en"), catalogue("zh")
    used = _keys_in_code() | _keys_in_rule_files()
    assert len(used) > 150  # the checks' reasons and fixes, not a handful
    assert {"warning.proxy_region", "warning.scope2_residual_factor", "warning.fod_no_history"} <= set(used)
    missing = {key: files for key, files in used.items() if key not in en or key not in zh}
    assert missing == {}
    differing = {key: (en[key], zh[key]) for key in used if fields_of(en[key]) != fields_of(zh[key])}
    assert differing == {}


def test_every_message_call_gives_the_fields_of_its_message():
    calls = _message_calls()
    assert len(calls) > 150
    wrong = [
        f"{file}:{line} {key}: gives {sorted(given)}, the message has {sorted(fields_of(catalogue('en')[key]))}"
        for file, line, key, given in calls
        if given != fields_of(catalogue("en")[key])
    ]
    assert wrong == []


def test_the_subject_rule_of_each_rule_set_names_a_message_for_the_subjects_it_does_not_cover():
    from dualcarbon.neutrality import rules

    for rule_set in rules.available().values():
        for rule in rule_set.checks:
            if rule.kind == "subject" and set(rule.params["subjects"]) != {"organization", "product", "territory"}:
                assert fields_of(catalogue("en")[rule.params["outside"]]) == {"subject"}, rule_set.id


def test_no_message_is_written_inline_in_the_code():
    """Chinese in a string of the neutrality code, engine.py or the methods' warnings is data (statuses,
    project types) or nothing: before, ~180 lines of checks.py, credit_checks.py and assess.py wrote each reason as an
    en/zh f-string pair, and the engine its warnings."""
    found = []
    for path in SOURCES:
        tree = _tree(path)
        data_nodes: set[int] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(isinstance(t, ast.Name) and (path.name, t.id) in CHINESE_DATA for t in targets):
                    data_nodes |= {id(n) for n in ast.walk(node)}
        docstrings = {
            id(n.body[0].value)
            for n in ast.walk(tree)
            if isinstance(n, ast.Module | ast.FunctionDef | ast.ClassDef)
            and n.body
            and isinstance(n.body[0], ast.Expr)
            and isinstance(n.body[0].value, ast.Constant)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and CJK.search(node.value):
                if id(node) not in data_nodes and id(node) not in docstrings:
                    found.append(f"{path.name}:{node.lineno}: {node.value[:60]}")
    for path in RULE_FILES:
        text = path.read_text(encoding="utf-8")
        found += [f"{path.name}: {m}" for m in re.findall(r"outside_(?:en|zh)", text)]
    assert found == []


def test_say_formats_each_language_with_its_own_fields():
    text = say("neutrality.check.programme.passed", accepted=series(["CCER", "VCS"]))
    assert text == Text(
        "every credit is of an accepted programme (CCER, VCS)", "所有碳信用均来自认可的机制（CCER、VCS）"
    )
    parts = joined(
        [say("neutrality.check.claim.not_given", key="boundary"), say("neutrality.check.verification.not_given")]
    )
    assert parts.en == "boundary is not given; verification_type is not given"
    assert parts.zh == "未填写 boundary；未填写 verification_type"


def test_a_key_missing_from_the_catalogues_is_an_error_not_a_silent_key():
    with pytest.raises(KeyError):
        say("neutrality.check.no_such_message")
