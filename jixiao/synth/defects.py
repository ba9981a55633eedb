"""Planted defects: one rule per project-year at most, each unambiguous.

Every rule of the catalog has a planting function. The phases follow the order the data is
built in: structure (indicators added or copied) before weights, targets before the
self-evaluation is scored, scores and totals after it. Each planting records the rule in the
indicator's or project's `gt` (seen in both documents of the year) or `self_gt` (only in the
self-evaluation), or as a render-time change of one document (`goal_over` / `self_over`).
"""

from __future__ import annotations

import copy
import math
import random
import re

from jixiao.boilerplate import COMMON_NAMES
from jixiao.synth import vocab
from jixiao.synth.build import (
    SAT_STEPS,
    Ind,
    Lineage,
    ProjectYear,
    lognormal_budget,
    make_met,
    make_unmet,
    money,
    unique_reason,
)

# Share of project-years that get each rule (where the rule can be planted at all).
RATES = {
    "JX101": 0.03, "JX102": 0.03, "JX103": 0.06, "JX104": 0.06, "JX105": 0.03, "JX106": 0.03,
    "JX107": 0.025, "JX201": 0.03, "JX202": 0.03, "JX301": 0.04, "JX302": 0.03, "JX303": 0.03,
    "JX304": 0.025, "JX403b": 0.02, "JX404": 0.02,
}
# Group plantings, per project-year of the county-year.
GROUP_RATES = {"JX401": 0.01, "JX402": 0.008, "JX403a": 0.006}
ALL_RULES = ("JX101", "JX102", "JX103", "JX104", "JX105", "JX106", "JX107", "JX201", "JX202", "JX301", "JX302",
             "JX303", "JX304", "JX401", "JX402", "JX403a", "JX403b", "JX404")
_COMMON = frozenset(COMMON_NAMES)
_PER_WORDS = re.compile(r"平均|单价|标准|单位成本|每")


# ----------------------------------------------------------------------------- eligibility


def _money_cost(py: ProjectYear) -> list[Ind]:
    return [i for i in py.inds if i.is_cost and i.value is not None]


def eligible(rule: str, py: ProjectYear) -> bool:
    layout = py.unit.goal_layout
    if rule == "JX101":
        return len(_money_cost(py)) == 1
    if rule == "JX103":
        return layout == "L000" and bool(_jx103_cands(py))
    if rule == "JX104":
        return layout == "L004" and bool(_jx104_cands(py))
    if rule == "JX105":
        costs = _money_cost(py)
        # JX105 reads a bare-万元 cost whose name says 标准/平均/单价/每 as a price per unknown
        # unit and skips it (高标准农田成本 included): plant only where the names are plain totals.
        return bool(costs) and all(i.cost_role == "total" and not _PER_WORDS.search(i.name) for i in costs)
    if rule == "JX107":
        return bool(_jx107_cands(py))
    if rule == "JX404":
        n = len(py.inds)
        return n >= 7 and len(_jx404_cands(py)) >= math.ceil(2 * n / 3) + 1
    return True


def choose(pys: list[ProjectYear], rng: random.Random, force: bool) -> None:
    """Given the project-years of one county-year, decides which rule each gets (py.defect);
    with `force`, every rule is planted at least once (the first county: a small corpus still
    has every rule)."""
    free = [p for p in pys if p.defect is None]
    rng.shuffle(free)
    if force:
        # The rules with the fewest candidates first (JX103 needs a 000 goal table, JX104 a 004 one).
        order = sorted(rng.sample(list(RATES), len(RATES)), key=lambda r: sum(eligible(r, p) for p in free))
        for rule in order:
            for p in free:
                if p.defect is None and eligible(rule, p):
                    p.defect = rule
                    break
    for p in free:
        if p.defect is not None:
            continue
        u = rng.random()
        acc = 0.0
        for rule, rate in RATES.items():
            acc += rate
            if u < acc:
                if eligible(rule, p):
                    p.defect = rule
                break


# ----------------------------------------------------------------------------- structure (before weights)


def plant_groups(pys: list[ProjectYear], rng: random.Random, force: bool) -> list[ProjectYear]:
    """Plants the group rules of a county-year: JX401 template indicators shared by 2-3 units,
    JX402 projects copied within a unit, JX403 template reasons (chosen now, written after
    scoring). Returns the new (copied) project-years."""
    new: list[ProjectYear] = []
    n = len(pys)
    n401 = _count(GROUP_RATES["JX401"] * n, rng, force)
    for _ in range(n401):
        _plant_401(pys, rng)
    n402 = _count(GROUP_RATES["JX402"] * n, rng, force)
    for _ in range(n402):
        b = _plant_402(pys, rng)
        if b is not None:
            new.append(b)
    n403 = _count(GROUP_RATES["JX403a"] * n, rng, force)
    for _ in range(n403):
        free = [p for p in pys if p.defect is None]
        if len(free) < 3:
            break
        phrase = rng.choice(vocab.BOILERPLATE_REASONS)
        for p in rng.sample(free, min(len(free), rng.choice((3, 3, 4)))):
            p.defect = "JX403a"
            p.self_over["JX403a"] = phrase
    return new


def _count(expected: float, rng: random.Random, force: bool) -> int:
    k = int(expected)
    if rng.random() < expected - k:
        k += 1
    return max(k, 1) if force else k


def _plant_401(pys: list[ProjectYear], rng: random.Random) -> None:
    by_unit: dict[str, list[ProjectYear]] = {}
    for p in pys:
        if p.defect is None:
            by_unit.setdefault(p.unit.name, []).append(p)
    units = list(by_unit)
    if len(units) < 2:
        return
    k = min(len(units), rng.choice((2, 2, 3)))
    key, name, target = rng.choice(vocab.TEMPLATE_INDICATORS)
    qual = rng.choice(target) if isinstance(target[0], str) else None
    members = []
    for u in rng.sample(units, len(units)):
        cands = [p for p in by_unit[u] if not any(i.name == name for i in p.inds)]
        if cands:
            members.append(rng.choice(cands))
        if len(members) == k:
            break
    if len(members) < 2:
        return
    for p in members:
        ind = Ind(key=key, kind="qual" if qual else "rate", name=name, desc="", template=True, tid="tpl")
        if qual:
            ind.qual = qual
        else:
            ind.value, ind.unit, ind.op = float(rng.choice(target)), "%", ">="
        ind.gt.add("JX401")
        ind.basis, ind.evidence = rng.choice(vocab.BASIS_004), rng.choice(vocab.EVIDENCE_004)
        _insert(p, ind)
        p.defect = "JX401"


def _insert(py: ProjectYear, ind: Ind) -> None:
    order = {k: i for i, k in enumerate(vocab.LEVEL2_ORDER)}
    pos = len(py.inds)
    for i, x in enumerate(py.inds):
        if order[x.key] > order[ind.key]:
            pos = i
            break
    py.inds.insert(pos, ind)


def _plant_402(pys: list[ProjectYear], rng: random.Random) -> ProjectYear | None:
    """Copies a project's indicators (names and targets) into a new project of the same unit
    with another name: the 城乡居民养老保险 / 医疗保险 case of seed 003."""
    free = [p for p in pys if p.defect is None and len(p.inds) >= 6]
    if not free:
        return None
    a = rng.choice(free)
    names = {p.name for p in pys if p.unit is a.unit}
    lin = a.lineage
    b_lin: Lineage = copy.copy(lin)
    b_lin.base_values = {}
    b_lin.seed = rng.getrandbits(32)
    pt = lin.ptype
    from jixiao.synth.build import _types_for

    options = [p2["name"].format(s=lin.subject, o=p2["obj"]) for p2 in _types_for(a.unit.utype) if p2 is not pt]
    options += [a.name + "（二期）", a.name + "追加资金", a.name.replace(lin.obj, lin.obj + "专项")]
    options = [o for o in options if o not in names and o != a.name]
    if not options:
        return None
    name = rng.choice(options)
    subject = lin.subject
    b_lin.subject, b_lin.name = subject, name
    b_lin.start = b_lin.end = a.year
    b = ProjectYear(lineage=b_lin, year=a.year, name=name, budget=lognormal_budget(rng),
                    inds=[copy.deepcopy(i) for i in a.inds])
    b.fiscal, b.other, b.carryover = b.budget, 0.0, 0.0
    for i in b.inds:
        i.gt, i.self_gt = set(), set()
    _refit_costs(b, rng)
    a.defect = "JX402src"
    b.defect = "JX402"
    b.copy_of = a
    return b


def _refit_costs(b: ProjectYear, rng: random.Random) -> None:
    """Given a copied project, makes its cost amounts add up to its own budget (the copy keeps
    the cost indicators' names and forms, so only JX402 sees the copy)."""
    costs = _money_cost(b)
    totals = [i for i in costs if i.cost_role == "total"]
    if totals and len(totals) == len(costs):
        if len(totals) == 1:
            t = totals[0]
            t.value = float(round(b.budget * 10000)) if t.unit == "元" else b.budget
        else:
            first = money(b.budget * 0.5)
            totals[0].value, totals[1].value = first, money(b.budget - first)
        return
    for i in costs:
        if i.cost_role == "quarter":
            b.budget = money(i.value * 4)
        elif i.cost_role == "unit":
            count = next((x for x in b.inds if x.cost_role == "count"), None)
            n = count.value if count else 1.0
            scale = 1e-4 if i.unit.startswith("元") else 1.0
            i.value = round(i.value * rng.uniform(0.6, 1.6), 0 if scale < 1 else 2) or i.value
            b.budget = money(i.value * scale * n)
    if b.budget < 0.2:
        b.budget = 0.2
    b.fiscal = b.budget


def plant_structure(py: ProjectYear, rng: random.Random) -> None:
    """JX102 (a satisfaction indicator under 效益指标) and JX107 (a name twice)."""
    if py.defect == "JX102":
        proper = next(i for i in py.inds if i.kind == "sat")
        names = [n for n in vocab.SATISFACTION_NAMES["default"] if n != proper.name]
        ind = Ind(key=rng.choice(("社会效益", "可持续", "生态效益")), kind="sat", name=rng.choice(names), op=">=",
                  unit="%", value=float(rng.choice(SAT_STEPS)), desc="通过问卷调查了解服务对象满意程度", tid="x102")
        ind.basis, ind.evidence = "历史标准", "说明材料"
        ind.gt.add("JX102")
        _insert(py, ind)
    elif py.defect == "JX107":
        x = rng.choice(_jx107_cands(py))
        later = {"数量": "质量", "质量": "时效"}[x.key]
        ind = Ind(key=later, kind="rate", name=x.name, op=">=", unit="%", value=float(rng.choice((90, 92, 98))),
                  desc=f"考核{x.name}达标情况", tid="x107")
        ind.basis, ind.evidence = x.basis, x.evidence
        ind.gt.add("JX107")
        _insert(py, ind)


def _jx107_cands(py: ProjectYear) -> list[Ind]:
    return [i for i in py.inds if i.key in ("数量", "质量") and i.name not in _COMMON and not i.cost_role
            and not i.template]


# ----------------------------------------------------------------------------- targets (after weights)


def plant_targets(py: ProjectYear, rng: random.Random) -> None:
    d = py.defect
    if d == "JX101":
        ind = _money_cost(py)[0]
        if rng.random() < 0.5:
            ind.value, ind.unit = float(rng.choice((95, 98, 100))), "%"
            ind.op = "=" if ind.value == 100 else ">="
        else:
            ind.value, ind.unit, ind.op = None, "", None
            ind.qual = rng.choice(("按标准执行", "正常开展", "控制在预算范围内", "严格控制成本"))
        ind.cost_role = ""
        ind.gt.add("JX101")
    elif d == "JX105":
        costs = _money_cost(py)
        f = rng.uniform(1.15, 1.6) if rng.random() < 0.5 else rng.uniform(0.4, 0.85)
        for ind in costs:
            ind.value = float(round(ind.value * f)) if ind.unit == "元" else money(ind.value * f)
        py.gt.add("JX105")
    elif d == "JX201":
        ind = rng.choice([i for i in py.inds if i.weight >= 5])
        for delta in rng.sample((-10, -5, 5, 15), 4):
            if ind.weight + delta >= 2:
                ind.weight += delta
                break
        py.gt.add("JX201")
    elif d == "JX404":
        cands = _jx404_cands(py)
        rng.shuffle(cands)
        need = math.ceil(2 * len(py.inds) / 3) + (1 if len(cands) > math.ceil(2 * len(py.inds) / 3) else 0)
        band = [i for i in py.inds if i.unit == "%" and i.value is not None and i.value >= 95 and i.op != "<="]
        for ind in cands:
            if len(band) >= need:
                break
            if ind in band:
                continue
            ind.value, ind.unit = float(rng.choice((95, 98, 98, 100))), "%"
            ind.op = "=" if ind.value == 100 else ">="
            ind.qual = None
            ind.kind = "rate"
            ind.nounmet = False
            band.append(ind)
        py.gt.add("JX404")
    elif d == "JX103":
        ind = rng.choice(_jx103_cands(py))
        py.goal_over["JX103"] = (ind, "≥" if ind.value is None else "定性")
    elif d == "JX104":
        ind = rng.choice(_jx104_cands(py))
        v, u = ind.value, ind.unit
        from jixiao.synth.build import fmt

        if ind.op in (">=", ">"):
            ly = min(100.0, v + rng.choice((2, 3, 5))) if u == "%" else math.ceil(v * rng.uniform(1.08, 1.3))
        else:
            ly = round(v * rng.uniform(0.6, 0.85), 1)
        py.goal_over["JX104"] = (ind, f"{fmt(ly)}{u}")
    elif d == "JX106":
        _plant_106(py, rng)


def _jx103_cands(py: ProjectYear) -> list[Ind]:
    out = []
    for i in py.inds:
        if i.is_cost or i.template or i.kind == "sat":
            continue
        if i.kind == "qual" or (i.value is not None and i.kind in ("rate", "count") and i.op != "<="):
            out.append(i)
    return out


def _jx104_cands(py: ProjectYear) -> list[Ind]:
    out = []
    for i in py.inds:
        if i.is_cost or i.value is None or i.template or i.cost_role:
            continue
        if i.op in (">=", ">") and not (i.unit == "%" and i.value >= 98) and i.value > 0:
            out.append(i)
        elif i.op in ("<=", "<") and i.unit != "‰" and i.value >= 1:
            out.append(i)
    return out


def _jx404_cands(py: ProjectYear) -> list[Ind]:
    return [i for i in py.inds if not i.is_cost and not i.cost_role and not i.template and i.kind != "sat"
            and i.op not in ("<=", "<")] + [i for i in py.inds if i.kind == "sat"]


def _plant_106(py: ProjectYear, rng: random.Random) -> None:
    """One indicator loses its name, its target or its second level, in one document. The forms
    are those each layout can show unambiguously (see render.py)."""
    doc = "self" if rng.random() < 0.5 else "goal"
    layout = "L001" if doc == "self" else py.unit.goal_layout
    forms = {"L000": ("name", "l2", "target"), "L001": ("name", "l2", "target"), "L003": ("l2", "target"),
             "L004": ("name", "l2", "target")}[layout]
    what = rng.choice(forms)
    inds = [i for i in py.inds if i.kind != "sat" and not i.is_cost and not i.template and not i.cost_role]
    if what == "l2":
        ben = [i for i in py.inds if vocab.LEVEL1_OF[i.key] == "效益指标"]
        if not ben or ben[0].kind == "sat" or ben[0].template:
            what = "target"
        else:
            target = ben[0]
    if what == "name":
        # Not a common name: without its name a common indicator's generic description would
        # read the same in every unit (JX401).
        # And a number for a target: a nameless indicator's text is its target (plus the
        # description in 000), and a phrase such as 持续发挥作用 is the same text in any unit.
        cands = [i for i in inds if i.name not in _COMMON and i.value is not None]
        if not cands:
            what = "target"
        else:
            target = rng.choice(cands)
    if what == "target":
        target = rng.choice(inds)
    over = py.self_over if doc == "self" else py.goal_over
    over["JX106"] = (target, what)


# ----------------------------------------------------------------------------- self-evaluation (after scoring)


def plant_self(py: ProjectYear, rng: random.Random, reasons: set[str]) -> None:
    """Plants the self-evaluation rules; a project where the chosen rule has no place (no met
    indicator to mark down, say) gets a 总分 error (JX302) instead."""
    try:
        _plant_self(py, rng, reasons)
    except IndexError:  # rng.choice on no candidates
        py.defect = "JX302"
        py.total_delta = rng.choice((-3, 3, 5))
        py.self_gt.add("JX302")


def _plant_self(py: ProjectYear, rng: random.Random, reasons: set[str]) -> None:
    d = py.defect
    if d == "JX301":
        _plant_301(py, rng)
    elif d == "JX304":
        cands = [i for i in py.inds if i.met and not i.reason and not i.is_cost and i.weight >= 2]
        ind = rng.choice(cands)
        ind.score = ind.weight + rng.choice((1, 2, 3, 5))
        ind.self_gt.add("JX304")
    elif d == "JX303":
        rate = py.executed / py.budget
        if rate >= 0.97:
            if rate < 0.999:
                py.executed = py.budget
            py.bscore = float(rng.choice((7, 8, 9)))
        else:
            py.bscore = 10.0
        py.self_gt.add("JX303")
    elif d == "JX302":
        py.total_delta = rng.choice((-2, -3, -5, 2, 3, 5))
        py.self_gt.add("JX302")
    elif d == "JX202":
        style_label = "产出指标"
        py.self_over["JX202"] = (style_label, rng.choice((-10, -5, 5, 10)))
        py.self_gt.add("JX202")
    elif d == "JX403b":
        cands = [i for i in py.inds if i.met and not i.is_cost and i.score is not None and i.score >= i.weight]
        ind = rng.choice(cands)
        ind.reason = unique_reason(py, ind, rng, reasons)
        if ind.reason is None:
            ind.reason = f"{py.subject}{ind.name}已完成年度目标，{rng.choice(vocab.MEASURES)}。"
        ind.self_gt.add("JX403")
    elif d == "JX403a":
        phrase = py.self_over.pop("JX403a")
        unmet = [i for i in py.inds if not i.met and i.reason]
        if unmet:
            ind = rng.choice(unmet)
        else:
            cands = [i for i in py.inds if not i.is_cost and not i.template and not i.nounmet and i.weight >= 3
                     and (i.value is not None and i.value > 0 or i.kind == "qual")]
            rng.shuffle(cands)
            ind = None
            for c in cands:
                if make_unmet(c, c.weight * 0.2) is not None:
                    ind = c
                    break
                make_met(c, rng)
            if ind is None:
                ind = next(i for i in py.inds if not i.is_cost)
        ind.reason = phrase + rng.choice(("", "。", "；"))
        ind.self_gt.add("JX403")


def _plant_301(py: ProjectYear, rng: random.Random) -> None:
    quant = [i for i in py.inds if i.value is not None and i.value > 0 and not i.is_cost and i.weight >= 5
             and not i.nounmet and not i.template and i.a_value is not None]
    if quant and rng.random() < 0.5:
        # Unmet target, full marks.
        ind = rng.choice(quant)
        make_met(ind, rng)
        for frac in (0.35, 0.45, 0.55):
            taken = make_unmet(ind, ind.weight * frac)
            if taken is not None and taken >= 1.0:
                break
        else:
            make_met(ind, rng)
            ind = None
        if ind is not None:
            ind.score = ind.weight
            ind.reason = None
            ind.self_gt.add("JX301")
            return
    # Met target, points taken off (below the 达成 tier of a qualitative one: 80% of its points).
    met = [i for i in py.inds if i.met and not i.is_cost and i.weight >= 4 and not i.reason and i.a_value is not None]
    if met:
        ind = rng.choice(met)
        ind.score = ind.weight - max(1.0, round(ind.weight * rng.uniform(0.1, 0.3)))
    else:
        met = [i for i in py.inds if i.met and not i.is_cost and i.weight >= 4 and not i.reason
               and i.a_qual is not None and i.a_qual == i.qual]
        ind = rng.choice(met)
        ind.score = round(ind.weight * 0.5)
    ind.self_gt.add("JX301")
