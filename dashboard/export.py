"""Downloads: every table on every page gets an Excel and a CSV button (`download_buttons`), and
`table` shows a frame with its column spec, its two buttons and (optionally) row selection.

Excel keeps numbers as numbers with 万元/% number formats and text as text (never a formula or
a link); CSV is UTF-8 with a BOM so Excel on Chinese Windows opens it without mojibake, with
rates written as percentages (95.00, header "执行率(%)") because a bare 0.95 reads wrong in a
CSV, and every text cell safe from formula injection (`jixiao.csvsafe`).
"""

from __future__ import annotations

import io
from datetime import date

import polars as pl

from dashboard.format import EXCEL_FORMATS, Col, column_config, for_export
from jixiao import csvsafe

BOM = "\ufeff"
# A table shows at most this many rows in the browser (the first ones, in the table's order);
# its downloads hold every row. Sending 50,000 rows to every visitor would make the page wait.
MAX_ROWS = 4000


def _safe_name(name: str) -> str:
    return "".join(ch for ch in name if ch not in '\\/:*?"<>|').strip() or "导出"


def to_excel_bytes(df: pl.DataFrame, spec: dict[str, Col] | None = None, sheet: str = "数据") -> bytes:
    """Given a frame and its spec, returns an .xlsx workbook (one sheet, Chinese headers,
    万元 as #,##0.00 and rates as 0.00%)."""
    out = for_export(df, spec)
    formats = {}
    for c, col in (spec or {}).items():
        if c in df.columns and col.kind in EXCEL_FORMATS:
            formats[col.label] = EXCEL_FORMATS[col.kind]
    # Excel has no list type: join lists as text.
    out = out.with_columns([pl.col(c).list.join("；") for c, t in out.schema.items() if isinstance(t, pl.List)])
    import xlsxwriter

    buf = io.BytesIO()
    # Text stays text: no cell becomes a formula (=HYPERLINK(…)), a link (http://…) or a number.
    workbook = xlsxwriter.Workbook(buf, {"strings_to_formulas": False, "strings_to_urls": False,
                                         "strings_to_numbers": False, "nan_inf_to_errors": True})
    out.write_excel(
        workbook, worksheet=sheet[:31], column_formats=formats or None, autofit=True,
        dtype_formats={pl.Datetime: "yyyy-mm-dd hh:mm"}, float_precision=2,
    )
    workbook.close()
    return buf.getvalue()


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


def download_buttons(df: pl.DataFrame, name: str, key: str, spec: dict[str, Col] | None = None) -> None:
    """Shows the two download buttons (Excel, CSV) of a table. The files are built only when a
    button is clicked (deferred data), so large tables cost nothing until then."""
    import streamlit as st

    stem = f"{_safe_name(name)}_{date.today():%Y%m%d}"
    row = st.container(horizontal=True, gap="small")
    with row:
        st.download_button(
            "下载 Excel", data=lambda: to_excel_bytes(df, spec, name), file_name=f"{stem}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key=f"{key}_xlsx", icon=":material/download:", on_click="ignore", disabled=df.height == 0,
        )
        st.download_button(
            "下载 CSV", data=lambda: to_csv_bytes(df, spec), file_name=f"{stem}.csv", mime="text/csv",
            key=f"{key}_csv", icon=":material/download:", on_click="ignore", disabled=df.height == 0,
        )


def table(df: pl.DataFrame, spec: dict[str, Col], *, name: str, key: str, select: bool = False,
          height: int | str = "auto", downloads: bool = True) -> dict | None:
    """Shows a frame with the spec's labels and formats and its download buttons. With
    select=True a single row can be selected; returns that row as a dict (None when none)."""
    rows = _show(df, spec, name=name, key=key, mode="single-row" if select else None, height=height,
                 downloads=downloads)
    return df.row(rows[0], named=True) if rows else None


def table_multi(df: pl.DataFrame, spec: dict[str, Col], *, name: str, key: str, height: int | str = "auto",
                downloads: bool = True) -> list[dict]:
    """Like `table`, with several rows selectable (checkboxes); returns the selected rows as
    dicts in table order ([] when none)."""
    rows = _show(df, spec, name=name, key=key, mode="multi-row", height=height, downloads=downloads)
    return [df.row(r, named=True) for r in rows]


def _show(df: pl.DataFrame, spec: dict[str, Col], *, name: str, key: str, mode: str | None,
          height: int | str, downloads: bool) -> list[int]:
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
    shown = df.select(cols + ids).head(MAX_ROWS).to_arrow()
    if mode:
        event = st.dataframe(shown, on_select="rerun", selection_mode=mode, **kwargs)
    else:
        st.dataframe(shown, **kwargs)
    if df.height > MAX_ROWS:  # (the caption says so)
        st.caption(f"表中显示前 {MAX_ROWS:,} 行（共 {df.height:,} 行）；下载 Excel / CSV 可得全部行。")
    if downloads:
        download_buttons(df, name, key, spec)
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
