"""绩效分析 — the dashboard's entry point and table of contents: page config, the shared
sidebar filters, and every page listed in `st.navigation`.

Run it with `jixiao serve` (applies streamlit_config/config.toml and sets JIXIAO_DB).

The page scripts live in `views/`, not `pages/`: Streamlit treats a `pages/` folder beside the
entry point as the old automatic page list, and a deep link opened on a freshly started server
was then routed by file name (English names in the navigation, no sidebar, filters ignored)
before this script had run once.
"""

import streamlit as st

from dashboard import auth, filters, style

st.set_page_config(page_title="绩效分析", page_icon=":material/analytics:", layout="wide")
style.apply()

PAGES = {
    "分析": [
        st.Page("views/overview.py", title="总览", icon=":material/dashboard:", default=True),
        st.Page("views/compare.py", title="单位对比", icon=":material/compare_arrows:"),
        st.Page("views/drilldown.py", title="下钻", icon=":material/account_tree:"),
        st.Page("views/trends.py", title="趋势", icon=":material/trending_up:"),
        st.Page("views/project.py", title="项目视图", icon=":material/difference:"),
    ],
    "核查": [
        st.Page("views/flags.py", title="问题标记", icon=":material/flag:"),
        st.Page("views/rules.py", title="规则说明", icon=":material/menu_book:"),
    ],
    "数据": [
        st.Page("views/documents.py", title="数据导入 / 文档", icon=":material/upload_file:"),
        st.Page("views/units.py", title="单位名称合并", icon=":material/merge:"),
    ],
}

may_view = auth.may_view()
page = st.navigation(PAGES, position="sidebar" if may_view else "hidden")
if not may_view:
    # Viewing needs a sign-in (JIXIAO_REQUIRE_LOGIN) and no one is signed in: the sign-in form
    # instead of the page asked for, whose address (a shared link) is kept for after it.
    auth.sign_in_page()
    st.stop()
filters.search_sidebar()  # on every page: a project by name or 项目编码, across units and years
auth.sidebar()
filters.sidebar()
page.run()
