"""Every rule's must-flag / must-not-flag cases, from tests/rules/cases/<CODE>.yml."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import jixiao.rules as rules_pkg
from jixiao.rules.cases import CASES_DIR, load_cases


def _rule_modules():
    return sorted(m.name for m in pkgutil.iter_modules(rules_pkg.__path__) if m.name.startswith("jx"))


def _rule_of(code):
    for name in _rule_modules():
        if name.startswith(code.lower() + "_"):
            return importlib.import_module(f"jixiao.rules.{name}").RULE
    raise LookupError(code)


def _all_cases():
    for path in sorted(CASES_DIR.glob("JX*.yml")):
        for case in load_cases(path):
            yield pytest.param(case, id=f"{case.rule}-{case.name}")


@pytest.mark.parametrize("case", list(_all_cases()))
def test_rule_case(case):
    rule = _rule_of(case.rule)
    found = rule.run(case.frames, **case.options)
    refs = sorted(
        (r["indicator_id"] or r["project_id"]) for r in found.iter_rows(named=True)
    )
    if case.flag:
        assert refs, f"{case.rule} should flag: {case.name}"
        if case.expect is not None:
            assert refs == sorted(case.expect), found["message"].to_list()
        if case.severity:
            sev = {(r["indicator_id"] or r["project_id"]): r.get("severity", rule.severity)
                   for r in found.iter_rows(named=True)}
            assert {k: sev.get(k) for k in case.severity} == case.severity, found["message"].to_list()
        assert all(m and any("\u4e00" <= ch <= "\u9fff" for ch in m) for m in found["message"]), "messages are Chinese"
        for text in case.messages:
            assert any(text in m for m in found["message"]), (text, found["message"].to_list())
    else:
        assert not refs, f"{case.rule} must not flag {case.name}: {found['message'].to_list()}"


def test_every_rule_module_has_cases_and_doc():
    for name in _rule_modules():
        code = name.split("_")[0].upper()
        rule = importlib.import_module(f"jixiao.rules.{name}").RULE
        assert rule.code == code
        assert (CASES_DIR / f"{code}.yml").exists(), f"{code} has no case file"
        cases = load_cases(CASES_DIR / f"{code}.yml")
        assert any(c.flag for c in cases) and any(not c.flag for c in cases), f"{code} needs both kinds of case"
        assert all(rule.doc[s] for s in ("检查什么", "为什么是问题", "示例", "如何整改"))
