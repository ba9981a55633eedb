"""The shared sidebar: the project search, then the filters 年度, 省/市/县 (cascading), 单位,
表类型, 数据来源.

Each filter widget is bound to the URL (`bind="query-params"`), so a filtered view can be shared
by copying the address; a value equal to the default ("全部", nothing selected) is left out of it.
`sidebar()` draws them (called by app.py on every page); `current()` gives pages the selection
as a `Filters`, which data functions turn into bound query parameters.

The search (`search`) finds projects by name or 项目编码 across every unit and year, whatever
the filters say, and opens the one picked in the project view (views/project.py?project=<id>).
"""

from __future__ import annotations

from jixiao.queries import KIND_LABELS, Selection

ALL = "全部"
KIND_OPTIONS = {ALL: None, **{label: kind for kind, label in KIND_LABELS.items()}}
SOURCE_OPTIONS = {ALL: None, "真实": False, "合成": True}

# widget keys = URL query parameter names
K_YEAR, K_PROVINCE, K_CITY, K_COUNTY, K_UNIT, K_KIND, K_SOURCE = (
    "year", "province", "city", "county", "unit", "kind", "source")
_BELOW = {K_PROVINCE: (K_CITY, K_COUNTY, K_UNIT), K_CITY: (K_COUNTY, K_UNIT), K_COUNTY: (K_UNIT,)}
URL_KEYS = (K_YEAR, K_PROVINCE, K_CITY, K_COUNTY, K_UNIT, K_KIND, K_SOURCE)  # the filters' query parameters


# The sidebar's selection: the one Selection of the query contract.
Filters = Selection


def _state(key: str, default):
    import streamlit as st

    v = st.session_state.get(key, default)
    return default if v is None else v


def kept(key: str, default=None) -> dict:
    """Given a widget's key (and its first value), returns the widget's keyword arguments
    (key, on_change) that keep its value across runs where it is not drawn — in a tab that is
    closed, whose widgets Streamlit forgets — and sets its value before it is drawn: the one
    last chosen, else `default` (pass no default= to the widget itself)."""
    import streamlit as st

    shadow = f"_kept_{key}"
    if key not in st.session_state:
        if shadow in st.session_state:
            st.session_state[key] = st.session_state[shadow]
        elif default is not None:
            st.session_state[key] = default
    return {"key": key, "on_change": _remember, "args": (key,)}


def _remember(key: str) -> None:
    import streamlit as st

    st.session_state[f"_kept_{key}"] = st.session_state.get(key)


def current() -> Filters:
    """Returns the current selection of the sidebar filters (from the widgets' state)."""
    years = tuple(int(y) for y in _state(K_YEAR, []))
    province = _state(K_PROVINCE, ALL)
    city = _state(K_CITY, ALL)
    county = _state(K_COUNTY, ALL)
    return Filters(
        years=years,
        province=None if province == ALL else province,
        city=None if city == ALL else city,
        county=None if county == ALL else county,
        units=tuple(_state(K_UNIT, [])),
        kind=KIND_OPTIONS.get(_state(K_KIND, ALL)),
        synthetic=SOURCE_OPTIONS.get(_state(K_SOURCE, ALL)),
    )


def _reset_below(key: str) -> None:
    import streamlit as st

    for k in _BELOW.get(key, ()):
        st.session_state[k] = [] if k == K_UNIT else ALL


def _reset_all() -> None:
    import streamlit as st

    for k in (K_PROVINCE, K_CITY, K_COUNTY, K_KIND, K_SOURCE):
        st.session_state[k] = ALL
    for k in (K_YEAR, K_UNIT):
        st.session_state[k] = []


def _keep_valid(key: str, options: list) -> None:
    """Drops a remembered value that is no longer offered (e.g. a city of another province),
    before the widget is drawn."""
    import streamlit as st

    if key not in st.session_state:
        return
    v = st.session_state[key]
    if isinstance(v, list):
        kept = [x for x in v if x in options]
        if kept != v:
            st.session_state[key] = kept
    elif v is not None and v not in options:
        st.session_state[key] = ALL


K_SEARCH = "search_q"


def _search_detail(row: dict) -> str:
    """What tells one search result from another of the same name: 编码 · 单位 · 县 · 2023–2025年."""
    years = row.get("years") or []
    span = (f"{years[0]}年" if len(years) == 1 else f"{years[0]}–{years[-1]}年") if years else ""
    parts = [row.get("code"), row.get("unit"), row.get("county") or row.get("city"), span]
    return " · ".join(str(x) for x in parts if x)


def search() -> None:
    """Draws the project search: a text box, then the projects found as links (a name, and
    under it the unit, county and years) that open the project view — real links, so one
    opens in a new tab too. The text is a bound parameter of `project_search`, never SQL."""
    import streamlit as st

    from dashboard import data, links
    from dashboard import format as fmt

    q = st.text_input("搜索项目", key=K_SEARCH, type="search", live="400ms", max_chars=data.MAX_SEARCH,
                      placeholder="项目名称或项目编码", help="在全部单位、全部年度中查找（不受下方筛选影响）")
    if not (q or "").strip():
        return
    found = data.project_search(q)
    if found.height == 0:
        st.caption("没有名称或编码包含该文字的项目。")
        return
    many = found.height >= data.SEARCH_LIMIT
    st.caption(f"找到 {found.height} 个项目，点击打开：" if not many else
               f"找到 {found.height} 个以上，列出最相符的 {found.height} 个（多输入几个字可缩小范围）：")
    # a scrolling box: the filters below stay in reach however many are found
    with st.container(height=min(340, 84 * found.height + 20), border=True, gap="small"):
        for r in found.iter_rows(named=True):
            # document text: escaped for the link's Markdown label, its tooltip and the caption
            name, detail = fmt.md_escape(r["name"] or "（无名称）"), fmt.md_escape(_search_detail(r))
            st.page_link(links.PROJECT, label=name, help=f"{name}（{detail}）",
                         query_params=links.project_params(r["project_id"]))
            st.caption(detail)


def search_sidebar() -> None:
    """Draws the project search at the top of the sidebar (nothing without a database)."""
    import streamlit as st

    from dashboard import data

    if data.problem() is None:
        with st.sidebar:
            search()


def sidebar() -> Filters:
    """Draws the shared filters in the sidebar and returns the selection."""
    import streamlit as st

    from dashboard import data

    with st.sidebar:
        st.markdown("#### 筛选")
        if data.problem() is not None:
            st.caption("没有可用的数据库，筛选暂不可用。")
            return Filters()
        q = dict(bind="query-params")
        # the choices come cached from data.filter_values (every page run draws this sidebar)
        years = sorted(data.filter_values("year"), reverse=True)
        _keep_valid(K_YEAR, years)
        st.multiselect("年度", years, key=K_YEAR, placeholder="全部年度", select_all=False, **q)

        provinces = data.filter_values("province")
        _keep_valid(K_PROVINCE, [ALL, *provinces])
        st.selectbox("省（自治区）", [ALL, *provinces], key=K_PROVINCE, on_change=_reset_below,
                     args=(K_PROVINCE,), **q)
        sel = current()
        cities = data.filter_values("city", sel.province)
        _keep_valid(K_CITY, [ALL, *cities])
        st.selectbox("市（州）", [ALL, *cities], key=K_CITY, on_change=_reset_below, args=(K_CITY,),
                     disabled=sel.province is None, help="先选省，再选市", **q)
        sel = current()
        counties = data.filter_values("county", sel.province, sel.city)
        _keep_valid(K_COUNTY, [ALL, *counties])
        st.selectbox("县（区）", [ALL, *counties], key=K_COUNTY, on_change=_reset_below, args=(K_COUNTY,),
                     disabled=sel.city is None, help="先选市，再选县（区）；市本级单位只在「全部」下", **q)
        sel = current()
        units = data.filter_values("unit", sel.province, sel.city, sel.county)
        _keep_valid(K_UNIT, units)
        st.multiselect("单位", units, key=K_UNIT, placeholder="全部单位", select_all=False, **q)

        _keep_valid(K_KIND, list(KIND_OPTIONS))
        st.selectbox("表类型", list(KIND_OPTIONS), key=K_KIND, **q)
        _keep_valid(K_SOURCE, list(SOURCE_OPTIONS))
        st.selectbox("数据来源", list(SOURCE_OPTIONS), key=K_SOURCE,
                     help="真实：导入的真实文档；合成：生成的测试数据", **q)

        sel = current()
        if sel != Filters():
            st.button("清除筛选", on_click=_reset_all, icon=":material/filter_alt_off:", key="clear_filters")
            st.caption("筛选已写入网址，复制地址栏即可分享当前视图。")
    return sel


def page_start(title: str, caption: str = "当前筛选：") -> Filters:
    """Given a page title, draws the title and the current filter line and returns the filters;
    stops the page with a clear message when there is no database."""
    import streamlit as st

    from dashboard import data
    from dashboard import format as fmt

    st.title(title)
    data.require_db()
    f = current()
    st.caption(f"{caption}{fmt.md_escape(f.describe())}")
    return f
