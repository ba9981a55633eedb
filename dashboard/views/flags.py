"""问题标记: the flags of the filtered projects by rule, severity and status, with counts per rule
and per unit; a flag can be accepted with a required reason (a waiver, written to the waivers
file and overlaid at once). Tab 模板雷同: near-identical indicator texts across units."""

import streamlit as st

from dashboard import charts, data, export, filters
from dashboard import format as fmt

f = filters.page_start("问题标记")

STATUS = {"未处理": "open", "已接受": "waived", "全部": None}

tab_flags, tab_templates = st.tabs(["问题标记", "模板雷同"])

with tab_flags:
    catalog = data.rules_catalog()
    titles = dict(zip(catalog["rule"].to_list(), catalog["title"].to_list()))
    c1, c2, c3 = st.columns([3, 1.2, 1])
    rules = c1.multiselect("规则", list(titles), format_func=lambda r: f"{r} {titles.get(r, '')}",
                           placeholder="全部规则", key="fl_rules")
    severities = c2.multiselect("严重程度", fmt.SEVERITY_ORDER, placeholder="全部", key="fl_sev")
    status_label = c3.selectbox("状态", list(STATUS), key="fl_status")

    if msg := st.session_state.pop("fl_accepted_msg", None):
        st.success(msg, icon=":material/check_circle:")

    fl = data.flags(f, rules=rules, severities=severities, status=STATUS[status_label])
    if fl.height == 0:
        st.info("当前筛选下没有符合条件的问题标记。" + ("（状态为「未处理」：已接受的标记不在此列，可把状态改为「全部」。）"
                                                    if status_label == "未处理" else ""))
    else:
        counts = data.rule_counts(fl)
        open_n = int(counts["n_open"].sum())
        st.markdown(f"共 **{fl.height:,}** 条，其中未处理 **{open_n:,}** 条，涉及 "
                    f"**{fl['project_id'].n_unique():,}** 个项目、**{fl['unit'].n_unique():,}** 个单位。")
        if open_n:
            left, right = st.columns(2, gap="large")
            left.plotly_chart(charts.flags_by_rule(counts), key="fl_rule_chart")
            right.plotly_chart(charts.flags_by_unit(fl), key="fl_unit_chart")

        st.markdown("**标记明细**（选中一行可接受该标记）")
        n = st.session_state.setdefault("fl_table_gen", 0)
        row = export.table(fmt.label_codes(fl), {
            "severity": fmt.text("严重", width="small"),
            "rule_label": fmt.text("规则", width="medium"),
            "message": fmt.text("问题说明", width="large"),
            "unit": fmt.text("单位", width="medium"),
            "project_name": fmt.text("项目", width="medium"),
            "indicator_name": fmt.text("指标", width="medium"),
            "year": fmt.year(),
            "status": fmt.text("状态"),
            "waiver_reason": fmt.text("接受理由", width="medium"),
            "waiver_reviewer": fmt.text("审核人"),
        }, name="问题标记", key=f"fl_table_{n}", select=True, height=420)

        if row:
            st.markdown(f"**选中的标记：** {row['rule']} {row['rule_title']}（{row['severity']}）")
            st.text(f"单位：{row['unit']}　项目：{row['project_name']}　指标：{row['indicator_name'] or '（整个项目）'}\n"
                    f"问题说明：{row['message']}")
            if row["status"] == fmt.STATUS_LABELS["waived"]:
                st.info(f"该标记已接受。理由：{fmt.md_escape(row['waiver_reason'])}"
                        + (f"（审核人：{fmt.md_escape(row['waiver_reviewer'])}）" if row.get("waiver_reviewer") else ""))
            else:
                with st.form("fl_accept", clear_on_submit=True, border=True):
                    st.markdown("**接受此标记**（确认不是问题，例如口径特殊或已另行整改；理由必填，会写入例外清单）")
                    reason = st.text_area("接受理由（必填）", key="fl_reason", max_chars=500)
                    reviewer = st.text_input("审核人", value=st.session_state.get("fl_last_reviewer", ""), max_chars=50)
                    submitted = st.form_submit_button("接受此标记", type="primary")
                if submitted:
                    if not (reason or "").strip():
                        st.error("请填写接受理由：没有理由的接受不会被记录。")
                    else:
                        data.accept_flag(row["rule"], row["project_id"], row["indicator_id"], reason, reviewer or "")
                        st.session_state["fl_last_reviewer"] = reviewer or ""
                        st.session_state["fl_accepted_msg"] = (
                            f"已接受 {row['rule']}（{fmt.md_escape(row['unit'])} · {fmt.md_escape(row['project_name'])}）。"
                            "同一项目/指标上该规则的标记都按已接受处理。")
                        st.session_state["fl_table_gen"] = n + 1  # start the next review with no row selected
                        st.rerun()

with tab_templates:
    st.caption("同样或几乎同样的指标文字（指标名称 + 指标值）出现在多个单位时归为一组，按涉及单位数排序；"
               "组内计数为整个数据库，「筛选内」为当前筛选范围内的指标数。选中一行查看每一处出现。")
    clusters = data.template_clusters(f)
    if clusters.height == 0:
        st.info("当前筛选范围内没有发现模板雷同的指标。")
    else:
        if clusters["n_clusters"][0] > clusters.height:
            st.caption(f"共 {clusters['n_clusters'][0]:,} 组，下表列出涉及单位最多的前 {clusters.height} 组；"
                       "缩小筛选范围可看到其余各组。")
        clusters = clusters.drop("n_clusters")
        crow = export.table(clusters, {
            "example": fmt.text("指标文字（示例）", width="large"),
            "n_units": fmt.integer("单位数"),
            "n_indicators": fmt.integer("指标数"),
            "n_projects": fmt.integer("项目数"),
            "n_years": fmt.integer("年度数"),
            "n_in_filter": fmt.integer("筛选内"),
            "units": fmt.text("涉及单位", width="medium"),
            "representative": fmt.text("规范化文字（数字记为 #）", width="medium"),
        }, name="模板雷同", key="tpl_clusters", select=True, height=380)
        if crow:
            occ = fmt.label_codes(data.template_occurrences(crow["cluster_id"]))
            st.markdown(f"**「{fmt.md_escape(crow['example'] or crow['representative'])}」的全部出现**（{occ.height} 处）")
            export.table(occ, {
                "unit": fmt.text("单位", width="medium"),
                "year": fmt.year(),
                "kind": fmt.text("表类型"),
                "project_name": fmt.text("项目", width="medium"),
                "indicator_name": fmt.text("指标名称", width="medium"),
                "target_raw": fmt.text("指标值"),
                "level2": fmt.text("二级指标"),
                "similarity": fmt.pct("相似度"),
            }, name="模板雷同_出现位置", key=fmt.widget_key("tpl_occ", crow["cluster_id"]))
