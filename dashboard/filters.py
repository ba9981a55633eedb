"""The shared sidebar filters: 年度, 省/市/县 (cascading), 单位, 表类型, 数据来源.

Each widget is bound to the URL (`bind="query-params"`), so a filtered view can be shared by
copying the address; a value equal to the default ("全部", nothing selected) is left out of it.
`sidebar()` draws them (called by app.py on every page); `current()` gives pages the selection
as a `Filters`, which data functions turn into bound query parameters.
"""

from __future__ import annotations

from dataclasses import dataclass

ALL = "全部"
KIND_OPTIONS = {ALL: None, "绩效目标表": "goal", "绩效自评表": "self_eval"}
SOURCE_OPTIONS = {ALL: None, "真实": False, "合成": True}

# widget keys = URL query parameter names
K_YEAR, K_PROVINCE, K_CITY, K_COUNTY, K_UNIT, K_KIND, K_SOURCE = (
    "year", "province", "city", "county", "unit", "kind", "source")
_BELOW = {K_PROVINCE: (K_CITY, K_COUNTY, K_UNIT), K_CITY: (K_COUNTY, K_UNIT), K_COUNTY: (K_UNIT,)}


@dataclass(frozen=True)
class Filters:
    """The sidebar's selection. Empty tuples and None mean "all"."""

    years: tuple[int, ...] = ()
    province: str | None = None
    city: str | None = None
    county: str | None = None
    units: tuple[str, ...] = ()
    kind: str | None = None          # goal | self_eval
    synthetic: bool | None = None    # False = 真实, True = 合成

    def params(self) -> dict:
        """Returns the shared query parameters ($years, $provinces, … $synthetic)."""
        return {
            "years": sorted(self.years),
            "provinces": [self.province] if self.province else [],
            "cities": [self.city] if self.city else [],
            "counties": [self.county] if self.county else [],
            "units": sorted(self.units),
            "kind": self.kind,
            "synthetic": self.synthetic,
        }

    def describe(self) -> str:
        """Returns the selection in one Chinese line, e.g. "2024年 · 宁夏回族自治区 · 绩效自评表"."""
        parts = []
        parts.append("、".join(f"{y}年" for y in sorted(self.years)) if self.years else "全部年度")
        region = " / ".join(x for x in (self.province, self.city, self.county) if x)
        parts.append(region or "全部地区")
        if self.units:
            parts.append("、".join(self.units) if len(self.units) <= 2 else f"{len(self.units)} 个单位")
        kind = {v: k for k, v in KIND_OPTIONS.items()}[self.kind]
        parts.append("全部表类型" if self.kind is None else kind)
        if self.synthetic is not None:
            parts.append("仅合成数据" if self.synthetic else "仅真实数据")
        return " · ".join(parts)


def _state(key: str, default):
    import streamlit as st

    v = st.session_state.get(key, default)
    return default if v is None else v


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
        st.multiselect("年度", years, key=K_YEAR, placeholder="全部年度", **q)

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
        st.multiselect("单位", units, key=K_UNIT, placeholder="全部单位", **q)

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
