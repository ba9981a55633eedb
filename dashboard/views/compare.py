"""单位对比: units side by side, the spread of self-evaluation totals per county and per unit,
and each unit against the median of its city and of its province."""

import streamlit as st

from dashboard import charts, data, export, filters
from dashboard import format as fmt

f = filters.page_start("单位对比")

units = data.unit_comparison(f)
if units.height == 0:
    st.info("当前筛选下没有单位。请放宽左侧的筛选条件。")
    st.stop()

st.subheader("单位一览")
st.caption("执行率、平均得分和满分占比只来自绩效自评表；目标表单位这几列为空。点击列名可排序。")
export.table(fmt.with_region(units), {
    "unit": fmt.text("单位", width="medium"),
    "region": fmt.text("地区（省 / 市 / 县）"),
    "n_projects": fmt.integer("项目数"),
    "budget": fmt.money("预算（万元）"),
    "execution_rate": fmt.pct("执行率", help="自评表全年执行数合计 ÷ 年初预算数合计"),
    "score_mean": fmt.score("平均得分", help="自评表填报总分的平均值"),
    "full_marks_share": fmt.pct("满分占比", help="自评表中得满分的指标占有分值且有得分的指标的比例"),
    "flags_per_project": fmt.num("每项目问题数", help="未处理问题标记数 ÷ 项目数"),
    "n_open_flags": fmt.integer("未处理问题"),
    "n_self_eval": fmt.integer("其中自评表"),
}, name="单位对比", key="cmp_units")

tab_box, tab_median = st.tabs(["自评总分分布", "与本市、本省中位数比较"])

with tab_box:
    points = data.self_eval_projects(f)
    if points.filter(points["total_score_reported"].is_not_null()).height == 0:
        st.info("当前筛选下没有带总分的绩效自评表，无法比较自评得分。可在左侧「表类型」选「全部」或「绩效自评表」。")
    else:
        c1, c2 = st.columns([2, 1])
        by = c1.segmented_control("分组", ["按县（区）", "按单位"], default="按县（区）", key="cmp_box_by")
        violin = c2.toggle("小提琴图", key="cmp_violin", help="显示分布形状；项目少时箱线图更易读")
        col, label = ("county", "县（区）") if by != "按单位" else ("unit", "单位")
        st.plotly_chart(data.figure("cmp_box", lambda: charts.score_box(points, col, label, violin=violin), f, col, violin),
                        key="cmp_box_chart")
        st.caption("每个点是一个自评项目；箱体为四分位范围，中间横线为中位数。市本级单位（没有县区）按「某市（本级）」分组。")

with tab_median:
    metric = st.selectbox("比较指标", list(data.UNIT_METRICS), format_func=data.UNIT_METRICS.get, key="cmp_metric")
    label = data.UNIT_METRICS[metric]
    is_pct = metric in ("execution_rate", "full_marks_share")
    diff = data.unit_vs_median(units, metric)
    comparable = diff.filter(diff["diff_city"].is_not_null() | diff["diff_province"].is_not_null())
    if diff.height == 0:
        st.info(f"当前筛选下没有单位有「{label}」的数据（执行率、得分、满分占比只来自绩效自评表）。")
    elif comparable.height == 0:
        st.info(f"当前筛选下有「{label}」数据的单位都是所在省的唯一单位，没有可比较的中位数。请放宽筛选条件。")
    else:
        st.plotly_chart(data.figure("cmp_median", lambda: charts.median_diff(comparable, label, is_pct), f, metric),
                        key="cmp_median_chart")
        alone = diff.height - comparable.height
        st.caption("中位数取自同一市（或省）内有该项数据的单位（受左侧筛选影响）；正值表示高于中位数。"
                   + (f"另有 {alone} 个单位是所在省的唯一单位，无从比较，未画出（见下表）。" if alone else ""))
        value_col = fmt.pct if is_pct else fmt.num
        export.table(fmt.region_labels(diff), {
            "province": fmt.text("省"),
            "city": fmt.text("市"),
            "unit": fmt.text("单位", width="medium"),
            "value": value_col(label),
            "city_median": value_col("本市中位数"),
            "diff_city": value_col("与本市之差"),
            "n_city": fmt.integer("本市单位数"),
            "province_median": value_col("本省中位数"),
            "diff_province": value_col("与本省之差"),
            "n_province": fmt.integer("本省单位数"),
        }, name=f"单位与中位数比较_{label}", key="cmp_median")
