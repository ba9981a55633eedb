"""绩效分析 — the dashboard's entry point and table of contents: page config, the shared
sidebar filters, and every page listed in `st.navigation`.

Run it with `jixiao serve` (applies streamlit_config/config.toml and sets JIXIAO_DB).
"""

import streamlit as st

from dashboard import filters

st.set_page_config(page_title="绩效分析", page_icon=":material/analytics:", layout="wide")

PAGES = {
    "分析": [
        st.Page("pages/overview.py", title="总览", icon=":material/dashboard:", default=True),
        st.Page("pages/compare.py", title="单位对比", icon=":material/compare_arrows:"),
        st.Page("pages/drilldown.py", title="下钻", icon=":material/account_tree:"),
        st.Page("pages/trends.py", title="趋势", icon=":material/trending_up:"),
    ],
    "核查": [
        st.Page("pages/flags.py", title="问题标记", icon=":material/flag:"),
        st.Page("pages/rules.py", title="规则说明", icon=":material/menu_book:"),
    ],
    "数据": [
        st.Page("pages/documents.py", title="数据导入 / 文档", icon=":material/upload_file:"),
    ],
}

page = st.navigation(PAGES)
filters.sidebar()
page.run()
