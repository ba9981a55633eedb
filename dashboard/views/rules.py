"""规则说明: the rule catalog — per rule its title, category, severity, the four doc sections
(检查什么 / 为什么是问题 / 示例 / 如何整改), options, and how many flags it raises now."""

import streamlit as st

from dashboard import data, export, filters
from dashboard import format as fmt

f = filters.page_start("规则说明", "问题数按当前筛选统计：")

catalog = data.rules_catalog(data.flag_counts(f))
if catalog.height == 0:
    st.info("数据库里没有规则目录（rules 表为空）。请重新运行 `jixiao ingest`。")
    st.stop()

export.table(catalog, {
    "rule": fmt.text("规则"),
    "title": fmt.text("标题", width="medium"),
    "category": fmt.text("类别"),
    "severity": fmt.text("严重程度"),
    "n_open": fmt.integer("未处理"),
    "n_flags": fmt.integer("全部问题数"),
    "description": fmt.text("检查什么", width="large"),
    "why": fmt.text("为什么是问题"),
    "example": fmt.text("示例"),
    "remedy": fmt.text("如何整改"),
    "options": fmt.text("选项（默认值）"),
}, name="规则说明", key="rules_table", height=min(640, 38 + 35 * catalog.height))

for category in catalog["category"].unique(maintain_order=True).to_list():
    st.subheader(category)
    for r in catalog.filter(catalog["category"] == category).iter_rows(named=True):
        head = f"{r['rule']} {r['title']} · 严重程度：{r['severity']} · 未处理 {r['n_open']} / 共 {r['n_flags']} 条"
        with st.expander(head):
            # The catalog text comes from the rule modules' docstrings (code, not documents), as
            # plain text; one element per rule (24 rules × 10 elements made every visit slow).
            sections = [(label, r[key] or "—") for label, key in (
                ("检查什么", "description"), ("为什么是问题", "why"), ("示例", "example"), ("如何整改", "remedy"))]
            sections.append(("选项（默认值）", r["options"] or "无"))
            st.text("\n\n".join(f"【{label}】\n{text}" for label, text in sections))
