"""趋势: budget execution against the self-evaluation score — one point per self-evaluation
project with the 高分低执行 quadrant marked and listed — and per-unit trajectories over years."""

import streamlit as st

from dashboard import charts, data, export, filters
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
    export.table(quadrant, {
        "unit": fmt.text("单位", width="medium"),
        "year": fmt.year(),
        "name": fmt.text("项目", width="large"),
        "budget": fmt.money("预算（万元）"),
        "executed": fmt.money("执行数（万元）"),
        "execution_rate": fmt.pct("执行率"),
        "total_score_reported": fmt.score("自评总分"),
        "total_expected": fmt.score("规则总分"),
    }, name="高分低执行项目", key="tr_quadrant")

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
