"""单位名称合并: the suggested unit merges (names of one county that differ by 服务 / 本级 /
brackets / the county's name / a cut-off ending) with their reason, similarity and the projects
on each side. A signed-in 审核 / 管理 reviewer merges or keeps apart (one pair, or every pending
pair shown), undoes a merge or changes a refusal; the decision goes to the database's decision
log (`<db>.unit_decisions.jsonl`, the reviewer's login name recorded) and takes effect by
rebuilding the derived tables on a copy of the database that is swapped in — every page then
shows the merged unit. Others see the suggestions and no control. Tab 处理记录: every decision."""

import time

import polars as pl
import streamlit as st

from dashboard import auth, data, export
from dashboard import format as fmt

STATUS = {"待审核": "pending", "已合并": "accepted", "已拒绝": "rejected", "全部": None}
STATUS_LABELS = {v: k for k, v in STATUS.items() if v}
REASONS = {"服务": "差「服务」二字", "本级": "带「本级」/（机关）", "括号": "括号部分不同", "县名前缀": "缺少县（市、区）名",
           "截断": "名称被截断"}
DECISION_LABELS = {"accept": "合并", "reject": "不合并"}

st.title("单位名称合并")
data.require_db()
st.caption("同一县（区）内名称只差「服务」「本级」、括号部分、县名前缀或名称被表格截断的单位，系统建议合并为一个单位。"
           "审核人确认合并后，所有对比、趋势和汇总按合并后的单位计算；确认前它们仍是两个单位"
           "（只在判断「跨单位雷同」和配对目标表与自评表时先按同一单位看待）。"
           f"决定记录在数据库旁的 {fmt.md_escape(data.unit_decision_log().name)}，不写入代码库。")

if msg := st.session_state.pop("um_done_msg", None):
    st.success(msg, icon=":material/check_circle:")
if err := st.session_state.pop("um_error_msg", None):
    st.error(err, icon=":material/error:")

sugg = data.unit_alias_suggestions()
counts = dict(sugg.group_by("status").len().iter_rows()) if sugg.height else {}
c = st.columns(3)
c[0].metric("待审核", fmt.fmt_int(counts.get("pending", 0)), border=True)
c[1].metric("已合并", fmt.fmt_int(counts.get("accepted", 0)), border=True)
c[2].metric("已拒绝", fmt.fmt_int(counts.get("rejected", 0)), border=True)


def finish(message: str) -> None:
    """Shows `message` after the rerun and starts with no row selected."""
    st.session_state["um_done_msg"] = message
    st.session_state["um_table_gen"] = st.session_state.get("um_table_gen", 0) + 1
    st.rerun()


def unit_projects(name: str, row: dict) -> int:
    """How many projects the canonical unit `name` of the suggestion's region has now."""
    opts = data.filter_options()
    here = opts.filter((pl.col("unit") == name)
                       & pl.col("province").eq_missing(row.get("province"))
                       & pl.col("county").eq_missing(row.get("county")))
    return int(here["n_projects"].sum() or 0)


def apply(rows: list[dict], decision: str, user: auth.User, note: str, undo: bool = False) -> None:
    """Records the decision on `rows` and rebuilds the database, showing its progress; then
    reruns with the result."""
    t0 = time.perf_counter()
    with st.status("正在记录决定并重新计算…", expanded=True) as box:
        st.write(f"记录 {len(rows)} 条决定（{DECISION_LABELS[decision]}，审核人「{fmt.md_escape(user.name)}」）。")
        st.write("在数据库副本上重新计算单位名称、项目配对、历年关联和问题标记；完成后整体替换，期间其他页面照常可用…")
        try:
            data.merge_units(rows, decision, user, note,
                             on_wait=lambda: st.write("另一个导入正在进行，等它完成后再重新计算…"))
        except Exception as e:  # the live database is untouched when the rebuild fails
            box.update(label="重新计算失败", state="error")
            st.session_state["um_error_msg"] = (
                f"决定已记录，但重新计算失败，数据库未改动（{fmt.md_escape(f'{type(e).__name__}: {e}')}）。"
                "决定会在下次导入或 `jixiao serve` 重新计算时生效。")
            st.rerun()
        took = time.perf_counter() - t0
        box.update(label=f"已完成（{took:.1f} 秒）", state="complete")
    done_in = f"（重新计算用时 {took:.1f} 秒）"
    if len(rows) > 1:
        finish(f"已{DECISION_LABELS[decision]} {len(rows)} 对单位名称，各页面已按新的单位显示{done_in}。")
    r = rows[0]
    a, b = fmt.md_escape(r["unit_a"]), fmt.md_escape(r["unit_b"])
    if decision == "accept":
        finish(f"已合并：「{b}」并入「{a}」。该单位现在共有 {unit_projects(r['unit_a'], r):,} 个项目，"
               f"各页面的对比、趋势和汇总已按合并后的单位显示{done_in}。")
    finish((f"已撤销合并：「{b}」与「{a}」恢复为两个单位。" if undo else f"已记录：「{b}」与「{a}」不合并，二者仍是两个单位。")
           + f"「{a}」现有 {unit_projects(r['unit_a'], r):,} 个项目，「{b}」{unit_projects(r['unit_b'], r):,} 个{done_in}。")


def decision_form(row: dict, user: auth.User) -> None:
    """The buttons for one suggestion, by its status."""
    a, b = fmt.md_escape(row["unit_a"]), fmt.md_escape(row["unit_b"])
    with st.form("um_decide", clear_on_submit=True, border=True):
        st.markdown(f"**决定**：「{b}」与「{a}」是否为同一单位？（审核人记为「{fmt.md_escape(user.name)}」）")
        note = st.text_input("说明（可选）", key="um_note", max_chars=200, placeholder="例如：同一单位，自评表漏写「服务」")
        buttons = st.container(horizontal=True, gap="small")
        with buttons:
            if row["status"] == "pending":
                yes = st.form_submit_button(f"合并：并入「{a}」", type="primary", icon=":material/merge:")
                no = st.form_submit_button("不合并", icon=":material/call_split:")
            elif row["status"] == "accepted":
                yes, no = False, st.form_submit_button("撤销合并", icon=":material/undo:")
            else:
                yes, no = st.form_submit_button("改为合并", type="primary", icon=":material/merge:"), False
    if yes:
        apply([row], "accept", user, note or "")
    elif no:
        apply([row], "reject", user, note or "", undo=row["status"] == "accepted")


def accept_all_form(pending: list[dict], user: auth.User) -> None:
    """Merging every pending pair shown, after a confirmation (one rebuild for all)."""
    with st.expander(f"一次合并列出的全部 {len(pending)} 对待审核名称", icon=":material/done_all:"):
        st.caption("逐对核对两边的项目后再批量合并；合并后仍可逐对撤销。")
        with st.form("um_bulk", clear_on_submit=True, border=False):
            note = st.text_input("说明（可选，这些决定共用）", key="um_bulk_note", max_chars=200)
            confirm = st.checkbox(f"确认合并以上全部 {len(pending)} 对", key=f"um_bulk_confirm_{len(pending)}")
            submitted = st.form_submit_button(f"合并全部 {len(pending)} 对", type="primary", icon=":material/done_all:")
        if submitted:
            if not confirm:
                st.error(f"请先勾选「确认合并以上全部 {len(pending)} 对」。")
            else:
                apply(pending, "accept", user, note or "")


tab_sugg, tab_log = st.tabs(["合并建议", "处理记录"])

with tab_sugg:
    status_label = st.segmented_control("状态", list(STATUS), default="待审核", key="um_status")
    wanted = STATUS.get(status_label or "全部")
    shown = sugg if wanted is None else sugg.filter(pl.col("status") == wanted)
    if data.import_running():
        st.info("另一个导入正在进行：此时合并会等它完成后再重新计算。", icon=":material/update:")
    if shown.height == 0:
        st.info("没有待审核的合并建议。" if wanted == "pending" else "没有符合条件的合并建议。")
        row = None
    else:
        table = fmt.with_region(shown).with_columns(
            pl.concat_str([data.region_label(), pl.lit("（"), pl.col("province").fill_null("—"), pl.lit("）")]).alias("place"),
            pl.col("status").replace_strict(STATUS_LABELS, default=pl.col("status"), return_dtype=pl.String)
            .alias("status_label"),
            pl.col("reason").map_elements(lambda r: "、".join(REASONS.get(x, x) for x in (r or "").split("、") if x),
                                          return_dtype=pl.String).alias("reason_label"),
        )
        gen = st.session_state.setdefault("um_table_gen", 0)
        st.markdown("选中一行查看两边的项目" + ("并作出决定。" if auth.has_role(auth.REVIEWER) else "。"))
        row = export.table(table, {
            "status_label": fmt.text("状态"),
            "place": fmt.text("县（区）"),
            "unit_a": fmt.text("建议的规范名称", width="medium"),
            "unit_b": fmt.text("另一种写法（别名）", width="medium"),
            "reason_label": fmt.text("差别", help="两个名称之间的差别：差「服务」二字、带「本级」、括号部分、缺少县名或名称被截断"),
            "similarity": fmt.pct("名称相似度", help="两个名称逐字比较的相似程度"),
            "n_projects_a": fmt.integer("规范名称的项目数"),
            "n_projects_b": fmt.integer("别名的项目数"),
        }, name="单位合并建议", key=f"um_table_{gen}_{wanted}", select=True)

    user = auth.require_role(auth.REVIEWER, "登录后可合并或拒绝合并单位名称。")
    if row:
        a, b = row["unit_a"], row["unit_b"]
        st.subheader(f"「{fmt.md_escape(b)}」→「{fmt.md_escape(a)}」", anchor=False)
        st.caption(f"{fmt.md_escape(row['region'])} · 差别：{fmt.md_escape(row['reason_label'])} · "
                   f"名称相似度 {fmt.fmt_pct(row['similarity'])} · 状态：{row['status_label']}")
        projects = fmt.label_codes(data.unit_merge_projects(row))
        spec = {
            "year": fmt.year(),
            "kind": fmt.text("表类型"),
            "name": fmt.text("项目名称", width="medium"),
            "code": fmt.text("项目编码"),
            "budget": fmt.money("预算（万元）"),
            "unit_as_written": fmt.text("文档中的单位名称", width="medium"),
            "unit_canonical": fmt.text("现在归入的单位", width="medium"),
        }
        left, right = st.columns(2, gap="large")
        for col, side, label in ((left, "a", a), (right, "b", b)):
            part = projects.filter(pl.col("side") == side)
            with col:
                yrs = sorted(part["year"].drop_nulls().unique().to_list())
                st.markdown(f"**{fmt.md_escape(label)}**：{part.height} 个项目"
                            + (f"（{'、'.join(map(str, yrs))} 年）" if yrs else ""))
                export.table(part, spec, name=f"{label}_项目", key=fmt.widget_key(f"um_projects_{side}", f"{a}|{b}"),
                             height=min(38 + 35 * max(part.height, 1) + 8, 420))
        if user:
            decision_form(row, user)
    elif user and shown.height:
        pending = shown.filter(pl.col("status") == "pending").to_dicts()
        if pending:
            accept_all_form(pending, user)

with tab_log:
    log = data.unit_decisions()
    st.caption("每一次合并与不合并的决定（只增不改，最新在前；同一对名称以最后一次决定为准）。"
               f"记录保存在 {fmt.md_escape(data.unit_decision_log().name)}。")
    if log.height == 0:
        st.info("还没有审核人对单位名称作出决定。")
    else:
        export.table(log.with_columns(
            pl.col("decision").replace_strict(DECISION_LABELS, default=pl.col("decision"), return_dtype=pl.String),
            pl.col("at").str.slice(0, 19).str.replace("T", " ").alias("time"),
        ), {
            "time": fmt.text("时间"),
            "decision": fmt.text("决定"),
            "alias": fmt.text("别名", width="medium"),
            "canonical": fmt.text("规范名称", width="medium"),
            "county": fmt.text("县（区）"),
            "reviewer": fmt.text("审核人"),
            "note": fmt.text("说明", width="large"),
        }, name="单位合并处理记录", key="um_log")
