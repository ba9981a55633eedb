"""Links into 下钻 and the project view: a flag (or a template occurrence) opens the drill-down
with its unit, project and indicator already selected; a project opens its project view
(`project_link`: /project?project=<id>, which a fresh server opens too).

The link carries three focus parameters (`dd_unit`, `dd_project`, `dd_indicator`; the sidebar
filters stay in the address by themselves); the drill-down page takes them once (`take_focus`,
which also removes them from the address, so a later selection is not overridden) and selects
the matching rows (`preselect`) before it draws each table.
"""

from __future__ import annotations

import streamlit as st

DRILLDOWN = "views/drilldown.py"
PROJECT = "views/project.py"
PROJECT_PARAM = "project"  # the project view's state in the address: /project?project=<project_id>
FOCUS = {"unit": "dd_unit", "project": "dd_project", "indicator": "dd_indicator"}


def drilldown_params(unit: str | None, project_id: str | None, indicator_id: str | None = None) -> dict[str, str]:
    """Given what to open, returns the drill-down link's focus parameters. The sidebar filters
    need not be passed: widgets bound to the URL keep their parameters across pages."""
    given = {"unit": unit, "project": project_id, "indicator": indicator_id}
    return {FOCUS[k]: str(v) for k, v in given.items() if v}


def drilldown_link(unit: str | None, project_id: str | None, indicator_id: str | None = None, *,
                   label: str = "在下钻中查看") -> None:
    """Draws a link that opens 下钻 at this unit / project / indicator."""
    st.page_link(DRILLDOWN, label=label, icon=":material/account_tree:",
                 query_params=drilldown_params(unit, project_id, indicator_id))


def drilldown_url(unit: str | None, project_id: str | None, indicator_id: str | None = None) -> str:
    """Given what to open, returns a relative address of 下钻 at it ("drilldown?year=2024&dd_unit=…")
    carrying the sidebar filters of the current address, for a link column in a table (a new
    tab is a new session: the filters must travel in the address). Values are URL-encoded."""
    from urllib.parse import urlencode

    from dashboard import filters

    pairs = [(k, v) for k in filters.URL_KEYS for v in st.query_params.get_all(k)]
    pairs += list(drilldown_params(unit, project_id, indicator_id).items())
    return "drilldown" + ("?" + urlencode(pairs) if pairs else "")


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


def preselect(key: str, values: list, wanted: str | None) -> bool:
    """Selects the row whose value is `wanted` in the table drawn next under `key` (values in
    the table's row order); returns False when `wanted` is given but not there."""
    if wanted is None:
        return True
    try:
        row = values.index(wanted)
    except ValueError:
        return False
    st.session_state[key] = {"selection": {"rows": [row], "columns": [], "cells": []}}
    return True


def project_params(project_id: str) -> dict[str, str]:
    """Given a project, returns the project view's query parameters."""
    return {PROJECT_PARAM: str(project_id)}


def project_link(project_id: str | None, *, label: str = "项目视图：目标表与自评表对照、历年情况") -> None:
    """Draws a link that opens the project view of this project (nothing without a project)."""
    if project_id:
        st.page_link(PROJECT, label=label, icon=":material/difference:", query_params=project_params(project_id))
