"""Downloads: every table on every page gets an Excel and a CSV button (`download_buttons`), and
`table` shows a frame with its column spec, its two buttons and (optionally) row selection.

Excel is written by the reports' workbook writer (`jixiao.report.excel.ExcelWriter`): a title
line (the table, the filter it was shown for, the date), a frozen header row, an autofilter,
column widths, numbers as numbers with 万元/% number formats and text as text (never a formula,
a link or a number), phone numbers masked, and a sheet name made valid whatever the table is
called (巴财企[2022]38号 → 巴财企〔2022〕38号, at most 31 characters). CSV is UTF-8 with a BOM so
Excel on Chinese Windows opens it without mojibake, with rates written as percentages (95.00,
header "执行率(%)") because a bare 0.95 reads wrong in a CSV, and every text cell safe from
formula injection (`jixiao.csvsafe`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import date, datetime

import polars as pl

from dashboard.format import Col, column_config, display_frame, for_export
from jixiao import csvsafe
from jixiao.queries import TABLE_ROWS

BOM = "\ufeff"
# Excel layout kinds (jixiao.report.excel) for the spec's kinds; long text columns wrap.
_XL_KINDS = {"money": "money", "num": "money", "score": "money", "pct": "pct", "int": "int", "year": "int"}
_WRAP_AT = 40        # a text column whose values run longer than this wraps
_MAX_WIDTH = 60      # column width cap, in Excel character units (a CJK character counts two)
_NAME_CHARS = 60     # file names: the table's name is cut to this many characters
# A table shows at most this many rows in the browser (the first ones, in the table's order);
# its downloads hold every row. Sending 50,000 rows to every visitor would make the page wait,
# and a query may fetch only these rows (`$top`) and the rest when a download is clicked.
MAX_ROWS = TABLE_ROWS


def _safe_name(name: str) -> str:
    s = "".join(ch for ch in (name or "") if ch not in '\\/:*?"<>|' and unicodedata.category(ch)[0] != "C")
    return s.strip()[:_NAME_CHARS].strip() or "导出"


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cell_value(v, kind: str):
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, datetime):
        return f"{v:%Y-%m-%d %H:%M}"
    if isinstance(v, date):
        return f"{v:%Y-%m-%d}"
    if isinstance(v, (list, tuple)):
        return "；".join("" if x is None else str(x) for x in v)
    return v


def title_line(name: str, scope: str | None, day: date | None = None) -> str:
    """Given a table's name and the filter it was shown for, returns the workbook's title line:
    "高分低执行项目 · 筛选：2024年 · 全部地区 · 全部表类型 · 导出日期：2026-12-01"."""
    parts = [name or "导出"]
    if scope:
        parts.append(f"筛选：{scope}")
    parts.append(f"导出日期：{(day or date.today()):%Y-%m-%d}")
    return " · ".join(parts)


def to_excel_bytes(df: pl.DataFrame, spec: dict[str, Col] | None = None, sheet: str = "数据",
                   title: str | None = None) -> bytes:
    """Given a frame, its spec, a sheet name (any text: made valid) and a title line, returns
    an .xlsx workbook of one sheet: the title in row 1, the row count in row 2, the Chinese
    header in row 3 (frozen, with an autofilter), then the rows; 万元 as #,##0.00, rates as
    0.00%, years and counts as whole numbers, text as text."""
    from jixiao.report.excel import ExcelWriter, XColumn

    spec = spec or {c: Col(c) for c in df.columns}
    cols = [c for c in spec if c in df.columns and spec[c].kind != "link"]  # links are for the screen
    columns, rows_by_col = [], []
    for c in cols:
        col = spec[c]
        kind = _XL_KINDS.get(col.kind, "text")
        values = [_cell_value(v, kind) for v in df.get_column(c).to_list()]
        if kind == "text":
            values = [None if v is None else str(v) for v in values]
            widths = sorted(_width(v) for v in values if v)
            typical = widths[int(len(widths) * 0.9)] if widths else 0
            if typical > _WRAP_AT:
                kind = "wrap"
            width = min(max(_width(col.label), typical) + 2, _MAX_WIDTH)
        else:
            width = max(_width(col.label) + 2, 12 if kind in ("money", "pct") else 8)
        columns.append(XColumn(col.label, float(width), kind))
        rows_by_col.append(values)
    rows = [list(r) for r in zip(*rows_by_col)] if rows_by_col else []
    book = ExcelWriter(title or title_line(sheet, None))
    book.sheet(sheet or "数据", columns, rows, note=f"共 {len(rows):,} 行")
    return book.to_bytes()


def to_csv_bytes(df: pl.DataFrame, spec: dict[str, Col] | None = None) -> bytes:
    """Given a frame and its spec, returns CSV bytes in UTF-8 with BOM; % columns as percentages
    (header suffixed with (%))."""
    out = df
    renames = {}
    for c, col in (spec or {}).items():
        if c in df.columns and col.kind == "pct":
            out = out.with_columns((pl.col(c) * 100).round(2))
            renames[c] = Col(f"{col.label}(%)", "num")
    out = for_export(out, {**(spec or {}), **renames} if spec else None)
    out = out.with_columns([pl.col(c).list.join("；") for c, t in out.schema.items() if isinstance(t, pl.List)])
    return (BOM + csvsafe.write_csv(out)).encode("utf-8")


def _current_scope() -> str:
    from dashboard import filters

    return filters.current().describe()


def download_buttons(df: pl.DataFrame, name: str, key: str, spec: dict[str, Col] | None = None,
                     scope: str | None = None, full: Callable[[], pl.DataFrame] | None = None) -> None:
    """Shows the two download buttons (Excel, CSV) of a table. The files are built only when a
    button is clicked (deferred data), so large tables cost nothing until then. The workbook's
    title line names the table, `scope` (default: the sidebar filters) and the date. `full`: where
    `df` is only the table's first rows, the whole table, fetched when a button is clicked."""
    import streamlit as st

    stem = f"{_safe_name(name)}_{date.today():%Y%m%d}"
    title = title_line(name, scope if scope is not None else _current_scope())
    whole = full or (lambda: df)
    row = st.container(horizontal=True, gap="small")
    with row:
        st.download_button(
            "下载 Excel", data=lambda: to_excel_bytes(whole(), spec, name, title), file_name=f"{stem}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key=f"{key}_xlsx", icon=":material/download:", on_click="ignore", disabled=df.height == 0,
        )
        st.download_button(
            "下载 CSV", data=lambda: to_csv_bytes(whole(), spec), file_name=f"{stem}.csv", mime="text/csv",
            key=f"{key}_csv", icon=":material/download:", on_click="ignore", disabled=df.height == 0,
        )


def table(df: pl.DataFrame, spec: dict[str, Col], *, name: str, key: str, select: bool = False,
          height: int | str = "auto", downloads: bool = True, scope: str | None = None) -> dict | None:
    """Shows a frame with the spec's labels and formats and its download buttons (`scope`: what
    the table covers, for the workbook's title; default the sidebar filters). With select=True
    a single row can be selected; returns that row as a dict (None when none)."""
    rows = _show(df, spec, name=name, key=key, mode="single-row" if select else None, height=height,
                 downloads=downloads, scope=scope)
    return df.row(rows[0], named=True) if rows else None


def table_multi(df: pl.DataFrame, spec: dict[str, Col], *, name: str, key: str, height: int | str = "auto",
                downloads: bool = True, scope: str | None = None,
                full: Callable[[], pl.DataFrame] | None = None) -> list[dict]:
    """Like `table`, with several rows selectable (checkboxes); returns the selected rows as
    dicts in table order ([] when none). Where `df` is one page of a longer table, `full` is
    the whole table, fetched for a download only."""
    rows = _show(df, spec, name=name, key=key, mode="multi-row", height=height, downloads=downloads, scope=scope,
                 full=full)
    return [df.row(r, named=True) for r in rows]


def _show(df: pl.DataFrame, spec: dict[str, Col], *, name: str, key: str, mode: str | None,
          height: int | str, downloads: bool, scope: str | None = None,
          full: Callable[[], pl.DataFrame] | None = None) -> list[int]:
    import streamlit as st

    cols = [c for c in spec if c in df.columns]
    if height == "auto":  # show every row up to ~15, then scroll (Streamlit's auto stops at 10)
        height = min(38 + 35 * max(df.height, 1) + 8, 580)
    kwargs = dict(column_order=cols, column_config=column_config(spec), hide_index=True,
                  key=key, height=height, placeholder="—")
    # Only the shown columns (and the rows' ids, hidden) and at most MAX_ROWS rows go to the
    # browser — never long hidden text such as a parse report; a selected row is looked up in
    # the whole frame by its position (the first rows are the same rows). As an Arrow table:
    # Streamlit sends that as it is, where a Polars frame goes through pandas.
    ids = [c for c in df.columns if c not in cols and (c.endswith("_id") or c == "rule")]
    shown = display_frame(df.select(cols + ids).head(MAX_ROWS), spec).to_arrow()  # % columns ×100 for their fixed-decimal format
    if mode:
        event = st.dataframe(shown, on_select="rerun", selection_mode=mode, **kwargs)
    else:
        st.dataframe(shown, **kwargs)
    if df.height > MAX_ROWS:  # (the caption says so)
        st.caption(f"表中显示前 {MAX_ROWS:,} 行（共 {df.height:,} 行）；下载 Excel / CSV 可得全部行。")
    if downloads:
        download_buttons(df, name, key, spec, scope, full)
    if not mode:
        return []
    rows = list(getattr(getattr(event, "selection", None), "rows", None) or [])
    return sorted(r for r in rows if 0 <= r < df.height)


DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def report_buttons(unit: str, f) -> None:
    """Shows the two downloads of a unit's review report (审核意见, Word and Excel) for the current
    filter; each file is built when its button is clicked."""
    import streamlit as st

    from dashboard import data
    from dashboard.format import widget_key

    row = st.container(horizontal=True, gap="small", vertical_alignment="center")
    with row:
        st.markdown("**审核意见**")
        st.download_button(
            "Word", data=lambda: data.report_file(unit, f, "docx"), file_name=data.report_file_name(unit, f, "docx"),
            mime=DOCX_MIME, key=widget_key("dd_report_docx", unit), icon=":material/description:", on_click="ignore",
            help="该单位在当前筛选范围内的审核意见（问题、整改要求、已接受的标记），点击后生成",
        )
        st.download_button(
            "Excel", data=lambda: data.report_file(unit, f, "xlsx"), file_name=data.report_file_name(unit, f, "xlsx"),
            mime=XLSX_MIME, key=widget_key("dd_report_xlsx", unit), icon=":material/table_view:", on_click="ignore",
        )


def reports_zip_button(f, n_units: int) -> None:
    """Shows the download of every unit's review report in the current filter as one .zip."""
    import streamlit as st

    from dashboard import data

    st.download_button(
        f"全部 {n_units} 个单位的审核意见（.zip，Word + Excel）", data=lambda: data.reports_zip(f),
        file_name=f"审核意见_{_safe_name(f.describe())}_{date.today():%Y%m%d}.zip", mime="application/zip",
        key="dd_reports_zip", icon=":material/folder_zip:", on_click="ignore", disabled=n_units == 0,
        help="当前筛选下每个单位一份 Word 和一份 Excel；点击后生成，单位多时需要一些时间",
    )
