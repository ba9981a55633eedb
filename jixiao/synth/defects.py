"""Planted defects: one rule per project-year at most, each unambiguous.

The rules across documents (JX501-JX507) are planted as a project's goal table and its
self-evaluation, or this year's and last year's documents, disagreeing: a target made easier
in the self-evaluation, an indicator replaced, weights moved, a target below last year's
actual, last year's goal table copied, last year's date left in a deadline, one of the two
documents missing. Their truth is recorded per document (`goal_gt` on the goal table,
`self_gt` on the self-evaluation).

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
    "JX107": 0.025, "JX108": 0.02, "JX201": 0.03, "JX202": 0.03, "JX301": 0.04, "JX302": 0.03, "JX303": 0.03,
    "JX304": 0.025, "JX403b": 0.02, "JX404": 0.02,
    "JX501": 0.03, "JX502": 0.025, "JX503": 0.025, "JX504": 0.03, "JX505": 0.015, "JX506": 0.025,
    "JX507": 0.015,
}
# Group plantings, per project-year of the county-year.
GROUP_RATES = {"JX401": 0.01, "JX402": 0.008, "JX403a": 0.006}
ALL_RULES = ("JX101", "JX102", "JX103", "JX104", "JX105", "JX106", "JX107", "JX108", "JX201", "JX202", "JX301", "JX302",
             "JX303", "JX304", "JX401", "JX402", "JX403a", "JX403b", "JX404", "JX501", "JX502", "JX503", "JX504",
             "JX505", "JX506", "JX507")
_COMMON = frozenset(COMMON_NAMES)
# Plantings a copy of the goal table would carry into the next year (JX505 copies none of them).
_GOAL_VISIBLE = frozenset({"JX101", "JX102", "JX105", "JX106", "JX107", "JX201", "JX401", "JX402", "JX402src", "JX404",
                           "JX505"})
_PER_WORDS = re.compile(r"平均|单价|标准|单位成本|每")


# ----------------------------------------------------------------------------- eligibility


def _money_cost(py: ProjectYear) -> list[Ind]:
    return [i for i in py.inds if i.is_cost and i.value is not None]


def _eligible(rule: str, py: ProjectYear) -> bool:
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
    if rule == "JX108":
        # the goal layout whose 上年结转 / 其他资金 rows stay blank when there is none (a source
        # left blank may be a 0): its 财政拨款 alone is the whole budget
        return layout == "L000" and not py.other and not py.carryover
    if rule == "JX404":
        n = len(py.inds)
        return n >= 7 and len(_jx404_cands(py)) >= math.ceil(2 * n / 3) + 1
    if rule == "JX503":
        return layout in ("L000", "L004")  # the goal layouts that write weights
    if rule == "JX504":
        return bool(_jx504_cands(py))
    if rule == "JX505":
        # Last year's goal table without a defect of its own that the copy would carry over.
        prev = py.prev
        return (prev is not None and prev.skip_doc is None and prev.defect not in _GOAL_VISIBLE
                and len(prev.inds) >= 6 and py.copy_of is None)
    if rule == "JX506":
        return any(i.kind == "date" and not i.template for i in py.inds)
    if rule == "JX507":
        return py.copy_of is None and py.defect is None
    return True


def choose(pys: list[ProjectYear], rng: random.Random, force: bool | tuple = False) -> None:
    """Given the project-years of one county-year, decides which rule each gets (py.defect);
    with `force`, every rule is planted at least once (the first county: a small corpus still
    has every rule); `force` may also name the rules to force (those not planted yet)."""
    per_unit: dict[str, int] = {}
    for p in pys:
        per_unit[p.unit.name] = per_unit.get(p.unit.name, 0) + 1
    missing: set[str] = set()

    def eligible(rule: str, p: ProjectYear) -> bool:
        # JX507 needs the unit's other projects in the partner document, one missing a unit-year.
        if rule == "JX507" and (per_unit[p.unit.name] < 2 or p.unit.name in missing):
            return False
        ok = _eligible(rule, p)
        if ok and rule == "JX507":
            missing.add(p.unit.name)
        return ok

    free = [p for p in pys if p.defect is None]
    rng.shuffle(free)
    if force:
        # The rules with the fewest candidates first (JX103 needs a 000 goal table, JX104 a 004 one).
        forced = list(RATES) if force is True else list(force)
        order = sorted(rng.sample(forced, len(forced)), key=lambda r: sum(_eligible(r, p) for p in free))
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
    b_lin.key = f"{lin.key}/copy{a.year}"  # another project (its own identity), one year long
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
    """JX102 (a satisfaction indicator under 效益指标), JX107 (a name twice) and JX108 (the goal
    table's 年度资金总额 written as 0 above its 财政拨款). Only the 0: a 财政拨款 above a written
    total also makes the document partial (its figures do not reconcile), which the benchmark's
    check of what was loaded would count; the rule's cases hold that form."""
    if py.defect == "JX108":
        py.goal_over["JX108"] = "0"  # the total as written
        py.goal_gt.add("JX108")
    elif py.defect == "JX102":
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
    if d == "JX501":
        _plant_501(py, rng)
    elif d == "JX502":
        _plant_502(py, rng)
    elif d == "JX503":
        _plant_503(py, rng)
    elif d == "JX301":
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


# ----------------------------------------------------------------------------- across documents and years


def _shown(x: float) -> float:
    """A number as the documents write it (two decimals at most)."""
    from jixiao.synth.build import fmt

    return float(fmt(x))


def weaker_than_last_year(ind: Ind, prev: ProjectYear | None) -> bool:
    """Given a goal-table indicator and the project's previous year, returns whether JX504 should
    flag it: a >= (<=) target below (above) last year's shown actual of the same indicator, not a
    cost, and not the case JX104 already covers (上年完成值 written and equal to that actual)."""
    from jixiao.synth.build import previous_actual

    if ind.is_cost or ind.cost_role or ind.value is None or ind.op not in (">=", ">", "<=", "<"):
        return False
    p = previous_actual(ind, prev)
    if p is None:
        return False
    t, a = _shown(ind.value), _shown(p.a_value)
    if ind.last_year_num is not None and abs(ind.last_year_num - a) < 1e-9:
        return False
    return t < a if ind.op in (">=", ">") else t > a


def _jx504_cands(py: ProjectYear) -> list[Ind]:
    from jixiao.synth.build import previous_actual

    out = []
    for i in py.inds:
        if i.is_cost or i.cost_role or i.template or i.value is None or i.op not in (">=", "<="):
            continue
        p = previous_actual(i, py.prev)
        if p is None or p.a_value is None or p.a_value <= 0:
            continue
        if i.op == ">=" and not (i.unit == "%" and p.a_value < 20):
            out.append(i)
        elif i.op == "<=" and i.unit != "‰":
            out.append(i)
    return out


def mark_weaker_than_last_year(py: ProjectYear) -> None:
    """Records JX504 on every goal-table indicator of the project that ends up below last year's
    actual, whatever planting put it there (a lowered target, a copy, a JX404 band)."""
    for ind in py.inds:
        if weaker_than_last_year(ind, py.prev):
            ind.goal_gt.add("JX504")


def plant_copy(py: ProjectYear, rng: random.Random) -> None:
    """JX505: this year's goal table is last year's, indicators, targets, weights, budget and
    上年完成值 unchanged — dates included (JX506 on each) and targets now below last year's
    actual where last year did better (JX504 on each)."""
    if py.defect != "JX505":
        return
    prev = py.prev
    py.inds = []
    for p in prev.inds:
        ind = copy.deepcopy(p)
        ind.gt, ind.self_gt, ind.goal_gt = set(), set(), set()
        ind.a_value = ind.a_qual = ind.score = ind.reason = None
        ind.met, ind.self_hidden, ind.floor = True, False, None
        py.inds.append(ind)
    py.budget, py.fiscal, py.other, py.carryover = prev.budget, prev.fiscal, prev.other, prev.carryover
    py.goal_gt.add("JX505")
    for ind in py.inds:
        if ind.kind == "date":
            ind.goal_gt.add("JX506")


def plant_lineage_targets(py: ProjectYear, rng: random.Random) -> None:
    """JX504 (a target set below last year's actual), JX506 (last year's year in a deadline),
    JX507 (the project left out of one of its two documents)."""
    from jixiao.synth.build import _date_target, nice_count, previous_actual

    d = py.defect
    if d == "JX504":
        ind = rng.choice(_jx504_cands(py))
        a = previous_actual(ind, py.prev).a_value
        if ind.op == ">=":
            if ind.unit == "%":
                v = max(1.0, math.floor(a) - rng.choice((2, 3, 5)))
            else:
                v = nice_count(a * rng.uniform(0.75, 0.93), ind.unit, rng)
                v = min(v, math.floor(a) - 1) if a >= 2 else round(a * 0.8, 1)
        else:
            v = math.ceil(a * rng.uniform(1.15, 1.6))
            if v <= a:
                v = math.floor(a) + 1
        # 上年完成值 (004) is then written at or below the new target, so JX104 stays quiet and
        # the finding is JX504's: the self-evaluation of last year says more.
        ind.value = float(v)
        ind.floor = None
        ind.goal_gt.add("JX504")
    elif d == "JX506":
        ind = rng.choice([i for i in py.inds if i.kind == "date" and not i.template])
        k = py.lineage.base_values.get(ind.tid, 0)
        ind.qual = _date_target(py.year - 1, k)
        ind.goal_gt.add("JX506")
    elif d == "JX507":
        py.skip_doc = rng.choice(("goal", "self"))
        (py.goal_gt if py.skip_doc == "self" else py.self_gt).add("JX507")


def _met(ind: Ind) -> bool:
    return ind.met and ind.score is not None and abs(ind.score - ind.weight) < 1e-9 and not ind.reason


def _plant_501(py: ProjectYear, rng: random.Random) -> None:
    """The self-evaluation writes an easier target (or, now and then, a harder one it still
    met) than the goal table for one met indicator; actual and score stay."""
    from jixiao.synth.build import INT_UNITS

    cands = [i for i in py.inds if _met(i) and i.value is not None and i.value > 0 and i.op in (">=", "<=")
             and not i.is_cost and not i.cost_role and not i.template and i.a_value is not None]
    ind = rng.choice(cands)
    v, a = ind.value, ind.a_value
    integer = ind.unit in INT_UNITS or v >= 20
    new = None
    if ind.op == ">=" and ind.unit != "%" and rng.random() < 0.25 and a > v * 1.04:
        new = math.floor(v * 1.04) if integer else round(v * 1.04, 1)
        new = new if v < new <= a else None
    if new is None:
        if ind.op == ">=":
            new = math.floor(v * rng.uniform(0.85, 0.95)) if integer else round(v * rng.uniform(0.85, 0.95), 1)
            if new >= v:
                new = v - 1 if integer and v >= 2 else round(v * 0.9, 2)
        else:
            new = math.ceil(v * rng.uniform(1.1, 1.3)) if integer else round(v * rng.uniform(1.1, 1.3), 1)
            if new <= v:
                new = v + 1
    if new <= 0 or abs(new - v) < 1e-9:
        raise IndexError("no visible change")  # plant_self turns this into JX302
    py.self_over["JX501"] = (ind, float(new))
    ind.self_gt.add("JX501")


def _replacement(py: ProjectYear, old: Ind, rng: random.Random) -> Ind | None:
    """An indicator of the same level and weight the goal table does not have, met, with a name
    unlike the one it replaces (so no matcher could take it for the old one)."""
    from rapidfuzz.distance import Levenshtein

    from jixiao.synth.build import _desc, fmt, nice_count, pick_rate

    lin = py.lineage
    names = {i.name for i in py.inds}
    pool = [sp for sp in lin.ptype["inds"] if vocab.LEVEL1_OF[sp[0]] == vocab.LEVEL1_OF[old.key]]
    pool += [sp for sp in vocab.GENERIC_QUALITY + vocab.GENERIC_BENEFIT
             if vocab.LEVEL1_OF[sp[0]] == vocab.LEVEL1_OF[old.key]]
    rng.shuffle(pool)
    for sp in pool:
        key, kind, pattern, unit, lo, hi = sp[:6]
        name = pattern.format(s=lin.subject, o=lin.obj, a=lin.ptype["abbr"])
        if name in names or name in _COMMON or kind in ("date", "dur", "down"):
            continue
        # Unlike the dropped one (the others are matched by their own names first).
        if Levenshtein.normalized_similarity(name, old.name) >= 0.6:
            continue
        new = Ind(key=key, kind=kind, name=name, tid="x502", weight=old.weight)
        if kind in ("count", "count_eq"):
            new.value, new.unit, new.op = nice_count(math.exp(rng.uniform(math.log(max(lo, 1)), math.log(max(hi, 2)))), unit, rng), unit, ">="
        elif kind in ("rate", "rate_eq"):
            new.value, new.unit, new.op = pick_rate(lo, hi, rng), "%", ">="
            if new.value >= 100:
                new.op = "="
        elif kind == "qual":
            new.qual = rng.choice(sp[6])
        else:
            continue
        new.desc = _desc(kind, name, rng.randrange(8), lin.subject, lin.obj, False)
        new.basis, new.evidence = old.basis, old.evidence
        new.a_value, new.a_qual = new.value, (new.qual if new.value is None else None)
        new.score, new.met, new.reason = new.weight, True, None
        if fmt(new.value) == fmt(old.value) and new.qual == old.qual:
            continue
        return new
    return None


def _plant_502(py: ProjectYear, rng: random.Random) -> None:
    """The self-evaluation drops one met indicator of the goal table and adds another of the
    same level and weight (weights, declared points and the total stay right)."""
    cands = [i for i in py.inds if _met(i) and not i.is_cost and not i.cost_role and not i.template
             and i.kind != "sat"]
    rng.shuffle(cands)
    for old in cands:
        new = _replacement(py, old, rng)
        if new is not None:
            py.self_over["JX502"] = (old, new)
            old.self_hidden = True
            old.goal_gt.add("JX502")
            new.self_gt.add("JX502")
            return
    raise IndexError("no replacement")


def _plant_503(py: ProjectYear, rng: random.Random) -> None:
    """The self-evaluation moves points between two met indicators of one first level; their
    scores follow, so the total and the declared points stay right."""
    groups: dict[str, list[Ind]] = {}
    for i in py.inds:
        if _met(i) and i.weight >= 4:
            groups.setdefault(vocab.LEVEL1_OF[i.key], []).append(i)
    pairs = [g for g in groups.values() if len(g) >= 2]
    g = rng.choice(pairs)
    a, b = rng.sample(g, 2)
    delta = float(min(rng.choice((2, 3, 5)), a.weight - 2))
    py.self_over["JX503"] = {id(a): a.weight - delta, id(b): b.weight + delta}
    a.score, b.score = a.weight - delta, b.weight + delta
    a.self_gt.add("JX503")
    b.self_gt.add("JX503")
