"""Writing projects out in the four text layouts of the seeds (and from there .xlsx / .docx).

- L000 (seed 000, 芷江): goal tables whose rows shift by whole cells; the value cell holds only
  the number, the operator is in 指标值类型 and the unit in 度量单位; the weight appears only in
  the scoring text (得N分).
- L001 (seed 001, 固原): self-evaluations with 分值, 全年实际值, 得分, 未完成原因分析, declared
  first-level points (产出指标 (40分)), template filler rows (指标2:, .....) and a 总分 row.
- L003 (seed 003, 南堡): goal tables with one cell per line (a TAB, then the cell), rows
  separated by blank lines; no weights; 项目编码, 资金用途, 资金支出计划.
- L004 (seed 004, 库尔勒): goal tables whose value cell holds operator, number and unit
  (>=98%, <=0.42万元/次), with 上年完成值 and 指标分值权重.

Each renderer returns the text and, per project, its indicators in the order written (the
order the parser numbers them), so the ground truth can name indicator positions.
"""

from __future__ import annotations

import copy
import random
from dataclasses import dataclass, field

from jixiao.synth import vocab
from jixiao.synth.build import Ind, ProjectYear, fmt, person
from jixiao.synth.places import County

SYMBOL = {">=": "≥", "<=": "≤", "=": "=", ">": ">", "<": "<"}
INLINE = {">=": ">=", "<=": "<=", "=": "=", ">": ">", "<": "<"}
TYPE_CELL = {">=": "≥", "<=": "≤", "=": "=", ">": ">", "<": "<"}

L001_RULE = ("完成值达到指标值, 记满分; 未达到指标值, 按B/A或A/B×该指标分值记分。",
             "1. 若为定性指标, 则根据“三档”原则分别按照指标值的100-80% (含)、80-50% (含)、50-0%来记分。 "
             "2. 若为定量指标, 完成值达到指标值, 记满分; 未达到指标值, 按B/A或A/B×该指标分值记分。")
L001_NOTE = """注: 1. 得分一档最高不能超过该指标分值上限。  
 2. 定性根据指标完成情况分为: 达成预期指标、部分达成预期指标并具有一定效果、未达成预期指标且效果较差三档: 分别按照指标值的100-80% (含)、80-50% (含)、50-0%合理确定分值。  
 3. 定量指标若为正向指标 (即指标值为≥\\*\\*), 则得分计算方法: 全年实际值 (B) / 年度指标值 (A) × 该指标分值; 若定量指标为反向指标 (即指标值为≤\\*\\*), 则得分计算方法: 年度指标值 (A) / 全年实际值 (B) × 该指标分值。  
 4. 请在“未完成原因分析”一栏中简要说明偏离目标、不能完成目标的原因及今后改进的措施。"""
L000_NOTE = """说明:

指标名称: 一级指标, 主要分为成本指标、产出指标、效益指标、满意度指标; 二级指标, 主要分为经济成本指标、社会成本指标、生态环境成本指标(属于成本指标)和数量指标、质量指标、时效指标(属于产出指标)以及经济效益指标、社会效益指标、生态效益指标、可持续影响指标(属于效益指标)和服务对象满意度指标(属于满意度指标); 三级指标是对指标含义的简要描述, 要求简洁明确、通俗易懂。

指标值类型: 指标类型为定量(“≥”、“>”、“=”、“≤”、“<”上述五个符号之一)或定性。(下拉选择五个符号或者定性)

指标值: 指标类型为定量时, 只能填写数字。指标类型为定性时, 不受限制。

度量单位: 为数字后字符串, 如“个”、“所”、“只”、“%”等。指标类型为定量时可填, 指标类型为定性设置为空不可填

评(扣)分标准: 填写指标完成情况评(扣)分标准, 参考直接赋分、按照完成比例赋分、按评判等级赋分、满意度赋分等几种赋分情况。"""

ALL = frozenset(("L000", "L001", "L003", "L004"))
# Where a planted defect can be seen (the columns the rule needs exist in the layout).
DETECT = {
    "JX101": ALL, "JX102": ALL, "JX103": frozenset({"L000"}), "JX104": frozenset({"L004"}), "JX105": ALL,
    "JX106": ALL, "JX107": ALL, "JX108": frozenset({"L000"}), "JX201": frozenset({"L000", "L001", "L004"}), "JX202": frozenset({"L001"}),
    "JX301": frozenset({"L001"}), "JX302": frozenset({"L001"}), "JX303": frozenset({"L001"}),
    "JX304": frozenset({"L001"}), "JX401": ALL, "JX402": ALL, "JX403": frozenset({"L001"}), "JX404": ALL,
    # Across documents: where the finding is shown (the other document has to be loaded too).
    "JX501": frozenset({"L001"}), "JX502": ALL, "JX503": frozenset({"L001"}),
    "JX504": frozenset({"L000", "L003", "L004"}), "JX505": frozenset({"L000", "L003", "L004"}), "JX506": ALL,
    "JX507": ALL,
}


@dataclass
class Doc:
    path: str
    layout: str
    kind: str                   # goal | self
    year: int
    county: County
    department: str
    projects: list[ProjectYear]
    fmt: str = "txt"
    encoding: str = "utf-8"
    style: dict = field(default_factory=dict)
    unit_written: dict = field(default_factory=dict)   # unit name -> as this document writes it
    name_written: dict = field(default_factory=dict)   # id(project-year) -> its name as written here

    def unit_of(self, py: ProjectYear) -> str:
        """The unit's name as this document writes it (a variant now and then)."""
        return self.unit_written.get(py.unit.name, py.unit.name)

    def name_of(self, py: ProjectYear) -> str:
        """The project's name as this document writes it (some forms cut it off)."""
        return self.name_written.get(id(py), py.name)


@dataclass
class Rendered:
    """One project as written: the indicators in parse order, and what each cell said."""

    py: ProjectYear
    inds: list[Ind]
    names: list[str]       # the 三级指标 as the parser will read it ("" where left empty)
    targets: list[str]     # target_raw as the parser will read it
    money_costs: int       # cost indicators with a money target in this document
    weights: list = field(default_factory=list)  # the weight written for each indicator (self-evaluations)


# ----------------------------------------------------------------------------- value cells


def target_symbol(ind: Ind, rng: random.Random) -> str:
    """001/003: ≥90%, ≤60元/人, 400个, 100%, 2024年年底."""
    if ind.value is None:
        return ind.qual or ""
    num = fmt(ind.value) + ind.unit
    if ind.op == "=":
        return num if rng.random() < 0.7 else "=" + num
    if ind.op == ">=" and ind.unit not in ("%", "‰") and rng.random() < 0.15 and not ind.is_cost:
        return num
    return SYMBOL[ind.op] + num


def target_inline(ind: Ind, rng: random.Random) -> str:
    """004: >=98%, <=0.42万元/次, =12次, 有效提高 (sometimes ≥ / ≤ as in the seed)."""
    if ind.value is None:
        return ind.qual or ""
    op = INLINE[ind.op]
    if ind.op in (">=", "<=") and rng.random() < 0.25:
        op = SYMBOL[ind.op]
    return op + fmt(ind.value) + ind.unit


def actual_text(ind: Ind) -> str:
    if ind.a_value is not None:
        return fmt(ind.a_value) + ind.unit
    return ind.a_qual or ""


def _scoring_000(ind: Ind, rng: random.Random) -> str:
    w = fmt(ind.weight)
    if ind.kind == "sat":
        t = fmt(ind.value) if ind.value is not None else "90"
        return (f"满意度大于等于{t}%的得{w}分,满意度小于{t}%且大于等于80%的得{fmt(ind.weight * 0.8)}分,"
                f"满意度小于80%且大于等于60%的得{fmt(ind.weight * 0.5)}分,满意度小于60%不得分。")
    if ind.is_cost:
        return f"项目成本控制在总成本范围内,得{w}分,每超出10%,扣2分,扣完为止。"
    if ind.kind == "date":
        return f"在规定时间内完成得{w}分,每推迟10天扣1分,扣完为止。"
    if ind.value is None:
        return f"效果明显得{w}分,效果一般得{fmt(ind.weight / 3)}分,否则不得分。"
    if ind.op in ("<=", "<"):
        return f"控制在计划值以内得{w}分,每超出1个单位扣1分,扣完为止。"
    if ind.weight > 5 and rng.random() < 0.4:
        return f"达到计划值得满分{w}分,否则按实际值/计划值*指标分值计分。"
    return f"达到计划值得{w}分,否则按实际值/计划值*指标分值计分。"


# ----------------------------------------------------------------------------- order


def render_order(py: ProjectYear, layout: str) -> list[Ind]:
    """Returns the indicators in the order the layout writes them (000 puts cost first)."""
    if layout == "L000":
        return [i for i in py.inds if i.is_cost] + [i for i in py.inds if not i.is_cost]
    return list(py.inds)


def _jx106(over: dict, ind: Ind) -> str | None:
    got = over.get("JX106")
    return got[1] if got and got[0] is ind else None


# ----------------------------------------------------------------------------- L000


def render_000(doc: Doc, rng: random.Random) -> tuple[str, list[Rendered]]:
    out: list[str] = []
    rendered: list[Rendered] = []
    year = doc.year
    for py in doc.projects:
        over = py.goal_over
        unit_label = rng.choice(("部门(单位名称)", "部门(单位)名称"))
        out += ["", "", "项目支出绩效目标表", "", f"({year}) 年度", ""]
        out.append(f"{unit_label}\t{doc.unit_of(py)}" + "\t" * 9)
        out.append(f"项目名称\t{doc.name_of(py)}" + "\t" * 9)
        b = over.get("JX108", fmt(py.budget))
        if rng.random() < 0.7:
            out.append("项目资金(万元)\t年度资金总额:" + "\t" * 8 + b + "\t")
            out.append("\t其中:财政拨款" + "\t" * 8 + fmt(py.fiscal) + "\t")
            out.append("\t上年结转" + "\t" * 8 + (fmt(py.carryover) if py.carryover else "") + "\t")
            out.append("\t其他资金" + "\t" * 8 + (fmt(py.other) if py.other else "") + "\t")
        else:
            out.append(f"项目资金(万元)\t{b}\t年度资金总额:" + "\t" * 9 + b)
            out.append("\t\t其中:财政拨款" + "\t" * 9 + fmt(py.fiscal))
            out.append("\t\t上年结转" + "\t" * 9 + (fmt(py.carryover) if py.carryover else ""))
            out.append("\t\t其他资金" + "\t" * 9 + (fmt(py.other) if py.other else ""))
        out.append(f"年度履职目标\t{py.lineage.ptype['goal'].format(s=py.subject, o=py.lineage.obj)}" + "\t" * 9)
        variant_b = rng.random() < 0.4
        out.append(("\t" if variant_b else "绩效指标\t")
                   + "一级指标\t二级指标\t三级指标\t指标值\t指标解释(指标值内容)\t评(扣)分标准\t度量单位\t指标值类型\t备注\t")
        inds = render_order(py, "L000")
        names, targets = [], []
        cur_l1 = cur_l2 = None
        first = True
        for ind in inds:
            l1, l2 = vocab.LEVEL1_OF[ind.key], vocab.LEVEL2_NAME[ind.key]
            miss = _jx106(over, ind)
            write_l1 = l1 != cur_l1
            write_l2 = write_l1 or l2 != cur_l2
            name = "" if miss == "name" else ind.name
            value = "" if ind.value is None else fmt(ind.value)
            unit = ind.unit if ind.value is not None else ""
            typ = TYPE_CELL.get(ind.op, "") if ind.value is not None else ("定性" if rng.random() < 0.6 else "")
            if ind.kind == "date":
                typ = "定性"
            if "JX103" in over and over["JX103"][0] is ind:
                typ = over["JX103"][1]
            desc = ind.desc
            scoring = _scoring_000(ind, rng)
            target_raw = value if ind.value is not None else (ind.qual or "")
            if miss == "target":
                value, desc, unit, typ, target_raw = "", "", "", "", ""
            elif ind.value is None:
                value = ind.qual or ""
            l1c = l1 if write_l1 else ""
            l2c = "" if miss == "l2" else (l2 if write_l2 else "")
            cells = [l1c, l2c, name, value, desc, scoring, unit, typ, ""]
            lead = [""]
            txt = doc.fmt == "txt"  # extraction shifts happen in text taken from PDF/Word, not in a workbook
            if first and variant_b:
                lead = ["绩效指标"]
            elif txt and l1 == "满意度指标" and write_l1 and rng.random() < 0.5:
                # 满意度指标⇥⇥⇥服务对象满意度指标⇥… or shifted one cell to the left.
                if rng.random() < 0.5:
                    cells = [l1c, "", "", l2c] + cells[2:]
                    lead = []
                else:
                    lead = []
            elif txt and rng.random() < 0.1 and (write_l1 or write_l2):
                lead = ["", "", ""]
            out.append("\t".join(lead + cells))
            first = False
            cur_l1 = l1
            cur_l2 = None if miss == "l2" else l2
            names.append(name)
            targets.append(target_raw)
        out.append("业务股室审核:\t绩效股审核:" + "\t" * 9)
        out += ["", f"填表人: {person(rng)} 联系电话: 0{rng.randint(700, 999)}-{rng.randint(2000000, 8999999)}", "",
                f"填表日期: {year - 1}. 12. {rng.randint(1, 28)}", "", "单位负责人:", ""]
        rendered.append(Rendered(py, inds, names, targets, _money_costs(inds, over)))
    out += [L000_NOTE, ""]
    return "\n".join(out), rendered


def _money_costs(inds: list[Ind], over: dict) -> int:
    n = 0
    for ind in inds:
        if ind.is_cost and ind.value is not None and ind.unit.startswith(("万元", "元")) and _jx106(over, ind) != "target":
            n += 1
    return n


# ----------------------------------------------------------------------------- L001


def _l001_label(ind: Ind, style: dict) -> str:
    l1 = vocab.LEVEL1_OF[ind.key]
    if l1 == "成本指标" and style.get("cost_under_output", True):
        return "产出指标"
    if l1 == "效益指标":
        return style.get("benefit_label", "效益指标")
    return l1


def render_001(doc: Doc, rng: random.Random) -> tuple[str, list[Rendered]]:
    out: list[str] = []
    rendered: list[Rendered] = []
    year = doc.year
    county = doc.county.name
    for py in doc.projects:
        over = py.self_over
        style = doc.style.get(py.unit.name, {})
        out += ["", "", f"# {county}部门项目支出绩效自评表", "", f"({year}年度)", ""]
        out.append(f"项目名称\t\t{doc.name_of(py)}" + "\t" * 7)
        out.append(f"主管部门及代码\t\t{py.unit.department}\t\t\t实施单位\t\t{doc.unit_of(py)}\t\t")
        out.append("项目资金 (万元)\t\t\t\t年初预算数 (A)\t全年执行数 (B)\t分值 (10分)\t执行率 (B/A)\t得分\t得分计算方法")
        rate = py.executed / py.budget if py.budget else 1.0
        rate_s = fmt(rate * 100, 0 if abs(rate * 100 - round(rate * 100)) < 1e-9 else 1) + "%"
        out.append(f"\t\t年度资金总额:\t\t{fmt(py.budget)}\t{fmt(py.executed)}\t10\t{rate_s}\t{fmt(py.bscore)}"
                   "\t执行率×该指标分值, 最高不得超过分值上限。")
        fiscal_exec = py.executed if not (py.other or py.carryover) else round(py.executed * py.fiscal / py.budget, 2)
        out.append(f"\t\t其中: 财政拨款\t\t{fmt(py.fiscal)}\t{fmt(fiscal_exec)}\t\t{rate_s}\t\t")
        other = py.other or py.carryover
        out.append("\t\t其他资金\t\t" + (f"{fmt(other)}\t{fmt(round(py.executed - fiscal_exec, 2))}\t\t{rate_s}\t"
                                          if other else "\t\t\t\t") + "\t")
        goal = py.lineage.ptype["goal"].format(s=py.subject, o=py.lineage.obj)
        summary = f"完成{py.subject}{py.lineage.obj}年度工作任务"
        out.append(f"年度总体目标\t年初设定目标: {goal}\t\t\t\t年度总体目标完成情况综述: {summary}\t\t\t\t")
        out.append("一级指标\t二级指标\t三级指标\t分值\t指标值\t全年实际值 (B)\t得分计算方法\t得分\t未完成原因分析\t")
        inds = render_order(py, "L001")
        if "JX502" in over:  # an indicator of the goal table replaced by another
            old, new = over["JX502"]
            inds = [new if i is old else i for i in inds]
        moved = over.get("JX503", {})  # points moved between two indicators
        weight = {id(i): moved.get(id(i), i.weight) for i in inds}
        # Declared points per written first level (cost rows count under 产出指标 in the old style).
        sums: dict[str, float] = {}
        for ind in inds:
            lab = _l001_label(ind, style)
            sums[lab] = sums.get(lab, 0.0) + weight[id(ind)]
        if "JX202" in over:
            lab, delta = over["JX202"]
            if lab in sums:
                sums[lab] += delta
        names, targets = [], []
        cur_l1 = cur_l2 = None
        k_in_group = 0
        for idx, ind in enumerate(inds):
            lab = _l001_label(ind, style)
            l2 = vocab.LEVEL2_NAME[ind.key]
            if lab == "产出指标" and ind.key == "成本":
                l2 = "成本指标"
            miss = _jx106(over, ind)
            write_l1 = lab != cur_l1
            write_l2 = write_l1 or l2 != cur_l2
            if write_l2:
                # close the previous group with template filler rows now and then
                if cur_l2 is not None and rng.random() < 0.35:
                    out.append(f"\t\t指标{k_in_group + 1}:" + "\t" * 7)
                    if rng.random() < 0.5:
                        out.append("\t\t....." + "\t" * 7)
                k_in_group = 0
            k_in_group += 1
            l1_text = lab
            if miss == "l2" and lab == "绩效指标":
                l1_text = "效益指标"
            l1c = f"{l1_text} ({fmt(sums[lab])}分)" if write_l1 else ""
            l2c = "" if miss == "l2" else (l2 if write_l2 else "")
            name = "" if miss == "name" else ind.name
            name_cell = f"指标{k_in_group}: {name}" if name else f"指标{k_in_group}:"
            shown = ind
            if "JX501" in over and over["JX501"][0] is ind:  # the target changed in the self-evaluation
                shown = copy.copy(ind)
                shown.value = over["JX501"][1]
            target = "" if miss == "target" else target_symbol(shown, rng)
            rule = rng.choice(L001_RULE) if rng.random() < 0.3 else ""
            score = fmt(ind.score) if ind.score is not None else ""
            cells = [l1c, l2c, name_cell, fmt(weight[id(ind)]), target, actual_text(ind), rule, score, ind.reason or ""]
            if doc.fmt == "txt" and not write_l1 and not write_l2 and miss is None and rng.random() < 0.03:
                cells = cells[2:]  # a continuation row shifted to column 0 (as in the seed)
            out.append("\t".join(cells) + "\t")
            cur_l1, cur_l2 = lab, (None if miss == "l2" else l2)
            names.append(name)
            targets.append(target)
        if rng.random() < 0.35:
            out.append(f"\t\t指标{k_in_group + 1}:" + "\t" * 7)
        out.append("\t.....\t\t\t\t\t\t\t\t")
        out.append("<b>总 分</b>" + "\t" * 8 + fmt(py.total) + "\t")
        out += ["", L001_NOTE, ""]
        rendered.append(Rendered(py, inds, names, targets, _money_costs(inds, over), [weight[id(i)] for i in inds]))
    return "\n".join(out), rendered


# ----------------------------------------------------------------------------- L003


def render_003(doc: Doc, rng: random.Random) -> tuple[str, list[Rendered]]:
    year = doc.year
    out: list[str] = [
        " 第一部分", "部门整体绩效目标", "1、 总体绩效目标", "",
        f"{year}年，{doc.department}紧紧围绕县委、县政府中心工作，按照全面实施预算绩效管理的要求，"
        "优化支出结构，着力保障和改善民生，提高资金使用绩效。", "",
        "2、 分项绩效目标", "",
        "1.全面完成年度重点工作任务。", "",
        "2.加强项目资金管理，确保资金安全有效。", "",
        " TC 分项绩效目标 \\f A \\l 1 ", "第二部分", "预算项目绩效目标", "",
    ]
    rendered: list[Rendered] = []

    def row(cells: list[str]) -> None:
        out.extend("\t" + c for c in cells)
        out.append("")

    for n, py in enumerate(doc.projects, start=1):
        over = py.goal_over
        name = doc.name_of(py)
        title = f"{n}、{name}绩效目标表"
        out.append(f"{title} TC {n}、{name}绩效目标表 \\f C \\l 1 ")
        out.append(f"\t{py.unit.code}{doc.unit_of(py)}")
        out.append("\t单位：万元")
        out.append("")
        row(["项目编码", project_code(py), "项目名称", name])
        row(["预算规模及资金用途", "预算数", f"{py.budget:.2f}", "其中：财政资金", f"{py.fiscal:.2f}", "其他资金",
             f"{(py.other or py.carryover):.2f}" if (py.other or py.carryover) else ""])
        row(["", py.lineage.ptype["use"].format(s=py.subject, o=py.lineage.obj)])
        row(["资金支出计划（%）", "3月底", "6月底", "10月底", "12月底"])
        row(["", "25%", "50%", "75%", "100%"] if rng.random() < 0.6 else ["", "", "", "", "100%"])
        goal = py.lineage.ptype["goal"].format(s=py.subject, o=py.lineage.obj)
        row(["绩效目标", f"1、{goal}"])
        row(["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "指标值确定依据"])
        inds = render_order(py, "L003")
        names, targets = [], []
        cur_l1 = cur_l2 = None
        basis = rng.choice(vocab.BASIS_003)
        for ind in inds:
            l1 = vocab.LEVEL1_OF[ind.key]
            l2 = vocab.LEVEL2_NAME[ind.key]
            if l1 == "成本指标":
                l1, l2 = "产出指标", "成本指标"
            miss = _jx106(over, ind)
            write_l1 = l1 != cur_l1
            write_l2 = write_l1 or l2 != cur_l2
            l1c = l1 if write_l1 else ""
            l2c = "" if miss == "l2" else (l2 if write_l2 else "")
            target = target_symbol(ind, rng)
            if miss == "target":
                row([l1c, l2c, ind.name])
                target = ""
            else:
                row([l1c, l2c, ind.name, ind.desc, target, basis])
            cur_l1, cur_l2 = l1, (None if miss == "l2" else l2)
            names.append(ind.name)
            targets.append(target)
        out.append("")
        rendered.append(Rendered(py, inds, names, targets, _money_costs(inds, over)))
    out.append(" ")
    return "\n".join(out), rendered


def project_code(py: ProjectYear) -> str:
    """The 项目编码 003 writes: the unit's code, a number and letters kept by the project from
    year to year (a continuing project keeps its code)."""
    r = random.Random(f"code:{py.lineage.key}:{py.lineage.seed}")
    letters = "".join(r.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(4))
    return f"{py.unit.code[:3]}-{r.randint(1000, 9999)}-JBN-{letters}"


# ----------------------------------------------------------------------------- L004


def render_004(doc: Doc, rng: random.Random) -> tuple[str, list[Rendered]]:
    out: list[str] = []
    rendered: list[Rendered] = []
    year = doc.year
    lead = person(rng)
    for py in doc.projects:
        over = py.goal_over
        full = rng.random() < 0.5
        colon, lp, rp = ("：", "（", "）") if full else (":", "(", ")")
        out += ["", "", "项目支出绩效目标表", "", f"({year}年)", ""]
        out.append(f"预算单位\t\t{doc.unit_of(py)}" + "\t" * 6)
        out.append(f"项目名称\t\t{doc.name_of(py)}\t\t\t项目负责人\t\t{lead}\t")
        other = py.other or py.carryover
        out.append(f"项目资金{lp}万元{rp}\t\t年度预算总额{colon}\t{fmt(py.budget)}\t其中{colon}财政拨款\t{py.fiscal:.2f}"
                   f"\t其他资金{colon}\t{other:.2f}\t")
        goal = py.lineage.ptype["goal"].format(s=py.subject, o=py.lineage.obj)
        out.append(f"项目总体目标\t\t目标1、{goal}。 目标2、{py.subject}{py.lineage.obj}工作水平得到提升。" + "\t" * 6)
        out.append("一级指标\t二级指标\t三级指标\t指标值\t指标值设置依据\t上年完成值\t指标分值权重\t指标赋分规则\t佐证资料")
        inds = render_order(py, "L004")
        names, targets = [], []
        cur_l1 = cur_l2 = None
        for ind in inds:
            l1 = vocab.LEVEL1_OF[ind.key]
            l2 = vocab.LEVEL2_NAME[ind.key]
            if l1 == "满意度指标":
                l2 = "满意度指标"
            miss = _jx106(over, ind)
            write_l1 = l1 != cur_l1
            write_l2 = write_l1 or l2 != cur_l2
            l1c = l1 if write_l1 else ""
            l2c = "" if miss == "l2" else (l2 if write_l2 else "")
            name = "" if miss == "name" else ind.name
            target = target_inline(ind, rng)
            ly = ind.last_year or ""
            if "JX104" in over and over["JX104"][0] is ind:
                ly = over["JX104"][1]
            basis = ind.basis
            if ind.kind == "sat":
                rule = "满意度赋分"
            elif ind.value is None:
                rule = "按评判等级赋分"
            else:
                rule = "直接赋分" if ind.op == "=" and rng.random() < 0.4 else "按照正常比例赋分"
            if miss == "target":
                target, basis, ly = "", "", ""
            out.append("\t".join([l1c, l2c, name, target, basis, ly, fmt(ind.weight), rule, ind.evidence]))
            cur_l1, cur_l2 = l1, (None if miss == "l2" else l2)
            names.append(name)
            targets.append(target)
        rendered.append(Rendered(py, inds, names, targets, _money_costs(inds, over)))
    out.append("")
    return "\n".join(out), rendered


RENDERERS = {"L000": render_000, "L001": render_001, "L003": render_003, "L004": render_004}
