"""问题标记: the flags of the filtered projects by rule, severity and status (all three kept in the
URL, like the sidebar filters), with counts per rule and per unit.

Tick one flag to see its message, its source lines (with the indicator table's header rows) and
its history, and to open it in 下钻; tick several, or take everything the filters show, to
accept them with one reason or undo acceptances — as a signed-in 审核 / 管理 user, whose name is
recorded. Others see no writing control. Tab 处理记录: every accept / undo about the flags in
the filter. Tab 模板雷同: near-identical indicator texts across units."""

import polars as pl
import streamlit as st
from streamlit.errors import StreamlitAPIException

from dashboard import auth, charts, data, export, filters, links
from dashboard import format as fmt

f = filters.page_start("问题标记")

STATUS = {"未处理": "open", "已接受": "waived", "全部": None}
# widget keys = URL query parameter names
K_RULE, K_SEVERITY, K_STATUS = "rule", "severity", "status"
FLAG_SPEC = {
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
    "waived_at": fmt.text("接受时间"),
}
HISTORY_SPEC = {
    "time": fmt.text("时间"),
    "action": fmt.text("操作"),
    "reviewer": fmt.text("审核人"),
    "reason": fmt.text("理由 / 原因", width="large"),
}


def done(message: str) -> None:
    """Shows `message` after the rerun and starts the next review with no row ticked."""
    st.session_state["fl_done_msg"] = message
    st.session_state["fl_table_gen"] = st.session_state.get("fl_table_gen", 0) + 1
    st.rerun()


def show_flag(row: dict) -> None:
    """One flag: what it says in full (wrapped), a link to 下钻, its source lines and its history."""
    with st.container(border=True):
        st.markdown(f"**选中的标记：** {row['rule']} {fmt.md_escape(row['rule_title'])}（{row['severity']}，"
                    f"{fmt.STATUS_LABELS.get(row['status'], row['status'])}）")
        # document text, escaped: shown as written, wrapped to the pane's width
        st.markdown(f"**单位：** {fmt.md_escape(row['unit'] or '—')}　**项目：** {fmt.md_escape(row['project_name'] or '—')}"
                    f"　**指标：** {fmt.md_escape(row['indicator_name'] or '（整个项目）')}")
        st.markdown(f"**问题说明：** {fmt.md_escape(row['message'])}")
        if row.get("waiver_reason"):
            st.markdown(f"**接受理由：** {fmt.md_escape(row['waiver_reason'])}")
    with st.container(horizontal=True, gap="medium"):
        links.drilldown_link(row["unit"], row["project_id"], row["indicator_id"])
        links.project_link(row["project_id"])
    left, right = st.columns([3, 2], gap="large")
    with left:
        ctx = data.flag_source_context(row["project_id"], row["indicator_id"])
        st.markdown("**原文**（上方为指标表的表头行" + ("，▶ 为该指标所在行" if row["indicator_id"] else "")
                    + "；单元格之间以 │ 分隔）")
        if ctx.height == 0:
            st.info("没有找到对应的原文行。")
        else:
            fmt.source_block(fmt.source_context_text(ctx), fmt.widget_key("fl_src", row["flag_id"]))
    with right:
        hist = data.flag_history([row])
        st.markdown(f"**处理记录**（{hist.height} 条）")
        if hist.height == 0:
            st.caption("尚无处理记录：该标记从未被接受。")
        else:
            export.table(hist, HISTORY_SPEC, name="处理记录", key=fmt.widget_key("fl_hist", row["flag_id"]),
                         downloads=False)


def accept_form(rows: list[dict], user: auth.User) -> None:
    """Accepting the open flags among `rows` with one reason."""
    one = len(rows) == 1
    with st.form("fl_accept", clear_on_submit=True, border=True):
        st.markdown(("**接受此标记**" if one else f"**接受选中的 {len(rows)} 条未处理标记**")
                    + f"（确认不是问题，例如口径特殊或已另行整改；理由必填；审核人记为「{fmt.md_escape(user.name)}」）")
        reason = st.text_area("接受理由（必填）", key="fl_reason", max_chars=500)
        submitted = st.form_submit_button("接受此标记" if one else f"接受 {len(rows)} 条标记", type="primary",
                                          icon=":material/check:")
    if submitted:
        if not (reason or "").strip():
            st.error("请填写接受理由：没有理由的接受不会被记录。")
        else:
            n = data.accept_flags(rows, reason, user)
            first = rows[0]
            done(f"已接受 {first['rule']}（{fmt.md_escape(first['unit'])} · {fmt.md_escape(first['project_name'])}）。"
                 if one else f"已接受 {n} 条标记。")


def undo_form(rows: list[dict], user: auth.User) -> None:
    """Undoing the acceptance of the accepted flags among `rows`."""
    with st.form("fl_undo", clear_on_submit=True, border=True):
        st.markdown(f"**撤销接受**（{len(rows)} 条已接受的标记恢复为未处理；原来的接受记录保留，"
                    f"撤销人记为「{fmt.md_escape(user.name)}」）")
        why = st.text_input("撤销原因（可选）", key="fl_undo_reason", max_chars=500)
        submitted = st.form_submit_button("撤销接受" if len(rows) == 1 else f"撤销 {len(rows)} 条的接受",
                                          icon=":material/undo:")
    if submitted:
        n = data.undo_flags(rows, user, why or "")
        done(f"已撤销 {n} 条标记的接受，恢复为未处理。")


def accept_all_form(f, rules: list[str], severities: list[str], counts: pl.DataFrame, totals: dict,
                    user: auth.User, scope: str) -> None:
    """Accepting every open flag the filters show, with one reason, after a confirmation. The
    summary comes from the counts; the flags themselves are fetched only when it is submitted."""
    n = int(totals["n_open"])
    with st.expander(f"批量接受当前筛选下的全部未处理标记（{n:,} 条）", icon=":material/done_all:"):
        per_rule = data.rule_counts(counts, open_only=True)
        st.caption(f"范围：{fmt.md_escape(scope)}。涉及 {int(totals['n_units_open'] or 0):,} 个单位、"
                   f"{int(totals['n_projects_open'] or 0):,} 个项目；"
                   + "；".join(f"{r} {fmt.md_escape(t or '')} {k:,} 条"
                              for r, t, k in per_rule.select("rule", "rule_title", "n_open").iter_rows()))
        # the confirmation is tied to this scope: a changed filter needs a new tick
        confirm_key = fmt.widget_key("fl_bulk_confirm", f"{scope}|{n}|{totals.get('first_open_flag')}")
        with st.form("fl_bulk", clear_on_submit=True, border=False):
            reason = st.text_area("接受理由（必填，这些标记共用）", key="fl_bulk_reason", max_chars=500)
            confirm = st.checkbox(f"确认接受以上全部 {n:,} 条标记", key=confirm_key)
            submitted = st.form_submit_button(f"接受全部 {n:,} 条", type="primary", icon=":material/done_all:")
        if submitted:
            if not (reason or "").strip():
                st.error("请填写接受理由：没有理由的接受不会被记录。")
            elif not confirm:
                st.error(f"请先勾选「确认接受以上全部 {n:,} 条标记」。")
            else:
                open_flags = data.flags(f, rules=rules, severities=severities, status="open")
                data.accept_flags(open_flags.to_dicts(), reason, user)
                # as many as the button said: flags sharing a waiver key (rule, project,
                # indicator) are accepted together, by one entry in the log
                done(f"已接受 {open_flags.height:,} 条标记（{fmt.md_escape(scope)}）。")


tab_flags, tab_log, tab_templates = st.tabs(["问题标记", "处理记录", "模板雷同"])

with tab_flags:
    catalog = data.rules_catalog()
    titles = dict(zip(catalog["rule"].to_list(), catalog["title"].to_list()))
    q = dict(bind="query-params")
    label = lambda r: f"{r} {titles.get(r, '')}"  # noqa: E731  (the widget's format_func)
    # An address written by hand may name rules by their code (?rule=JX501), alone or beside
    # labels; the bound widget reads only its labels ("JX501 自评目标值被改动") and would drop a
    # code silently. Before the widget binds the parameter, the address is rewritten with labels.
    given = st.query_params.get_all(K_RULE)
    if any(r in titles for r in given):
        labels = {label(r): r for r in titles}
        chosen = {r for r in given if r in titles} | {labels[v] for v in given if v in labels}
        wanted = [label(r) for r in titles if r in chosen]
        st.session_state[K_RULE] = [r for r in titles if r in chosen]
        try:
            st.query_params[K_RULE] = wanted
            st.rerun()
        except StreamlitAPIException:  # bound already (an earlier visit of this page in the session)
            pass
    ms = dict(select_all=False, **q)  # no English "Select all": nothing selected already means all
    c1, c2, c3 = st.columns([3, 1.2, 1])
    rules = c1.multiselect("规则", list(titles), format_func=label,
                           placeholder="全部规则", key=K_RULE, **ms)
    severities = c2.multiselect("严重程度", fmt.SEVERITY_ORDER, placeholder="全部", key=K_SEVERITY, **ms)
    status_label = c3.selectbox("状态", list(STATUS), key=K_STATUS, **q)

    if msg := st.session_state.pop("fl_done_msg", None):
        st.success(msg, icon=":material/check_circle:")

    user = auth.has_role(auth.REVIEWER)
    totals = data.flag_totals(f, rules=rules, severities=severities, status=STATUS[status_label])
    if not totals["n"]:
        st.info("当前筛选下没有符合条件的问题标记。" + ("（状态为「未处理」：已接受的标记不在此列，可把状态改为「全部」。）"
                                                    if status_label == "未处理" else ""))
    else:
        open_n = int(totals["n_open"])
        st.markdown(f"共 **{totals['n']:,}** 条，其中未处理 **{open_n:,}** 条，涉及 "
                    f"**{totals['n_projects']:,}** 个项目、**{totals['n_units']:,}** 个单位。")
        counts = data.flag_counts(f, rules=rules, severities=severities)  # open ones are drawn
        if open_n:
            left, right = st.columns(2, gap="large")
            scope = (f, tuple(rules), tuple(severities))
            left.plotly_chart(data.figure("fl_rules", lambda: charts.flags_by_rule(data.rule_counts(counts)), *scope),
                              key="fl_rule_chart")
            right.plotly_chart(data.figure("fl_units", lambda: charts.flags_by_unit(counts), *scope), key="fl_unit_chart")

        st.markdown("**标记明细**（勾选一行查看完整的问题说明、原文和处理记录" + ("；勾选多行可一并接受或撤销）" if user else "）"))
        # one page of the table at a time; every flag is fetched for a download or an accept-all
        n_pages = -(-int(totals["n"]) // data.PAGE_ROWS)
        page_no = 1
        if n_pages > 1:
            where = f"{f.params()}|{rules}|{severities}|{status_label}"  # a new filter starts at page 1
            page_no = int(st.number_input(f"页码（共 {n_pages:,} 页）", min_value=1, max_value=n_pages, value=1, step=1,
                                          key=fmt.widget_key("fl_page", where), width=180))
        first = (page_no - 1) * data.PAGE_ROWS
        fl = data.flags(f, rules=rules, severities=severities, status=STATUS[status_label], top=data.PAGE_ROWS,
                        offset=first)
        if n_pages > 1:
            st.caption(f"第 {first + 1:,}–{first + fl.height:,} 条（共 {totals['n']:,} 条，每页 {data.PAGE_ROWS:,} 条，"
                       "按规则、单位、年度、项目排列）；下载 Excel / CSV 可得全部。")
        gen = st.session_state.setdefault("fl_table_gen", 0)
        picked = export.table_multi(
            fmt.label_codes(fl), FLAG_SPEC, name="问题标记", key=f"fl_table_{gen}_{page_no}", height=420,
            full=lambda: fmt.label_codes(data.flags(f, rules=rules, severities=severities, status=STATUS[status_label])))
        # the ticked rows with their status codes (the table shows labels)
        ids = [r["flag_id"] for r in picked]
        rows = fl.filter(pl.col("flag_id").is_in(ids)).to_dicts()
        if len(rows) == 1:
            show_flag(rows[0])
        elif rows:
            n_open = sum(r["status"] == "open" for r in rows)
            st.markdown(f"**已勾选 {len(rows):,} 条**：未处理 {n_open:,} 条，已接受 {len(rows) - n_open:,} 条。")

        if user is None:
            auth.require_role(auth.REVIEWER, "登录后可接受或撤销问题标记（可勾选多条，或一次接受当前筛选下的全部）。")
        else:
            open_rows = [r for r in rows if r["status"] == "open"]
            waived_rows = [r for r in rows if r["status"] == "waived"]
            if open_rows:
                accept_form(open_rows, user)
            if waived_rows:
                undo_form(waived_rows, user)
            if open_n and not rows:
                scope = " · ".join([f.describe(), "、".join(rules) or "全部规则", "、".join(severities) or "全部严重程度"])
                accept_all_form(f, rules, severities, counts, totals, user, scope)

with tab_log:
    # every flag of the filter is read only when there is a log to match it with
    log = data.decisions(data.flags(f, rules=rules, severities=severities)) if data.waiver_events().height else None
    st.caption("当前筛选下问题标记的每一次接受和撤销（只增不改，最新在前）；"
               f"记录保存在 {data.waiver_log().name}。")
    if log is None or log.height == 0:
        st.info("当前筛选下还没有任何标记被接受或撤销。")
    else:
        export.table(log.with_columns((pl.col("rule") + " " + pl.col("rule_title").fill_null("")).alias("rule_label")), {
            "time": fmt.text("时间"),
            "action": fmt.text("操作"),
            "reviewer": fmt.text("审核人"),
            "reason": fmt.text("理由 / 原因", width="large"),
            "rule_label": fmt.text("规则", width="medium"),
            "unit": fmt.text("单位", width="medium"),
            "project_name": fmt.text("项目", width="medium"),
            "indicator_name": fmt.text("指标", width="medium"),
        }, name="处理记录", key="fl_log")

# Key columns first and narrow, so the similarity and the link stay in view at 1440 px.
TEMPLATE_SPEC = {
    "example": fmt.Col("指标文字（示例）", width=300),
    "min_similarity": fmt.Col("最低相似度", "pct", width=90,
                              help="组内任意两条指标文字（名称 + 指标值 + 说明，按原文，数字和符号也算）之间最低的相似度；"
                                   "100% 表示组内文字完全相同"),
    "n_units": fmt.Col("单位数", "int", width=60),
    "n_projects": fmt.Col("项目数", "int", help="同一项目的目标表和自评表算一个项目", width=60),
    "n_indicators": fmt.Col("出现次数", "int", help="同一项目的目标表和自评表各算一次", width=70),
    "n_years": fmt.Col("年度数", "int", width=60),
    "n_in_filter": fmt.Col("筛选内", "int", help="当前筛选范围内的出现次数", width=60),
    "units": fmt.text("涉及单位", width="large"),
}
OCCURRENCE_SPEC = {
    "drilldown": fmt.Col("下钻", "link", help="在新标签页打开下钻，定位到这个指标", width=50),
    "unit": fmt.Col("单位", width=180),
    "county": fmt.Col("县（区）", width=90),
    "year": fmt.Col("年度", "year", width=55),
    "kind": fmt.Col("表类型", width=85),
    "written_similarity": fmt.Col("相似度", "pct", help="与示例文字的相似度，按原文比较（数字和符号也算）", width=75),
    "indicator_name": fmt.Col("指标名称", width=180),
    "target_raw": fmt.Col("指标值", width=90),
    "project_name": fmt.text("项目", width="large"),
}

with tab_templates:
    show_all = st.toggle("显示全部（含只在一个单位内部重复的文字）", key="tpl_all", bind="query-params",
                         help="默认只列出两个及以上单位共用的模板；单位按规范名称计，同一单位的不同写法算一个单位")
    st.caption("同样或几乎同样的指标文字（指标名称 + 指标值 + 指标说明，数字不计）出现在两个及以上项目时归为一组；"
               "同一项目的目标表和它的自评表算一个项目，只在这两张表里出现的文字不算模板。"
               + ("当前列出全部各组，" if show_all else "当前只列出**两个及以上单位**共用的模板，")
               + "按涉及单位数排序；组内计数为整个数据库，「筛选内」为当前筛选范围内的出现次数。选中一行查看每一处出现。")
    clusters = data.template_clusters(f, min_units=1 if show_all else 2)
    if clusters.height == 0:
        if show_all:
            st.info("当前筛选范围内没有发现模板雷同的指标。")
        else:
            n_all = data.template_clusters(f, min_units=1, limit=1)
            more = int(n_all["n_clusters"][0]) if n_all.height else 0
            st.info("当前筛选范围内没有两个及以上单位共用的模板。"
                    + (f"另有 {more:,} 组只在一个单位内部重复的文字：打开上方「显示全部」可查看。" if more else ""))
    else:
        if clusters["n_clusters"][0] > clusters.height:
            st.caption(f"共 {clusters['n_clusters'][0]:,} 组，下表列出涉及单位最多的前 {clusters.height} 组；"
                       "缩小筛选范围可看到其余各组。")
        clusters = clusters.drop("n_clusters")
        crow = export.table(clusters, TEMPLATE_SPEC, name="模板雷同", key="tpl_clusters", select=True)
        if crow:
            occ = fmt.label_codes(fmt.region_labels(data.template_occurrences(crow["cluster_id"])))
            occ = occ.with_columns(pl.Series("drilldown", [
                links.drilldown_url(u, pid, iid) for u, pid, iid in occ.select("unit", "project_id", "indicator_id").iter_rows()
            ], dtype=pl.String))
            st.markdown(f"**「{fmt.md_escape(crow['example'] or crow['representative'])}」的全部出现**（{occ.height} 处，"
                        f"{crow['n_units']} 个单位、{crow['n_projects']} 个项目；组内最低相似度 "
                        f"{fmt.fmt_pct(crow['min_similarity'], 1)}。点「打开」在新标签页进入下钻，或选中一行在本页打开）")
            orow = export.table(occ, OCCURRENCE_SPEC, name="模板雷同_出现位置",
                                key=fmt.widget_key("tpl_occ", crow["cluster_id"]), select=True,
                                scope=f"模板「{crow['example'] or crow['representative']}」的全部出现（整个数据库）")
            if orow:
                links.drilldown_link(orow["unit"], orow["project_id"], orow["indicator_id"])
