"""数据导入 / 文档: upload documents and ingest them into a copy of the database that is swapped
in — each file succeeds or fails on its own, with a Chinese reason; then the loaded documents,
those that need attention first (failed, partial, not fully understood), with the unit, region
and year they are about, and for a selected one its parse report and its source text (phone
numbers masked at ingest) as plain text."""

import polars as pl
import streamlit as st

from dashboard import auth, data, export
from dashboard import format as fmt

st.title("数据导入 / 文档")

# --- upload and ingest
st.subheader("导入文档")
limit = data.max_upload_mb()
st.caption(f"支持 PDF（需带文字层，扫描件不支持）、Word（.docx / .doc）、Excel（.xlsx / .xls，含系统导出的网页表格）、"
           f".ods 和文本 .txt / .md（UTF-8、GBK/GB18030 自动识别）；文件类型按内容识别。可一次选多个文件，"
           f"单个文件不超过 {limit} MB；每个文件单独导入，一个文件失败不影响其他文件，解析超过 {data.max_parse_text()}"
           "的文件按失败处理。内容相同的文件不会重复导入；"
           "同名文件再次上传时替换先前上传的版本。导入在数据库副本上进行，完成后整体替换，导入期间其他页面照常可用。")
# importing changes the data: only a signed-in 审核 / 管理 user gets the upload controls
uploader = auth.require_role(auth.REVIEWER, "登录后可导入文档。")
may_upload = uploader is not None
# No type filter in the widget: its own refusal is in English; check_upload refuses in Chinese.
# The widget's English hint and button text are replaced in Chinese by dashboard/style.css.
uploads = st.file_uploader("选择文件（可拖放到下框中）", accept_multiple_files=True, key="doc_uploads") if may_upload else None
if may_upload and st.button("开始导入", type="primary", disabled=not uploads, icon=":material/upload:", key="doc_ingest"):
    good, rejected = [], []
    for u in uploads or []:
        why = data.check_upload(u.name, u.size)
        if why:
            rejected.append((u.name, why))
        else:
            good.append((u.name, u.getvalue()))
    for name, why in rejected:
        st.error(f"{fmt.md_escape(name)}：{why}，未导入。")
    reports = []
    if good:
        bar = st.progress(0.0, text="准备导入…")
        done = []

        def on_file(rep):
            done.append(rep)
            bar.progress(min(1.0, len(done) / len(good)), text=f"已处理 {len(done)} / {len(good)}：{fmt.md_escape(rep.path.rsplit('/', 1)[-1])}")

        with st.spinner("正在导入并重新计算得分和问题标记…"):
            try:
                reports = data.ingest_uploads(
                    good, uploader, on_file=on_file, on_wait=lambda: st.info("另一个导入正在进行，等它完成后开始导入…"))
            except Exception as e:  # the live database is untouched when ingest fails
                st.error(f"导入失败，数据库未改动：{fmt.md_escape(f'{type(e).__name__}: {e}')}")
                reports = []
        bar.progress(1.0, text="导入完成")
    st.session_state["doc_last_report"] = [
        {"file": r.path.rsplit("/", 1)[-1], "status": fmt.DOC_STATUS_LABELS.get(r.status, r.status),
         "projects": r.projects, "indicators": r.indicators, "message": r.message or ""}
        for r in reports
    ] + [{"file": n, "status": "失败", "projects": 0, "indicators": 0, "message": w} for n, w in rejected]

if st.session_state.get("doc_last_report"):
    rows = st.session_state["doc_last_report"]
    counts = {s: sum(1 for r in rows if r["status"] == s) for s in fmt.DOC_STATUS_LABELS.values()}
    summary = "，".join(f"{s} {n} 个" for s, n in counts.items() if n)
    st.markdown(f"**本次导入结果**：{len(rows)} 个文件，{summary}。")
    export.table(data.report_frame(rows), {
        "file": fmt.text("文件", width="medium"),
        "status": fmt.text("状态", width="small"),
        "projects": fmt.integer("项目数"),
        "indicators": fmt.integer("指标数"),
        "message": fmt.text("原因 / 说明", width="large"),
    }, name="导入结果", key="doc_report", scope="本次上传的文件")

# --- documents
st.subheader("已导入的文档")
problem = data.problem()
if problem:
    st.info(problem)
    st.stop()
data.show_notice()

docs = data.documents()
if docs.height == 0:
    st.info("数据库里还没有文档。")
    st.stop()

ATTENTION = {0: "失败", 1: "部分导入", 2: "未完全识别"}
need = docs.filter(pl.col("attention") < 3)
by_kind = need.group_by("attention").len().sort("attention")
if need.height:
    st.markdown(f"**需要关注的文档 {need.height:,} 个**，排在最前："
                + "，".join(f"{ATTENTION[a]} {n:,} 个" for a, n in by_kind.iter_rows())
                + f"（共 {docs.height:,} 个文档）。")
else:
    st.markdown(f"共 **{docs.height:,}** 个文档，全部导入成功并完全识别。")
only_attention = need.height > 0 and st.toggle("只看需要关注的文档", key="doc_attention")
shown = need if only_attention else docs
docs_shown = fmt.label_codes(fmt.region_labels(shown), fmt.DOC_STATUS_LABELS).with_columns(
    pl.col("attention").replace_strict(ATTENTION, default="", return_dtype=pl.String).alias("attention_label"))
row = export.table(docs_shown, {
    "attention_label": fmt.text("关注", width="small"),
    "status": fmt.text("状态", width="small"),
    "confidence": fmt.pct("识别度", help="解析器读懂的比例（行、单元格、标签、指标）；100% 为完全识别"),
    "file": fmt.text("文件", width="medium"),
    "unit": fmt.text("单位", width="medium"),
    "county": fmt.text("县（区）"),
    "city": fmt.text("市"),
    "year": fmt.year(),
    "kind": fmt.text("表类型"),
    "message": fmt.text("说明", width="medium"),
    "n_projects": fmt.integer("项目数"),
    "n_indicators": fmt.integer("指标数"),
    "layout": fmt.text("版式"),
    "encoding": fmt.text("编码"),
    "size_kb": fmt.num("大小（KB）"),
    "synthetic": fmt.Col("合成", "bool"),
    "loaded_at": fmt.Col("导入时间", "datetime"),
    "province": fmt.text("省"),
}, name="文档列表", key="doc_table", select=True, height=min(420, 38 + 35 * shown.height + 8),
    scope="需要关注的文档" if only_attention else "全部已导入的文档")

if not row:
    st.info("选中一个文档，查看它的解析报告和原文。")
    st.stop()

st.subheader(f"文档 · {fmt.md_escape(row['file'])}", anchor=False)
where = " / ".join(x for x in (row["province"], row["city"], row["county"]) if x and x != fmt.UNKNOWN_REGION)
st.caption(" · ".join(x for x in (
    f"编号 {row['doc_id']}", fmt.md_escape(row["unit"] or "未识别单位"), fmt.md_escape(where or "地区未识别"),
    f"{row['year']}年" if row["year"] else "", row["kind"] or "未识别表类型", row["layout"] or "", row["status"],
    f"识别度 {fmt.fmt_pct(row['confidence'], 0)}" if row["confidence"] is not None else "",
) if x))
if row["message"]:
    box = st.error if row["attention"] == 0 else st.warning
    box(f"{row['status']}：{fmt.md_escape(row['message'])}", icon=":material/report:")
detail = data.document_detail(row["doc_id"])
report_lines = [ln for ln in (detail.get("parse_report") or "").splitlines() if ln.strip()]
st.markdown(f"**解析报告**（{len(report_lines)} 条）")
if report_lines:
    # one numbered note per line, wrapped; plain text (format.source_block), never Markdown
    width = len(str(len(report_lines)))
    fmt.source_block("\n".join(f"{k:>{width}}. {ln}" for k, ln in enumerate(report_lines, start=1)),
                     fmt.widget_key("doc_report", row["doc_id"]), height=min(38 + 22 * len(report_lines), 360))
else:
    st.caption("（无）")

n_lines = int(detail.get("n_lines") or 0)
st.markdown(f"**原文**（共 {n_lines:,} 行；电话号码已在导入时遮盖；单元格之间以 │ 分隔，长行自动换行）")
if n_lines == 0:
    st.info("该文档没有保存原文（可能读取失败）。")
else:
    first = 1
    page = 1000
    if n_lines > page:
        first = st.number_input("从第几行开始", min_value=1, max_value=max(1, n_lines), value=1, step=page,
                                key=fmt.widget_key("doc_from", row["doc_id"]))
    lines = data.document_lines(row["doc_id"], first, first + page - 1)
    fmt.source_block(fmt.source_text(lines), fmt.widget_key("doc_text", row["doc_id"]), height=600)
    export.download_buttons(lines, f"原文_{row['file']}", fmt.widget_key("doc_src", row["doc_id"]),
                            {"line": fmt.integer("行号"), "text": fmt.text("内容")}, scope=f"文档 {row['file']} 的原文")
