"""下钻: region → unit → project → indicator. A budget treemap, then linked tables: selecting a
row opens the level below, down to one indicator with every field and the source lines it was
read from."""

import streamlit as st

from dashboard import charts, data, export, filters, links
from dashboard import format as fmt

f = filters.page_start("下钻")
focus = links.take_focus()  # a link from a flag: open its unit, project and indicator

units = data.unit_comparison(f)
if units.height == 0:
    st.info("当前筛选下没有单位。请放宽左侧的筛选条件。")
    st.stop()

# --- region: budget treemap (clicking a unit tile opens it, like selecting its row below)
clicked_unit = None
if units.filter(units["budget"].fill_null(0) > 0).height:
    event = st.plotly_chart(data.figure("dd_treemap", lambda: charts.budget_treemap(units), f), key="dd_treemap",
                            on_select="rerun",
                            selection_mode="points")
    points = (getattr(getattr(event, "selection", None), "points", None) or []) if event else []
    labels = {p.get("label") for p in points if isinstance(p, dict)}
    hit = [u for u in units["unit"].to_list() if fmt.plot_text(u) in labels]  # labels are escaped for Plotly
    clicked_unit = hit[0] if hit else None
else:
    st.info("当前筛选下的项目都没有预算金额，无法画预算分布图。")

# --- level 1: units
st.subheader("① 单位")
st.caption("选中一行查看该单位的项目。")
if not links.preselect("dd_units", units["unit"].to_list(), focus.get("unit")):
    st.info(f"要打开的单位「{fmt.md_escape(focus['unit'])}」不在当前筛选范围内：请清除或放宽左侧的筛选后再打开。")
row = export.table(fmt.with_region(units), {
    "unit": fmt.text("单位", width="medium"),
    "region": fmt.text("地区（省 / 市 / 县）"),
    "n_projects": fmt.integer("项目数"),
    "n_indicators": fmt.integer("指标数"),
    "budget": fmt.money("预算（万元）"),
    "execution_rate": fmt.pct("执行率"),
    "score_mean": fmt.score("平均自评得分"),
    "n_open_flags": fmt.integer("未处理问题"),
}, name="单位", key="dd_units", select=True, height=min(400, 38 + 35 * units.height))
export.reports_zip_button(f, units.height)
unit = row["unit"] if row else clicked_unit
if not unit:
    st.info("在上表中选择一个单位（或点击预算分布图中的单位方块），即可逐级查看项目和指标。")
    st.stop()

# --- level 2: the unit's projects
st.subheader(f"② 项目 · {fmt.md_escape(unit)}", anchor=False)
export.report_buttons(unit, f)
projects = fmt.label_codes(data.projects_by_unit(f, unit))
if projects.height == 0:
    st.info("该单位在当前筛选下没有项目。")
    st.stop()
links.preselect(fmt.widget_key("dd_projects", unit), projects["project_id"].to_list(), focus.get("project"))
prow = export.table(projects, {
    "year": fmt.year(),
    "kind": fmt.text("表类型"),
    "name": fmt.text("项目名称", width="large"),
    "code": fmt.text("项目编码"),
    "budget": fmt.money("预算（万元）"),
    "executed": fmt.money("执行数（万元）"),
    "execution_rate": fmt.pct("执行率"),
    "total_score_reported": fmt.score("自评总分"),
    "total_expected": fmt.score("规则总分", help="按表内评分规则重新计算的总分"),
    "n_indicators": fmt.integer("指标数"),
    "n_open_flags": fmt.integer("未处理问题"),
}, name=f"{unit}_项目", key=fmt.widget_key("dd_projects", unit), select=True,
    height=min(420, 38 + 35 * projects.height))
if not prow:
    st.info("在上表中选择一个项目，查看它的全部指标。")
    st.stop()

# --- level 3: the project view
pid = prow["project_id"]
p = data.project_detail(pid) or {}
st.subheader(f"③ 项目 · {fmt.md_escape(p.get('name') or pid)}", anchor=False)
c = st.columns(5)
c[0].metric("预算（万元）", fmt.fmt_num(p.get("budget")))
c[1].metric("执行数（万元）", fmt.fmt_num(p.get("executed")), help="仅绩效自评表有执行数")
c[2].metric("执行率", fmt.fmt_pct(p.get("execution_rate")))
c[3].metric("自评总分（分）", fmt.fmt_num(p.get("total_score_reported")))
c[4].metric("规则总分（分）", fmt.fmt_num(p.get("total_expected")), help="按表内评分规则重新计算的总分（仅自评表）")
st.caption(
    f"{fmt.KIND_LABELS.get(p.get('kind'), '')} · {p.get('year') or ''}年 · 主管部门：{fmt.md_escape(p.get('department') or '—')} · "
    f"项目编码：{fmt.md_escape(p.get('code') or '—')} · "
    f"来源：{fmt.md_escape((p.get('source_path') or '').rsplit('/', 1)[-1])} 第 {p.get('source_line') or '?'} 行起"
)
links.project_link(pid)  # goal beside self-evaluation and the previous years, on one page
with st.expander("年度总体目标与资金", expanded=False):
    # document text is shown as plain text (st.text), never as HTML or Markdown
    st.text(f"年度总体目标：\n{p.get('goal') or '—'}")
    if p.get("goal_summary"):
        st.text(f"总体目标完成情况：\n{p['goal_summary']}")
    st.text(f"资金用途：{p.get('fund_use') or '—'}\n资金支出计划：{p.get('spend_plan') or '—'}")
    st.text("其中：财政拨款 " + fmt.fmt_money(p.get("fund_fiscal")) + "，上年结转 " + fmt.fmt_money(p.get("fund_carryover"))
            + "，其他资金 " + fmt.fmt_money(p.get("fund_other")))

indicators = data.project_indicators(pid)
st.markdown("**指标**（选中一行查看该指标的全部字段和原文）")
if indicators.height == 0:
    st.info("该项目没有读到指标。")
    irow = None
else:
    links.preselect(fmt.widget_key("dd_ind", pid), indicators["indicator_id"].to_list(), focus.get("indicator"))
    irow = export.table(indicators, {
        "seq": fmt.integer("序号"),
        "level1": fmt.text("一级指标"),
        "level2": fmt.text("二级指标"),
        "name": fmt.text("三级指标", width="medium"),
        "target_raw": fmt.text("指标值"),
        "actual_raw": fmt.text("实际值"),
        "weight": fmt.score("分值"),
        "score_reported": fmt.score("自评得分"),
        "score_expected": fmt.score("规则得分", help="按表内评分规则应得的分数"),
        "n_open_flags": fmt.integer("问题数"),
        "flag_rules": fmt.text("问题", width="medium"),
    }, name=f"{p.get('name') or pid}_指标", key=fmt.widget_key("dd_ind", pid), select=True)

pflags = fmt.label_codes(data.project_flags(pid))
st.markdown(f"**该项目的问题标记**（{pflags.height} 条）")
if pflags.height == 0:
    st.success("该项目没有问题标记。")
else:
    export.table(pflags, {
        "rule": fmt.text("规则"),
        "rule_title": fmt.text("规则名称", width="medium"),
        "severity": fmt.text("严重程度"),
        "status": fmt.text("状态"),
        "indicator_name": fmt.text("指标", width="medium"),
        "message": fmt.text("问题说明", width="large"),
        "waiver_reason": fmt.text("接受理由", width="medium"),
    }, name=f"{p.get('name') or pid}_问题标记", key=fmt.widget_key("dd_pflags", pid))

if not irow:
    st.stop()

# --- level 4: the indicator view
iid = irow["indicator_id"]
ind_name = irow.get("name") or f"第{irow.get('seq')}个指标"
st.subheader(f"④ 指标 · {fmt.md_escape(ind_name)}", anchor=False)
left, right = st.columns([1, 1], gap="large")
with left:
    st.markdown("**全部字段**")
    export.table(fmt.field_table(irow, fmt.INDICATOR_FIELDS), {
        "字段": fmt.text("字段"), "内容": fmt.text("内容", width="large"),
    }, name=f"指标_{irow.get('name') or iid}", key=fmt.widget_key("dd_ifields", iid),
        height=38 + 35 * len(fmt.INDICATOR_FIELDS) + 2)
    long_texts = {label: irow.get(k) for k, label in fmt.LONG_INDICATOR_FIELDS.items() if irow.get(k)}
    if long_texts:
        with st.expander("长文本字段（完整内容）"):
            # plain text (st.text), never Markdown or HTML: this is document text
            st.text("\n\n".join(f"{label}：\n{value}" for label, value in long_texts.items()))
    iflags = pflags.filter(pflags["indicator_id"] == iid)
    st.markdown(f"**该指标的问题标记**（{iflags.height} 条）")
    if iflags.height == 0:
        st.success("该指标没有问题标记。")
    for r in iflags.iter_rows(named=True):
        st.warning(f"{r['rule']} {r['rule_title']}（{r['severity']}，{r['status']}）：{fmt.md_escape(r['message'])}",
                   icon=":material/flag:")
with right:
    lines = data.indicator_source_lines(iid)
    st.markdown(f"**原文**（第 {irow.get('source_line') or '?'} 行起，至下一个指标之前，▶ 标出；"
                "上方为指标表的表头行；单元格之间以 │ 分隔）")
    if lines.height == 0:
        st.info("没有找到该指标对应的原文行。")
    else:
        fmt.source_block(fmt.source_context_text(data.flag_source_context(pid, iid)), fmt.widget_key("dd_text", iid))
        export.download_buttons(lines, f"指标原文_{irow.get('name') or iid}", fmt.widget_key("dd_src", iid),
                                {"line": fmt.integer("行号"), "text": fmt.text("内容")})
