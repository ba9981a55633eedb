"""趋势: budget execution against the self-evaluation score — one point per self-evaluation
project with the 高分低执行 quadrant marked and listed — and per-unit trajectories over years."""

import streamlit as st

from dashboard import charts, data, export, filters, links
from dashboard import format as fmt

f = filters.page_start("趋势")

usable = data.scatter_points(f)
if usable.height == 0:
    st.info("当前筛选下没有同时有执行率和自评总分的绩效自评表项目（目标表没有执行数和得分）。"
            "可在左侧「表类型」选「全部」或「绩效自评表」，或放宽其他筛选条件。")
    st.stop()

st.subheader("执行率与自评总分")
# With more than a dozen units the unit colours cannot be told apart: colour by year then.
many_units = data.n_distinct(usable, "unit") > 12
color_by = st.segmented_control("颜色区分", ["按单位", "按年度"], default="按年度" if many_units else "按单位",
                                key="tr_color")
color = "year" if color_by == "按年度" else "unit"
st.plotly_chart(data.figure("tr_scatter", lambda: charts.execution_score_scatter(usable, color), f, color), key="tr_scatter")
st.caption(f"共 {usable.height:,} 个自评项目。虚线为得分 90 分、执行率 80%；左上角阴影区是「高分低执行」：钱没花出去，自评却很高。")

quadrant = data.high_score_low_rate(usable, charts.HIGH_SCORE, charts.LOW_RATE)
st.markdown(f"**高分低执行的项目**（自评总分 ≥ {charts.HIGH_SCORE:.0f} 且执行率 < {charts.LOW_RATE:.0%}）")
if quadrant.height == 0:
    st.success("当前筛选下没有「高分低执行」的项目。")
else:
    by_county = data.high_score_low_rate_by_county(usable, charts.HIGH_SCORE, charts.LOW_RATE)
    st.caption(f"共 {quadrant.height:,} 个项目，占自评项目的 {quadrant.height / usable.height:.1%}，"
               f"分布在 {by_county.height:,} 个县（区）。")
    tab_list, tab_county = st.tabs(["项目清单", "按县（区）汇总"])
    with tab_list:
        # The key figures first and narrow, the project's name shortened: all of them fit at
        # 1440 px; the full name is in the pane below a selected row.
        qrow = export.table(fmt.region_labels(quadrant), {
            "unit": fmt.Col("单位", width=190),
            "county": fmt.Col("县（区）", width=110),
            "year": fmt.Col("年度", "year", width=60),
            "execution_rate": fmt.Col("执行率", "pct", width=80),
            "total_score_reported": fmt.Col("自评总分", "score", width=80),
            "total_expected": fmt.Col("规则总分", "score", help="按表内评分规则重新计算的总分", width=80),
            "name": fmt.Col("项目", help="选中一行查看完整名称", width=220),
            "budget": fmt.Col("预算（万元）", "money", width=100),
            "executed": fmt.Col("执行数（万元）", "money", width=110),
            "city": fmt.Col("市", width=100),
            "province": fmt.Col("省", width=100),
        }, name="高分低执行项目", key="tr_quadrant", select=True)
        if qrow:
            with st.container(border=True):
                st.markdown(f"**{fmt.md_escape(qrow['name'])}**")
                st.caption(f"{fmt.md_escape(qrow['unit'])} · {fmt.md_escape(' / '.join(x for x in (qrow['province'], qrow['city'], qrow['county']) if x))}"
                           f" · {qrow['year']}年 · 预算 {fmt.fmt_money(qrow['budget'])}，执行 {fmt.fmt_money(qrow['executed'])}，"
                           f"执行率 {fmt.fmt_pct(qrow['execution_rate'], 2)} · 自评总分 {fmt.fmt_num(qrow['total_score_reported'])}，"
                           f"规则总分 {fmt.fmt_num(qrow['total_expected'])}")
                links.drilldown_link(qrow["unit"], qrow["project_id"])
        else:
            st.caption("选中一行查看项目的完整名称，并可在下钻中打开。")
    with tab_county:
        export.table(fmt.region_labels(by_county), {
            "province": fmt.text("省"),
            "city": fmt.text("市"),
            "county": fmt.text("县（区）"),
            "n_quadrant": fmt.integer("高分低执行项目"),
            "n_self_eval": fmt.integer("自评项目"),
            "share_quadrant": fmt.pct("占比", help="高分低执行项目 ÷ 自评项目"),
            "quadrant_budget": fmt.money("其预算（万元）"),
            "quadrant_executed": fmt.money("其执行数（万元）"),
            "quadrant_rate": fmt.pct("其执行率", help="这些项目的执行数合计 ÷ 预算合计"),
        }, name="高分低执行_按县汇总", key="tr_quadrant_county")

st.subheader("各单位的年度变化")
trend = data.unit_year_trend(f)
years = data.distinct_values(trend, "year")
multi = data.units_with_years(trend, 2)
if len(years) <= 1:
    only = f"{years[0]} 年" if years else "一个年度"
    st.info(f"当前筛选下的自评数据只有 {only}，还看不出年度变化；上面的散点图仍按项目显示。"
            "导入其他年度的自评表后，这里会显示每个单位逐年的平均得分和执行率。")
elif not multi:
    st.info(f"自评数据涉及 {len(years)} 个年度（{'、'.join(map(str, years))}），但每个单位只有一个年度的自评表，"
            "还连不成单位的年度变化线；下表列出各单位各年度的数值。")
else:
    metric = st.segmented_control("指标", ["平均自评得分", "执行率"], default="平均自评得分", key="tr_metric")
    col = "execution_rate" if metric == "执行率" else "score_mean"
    st.plotly_chart(data.figure("tr_lines", lambda: charts.unit_trajectories(trend.filter(trend["unit"].is_in(multi)), col), f, col),
                    key="tr_lines")
    if len(multi) < data.n_distinct(trend, "unit"):
        st.caption("图中只画有两个及以上年度自评数据的单位；其余单位见下表。")
export.table(trend, {
    "unit": fmt.text("单位", width="medium"),
    "year": fmt.year(),
    "n_projects": fmt.integer("自评项目数"),
    "score_mean": fmt.score("平均自评得分"),
    "execution_rate": fmt.pct("执行率", help="全年执行数合计 ÷ 年初预算数合计"),
    "budget": fmt.money("预算（万元）"),
    "executed": fmt.money("执行数（万元）"),
}, name="单位年度变化", key="tr_trend")
