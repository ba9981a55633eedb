"""总览: headline numbers for the current filter, the units with most open flags per project and
the most common problems — each a table whose number column is drawn as bars (no chart library:
the first page a visitor opens is ready sooner; the library loads with the first chart page)."""

import streamlit as st

from dashboard import data, export, filters
from dashboard import format as fmt

f = filters.page_start("总览")

m = data.overview_metrics(f)
if not m or not m.get("n_projects"):
    st.info("当前筛选下没有项目。请放宽左侧的筛选条件（年度、地区、单位、表类型或数据来源）。")
    st.stop()

fl = data.flag_counts(f)  # counts per rule, severity and unit, not every flag
sev = data.severity_counts(fl)

c = st.columns(5)
c[0].metric("单位数", fmt.fmt_int(m["n_units"]), border=True)
c[1].metric("项目数", fmt.fmt_int(m["n_projects"]), border=True,
            help=f"绩效目标表 {m['n_goal']} 个，绩效自评表 {m['n_self_eval']} 个")
c[2].metric("指标数", fmt.fmt_int(m["n_indicators"]), border=True)
# Large sums in 亿元 (the unit in a short label, the number short enough for the card, both
# whole down to 1280 px); the exact 万元 figure in the help.
budget, budget_unit = fmt.amount_parts(m["budget"])
c[3].metric(f"预算（{budget_unit}）", budget, border=True,
            help=f"预算合计，精确值：{fmt.fmt_money(m['budget'])}。目标表的年度资金总额与自评表的年初预算数之和；"
                 "同一项目的两张表会各计一次。")
executed, executed_unit = fmt.amount_parts(m["executed"] if m["n_self_eval"] else None)
c[4].metric(f"执行（{executed_unit}）", executed, border=True,
            help=(f"执行合计，精确值：{fmt.fmt_money(m['executed'])}。" if m["n_self_eval"] else "")
                 + "绩效自评表的全年执行数之和；目标表没有执行数。")

c = st.columns(5)
c[0].metric("平均执行率", fmt.fmt_pct(m["execution_rate_mean"]), border=True,
            help="绩效自评表各项目执行率（全年执行数 ÷ 年初预算数）的平均值")
c[1].metric("平均自评分", fmt.fmt_num(m["score_mean"]), border=True, help="绩效自评表填报总分的平均值（分，满分 100）")
c[2].metric("未处理问题 · 高", fmt.fmt_int(sev["高"]), border=True)
c[3].metric("未处理问题 · 中", fmt.fmt_int(sev["中"]), border=True)
c[4].metric("未处理问题 · 低", fmt.fmt_int(sev["低"]), border=True)

if m["n_synthetic"] and f.synthetic is None:
    st.caption(f":material/science: 当前范围含 {m['n_synthetic']:,} 个合成（测试）项目；"
               "只看真实数据请在左侧「数据来源」选「真实」。")
if m["n_self_eval"] == 0:
    st.caption("当前范围没有绩效自评表，执行率和自评得分为空。")

left, right = st.columns(2, gap="large")
with left:
    st.subheader("问题最多的单位")
    units = data.unit_comparison(f)
    top = data.units_by_flags(units, n=10)
    if top.height == 0:
        st.success("当前范围内没有未处理的问题标记。")
    else:
        export.table(top, {
            # widths that fit half the page at 1280 px, the bar with its number
            "unit": fmt.Col("单位", width=160),
            "n_projects": fmt.Col("项目数", "int", width=56),
            "n_open_flags": fmt.Col("未处理问题", "int", width=80),
            "flags_per_project": fmt.bar(fmt.Col("每项目问题数", "num", help="未处理问题数 ÷ 项目数", width=140),
                                         top["flags_per_project"].max()),
        }, name="问题最多的单位", key="ov_units")

with right:
    st.subheader("最常见的问题")
    rules = data.rule_counts(fl, open_only=True)
    if rules.height == 0:
        st.success("当前范围内没有未处理的问题标记。")
    else:
        export.table(rules, {
            "rule": fmt.Col("规则", width=60),
            "rule_title": fmt.Col("问题", width=170),
            "severity": fmt.Col("严重程度", width=70),
            "n_open": fmt.bar(fmt.Col("未处理", "int", width=140), rules["n_open"].max()),
        }, name="最常见的问题", key="ov_rules")
        st.page_link("views/flags.py", label="到「问题标记」逐条核查", icon=":material/arrow_forward:")
