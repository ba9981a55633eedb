"""The synthetic corpus as data, before it is written: units, projects across years, indicators
with targets, weights and (for self-evaluations) actual values and scores.

Everything here is *clean*: weights total 90 (+10 for 预算执行率), scores follow the tables'
own rules, cost indicators add up to the budget, reasons are given only for unmet targets and
never repeat, targets vary. Defects are planted on top of this by `jixiao.synth.defects`.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from jixiao.synth import vocab
from jixiao.synth.places import County

YEAR_PREFIX_SHARE = 0.08  # projects whose name starts with the year (2024年城乡居民…)
INT_UNITS = frozenset("人 人次 次 个 户 台 台套 期 场 件 卷 笔 座 块 册 批次 份 处 家 间 天 个月 万头只".split())
PERCENT_STEPS = (60, 65, 70, 75, 80, 85, 88, 90, 92, 95, 96, 98, 100)
SAT_STEPS = (85, 90, 90, 92, 95, 95, 98)


def fmt(x: float | None, nd: int = 2) -> str:
    """Given a number, returns it as a table writes it: 12 -> "12", 8.5 -> "8.5", 0.333 -> "0.33"."""
    if x is None:
        return ""
    s = f"{x:.{nd}f}"
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return "0" if s in ("", "-0") else s


def money(x: float) -> float:
    return round(x + 1e-12, 2)


# ----------------------------------------------------------------------------- data


@dataclass
class Unit:
    county: County
    dept_key: str
    department: str      # 主管部门 full name
    name: str            # 预算单位 / 实施单位 full name
    utype: str
    code: str            # 6-digit unit code (003 layout)
    goal_layout: str     # L000 | L003 | L004 (its department's)
    index: int           # position in the county


@dataclass
class Ind:
    key: str                     # level-2 key (vocab.LEVEL2_NAME)
    kind: str                    # count count_eq rate rate_eq down dur date qual sat cost
    name: str
    unit: str = ""               # display unit ("%", "人", "万元", "元/次", ...)
    op: str | None = None        # >= <= = > ; None for qualitative
    value: float | None = None   # display number (98 for 98%, 60 for 60元/人)
    qual: str | None = None      # qualitative target text
    desc: str = ""
    basis: str = ""
    evidence: str = ""
    weight: float = 0.0
    last_year: str | None = None
    # self-evaluation
    a_value: float | None = None
    a_qual: str | None = None
    score: float | None = None
    reason: str | None = None
    met: bool = True
    # bookkeeping
    tid: str = ""                # template id within the lineage (continuity across years)
    template: bool = False       # a planted cross-unit template copy (JX401)
    nounmet: bool = False        # never report as unmet (zero targets, deadlines)
    cost_role: str = ""          # total | unit | quarter | count (the count a unit cost multiplies)
    gt: set = field(default_factory=set)   # planted indicator-level rules (both documents)
    self_gt: set = field(default_factory=set)  # planted indicator-level rules (self-evaluation only)
    goal_gt: set = field(default_factory=set)  # planted indicator-level rules (goal table only)
    self_hidden: bool = False    # left out of the self-evaluation (replaced there, JX502)
    floor: float | None = None   # last year's actual: a >= target is not set below it, a <= one not above
    last_year_num: float | None = None  # the number written as 上年完成值 (004), when a number

    @property
    def is_cost(self) -> bool:
        return self.key == "成本"

    @property
    def quantitative(self) -> bool:
        return self.value is not None


@dataclass
class Lineage:
    unit: Unit
    ptype: dict
    subject: str
    name: str
    obj: str
    templates: list               # [(tid, spec tuple, fixed name, qual choice, desc index)]
    cost_mode: str
    cost_names: tuple
    sat_name: str
    base_budget: float
    start: int
    end: int
    seed: int
    base_values: dict = field(default_factory=dict)
    key: str = ""                 # the project's identity across documents and years (manifest)
    year_prefix: bool = False     # the name carries the year in front (2024年…), as many forms write it


@dataclass
class ProjectYear:
    lineage: Lineage
    year: int
    name: str
    budget: float
    inds: list
    fiscal: float = 0.0
    other: float = 0.0
    carryover: float = 0.0
    # self-evaluation
    executed: float | None = None
    bscore: float | None = None
    total: float | None = None
    total_delta: float = 0.0
    # defects
    defect: str | None = None               # the rule planted here (None: clean)
    gt: set = field(default_factory=set)    # project-level rules, both documents
    self_gt: set = field(default_factory=set)
    goal_over: dict = field(default_factory=dict)   # render-time changes of the goal document
    self_over: dict = field(default_factory=dict)   # render-time changes of the self-evaluation
    copy_of: ProjectYear | None = None
    goal_gt: set = field(default_factory=set)       # project-level rules of the goal table only
    prev: ProjectYear | None = None                 # the same project the year before (its lineage)
    skip_doc: str | None = None                     # "goal" / "self": left out of that document (JX507)

    @property
    def unit(self) -> Unit:
        return self.lineage.unit

    @property
    def subject(self) -> str:
        return self.lineage.subject


# ----------------------------------------------------------------------------- helpers


def nice_count(v: float, unit: str, rng: random.Random) -> float:
    """Given a raw count, returns a number a unit would write (integers for people and times,
    round figures for larger amounts, one decimal for kilometres and hours)."""
    if unit in INT_UNITS or v >= 20:
        if v >= 1000 and rng.random() < 0.6:
            mag = 10 ** (int(math.log10(v)) - 1)
            return float(max(mag, round(v / mag) * mag))
        return float(max(1, round(v)))
    return max(0.1, round(v, 1))


def pick_rate(lo: float, hi: float, rng: random.Random) -> float:
    steps = [s for s in PERCENT_STEPS if lo <= s <= hi] or [lo]
    return float(rng.choice(steps))


def lognormal_budget(rng: random.Random) -> float:
    """Returns a project budget in 万元: log-normal, median about 40, within 0.2 .. 20000."""
    while True:
        v = math.exp(rng.gauss(math.log(40.0), 1.75))
        if 0.2 <= v <= 20000:
            return money(v) if v >= 1 else round(v, 2) or 0.2


def person(rng: random.Random) -> str:
    return rng.choice(vocab.SURNAMES) + "".join(rng.choice(vocab.GIVEN) for _ in range(rng.choice((1, 2, 2))))


# ----------------------------------------------------------------------------- units and lineages


def make_units(county: County, rng: random.Random, target: int, layouts: dict[str, float],
               force_layouts: list[str] | None = None) -> list[list[Unit]]:
    """Given a county, returns its departments (each a list of units, the department first),
    about `target` units in all, at most one unit of a type per county. `force_layouts` gives
    the goal layouts of the first departments (so that a small corpus has every layout)."""
    force = list(force_layouts or [])
    keys = list(vocab.DEPARTMENTS)
    rng.shuffle(keys)
    keys.sort(key=lambda k: 0 if k in ("hr", "agri", "edu", "health", "civil") else 1)  # every county has these
    depts: list[list[Unit]] = []
    n = 0
    layout_names = list(layouts)
    weights = [layouts[k] for k in layout_names]
    for key in keys:
        if n >= target:
            break
        dept_suffix, units = vocab.DEPARTMENTS[key]
        take = [units[0]] + [u for u in units[1:] if rng.random() < 0.75]
        goal_layout = rng.choices(layout_names, weights)[0]
        if force and not (force[0] == "L003" and any(ut == "school" for _, ut in take)):
            goal_layout = force.pop(0)
        if goal_layout == "L003" and any(ut == "school" for _, ut in take):
            # The 003 reader takes the unit from a "316004XX局" line and knows no 中学 ending
            # (jixiao.interpret._UNIT_CODE): a school's goal tables use another layout.
            goal_layout = "L004"
        dept_name = county.name + dept_suffix
        group = []
        for suffix, utype in take:
            code = f"{rng.randint(100, 999)}{rng.randint(1, 99):03d}"
            group.append(Unit(county, key, dept_name, county.name + suffix, utype, code, goal_layout, n))
            n += 1
        depts.append(group)
    return depts


def _types_for(utype: str) -> list[dict]:
    return [pt for pt in vocab.PROJECT_TYPES if utype in pt["units"]]


def _subject(pt: dict, unit: Unit, towns: list[str], villages: list[str], rng: random.Random) -> tuple[str, str]:
    """Returns (subject, kind): the county's name, a village or community of one of its towns,
    or the unit itself (津市一中)."""
    kind = rng.choice(pt["subject"].split(","))
    if kind == "unit":
        return unit.county.subject + vocab.UNIT_SUBJECT.get(unit.utype, ""), kind
    if kind in vocab.VILLAGE_SUFFIX:
        stem = rng.choice(villages)
        return rng.choice(towns) + stem + vocab.VILLAGE_SUFFIX[kind], kind
    return unit.county.subject, kind


def make_lineages(unit: Unit, years: list[int], per_unit: int, towns: list[str], villages: list[str],
                  rng: random.Random, used: dict) -> list[Lineage]:
    """Given a unit, the years and the mean number of projects a year, returns its projects
    across years: slots each hold a project for some years; a project that ends is followed by a
    new one (another type or subject). `used` is the county's record of (type, subject) pairs
    and of which unit runs a type several unit types could run (no two units of a county write
    the same programme)."""
    types = [pt for pt in _types_for(unit.utype) if used.setdefault(("owner", pt["key"]), unit.name) == unit.name]
    if not types:
        return []
    n_slots = max(1, min(len(types) * 3, per_unit + rng.choice((-1, 0, 0, 0, 1))))
    out: list[Lineage] = []
    for _ in range(n_slots):
        start = years[0]
        while start <= years[-1]:
            # Most projects run for all the years; some are replaced after 1-3 years.
            length = len(years) if rng.random() < 0.6 else rng.randint(1, 3)
            end = min(years[-1], start + length - 1)
            lin = _new_lineage(unit, types, towns, villages, used, start, end, rng)
            if lin is not None:
                lin.key = f"{unit.county.adcode}:{unit.index}:{len(out)}"
                lin.year_prefix = rng.random() < YEAR_PREFIX_SHARE
                out.append(lin)
            start = end + 1
    return out


def project_name(lin: Lineage, year: int) -> str:
    """Given a project and a year, returns its name as that year's documents write it."""
    return f"{year}年{lin.name}" if lin.year_prefix else lin.name


def _new_lineage(unit: Unit, types: list[dict], towns: list[str], villages: list[str], used: dict, start: int,
                 end: int, rng: random.Random) -> Lineage | None:
    for _ in range(30):
        pt = rng.choice(types)
        subject, skind = _subject(pt, unit, towns, villages, rng)
        if (pt["key"], subject) not in used:
            break
    else:
        return None
    used[(pt["key"], subject)] = unit.name
    obj, abbr = pt["obj"], pt["abbr"]
    name = pt["name"].format(s=subject, o=obj)
    if unit.goal_layout == "L004" and rng.random() < 0.3:
        name = "部门专项-" + name
    inds = pt["inds"]
    chosen: list = []
    by_key: dict[str, list] = {}
    for spec in inds:
        by_key.setdefault(spec[0], []).append(spec)
    # 2-3 quantity, 1-2 quality, 1 time, 1-3 benefit, 1 satisfaction, 1-2 cost.
    for key, lo, hi in (("数量", 2, 3), ("质量", 1, 2)):
        pool = by_key.get(key, [])
        k = min(len(pool), rng.randint(lo, hi))
        chosen += rng.sample(pool, k)
    if rng.random() < 0.25:
        chosen.append(rng.choice(vocab.GENERIC_QUALITY))
    extra_time = [s for s in inds if s[0] == "时效"]
    chosen.append(rng.choice(extra_time) if extra_time and rng.random() < 0.5 else rng.choice(vocab.GENERIC_TIME))
    if rng.random() < 0.2:
        t2 = rng.choice(vocab.GENERIC_TIME)
        if t2[2] not in {c[2] for c in chosen}:
            chosen.append(t2)
    benefit = [s for s in inds if vocab.LEVEL1_OF[s[0]] == "效益指标"]
    k = min(len(benefit), rng.randint(1, 3))
    chosen += rng.sample(benefit, k)
    if rng.random() < 0.3 or not benefit:
        g = rng.choice(vocab.GENERIC_BENEFIT)
        if g[2] not in {c[2] for c in chosen}:
            chosen.append(g)
    templates = []
    for i, spec in enumerate(chosen):
        nm = spec[2].format(s=subject, o=obj, a=abbr)
        qual = rng.choice(spec[6]) if spec[1] == "qual" else None
        templates.append((f"t{i}", spec, nm, qual, rng.randrange(8)))
    modes = pt["cost"]
    cost_mode = rng.choices(modes, [6 if m == "total" else 2 if m == "total2" else 1.5 for m in modes])[0]
    if cost_mode == "total":
        cost_names = (rng.choice(vocab.COST_TOTAL_NAMES).format(s=subject, o=obj, a=abbr),)
    elif cost_mode == "total2":
        cost_names = tuple(n.format(s=subject, o=obj, a=abbr) for n in rng.choice(vocab.COST_TOTAL2_NAMES))
    else:
        cost_names = tuple(n.format(s=subject, o=obj, a=abbr) for n in vocab.COST_UNIT_NAMES[cost_mode])
    sat_pool = vocab.SATISFACTION_NAMES.get(unit.utype, vocab.SATISFACTION_NAMES["default"])
    if skind in vocab.VILLAGE_SUFFIX and rng.random() < 0.3:
        sat_name = vocab.SATISFACTION_SUBJECT.get(unit.utype, "{s}受益群众").format(s=subject) + "满意度"
    else:
        sat_name = rng.choice(sat_pool)
    return Lineage(unit=unit, ptype=pt, subject=subject, name=name, obj=obj, templates=templates,
                   cost_mode=cost_mode, cost_names=cost_names, sat_name=sat_name,
                   base_budget=lognormal_budget(rng), start=start, end=end, seed=rng.getrandbits(32))


# ----------------------------------------------------------------------------- a project in a year


def _desc(kind: str, name: str, idx: int, subject: str, obj: str, common: bool) -> str:
    if common and kind in vocab.COMMON_DESCRIPTIONS:
        pool = vocab.COMMON_DESCRIPTIONS[kind]
        return pool[idx % len(pool)].format(s=subject, o=obj)
    pool = vocab.DESCRIPTIONS.get(kind, ("考核{n}",))
    return pool[idx % len(pool)].format(n=name)


def _date_target(year: int, k: int) -> str:
    return (f"{year}年12月31日前", f"{year}年12月底前", f"{year}年年底", f"{year}年11月30日前", f"{year}年12月底")[k % 5]


def instantiate(lin: Lineage, year: int, rng: random.Random, prev: ProjectYear | None = None) -> ProjectYear:
    """Given a project, a year and the project's previous year (if any), returns its clean
    indicators and budget for that year. A target is never weaker than last year's actual of the
    same indicator (JX504): a >= target is raised to it, a <= target lowered to it."""
    from jixiao.boilerplate import COMMON_NAMES

    common = set(COMMON_NAMES)
    growth = 1.0 + 0.04 * (year - lin.start)
    budget = money(lin.base_budget * rng.uniform(0.85, 1.2))
    if budget < 0.2:
        budget = 0.2
    inds: list[Ind] = []
    bv = lin.base_values  # per-project choices made the first year and kept after
    for tid, spec, nm, qual, didx in lin.templates:
        key, kind, _, unit, lo, hi = spec[:6]
        # Year-to-year edits: a description variant changes now and then (a near duplicate).
        d = didx if rng.random() > 0.15 else didx + 1
        ind = Ind(key=key, kind=kind, name=nm, tid=tid,
                  desc=_desc(kind, nm, d, lin.subject, lin.obj, nm in common))
        if kind in ("count", "count_eq"):
            if kind == "count_eq" or lo == hi:
                v = float(lo)
                ind.op = "="
            else:
                if tid not in bv:
                    bv[tid] = (math.exp(rng.uniform(math.log(lo), math.log(hi))), ">=" if rng.random() < 0.75 else "=")
                base, op = bv[tid]
                v = nice_count(base * growth * rng.uniform(0.97, 1.03), unit, rng)
                ind.op = op
            ind.value, ind.unit = v, unit
        elif kind == "rate":
            if tid not in bv:
                bv[tid] = pick_rate(lo, hi, rng)
            v = bv[tid] if rng.random() < 0.8 else pick_rate(lo, hi, rng)
            ind.value, ind.unit = v, "%"
            ind.op = "=" if v >= 100 else ">="
        elif kind == "rate_eq":
            ind.value, ind.unit, ind.op = 100.0, "%", "="
        elif kind == "down":
            ind.value, ind.unit, ind.op = float(rng.randint(int(lo), int(hi))), unit, "<="
            ind.nounmet = unit == "‰"
        elif kind == "dur":
            steps = [x for x in (2, 4, 6, 12, 24, 48, 72, 10, 15, 20, 30) if lo <= x <= hi] or [lo]
            if tid not in bv:
                bv[tid] = float(rng.choice(steps))
            ind.value, ind.unit, ind.op = bv[tid], unit, "<="
        elif kind == "date":
            if tid not in bv:
                bv[tid] = rng.randrange(5)
            ind.qual = _date_target(year, bv[tid])
            ind.nounmet = True
        elif kind == "qual":
            ind.qual = qual
        inds.append(ind)
    inds += _cost_indicators(lin, budget, rng)
    if "sat" not in bv:
        bv["sat"] = (rng.choice(SAT_STEPS), rng.randrange(4))
    sat = Ind(key="满意度", kind="sat", name=lin.sat_name, tid="sat", op=">=", unit="%", value=float(bv["sat"][0]))
    sat.desc = _desc("sat", sat.name, bv["sat"][1], lin.subject, lin.obj, sat.name in common)
    inds.append(sat)
    order = {k: i for i, k in enumerate(vocab.LEVEL2_ORDER)}
    inds.sort(key=lambda x: order[x.key])
    py = ProjectYear(lineage=lin, year=year, name=project_name(lin, year), budget=budget, inds=inds, prev=prev)
    if prev is not None:
        _floors(py, prev)
    _funds(py, rng)
    _bases(py, rng)
    return py


def previous_actual(ind: Ind, prev: ProjectYear | None) -> Ind | None:
    """Given an indicator and the project's previous year, returns last year's same indicator
    (same template) when its self-evaluation showed a number for it, else None."""
    if prev is None or prev.skip_doc is not None or not ind.tid:
        return None  # both of last year's documents are needed to see it (goal -> self-evaluation)
    for p in prev.inds:
        # The same template and name (a planted duplicate or insertion shares neither).
        if p.tid == ind.tid and p.name == ind.name and not p.self_hidden and p.a_value is not None and p.unit == ind.unit:
            return p
    return None


def _floors(py: ProjectYear, prev: ProjectYear) -> None:
    for ind in py.inds:
        if ind.is_cost or ind.cost_role or ind.value is None or ind.op not in (">=", ">", "<=", "<"):
            continue
        p = previous_actual(ind, prev)
        if p is None:
            continue
        a = p.a_value
        if ind.op in (">=", ">") and a > ind.value:
            ind.value = a
            if ind.unit == "%" and a >= 100:
                ind.value, ind.op = 100.0, "="
        elif ind.op in ("<=", "<") and a < ind.value:
            ind.value = a
        ind.floor = a


def _cost_indicators(lin: Lineage, budget: float, rng: random.Random) -> list[Ind]:
    mode = lin.cost_mode
    names = lin.cost_names
    out: list[Ind] = []
    if mode == "total2":
        a = money(budget * rng.uniform(0.35, 0.7))
        b = money(budget - a)
        if a <= 0 or b <= 0:
            mode = "total"
        else:
            out = [Ind(key="成本", kind="cost", name=names[0], unit="万元", op="<=", value=a, tid="c0", cost_role="total"),
                   Ind(key="成本", kind="cost", name=names[1], unit="万元", op="<=", value=b, tid="c1", cost_role="total")]
    if mode == "per_time":
        n = 12 if rng.random() < 0.6 else 4
        unit_cost = budget / n
        cost = _unit_cost(unit_cost, "次", n, budget)
        if cost is None:
            mode = "total"
        else:
            v, u = cost
            out = [Ind(key="数量", kind="count_eq", name=names[1], unit="次", op="=", value=float(n), tid="cn",
                       cost_role="count", nounmet=True),
                   Ind(key="成本", kind="cost", name=names[0], unit=u, op="<=", value=v, tid="c0", cost_role="unit")]
    if mode == "per_person":
        n = float(nice_count(math.exp(rng.uniform(math.log(20), math.log(3000))), "人", rng))
        cost = _unit_cost(budget / n, "人", n, budget)
        if cost is None:
            mode = "total"
        else:
            v, u = cost
            out = [Ind(key="数量", kind="count_eq", name=names[1], unit="人", op="=", value=n, tid="cn",
                       cost_role="count", nounmet=True),
                   Ind(key="成本", kind="cost", name=names[0], unit=u, op=rng.choice(("=", "<=")), value=v, tid="c0",
                       cost_role="unit")]
    if mode == "per_quarter":
        v = money(budget / 4)
        if budget < 4 or abs(v * 4 - budget) / budget > 0.01:
            mode = "total"
        else:
            out = [Ind(key="成本", kind="cost", name=names[0], unit="万元", op="<=", value=v, tid="c0", cost_role="quarter")]
    if mode == "total":
        name = names[0] if lin.cost_mode == "total" else f"{lin.subject}{lin.obj}成本"
        if budget < 1 and rng.random() < 0.3:
            out = [Ind(key="成本", kind="cost", name=name, unit="元", op="<=", value=round(budget * 10000), tid="c0",
                       cost_role="total")]
        else:
            out = [Ind(key="成本", kind="cost", name=name, unit="万元", op=rng.choice(("<=", "<=", "<=", "=")),
                       value=budget, tid="c0", cost_role="total")]
    from jixiao.boilerplate import COMMON_NAMES

    for i, ind in enumerate(out):
        ind.desc = _desc("cost" if ind.is_cost else "count_eq", ind.name, i, lin.subject, lin.obj,
                         ind.name in COMMON_NAMES)
    return out


def _unit_cost(per: float, dim: str, n: float, budget: float) -> tuple[float, str] | None:
    """Given an amount per unit (万元), returns (value, unit) as written (元 below 1 万元), or
    None when rounding would put the product more than 1% off the budget."""
    if per >= 1:
        v, u, scale = round(per, 2), f"万元/{dim}", 1.0
    else:
        v, u, scale = float(round(per * 10000)), f"元/{dim}", 1e-4
    if v <= 0:
        return None
    if abs(v * scale * n - budget) / budget > 0.01:
        return None
    return v, u


def _funds(py: ProjectYear, rng: random.Random) -> None:
    b = py.budget
    r = rng.random()
    if r < 0.75 or b < 1:
        py.fiscal, py.other, py.carryover = b, 0.0, 0.0
    elif r < 0.9:
        py.other = money(b * rng.uniform(0.05, 0.3))
        py.fiscal = money(b - py.other)
    else:
        py.carryover = money(b * rng.uniform(0.05, 0.3))
        py.fiscal = money(b - py.carryover)


def _bases(py: ProjectYear, rng: random.Random) -> None:
    for ind in py.inds:
        if ind.is_cost:
            ind.basis = rng.choice(("预算支出标准", "预算支出标准", "计划标准"))
            ind.evidence = "原始凭证"
        else:
            ind.basis = rng.choice(vocab.BASIS_004)
            ind.evidence = "说明材料" if ind.kind == "sat" else rng.choice(vocab.EVIDENCE_004)


# ----------------------------------------------------------------------------- weights


def _split(total: int, n: int, rng: random.Random) -> list[int]:
    if n <= 0:
        return []
    if total % 5 == 0 and total // 5 >= n:
        units = total // 5
        base, rem = divmod(units, n)
        out = [5 * (base + (1 if i < rem else 0)) for i in range(n)]
    else:
        base, rem = divmod(total, n)
        out = [base + (1 if i < rem else 0) for i in range(n)]
    rng.shuffle(out)
    return out


def assign_weights(py: ProjectYear, rng: random.Random, total: int = 90) -> None:
    """Given a project, sets its indicator weights: satisfaction 10, cost 10-20, benefit 20-30,
    output the rest; they total `total` (90: 10 are left for 预算执行率)."""
    groups: dict[str, list[Ind]] = {"产出指标": [], "成本指标": [], "效益指标": [], "满意度指标": []}
    for ind in py.inds:
        groups[vocab.LEVEL1_OF[ind.key]].append(ind)
    n_sat, n_cost, n_ben, n_out = (len(groups[k]) for k in ("满意度指标", "成本指标", "效益指标", "产出指标"))
    sat = 10 if n_sat <= 2 else 5 * n_sat
    cost = 0 if not n_cost else (20 if n_cost > 1 or rng.random() < 0.5 else 10)
    ben = 0 if not n_ben else max(5 * n_ben, rng.choice((20, 20, 30)))
    out = total - sat - cost - ben
    while n_out and out < 5 * n_out:
        if ben > 5 * n_ben and ben > 10:
            ben -= 5
        elif cost > 10:
            cost -= 10
        else:
            break
        out = total - sat - cost - ben
    if n_out == 0:
        ben += out
        out = 0
    for key, amount in (("满意度指标", sat), ("成本指标", cost), ("效益指标", ben), ("产出指标", out)):
        for ind, w in zip(groups[key], _split(amount, len(groups[key]), rng)):
            ind.weight = float(w)


# ----------------------------------------------------------------------------- clean checks


def band_share(inds: list[Ind]) -> float:
    """Returns the largest share of indicators with one near-identical target (JX404's measure):
    the >=95% band, or the same target text (as 000 writes it: the bare number or phrase)."""
    keys = []
    for ind in inds:
        if ind.value is not None and ind.unit == "%" and ind.value >= 95 and ind.op not in ("<=", "<"):
            keys.append("band")
        elif ind.value is not None:
            keys.append(f"n{fmt(ind.value)}{ind.unit}")
            keys.append(f"r{fmt(ind.value)}")  # 000 writes only the number
        else:
            keys.append(f"q{ind.qual}")
    n = len(inds)
    counts: dict[str, int] = {}
    for k in keys:
        counts[k] = counts.get(k, 0) + 1
    return max(counts.values()) / n if n else 0.0


def tame_bands(py: ProjectYear, rng: random.Random, limit: float = 0.55) -> None:
    """Lowers high percentage targets until no target band covers `limit` of the indicators."""
    for _ in range(20):
        if band_share(py.inds) < limit:
            return
        cands = [i for i in py.inds if i.unit == "%" and i.value is not None and i.value >= 95 and i.op != "<="
                 and not i.template and not i.is_cost and i.kind in ("rate", "sat", "rate_eq") and not i.gt]
        if not cands:
            return
        value = float(rng.choice((85, 88, 90, 92)))
        cands = [i for i in cands if i.floor is None or i.floor <= value]
        if not cands:
            return
        ind = rng.choice(cands)
        ind.value = value
        ind.op = ">="
        if ind.kind == "rate_eq":
            ind.kind = "rate"


# ----------------------------------------------------------------------------- last-year values (004)


def _num_text(v: float, unit: str) -> str:
    return f"{fmt(v)}{unit}"


def last_year_values(py: ProjectYear, rng: random.Random) -> None:
    """Fills 上年完成值 (as written in 004) so that no target is weaker than it: last year's
    actual where the project's self-evaluation of last year gave one, else a number at or
    below (above, for <=) the target."""
    for ind in py.inds:
        ind.last_year = None
        ind.last_year_num = None
        if rng.random() < 0.35:
            continue
        p = previous_actual(ind, py.prev) if ind.floor is not None else None
        if p is not None:
            ind.last_year, ind.last_year_num = _num_text(p.a_value, ind.unit), float(fmt(p.a_value))
            continue
        if ind.value is None:
            if ind.kind == "qual":
                ind.last_year = ind.qual if rng.random() < 0.7 else "达成目标"
            continue
        v, u = ind.value, ind.unit
        if ind.op in (">=", ">"):
            ly = v * rng.uniform(0.85, 1.0)
            ly = min(v, round(ly, 1) if u == "%" else nice_floor(ly, u))
        elif ind.op in ("<=", "<"):
            if ind.is_cost and rng.random() < 0.6:
                continue
            ly = max(v, round(v * rng.uniform(1.0, 1.15), 2))
        else:
            ly = v
        ind.last_year, ind.last_year_num = _num_text(ly, u), float(fmt(ly))


def nice_floor(v: float, unit: str) -> float:
    if unit in INT_UNITS or v >= 20:
        return float(math.floor(v))
    return math.floor(v * 10) / 10


# ----------------------------------------------------------------------------- self-evaluation


def _round_actual(a: float, unit: str) -> float:
    if unit == "%" or unit == "‰" or unit == "小时":
        return round(a, 1)
    if unit in INT_UNITS or a >= 100 or unit == "个工作日":
        return float(round(a))
    return round(a, 2)


# How far an unmet target may fall short, by unit: a percentage is missed by a few points,
# a count or a length by up to a third.
def _max_shortfall(ind: Ind) -> float:
    if ind.unit in ("%", "‰"):
        return 0.12
    if ind.op in ("<=", "<"):
        return 0.4
    return 0.35


def _ratio(ind: Ind, a: float) -> float:
    t = ind.value
    if ind.op in ("<=", "<"):
        return 1.0 if a <= t else t / a
    if ind.op == "=":
        return 1.0 if abs(a - t) <= 1e-9 + 1e-6 * abs(t) else min(a, t) / max(a, t)
    return 1.0 if a >= t else (a / t if t > 0 else 1.0)


def make_unmet(ind: Ind, d: float) -> float | None:
    """Given an indicator and the points to take off, sets an actual value that misses the
    target and the score the rules give for it; returns the points actually taken (None when
    no such value exists)."""
    w = ind.weight
    if w <= 0:
        return None
    if ind.value is not None:
        t = ind.value
        if t <= 0:
            return None
        frac = min(_max_shortfall(ind), max(0.02, d / w))
        if ind.op in ("<=", "<"):
            a = _round_actual(t / (1 - frac), ind.unit)
            if a <= t:
                return None
        else:
            a = _round_actual(t * (1 - frac), ind.unit)
            if a >= t or a <= 0:
                return None
        ratio = _ratio(ind, a)
        ind.a_value, ind.a_qual = a, None
        ind.score = round(w * ratio, 2)
        ind.met = False
        return w - ind.score
    if ind.kind == "qual" and ind.qual in vocab.PARTIAL:
        ind.a_qual = vocab.PARTIAL[ind.qual]
        ind.a_value = None
        ind.score = round(w * max(0.5, min(0.95, 1 - d / w)), 1)
        if ind.score >= w:
            return None
        ind.met = False
        return w - ind.score
    return None


def make_met(ind: Ind, rng: random.Random) -> None:
    """Sets an actual value that reaches the target, full marks and no reason."""
    ind.met = True
    ind.score = ind.weight
    ind.reason = None
    if ind.value is None:
        if ind.kind == "qual" and rng.random() < 0.15:
            ind.a_qual = rng.choice(vocab.ACHIEVED)
        else:
            ind.a_qual = ind.qual
        ind.a_value = None
        return
    t, u = ind.value, ind.unit
    if ind.op == "=" or ind.is_cost and ind.op != "<=":
        a = t
    elif ind.op in ("<=", "<"):
        a = t if rng.random() < 0.5 or ind.is_cost else _round_actual(t * rng.uniform(0.6, 1.0), u)
        if a > t:
            a = t
    else:
        if u == "%":
            a = min(100.0, round(t + rng.uniform(0, 4), 1))
        else:
            a = _round_actual(t * rng.uniform(1.0, 1.12), u)
        if a < t:
            a = t
    ind.a_value, ind.a_qual = a, None


def self_evaluate(py: ProjectYear, rng: random.Random, reasons: set[str]) -> None:
    """Fills execution, actual values, scores and reasons: totals mostly 88-95."""
    b = py.budget
    r = rng.random()
    rate = 1.0 if r < 0.6 else rng.uniform(0.9, 1.0) if r < 0.9 else rng.uniform(0.6, 0.9)
    py.executed = money(b * rate)
    if py.executed <= 0:
        py.executed = b
    py.bscore = round(min(py.executed / b, 1.0) * 10, 2)
    for ind in py.inds:
        make_met(ind, rng)
    target_total = 100.0 if rng.random() < 0.08 else max(72.0, min(100.0, rng.gauss(91.5, 3.0)))
    deduct = 90 + py.bscore - target_total
    if deduct <= 0.3:
        return
    cands = [i for i in py.inds if not i.nounmet and not i.is_cost and i.weight >= 3 and not i.template
             and (i.value is not None and i.value > 0 or i.kind == "qual")]
    rng.shuffle(cands)
    for ind in cands[:4]:
        if deduct <= 0.3:
            break
        share = deduct if rng.random() < 0.5 else deduct * rng.uniform(0.4, 0.8)
        taken = make_unmet(ind, min(share, ind.weight * 0.55))
        if taken is None:
            make_met(ind, rng)
            continue
        deduct -= taken
        if rng.random() < 0.9:
            ind.reason = unique_reason(py, ind, rng, reasons)


def unique_reason(py: ProjectYear, ind: Ind, rng: random.Random, reasons: set[str]) -> str | None:
    """Returns a 未完成原因分析 naming the project's subject and the indicator, never used before
    in the county (so never three times in the corpus)."""
    subject = py.subject
    what = ind.name if subject in ind.name else subject + ind.name
    for _ in range(20):
        text = f"{what}未达到年度目标，主要原因是{rng.choice(vocab.CAUSES)}，{rng.choice(vocab.MEASURES)}。"
        if text not in reasons:
            reasons.add(text)
            return text
    return None


def finish_totals(py: ProjectYear) -> None:
    s = sum(i.score for i in py.inds if i.score is not None)
    py.total = round(s + (py.bscore or 0) + py.total_delta, 2)
