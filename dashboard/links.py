"""Links into 下钻: a flag (or a template occurrence) opens the drill-down with its unit,
project and indicator already selected.

The link carries the sidebar filters and three focus parameters (`dd_unit`, `dd_project`,
`dd_indicator`); the drill-down page takes them once (`take_focus`, which also removes them
from the address, so a later selection is not overridden) and selects the matching rows
(`preselect`) before it draws each table.
"""

from __future__ import annotations

import streamlit as st

from dashboard import filters

DRILLDOWN = "views/drilldown.py"
FOCUS = {"unit": "dd_unit", "project": "dd_project", "indicator": "dd_indicator"}
_FILTER_KEYS = (filters.K_YEAR, filters.K_PROVINCE, filters.K_CITY, filters.K_COUNTY, filters.K_UNIT,
                filters.K_KIND, filters.K_SOURCE)


def drilldown_params(unit: str | None, project_id: str | None, indicator_id: str | None = None,
                     keep_filters: bool = True, year: int | None = None) -> list[tuple[str, str]]:
    """Given what to open, returns the query parameters of the drill-down link: the current
    sidebar filters (keep_filters) or only `year`, and the focus."""
    params: list[tuple[str, str]] = []
    if keep_filters:
        for k in _FILTER_KEYS:
            params += [(k, v) for v in st.query_params.get_all(k)]
    elif year is not None:
        params.append((filters.K_YEAR, str(year)))
    for name, value in (("unit", unit), ("project", project_id), ("indicator", indicator_id)):
        if value:
            params.append((FOCUS[name], str(value)))
    return params


def drilldown_link(unit: str | None, project_id: str | None, indicator_id: str | None = None, *,
                   label: str = "在下钻中查看", keep_filters: bool = True, year: int | None = None) -> None:
    """Draws a link that opens 下钻 at this unit / project / indicator."""
    st.page_link(DRILLDOWN, label=label, icon=":material/account_tree:",
                 query_params=drilldown_params(unit, project_id, indicator_id, keep_filters, year))


def take_focus() -> dict[str, str]:
    """Returns the focus the address carries ({"unit": …, "project": …, "indicator": …}, only
    those given) and removes it from the address."""
    out = {}
    for name, param in FOCUS.items():
        value = st.query_params.get(param)
        if value:
            out[name] = value
        if param in st.query_params:
            del st.query_params[param]
    return out


def preselect(key: str, values: list, wanted: str | None) -> None:
    """Selects the row whose value is `wanted` in the table drawn next under `key` (values in
    the table's row order); nothing when it is not there."""
    if wanted is None:
        return
    try:
        row = values.index(wanted)
    except ValueError:
        return
    st.session_state[key] = {"selection": {"rows": [row], "columns": [], "cells": []}}
