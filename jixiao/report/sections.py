"""The report's sections, in order (the registry `SECTIONS`). Each section says once what it
contains and lays it out twice: `word` writes its part of the letter, `excel` its sheet(s).

To add a section: write a class with `title` (None for an unnumbered part), `numbered`,
`applies(report)`, `word(w, report, heading)` and `excel(x, report)`, and put it in SECTIONS.
Numbered sections get 一、二、三 … in the order they apply; data they need goes into
`model.Report` (gathered in `model.ReportSource.build`).
"""

from __future__ import annotations

from jixiao.report.excel import ExcelWriter, XColumn
from jixiao.report.model import KIND_LABELS, SEVERITIES, ProjectSection, Report
from jixiao.report.text import cn_date, cn_number, money, num, pct
from jixiao.report.word import Column, WordWriter


def _project_facts(p: ProjectSection) -> str:
    """One line of a project's key figures, as the unit's own table states them."""
    parts = [f"{p.year}年{p.kind_label}" if p.year else p.kind_label]
    if p.code:
        parts.append(f"项目编码 {p.code}")
    if p.kind == "self_eval":
        parts.append(f"年初预算数 {money(p.budget)}，全年执行数 {money(p.executed)}，执行率 {pct(p.execution_rate)}")
        parts.append(f"自评总分 {num(p.total_reported)}分，按评分规则计算 {num(p.total_expected)}分")
    else:
        parts.append(f"年度资金总额 {money(p.budget)}")
    parts.append(f"指标 {p.n_indicators} 个")
    return "；".join(x for x in parts if x) + "。"


GOAL_CHARS = 150  # the 年度总体目标 is quoted to say which project is meant, not reproduced in full


def _goal(p: ProjectSection) -> str:
    g = " ".join((p.goal or "").split())
    return "" if not g else "年度总体目标：" + (g if len(g) <= GOAL_CHARS else g[:GOAL_CHARS] + "……")


def _several(rep: Report) -> bool:
    """Whether the report spans several years or both kinds, so a project's name alone does
    not say which table is meant."""
    return len(rep.years) > 1 or len(rep.kinds) > 1


def _project_title(rep: Report, p: ProjectSection) -> str:
    if not _several(rep):
        return p.name
    return f"{p.name}（{p.year}年{p.kind_label}）" if p.year else f"{p.name}（{p.kind_label}）"


def _clean_list(rep: Report) -> str:
    """The projects without open flags, each name once with the tables it was found clean in."""
    by_name: dict[str, list[str]] = {}
    for p in rep.clean_projects:
        by_name.setdefault(p.name, []).append(f"{p.year}年{p.kind_label}" if p.year else p.kind_label)
    if not _several(rep):
        return "、".join(f"「{n}」" for n in by_name)
    return "、".join(f"「{n}」（{'、'.join(w)}）" for n, w in by_name.items())


def _severity_text(by_sev: dict[str, int]) -> str:
    return "、".join(f"{s} {by_sev.get(s, 0)} 条" for s in SEVERITIES)


class Header:
    """The title and the form-like block: unit, region, years, date, scope and the filter."""

    title = None
    numbered = False

    def applies(self, rep: Report) -> bool:
        return True

    def _rows(self, rep: Report) -> list[tuple[str, str]]:
        s = rep.summary
        scope = f"{rep.n_documents} 份文档，{s.n_projects} 个项目（绩效目标表 {s.n_goal} 个、绩效自评表 {s.n_self_eval} 个）"
        return [("被审核单位", rep.unit), ("所属地区", rep.region),
                ("审核年度", "、".join(f"{y}年" for y in rep.years) or "—"), ("审核日期", cn_date(rep.report_date)),
                ("审核范围", scope), ("筛选条件", rep.filter_text)]

    def word(self, w: WordWriter, rep: Report, heading: str | None) -> None:
        w.title(rep.title_lines)
        r = self._rows(rep)
        w.table([Column("", 2.3), Column("", 5.5), Column("", 2.3), Column("", 5.5)],
                [[r[0][0], r[0][1], r[1][0], r[1][1]], [r[2][0], r[2][1], r[3][0], r[3][1]],
                 [r[4][0], r[4][1], r[5][0], r[5][1]]], header=False, label_cols=(0, 2))

    def excel(self, x: ExcelWriter, rep: Report) -> None:
        pass  # the 总体情况 sheet carries these fields


class Opening:
    """The salutation and the opening paragraph: what was reviewed and what was found."""

    title = None
    numbered = False

    def applies(self, rep: Report) -> bool:
        return True

    def word(self, w: WordWriter, rep: Report, heading: str | None) -> None:
        s = rep.summary
        w.para(f"{rep.unit}：", indent=False, space_before=6)
        years = "、".join(str(y) for y in rep.years)
        reviewed = (f"根据预算绩效管理的有关规定，我局对你单位报送的{years + '年度' if years else ''}"
                    f"{rep.kind_text}（共 {s.n_projects} 个项目、{s.n_indicators} 个绩效指标）进行了审核。")
        if s.n_open:
            found = (f"审核发现需要整改的问题 {s.n_open} 条，涉及 {s.n_projects_with_open} 个项目"
                     f"（按严重程度：{_severity_text(s.open_by_severity)}）。现将审核意见反馈如下，"
                     "请对照各项问题后的「整改要求」逐项修改完善。")
        else:
            found = "审核未发现需要整改的问题。现将审核情况反馈如下。"
        if s.n_accepted:
            found += f"另有 {s.n_accepted} 项经核实无需整改，一并列明。"
        w.para(reviewed + found)

    def excel(self, x: ExcelWriter, rep: Report) -> None:
        pass  # the letter's prose; the workbook holds the tables


class Overview:
    """一、总体情况: projects, money, execution, scores against the rules, problems by rule."""

    title = "总体情况"
    numbered = True

    def applies(self, rep: Report) -> bool:
        return True

    def _rows(self, rep: Report) -> list[tuple[str, str]]:
        s = rep.summary
        rows = [("审核项目", f"{s.n_projects} 个（绩效目标表 {s.n_goal} 个、绩效自评表 {s.n_self_eval} 个），绩效指标 {s.n_indicators} 个")]
        if s.n_goal:
            rows.append(("绩效目标表资金总额", money(s.budget_goal)))
        if s.n_self_eval:
            rows.append(("自评表年初预算数", money(s.budget_self_eval)))
            rows.append(("自评表全年执行数", f"{money(s.executed)}，预算执行率 {pct(s.execution_rate)}"))
            rows.append(("平均自评总分", f"{num(s.score_reported_mean)}分（{s.n_score_reported} 个项目填报了总分）"))
            gap = ""
            if s.score_reported_mean is not None and s.score_expected_mean is not None:
                d = s.score_reported_mean - s.score_expected_mean
                gap = "，与自评一致" if abs(d) < 0.005 else f"，自评{'高' if d > 0 else '低'}出 {num(abs(d))}分"
            rows.append(("按规则计算的平均总分",
                         f"{num(s.score_expected_mean)}分（{s.n_score_expected} 个项目可按表内规则计算{gap}）"))
        rows.append(("需要整改的问题", f"{s.n_open} 条，涉及 {s.n_projects_with_open} 个项目；{_severity_text(s.open_by_severity)}"))
        rows.append(("经核实无需整改", f"{s.n_accepted} 条"))
        return rows

    def word(self, w: WordWriter, rep: Report, heading: str | None) -> None:
        w.heading(heading or self.title, 1)
        w.table([Column("项目", 4.4), Column("情况", 11.2)], [list(r) for r in self._rows(rep)], header=False,
                label_cols=(0,))
        if rep.summary.by_rule:
            w.para("问题按类型统计如下：", keep_next=True)
            w.table([Column("序号", 1.3, "center"), Column("问题类型", 7.7), Column("严重程度", 2.0, "center"),
                     Column("涉及项目", 2.3, "center"), Column("问题条数", 2.3, "center")],
                    [[k, f"{r['title']}（{r['rule']}）", r["severity"], r["n_projects"], r["n_flags"]]
                     for k, r in enumerate(rep.summary.by_rule, 1)])

    def excel(self, x: ExcelWriter, rep: Report) -> None:
        rows = [list(r) for r in Header()._rows(rep)] + [list(r) for r in self._rows(rep)]
        x.sheet("总体情况", [XColumn("项目", 26), XColumn("内容", 90, "wrap")], rows)
        remedies = {r.rule: r.remedy for r in rep.rules}
        x.sheet("问题分类", [XColumn("规则", 8), XColumn("问题类型", 22), XColumn("严重程度", 9),
                             XColumn("涉及项目", 9, "int"), XColumn("问题条数", 9, "int"), XColumn("整改要求", 80, "wrap")],
                [[r["rule"], r["title"], r["severity"], r["n_projects"], r["n_flags"], remedies.get(r["rule"], "")]
                 for r in rep.summary.by_rule])


class Problems:
    """二、存在的问题及整改要求: per project, its open flags grouped by rule, the rule's 如何整改 once."""

    title = "存在的问题及整改要求"
    numbered = True

    def applies(self, rep: Report) -> bool:
        return True

    def word(self, w: WordWriter, rep: Report, heading: str | None) -> None:
        w.heading(heading or self.title, 1)
        flagged, clean_ = rep.open_projects, rep.clean_projects
        if not flagged:
            w.para(f"所审核的 {len(rep.projects)} 个项目均未发现需要整改的问题。")
            return
        intro = f"共 {len(flagged)} 个项目存在需要整改的问题，逐项列示如下。"
        if clean_:
            intro += f"其余 {len(clean_)} 个项目未发现问题：" + _clean_list(rep) + "。"
        w.para(intro)
        for k, p in enumerate(flagged, 1):
            w.heading(f"（{cn_number(k)}）{_project_title(rep, p)}", 2)
            w.para(_project_facts(p) + f"存在问题 {p.n_open} 条。", style="说明文字", keep_next=True)
            if _goal(p):
                w.para(_goal(p), style="说明文字", keep_next=True)
            for j, g in enumerate(p.groups, 1):
                w.heading(f"{j}. {g.rule.title}（{g.rule.rule}，严重程度：{g.items[0].severity}，{len(g.items)} 条）", 3)
                w.table([Column("序号", 1.3, "center"), Column("指标", 4.1), Column("问题及涉及的数值", 10.2)],
                        [[i, f.indicator_label, f.message] for i, f in enumerate(g.items, 1)])
                if g.rule.remedy:
                    w.para(g.rule.remedy, bold_prefix="整改要求：")

    def excel(self, x: ExcelWriter, rep: Report) -> None:
        cols = [XColumn("序号", 6, "int"), XColumn("年度", 7, "int"), XColumn("表类型", 11), XColumn("项目名称", 32, "wrap"),
                XColumn("项目编码", 16), XColumn("严重程度", 9), XColumn("规则", 8), XColumn("问题类型", 20, "wrap"),
                XColumn("指标序号", 9, "int"), XColumn("指标", 26, "wrap"), XColumn("问题说明", 70, "wrap")]
        rows, k = [], 0
        for p in rep.open_projects:
            for g in p.groups:
                for f in g.items:
                    k += 1
                    rows.append([k, p.year, KIND_LABELS.get(p.kind or "", ""), p.name, p.code, f.severity, f.rule,
                                 g.rule.title, f.indicator_seq, f.indicator_text,
                                 f.message])
        x.sheet("问题清单", cols, rows, note="每条需要整改的问题一行；各类问题的整改要求见「问题分类」。")
        pcols = [XColumn("序号", 6, "int"), XColumn("严重程度", 9), XColumn("规则", 8), XColumn("问题类型", 20, "wrap"),
                 XColumn("指标序号", 9, "int"), XColumn("指标", 28, "wrap"), XColumn("问题说明", 70, "wrap"),
                 XColumn("整改要求（每类问题一次）", 60, "wrap")]
        for n, p in enumerate(rep.open_projects, 1):
            prow, i = [], 0
            for g in p.groups:
                for j, f in enumerate(g.items):
                    i += 1
                    prow.append([i, f.severity, f.rule, g.rule.title, f.indicator_seq,
                                 f.indicator_text, f.message,
                                 g.rule.remedy if j == 0 else ""])
            x.sheet(f"（{cn_number(n)}）{p.name}", pcols, prow,
                    note=f"（{cn_number(n)}）{_project_title(rep, p)}：{_project_facts(p)}{_goal(p)}")


class Accepted:
    """三、经核实无需整改的事项: flags the bureau accepted, each with its reason (no reviewer names)."""

    title = "经核实无需整改的事项"
    numbered = True

    def applies(self, rep: Report) -> bool:
        return bool(rep.accepted)

    def word(self, w: WordWriter, rep: Report, heading: str | None) -> None:
        w.heading(heading or self.title, 1)
        w.para("下列事项经核实，理由成立，不再要求整改：", keep_next=True)
        w.table([Column("序号", 1.3, "center"), Column("项目", 3.7), Column("事项", 6.3), Column("核实意见", 4.3)],
                [[k, f"{p.name}（{p.year}年）" if p.year else p.name,
                  f"{_rule_title(rep, a.rule)}：{a.indicator_label}。{a.message}", a.waiver_reason or ""]
                 for k, (p, a) in enumerate(rep.accepted, 1)])

    def excel(self, x: ExcelWriter, rep: Report) -> None:
        with_time = any(a.waived_at for _, a in rep.accepted)
        cols = [XColumn("序号", 6, "int"), XColumn("年度", 7, "int"), XColumn("项目名称", 32, "wrap"), XColumn("规则", 8),
                XColumn("问题类型", 20, "wrap"), XColumn("指标", 26, "wrap"), XColumn("问题说明", 60, "wrap"),
                XColumn("核实意见（接受理由）", 40, "wrap")] + ([XColumn("接受时间", 17)] if with_time else [])
        rows = [[k, p.year, p.name, a.rule, _rule_title(rep, a.rule), a.indicator_label, a.message, a.waiver_reason or ""]
                + ([a.waived_at or ""] if with_time else []) for k, (p, a) in enumerate(rep.accepted, 1)]
        x.sheet("无需整改事项", cols, rows)


class Closing:
    """The closing request and the bureau's signature line and date."""

    title = None
    numbered = False

    def applies(self, rep: Report) -> bool:
        return True

    def word(self, w: WordWriter, rep: Report, heading: str | None) -> None:
        docs = rep.kind_text.replace("项目支出", "").replace("部门整体支出", "")
        if rep.summary.n_open:
            w.para(f"请你单位对照上述意见认真整改，将修改后的{docs}及整改情况按规定时限报送我局。"
                   "对审核意见有不同看法的，请附佐证资料一并说明。", space_before=6)
        else:
            w.para("请你单位继续做好预算绩效管理工作。", space_before=6)
        if rep.rules:
            w.para("附件：审核规则说明", indent=True)
        w.blank(2)
        w.para(rep.bureau, indent=False, align="right")
        w.para(cn_date(rep.report_date), indent=False, align="right")

    def excel(self, x: ExcelWriter, rep: Report) -> None:
        pass


class RulesAppendix:
    """附件: the rules the report quotes — what each checks and why it matters."""

    title = None
    numbered = False

    def applies(self, rep: Report) -> bool:
        return bool(rep.rules)

    def word(self, w: WordWriter, rep: Report, heading: str | None) -> None:
        w.page_break()
        w.heading("附件：审核规则说明", 1)
        w.table([Column("规则", 1.8, "center"), Column("问题类型", 3.4), Column("为什么是问题", 10.4)],
                [[r.rule, r.title, r.why] for r in rep.rules])

    def excel(self, x: ExcelWriter, rep: Report) -> None:
        x.sheet("规则说明", [XColumn("规则", 8), XColumn("问题类型", 22), XColumn("严重程度", 9),
                             XColumn("为什么是问题", 70, "wrap"), XColumn("如何整改", 70, "wrap")],
                [[r.rule, r.title, r.severity, r.why, r.remedy] for r in rep.rules])


def _rule_title(rep: Report, code: str) -> str:
    return next((r.title for r in rep.rules if r.rule == code), code)


# The registry: the letter's parts in order.
SECTIONS = (Header(), Opening(), Overview(), Problems(), Accepted(), Closing(), RulesAppendix())


def headings(rep: Report) -> list[tuple[object, str | None]]:
    """Given a report, returns (section, its numbered heading or None) for the sections that
    apply: 一、总体情况, 二、存在的问题及整改要求 …"""
    out, k = [], 0
    for s in SECTIONS:
        if not s.applies(rep):
            continue
        if s.numbered:
            k += 1
            out.append((s, f"{cn_number(k)}、{s.title}"))
        else:
            out.append((s, None))
    return out
