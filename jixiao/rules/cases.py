"""Rule cases as data: `tests/rules/cases/<CODE>.yml` holds cases that must and must not flag.

A case file looks like:

    rule: JX101
    cases:
      - name: 成本指标目标值为百分比
        flag: true                 # the rule must flag (false: it must not flag anything)
        expect: [p1.i1]            # optional: exactly these refs are flagged ("p1" = project-level)
        messages: [满分]            # optional: each text appears in some flag's message
        severity: {p1.i1: 高}       # optional: the severity of these refs' flags (rules that grade findings)
        options: {}                # optional option overrides
        project: {kind: goal, budget: 800}
        indicators:
          - {level1: 成本指标, level2: 经济成本指标, name: 项目成本, target_raw: "≥98%"}

or, for cases across several projects, `projects: [{unit: …, indicators: [...]}, …]`.
Columns left out get defaults (see `frames_from_case`); `target_raw` and `actual_raw` are parsed
with the real value parser when op/value/unit are not given, so cases read like the documents.

Cases across documents (the JX50x rules) name a project's documents by role:

    project: {unit: 轮台县社会保险中心, name: 城乡居民养老保险补贴, year: 2025}  # shared by all roles
    goal: {indicators: [...]}                         # project id "g"  (kind goal, the year)
    self_eval:                                        # "s"  (kind self_eval, the same year)
      from: goal                                      # start from the goal's indicators …
      change: {1: {target_raw: "≥5.2万人"}}            # … change the first (1-based) …
      drop: [3]                                       # … leave out the third …
      add: [{level1: …, name: …}]                     # … and add one at the end
    previous_goal: {...}                              # "pg" (kind goal, year − 1)
    previous_self_eval: {from: previous_goal, ...}    # "ps" (kind self_eval, year − 1)

Each role's indicators are `<id>.i1`, `<id>.i2` … in order (after drop/add); `projects:` may
list further projects (p1, p2 …) beside the roles.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from jixiao import schema
from jixiao.levels import canonicalize
from jixiao.rules.base import Frames

CASES_DIR = Path(__file__).resolve().parents[2] / "tests" / "rules" / "cases"


@dataclass
class Case:
    rule: str
    name: str
    flag: bool
    expect: list[str] | None
    messages: list[str]
    options: dict[str, Any]
    frames: Frames
    severity: dict[str, str] | None = None  # optional: ref -> the severity its flag must have


def _project_defaults(i: int) -> dict[str, Any]:
    return {
        "project_id": f"p{i}", "doc_id": f"d{i}", "seq": i, "kind": "goal", "year": 2024,
        "province": "测试省", "city": "测试市", "county": "测试县", "department": None,
        "unit": f"测试单位{i}", "name": f"测试项目{i}", "code": None, "budget": 100.0,
        "executed": None, "execution_rate": None, "budget_points": None,
        "budget_score_reported": None, "total_score_reported": None, "synthetic": False,
        "source_line": 1,
    }


def _indicator_defaults(pid: str, doc_id: str, k: int) -> dict[str, Any]:
    return {"indicator_id": f"{pid}.i{k}", "project_id": pid, "doc_id": doc_id, "seq": k,
            "name": f"指标{k}", "source_line": k + 1}


def _fill_values(ind: dict[str, Any]) -> None:
    # Parse raw texts the way the ingest does, unless the case states the parsed fields.
    from jixiao.values import parse_value

    if ind.get("target_raw") is not None and "target_value" not in ind and "target_op" not in ind:
        v = parse_value(str(ind["target_raw"]), unit_hint=ind.get("target_unit"), type_hint=ind.get("declared_type"))
        ind.setdefault("target_op", v.op)
        ind["target_value"] = v.value
        ind["target_unit"] = v.unit
        ind.setdefault("is_quantitative", v.is_quantitative)
    if ind.get("actual_raw") is not None and "actual_value" not in ind:
        v = parse_value(str(ind["actual_raw"]))
        ind["actual_value"] = v.value
        ind.setdefault("actual_unit", v.unit)
    if ind.get("last_year_raw") is not None and "last_year_value" not in ind:
        ind["last_year_value"] = parse_value(str(ind["last_year_raw"])).value
    l1, l2 = canonicalize(ind.get("level1_raw", ind.get("level1")), ind.get("level2_raw", ind.get("level2")))
    ind.setdefault("level1_raw", ind.get("level1"))
    ind.setdefault("level2_raw", ind.get("level2"))
    ind["level1"] = ind.get("level1") if l1 is None else l1
    ind["level2"] = ind.get("level2") if l2 is None else l2
    ind.setdefault("is_quantitative", ind.get("target_value") is not None)


ROLES = {  # role -> (project id, kind, year offset); built in this order, so `from` may name an earlier role
    "previous_goal": ("pg", "goal", -1), "previous_self_eval": ("ps", "self_eval", -1),
    "goal": ("g", "goal", 0), "self_eval": ("s", "self_eval", 0),
}


def _role_projects(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Given a case with roles (goal, self_eval, previous_goal, previous_self_eval), returns
    its projects with ids, kinds and years set and indicators derived (from / change / drop / add)."""
    import copy

    base = dict(spec.get("project", {}))
    year = int(base.pop("year", 2024))
    built: dict[str, list[dict[str, Any]]] = {}
    out = []
    for role, (pid, kind, offset) in ROLES.items():
        if role not in spec:
            continue
        r = dict(spec[role] or {})
        inds = copy.deepcopy(built[r.pop("from")]) if "from" in r else []
        inds += r.pop("indicators", [])
        for k, change in (r.pop("change", None) or {}).items():
            inds[int(k) - 1] = {**inds[int(k) - 1], **change}
        drop = {int(k) - 1 for k in r.pop("drop", None) or []}
        inds = [x for k, x in enumerate(inds) if k not in drop] + list(r.pop("add", None) or [])
        built[role] = copy.deepcopy(inds)
        out.append({"unit": "测试单位", "name": "测试项目", **base, "project_id": pid, "doc_id": f"d_{pid}",
                    "kind": kind, "year": year + offset, **r, "indicators": inds})
    return out


def frames_from_case(spec: dict[str, Any]) -> Frames:
    """Given one case mapping, returns the frames it describes with every schema column present."""
    roles = _role_projects(spec) if any(r in spec for r in ROLES) else []
    extra = list(spec.get("projects") or [])
    if roles:
        # Further projects of a case with roles belong to the same unit and year unless they say otherwise.
        shared = {"unit": "测试单位", **spec.get("project", {})}
        extra = [{**shared, "project_id": f"p{k}", "doc_id": f"d{k}", **p} for k, p in enumerate(extra, start=1)]
    projects_spec = roles + extra
    if not projects_spec:
        projects_spec = [{**spec.get("project", {}), "indicators": spec.get("indicators", [])}]
    projects, indicators = [], []
    for i, p in enumerate(projects_spec, start=1):
        p = dict(p)
        inds = p.pop("indicators", [])
        row = {**_project_defaults(i), **p}
        if row.get("executed") is not None and row.get("budget") and row.get("execution_rate") is None:
            row["execution_rate"] = row["executed"] / row["budget"]
        projects.append(row)
        for k, ind in enumerate(inds, start=1):
            ind = {**_indicator_defaults(row["project_id"], row["doc_id"], k), **ind}
            _fill_values(ind)
            indicators.append(ind)
    pdf = pl.DataFrame([{c: r.get(c) for c in schema.PROJECTS} for r in projects], schema=schema.PROJECTS)
    idf = pl.DataFrame([{c: r.get(c) for c in schema.INDICATORS} for r in indicators], schema=schema.INDICATORS)
    return Frames(projects=pdf, indicators=idf)


def load_cases(path: Path) -> list[Case]:
    """Given a case file, returns its cases with their frames built."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    out = []
    for spec in data["cases"]:
        out.append(Case(
            rule=data["rule"], name=spec["name"], flag=bool(spec["flag"]),
            expect=spec.get("expect"), messages=list(spec.get("messages") or []), options=spec.get("options") or {},
            frames=frames_from_case(spec), severity=spec.get("severity"),
        ))
    return out
