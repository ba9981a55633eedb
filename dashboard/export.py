"""Downloads: every table on every page gets an Excel and a CSV button (`download_buttons`), and
`table` shows a frame with its column spec, its two buttons and (optionally) row selection.

Excel keeps numbers as numbers with 万元/% number formats; CSV is UTF-8 with a BOM so Excel on
Chinese Windows opens it without mojibake, with rates written as percentages (95.00, header
"执行率(%)") because a bare 0.95 reads wrong in a CSV.
"""

from __future__ import annotations

import io
from datetime import date

import polars as pl

from dashboard.format import EXCEL_FORMATS, Col, column_config, for_export

BOM = "\ufeff"


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
    buf = io.BytesIO()
    out.write_excel(
        buf, worksheet=sheet[:31], column_formats=formats or None, autofit=True,
        dtype_formats={pl.Datetime: "yyyy-mm-dd hh:mm"}, float_precision=2,
    )
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
    return (BOM + out.write_csv()).encode("utf-8")


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
    if mode:
        event = st.dataframe(df, on_select="rerun", selection_mode=mode, **kwargs)
    else:
        st.dataframe(df, **kwargs)
    if downloads:
        download_buttons(df, name, key, spec)
    if not mode:
        return []
    rows = list(getattr(getattr(event, "selection", None), "rows", None) or [])
    return sorted(r for r in rows if 0 <= r < df.height)
