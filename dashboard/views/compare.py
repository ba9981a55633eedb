"""单位对比: units side by side; below, in tabs built only when open, the spread of
self-evaluation totals per county and per unit, each unit against the median of its city and of
its province, counties rolled up (a county × measure table, chosen counties side by side) and
peers by kind of unit (every 教育局, every 社保中心 … across counties). Units are canonical: a
unit written two ways is one row."""

import polars as pl
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
# Narrow number columns and a shortened region (full on hover): all ten columns at 1440 px.
export.table(fmt.with_region(units), {
    "unit": fmt.Col("单位", width=175),
    "region": fmt.Col("地区（省 / 市 / 县）", width=140),
    "n_projects": fmt.Col("项目数", "int", width=55),
    "budget": fmt.Col("预算（万元）", "money", width=95),
    "execution_rate": fmt.Col("执行率", "pct", help="自评表全年执行数合计 ÷ 年初预算数合计", width=75),
    "score_mean": fmt.Col("平均得分", "score", help="自评表填报总分的平均值", width=70),
    "full_marks_share": fmt.Col("满分占比", "pct", help="自评表中得满分的指标占有分值且有得分的指标的比例", width=75),
    "flags_per_project": fmt.Col("每项目问题数", "num", help="未处理问题标记数 ÷ 项目数", width=90),
    "n_open_flags": fmt.Col("未处理问题", "int", width=75),
    "n_self_eval": fmt.Col("自评表数", "int", help="其中绩效自评表的项目数", width=65),
}, name="单位对比", key="cmp_units")

# Only the open tab's content is computed and sent (each is a chart and a table over every
# unit, county or peer: at a million indicators the hidden ones were 0.45 MB and two charts of
# every visit, and drawing those charts the browser's longest wait); switching reruns.
tab_box, tab_median, tab_counties, tab_peers = st.tabs(
    ["自评总分分布", "与本市、本省中位数比较", "县（区）汇总", "同类单位对比"], key="cmp_tab", on_change="rerun")

if tab_box.open:
    with tab_box:
        points = data.self_eval_projects(f)
        if points.filter(points["total_score_reported"].is_not_null()).height == 0:
            st.info("当前筛选下没有带总分的绩效自评表，无法比较自评得分。可在左侧「表类型」选「全部」或「绩效自评表」。")
        else:
            c1, c2 = st.columns([2, 1])
            by = c1.segmented_control("分组", ["按县（区）", "按单位"], **filters.kept("cmp_box_by", "按县（区）"))
            violin = c2.toggle("小提琴图", help="显示分布形状；项目少时箱线图更易读", **filters.kept("cmp_violin"))
            col, label = ("county", "县（区）") if by != "按单位" else ("unit", "单位")
            fig = data.figure("cmp_box", lambda: charts.score_box(points, col, label, violin=violin), f, col, violin)
            st.plotly_chart(fig, key="cmp_box_chart")
            # every project a point only where there are few (else the boxes come from quartiles)
            each = bool(fig.data) and "all" in (getattr(fig.data[0], "boxpoints", None), getattr(fig.data[0], "points", None))
            st.caption(("每个点是一个自评项目；" if each else "") + "箱体为四分位范围，中间横线为中位数。"
                       "市本级单位（没有县区）按「某市（本级）」分组。")

if tab_median.open:
    with tab_median:
        metric = st.selectbox("比较指标", list(data.UNIT_METRICS), format_func=data.UNIT_METRICS.get,
                              **filters.kept("cmp_metric"))
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

# --- counties rolled up, and chosen counties side by side
if tab_counties.open:
    with tab_counties:
        rollup = data.county_rollup(f)
        st.caption(f"每个县（区）一行；执行率为自评表全年执行数合计 ÷ 年初预算数合计；高分低执行：自评总分 ≥ {charts.HIGH_SCORE:.0f} 且"
                   f"执行率 < {charts.LOW_RATE:.0%}，占比以有总分和执行率的自评项目为分母；市本级、省本级单位记为「某市（本级）」。")
        export.table(rollup.with_columns(pl.concat_str([pl.col("province").fill_null("—"), pl.col("city").fill_null("—")],
                                                       separator=" / ").alias("above")), {
            # the measures first, where the eye starts; the region and the counts behind them
            "label": fmt.text("县（区）"),
            "execution_rate": fmt.pct("执行率"),
            "score_mean": fmt.score("平均自评得分"),
            "n_high_score_low_rate": fmt.integer("高分低执行项目"),
            "high_score_low_rate_share": fmt.pct("高分低执行占比"),
            "flags_per_project": fmt.num("每项目问题数", help="未处理问题标记数 ÷ 项目数"),
            "n_open_flags": fmt.integer("未处理问题"),
            "n_projects": fmt.integer("项目数"),
            "n_self_eval": fmt.integer("自评项目"),
            "n_units": fmt.integer("单位数"),
            "budget": fmt.money("自评预算（万元）"),
            "above": fmt.text("省 / 市"),
        }, name="县区汇总", key="cmp_counties_table")

        if rollup.height >= 2:
            keys = rollup["key"].to_list()
            label_of = dict(zip(keys, rollup["label"].to_list()))
            dup = {v for v in label_of.values() if list(label_of.values()).count(v) > 1}
            default = rollup.sort("n_projects", "key", descending=[True, False])["key"].head(min(6, rollup.height)).to_list()
            chosen = st.multiselect(
                f"选择要并排比较的县（区），最多 {charts.MAX_COUNTIES} 个", keys,
                format_func=lambda k: f"{label_of[k]}（{k.split(' / ')[0]}）" if label_of[k] in dup else label_of[k],
                max_selections=charts.MAX_COUNTIES, placeholder="选择县（区）",
                **filters.kept(fmt.widget_key("cmp_counties", f.describe()), [k for k in keys if k in default]))
            if chosen:
                picked = rollup.filter(pl.col("key").is_in(chosen)).sort(pl.col("key").replace_strict(
                    {k: i for i, k in enumerate(chosen)}, return_dtype=pl.Int64))
                st.plotly_chart(charts.county_compare(picked), key="cmp_counties_chart")
                st.caption("默认选中项目最多的县（区）；每个小图同一颜色为同一县（区）。")
            else:
                st.info("选择至少一个县（区）即可并排比较。")

# --- peers by kind of unit
if tab_peers.open:
    with tab_peers:
        peers_all = data.unit_peers(f, "")
        kinds = data.unit_kinds(peers_all)
        if kinds.height == 0:
            st.info("当前筛选下没有单位。")
        else:
            n_of = dict(kinds.iter_rows())
            c1, c2 = st.columns([1, 2])
            kind = c1.selectbox("单位类型", kinds["unit_kind"].to_list(), format_func=lambda k: f"{k}（{n_of[k]} 个单位）",
                                help="按单位名称归类（教育局、社保中心、医院……），跨县（区）比较同类单位",
                                **filters.kept(fmt.widget_key("cmp_peer_kind", f.describe())))
            metric = c2.segmented_control("比较指标", list(data.PEER_METRICS), format_func=data.PEER_METRICS.get,
                                          **filters.kept("cmp_peer_metric", "score_mean")) or "score_mean"
            label = data.PEER_METRICS[metric]
            is_pct = metric == "execution_rate"
            peers = peers_all.filter(pl.col("unit_kind") == kind)
            median_col = {"score_mean": "kind_score_median", "execution_rate": "kind_execution_rate_median",
                          "flags_per_project": "kind_flags_per_project_median"}[metric]
            median = peers[median_col].drop_nulls().first() if peers.height else None
            if peers.filter(pl.col(metric).is_not_null()).height == 0:
                st.info(f"当前筛选下的「{kind}」没有「{label}」的数据（执行率、得分只来自绩效自评表）。")
            else:
                st.plotly_chart(charts.peer_bars(peers, metric, label, is_pct, median), key="cmp_peer_chart")
            value_col = fmt.pct if is_pct else fmt.num
            export.table(fmt.with_region(peers), {
                "unit": fmt.text("单位", width="medium"),
                metric: (fmt.pct if is_pct else fmt.score if metric == "score_mean" else fmt.num)(label),
                median_col: value_col(f"同类中位数（{label}）"),
                f"province_kind_{median_col.removeprefix('kind_')}": value_col(f"本省同类中位数（{label}）"),
                **{c: col for c, col in {
                    "score_mean": fmt.score("平均自评得分"),
                    "score_rank": fmt.integer("得分排名", help="在当前筛选范围内同类单位中按平均自评得分的名次"),
                    "execution_rate": fmt.pct("执行率"),
                    "flags_per_project": fmt.num("每项目问题数", help="未处理问题标记数 ÷ 项目数"),
                }.items() if c != metric},
                "n_projects": fmt.integer("项目数"),
                "n_self_eval": fmt.integer("自评项目"),
                "n_province_peers": fmt.integer("本省同类单位数"),
                "region": fmt.text("地区（省 / 市 / 县）"),
            }, name=f"同类单位_{kind}", key="cmp_peers_table")
            st.caption(f"共 {peers.height} 个「{fmt.md_escape(kind)}」；中位数取当前筛选范围内的同类单位"
                       "（本省同类中位数只取同一省的）。按地区比较各单位见上方「与本市、本省中位数比较」。")
