"""Display vocabulary: Chinese labels for codes, and column specs that format 万元 and % columns
through `st.column_config` (numbers stay numbers, so sorting and export keep working).

A table is described once by a spec — {column: Col(label, kind)} — and the same spec drives the
on-screen column config (`column_config`) and the download (`dashboard.export`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import polars as pl

KIND_LABELS = {"goal": "绩效目标表", "self_eval": "绩效自评表"}
STATUS_LABELS = {"open": "未处理", "waived": "已接受"}
DOC_STATUS_LABELS = {"ok": "成功", "partial": "部分导入", "failed": "失败", "skipped": "已跳过"}
LAYOUT_LABELS = {
    "text_tabular": "文本（一行一条）",
    "text_cell_per_line": "文本（一格一行）",
    "text": "文本",
    "xlsx": "Excel 表格",
    "docx": "Word 表格",
}
SEVERITY_ORDER = ["高", "中", "低"]
# Where a unit sits at city or province level the county (or city) is empty.
SAME_LEVEL = "（本级）"
UNKNOWN_REGION = "（未识别）"

# sprintf-js formats understood by st.column_config.NumberColumn. One fixed number of decimals
# per column: Streamlit's "percent" drops trailing zeros (60.78% above 62.2% above 100%).
_FORMATS = {
    "money": "%,.2f",     # 万元, thousands separators, 2 decimals
    "pct": "%.2f%%",      # stored as fractions, shown ×100 (`display_frame`): 0.95 -> 95.00%
    "int": "%,d",
    "score": "%.2f",
    "num": "%,.2f",
    "year": "%d",         # 2024, not 2,024
}


@dataclass(frozen=True)
class Col:
    """One displayed column: its Chinese label, its kind (text, money, pct, int, score, num,
    datetime, bool, link — an address built by the page, shown on screen only, never exported)
    and an optional tooltip."""

    label: str
    kind: str = "text"
    help: str | None = None
    width: str | int | None = None  # "small" | "medium" | "large" or pixels
    bar: float | None = None  # a number column drawn as a bar in its cell, full at this value


def bar(col: Col, full: float | None) -> Col:
    """Given a number column and the value its bar is full at (the column's largest), returns
    the column drawn as a bar in each cell with its number — a chart inside the table."""
    return replace(col, bar=float(full) if full else 1.0)


def text(label: str, help: str | None = None, width: str | None = None) -> Col:
    """A text column."""
    return Col(label, "text", help, width)


def money(label: str, help: str | None = None) -> Col:
    """An amount in 万元 (the label should say so)."""
    return Col(label, "money", help)


def pct(label: str, help: str | None = None) -> Col:
    """A rate or share stored as a fraction, shown as %."""
    return Col(label, "pct", help)


def integer(label: str, help: str | None = None) -> Col:
    """A count."""
    return Col(label, "int", help)


def score(label: str, help: str | None = None) -> Col:
    """A score (分), two decimals."""
    return Col(label, "score", help)


def year(label: str = "年度") -> Col:
    """A year (no thousands separator)."""
    return Col(label, "year")


def num(label: str, help: str | None = None) -> Col:
    """Any other number, two decimals."""
    return Col(label, "num", help)


def column_config(spec: dict[str, Col]) -> dict:
    """Given a spec, returns the `column_config` mapping for st.dataframe."""
    import streamlit as st

    out = {}
    for name, c in spec.items():
        if c.kind in _FORMATS and c.bar is not None:
            out[name] = st.column_config.ProgressColumn(c.label, help=c.help, format=_FORMATS[c.kind], min_value=0,
                                                        max_value=c.bar, width=c.width or "medium")
        elif c.kind in _FORMATS:
            out[name] = st.column_config.NumberColumn(c.label, help=c.help, format=_FORMATS[c.kind], width=c.width)
        elif c.kind == "datetime":
            out[name] = st.column_config.DatetimeColumn(c.label, help=c.help, format="YYYY-MM-DD HH:mm", width=c.width)
        elif c.kind == "bool":
            out[name] = st.column_config.CheckboxColumn(c.label, help=c.help, width=c.width)
        elif c.kind == "link":  # an address the page built (never document text); fixed label
            out[name] = st.column_config.LinkColumn(c.label, help=c.help, width=c.width or "small",
                                                    display_text="打开")
        else:
            out[name] = st.column_config.TextColumn(c.label, help=c.help, width=c.width)
    return out


def display_frame(df: pl.DataFrame, spec: dict[str, Col]) -> pl.DataFrame:
    """Given a frame and its spec, returns the frame as st.dataframe shows it: % columns
    (fractions) times 100, so that their fixed-decimal format reads 95.00%. Same rows in the
    same order; downloads use the frame itself."""
    pcts = [c for c, col in spec.items() if col.kind == "pct" and c in df.columns and df.schema[c].is_numeric()]
    return df.with_columns([(pl.col(c) * 100) for c in pcts]) if pcts else df


def fmt_money(x: float | None) -> str:
    """Formats an amount in 万元 for a metric: 1,234.50 万元; — when missing."""
    return "—" if x is None else f"{x:,.2f} 万元"


# The metric cards' amount units: the number before the unit stays below 10,000 (eight
# characters at most, "9,999.99"), which a card of a five-card row holds at 1440 px.
_AMOUNT_UNITS = ((1.0, "万元"), (1e4, "亿元"), (1e8, "万亿元"))


def amount_parts(x: float | None) -> tuple[str, str]:
    """Given a 万元 total, returns (number, unit) for a metric card, in the smallest unit that
    keeps the number below 10,000: 9,876.54 万元; 1,234.57 亿元 for 12,345,678.9 万元; 万亿元
    above; ("—", "万元") when missing."""
    if x is None:
        return "—", "万元"
    for scale, unit in _AMOUNT_UNITS:
        if round(abs(x) / scale, 2) < 10_000:
            break
    return f"{x / scale:,.2f}", unit


def fmt_amount(x: float | None) -> str:
    """Formats a 万元 total compactly: "1,234.57 亿元" for 12,345,678.9 万元 (see `amount_parts`)."""
    number, unit = amount_parts(x)
    return number if x is None else f"{number} {unit}"


def fmt_pct(x: float | None, digits: int = 1) -> str:
    """Formats a fraction as a percentage: 0.956 -> 95.6%; — when missing."""
    return "—" if x is None else f"{x * 100:.{digits}f}%"


def fmt_score(x: float | None) -> str:
    """Formats a score: 92.38 分; — when missing."""
    return "—" if x is None else f"{x:.2f} 分"


def fmt_num(x: float | None, digits: int = 2) -> str:
    """Formats a number with thousands separators and fixed decimals; — when missing."""
    return "—" if x is None else f"{x:,.{digits}f}"


def fmt_int(x: int | None) -> str:
    """Formats a count with thousands separators."""
    return "—" if x is None else f"{int(x):,}"


def region_labels(df: pl.DataFrame) -> pl.DataFrame:
    """Given a frame with province/city/county, fills their gaps with readable labels: a unit at
    city level gets county （本级）; one whose region was not recognised gets （未识别）."""
    exprs = []
    if "province" in df.columns:
        exprs.append(pl.col("province").fill_null(UNKNOWN_REGION))
    if "city" in df.columns:
        exprs.append(
            pl.when(pl.col("city").is_not_null()).then(pl.col("city"))
            .when(pl.col("province").is_not_null() if "province" in df.columns else pl.lit(False))
            .then(pl.lit(SAME_LEVEL)).otherwise(pl.lit(UNKNOWN_REGION)).alias("city")
        )
    if "county" in df.columns:
        known = pl.col("province").is_not_null() if "province" in df.columns else pl.lit(True)
        exprs.append(
            pl.when(pl.col("county").is_not_null()).then(pl.col("county"))
            .when(known).then(pl.lit(SAME_LEVEL)).otherwise(pl.lit(UNKNOWN_REGION)).alias("county")
        )
    return df.with_columns(exprs) if exprs else df


def with_region(df: pl.DataFrame) -> pl.DataFrame:
    """Given a frame with province/city/county, adds `region`: "河北省 / 唐山市 / 南堡开发区"
    (gaps labelled as in `region_labels`), one compact column for tables."""
    r = region_labels(df)
    return df.with_columns(
        pl.concat_str([r["province"], r["city"], r["county"]], separator=" / ").alias("region")
    )


def label_codes(df: pl.DataFrame, status_labels: dict[str, str] = STATUS_LABELS) -> pl.DataFrame:
    """Replaces code columns (kind, status, layout) with their Chinese labels, where present.
    `status` means a flag's status unless other labels are given (documents: DOC_STATUS_LABELS)."""
    maps = {"kind": KIND_LABELS, "status": status_labels, "layout": LAYOUT_LABELS}
    exprs = [
        pl.col(c).replace_strict(m, default=pl.col(c), return_dtype=pl.String).alias(c)
        for c, m in maps.items() if c in df.columns and df.schema[c] == pl.String
    ]
    return df.with_columns(exprs) if exprs else df


def for_export(df: pl.DataFrame, spec: dict[str, Col] | None) -> pl.DataFrame:
    """Given a frame and its spec, returns the spec's columns in order, renamed to their labels."""
    if not spec:
        return df
    cols = [c for c in spec if c in df.columns and spec[c].kind != "link"]
    return df.select(cols).rename({c: spec[c].label for c in cols})


def widget_key(prefix: str, value: str | None) -> str:
    """Given a prefix and a parent value (a unit, a project id), returns a widget key that changes
    with the parent, so a child table's row selection starts empty when its parent changes."""
    import hashlib

    return f"{prefix}_{hashlib.sha1(str(value).encode('utf-8')).hexdigest()[:10]}"


def source_block(text: str, key: str, height: int | None = None) -> None:
    """Shows document text (source lines, a parse report) as plain text — never Markdown or
    HTML — in a monospace block that wraps long lines and, given a height in px, scrolls within
    it. st.text in a keyed container (style.css gives `.st-key-src_…` blocks their font): st.code
    ran its syntax highlighter over every line, half a second in the browser for a thousand."""
    import streamlit as st

    with st.container(key=f"src_{key}", border=True, **({"height": height} if height else {})):
        # st.text strips the text: an invisible word joiner keeps the first line's right-aligned number
        st.text("\u2060" + text if text[:1].isspace() else text)


def source_text(lines: pl.DataFrame) -> str:
    """Given source lines (line, text), returns them as plain text with right-aligned line
    numbers; tabs (cell boundaries) shown as │. Shown with `source_block`, never as HTML."""
    if lines.height == 0:
        return ""
    width = len(str(lines["line"].max()))
    return "\n".join(f"{ln:>{width}} │ {_cells(t)}" for ln, t in lines.select("line", "text").iter_rows())


def _cells(text: str | None) -> str:
    return (text or "").strip(chr(9)).replace(chr(9), " │ ")


def source_context_text(lines: pl.DataFrame) -> str:
    """Given source lines with their part (line, text, part: header / before / flagged, as from
    data.flag_source_context), returns them as plain text: ▶ marks the flagged rows, ⋯ stands
    where lines are left out. Shown with `source_block`, never as HTML."""
    if lines.height == 0:
        return ""
    width = len(str(lines["line"].max()))
    out, prev = [], None
    for ln, t, part in lines.select("line", "text", "part").iter_rows():
        if prev is not None and ln > prev + 1:
            out.append(f"  {'⋯':>{width}} │")
        out.append(f"{'▶' if part == 'flagged' else ' '} {ln:>{width}} │ {_cells(t)}")
        prev = ln
    return "\n".join(out)


# Every indicator field with its Chinese name, in the order the indicator view lists them.
INDICATOR_FIELDS = {
    "seq": "序号",
    "level1": "一级指标",
    "level1_raw": "一级指标（原文）",
    "level1_points": "一级指标分值",
    "level2": "二级指标",
    "level2_raw": "二级指标（原文）",
    "name": "三级指标",
    "description": "指标解释",
    "declared_type": "指标值类型（原文）",
    "is_quantitative": "定量指标",
    "target_raw": "指标值（原文）",
    "target_op": "指标值运算符",
    "target_value": "指标值（数值）",
    "target_unit": "指标值单位",
    "last_year_raw": "上年完成值",
    "weight": "分值",
    "actual_raw": "实际完成值（原文）",
    "actual_value": "实际完成值（数值）",
    "actual_unit": "实际完成值单位",
    "score_reported": "自评得分",
    "score_expected": "规则得分",
    "scoring_rule": "评（扣）分标准",
    "basis": "指标值设置依据",
    "evidence": "佐证资料",
    "reason": "未完成原因分析",
    "source_line": "原文行号",
    "source_sheet": "工作表",
    "indicator_id": "指标编号",
}

# Fields whose text is often too long for a table cell: shown in full below it.
LONG_INDICATOR_FIELDS = {
    "description": "指标解释", "scoring_rule": "评（扣）分标准", "basis": "指标值设置依据",
    "evidence": "佐证资料", "reason": "未完成原因分析",
}


# Parsed values and the field holding their unit: shown in that unit (a 100% target is
# stored as the fraction 1.0 and must not read "1").
VALUE_UNITS = {"target_value": "target_unit", "actual_value": "actual_unit"}


def _plain(v: float) -> str:
    return f"{v:,.4f}".rstrip("0").rstrip(".")


def value_with_unit(v: float | None, unit: str | None) -> str:
    """Given a parsed value and its unit, returns it as written in that unit: (1.0, "%") ->
    "100%", (0.985, "%") -> "98.5%", (5.2, "万人") -> "5.2万人", (95, None) -> "95"; None -> —."""
    if v is None:
        return "—"
    if unit == "%":
        return f"{_plain(v * 100)}%"
    return _plain(float(v)) + (unit or "")


def field_table(row: dict, fields: dict[str, str]) -> pl.DataFrame:
    """Given one record and {field: Chinese name}, returns a two-column table (字段, 内容) of
    the fields present, values as text (empty shown as —); a parsed value in its unit."""
    def show(k: str, v) -> str:
        if k in VALUE_UNITS and isinstance(v, (int, float)) and not isinstance(v, bool):
            return value_with_unit(v, row.get(VALUE_UNITS[k]))
        if v is None or v == "":
            return "—"
        if isinstance(v, bool):
            return "是" if v else "否"
        if isinstance(v, float):
            return _plain(v)
        return str(v)

    return pl.DataFrame(
        {"字段": [label for k, label in fields.items() if k in row],
         "内容": [show(k, row[k]) for k in fields if k in row]},
        schema={"字段": pl.String, "内容": pl.String},
    )


# Document text on the screen is text, never markup or a link. Two helpers, one per renderer:
# `md_escape` for Streamlit's Markdown (st.caption, st.subheader, st.markdown, message boxes,
# progress text) and `plot_text` / `plot_frame` for Plotly labels, legends and hover text.

_MD_SPECIAL = set("\\`*_{}[]()<>#+-.!|~$:@&=")
# GFM turns http://…, www.… and a@b.c into links *after* parsing, so backslash escapes do not
# stop it; an invisible WORD JOINER (U+2060) inside "://", "www." and before "@" does.
_JOINER = "\u2060"
_AUTOLINK = re.compile(r"(?i)(?<=[a-z])(?=://)|(?<=\bwww)(?=\.)|(?<=mailto)(?=:)|(?<=xmpp)(?=:)|(?=@)")


def _break_links(text: str) -> str:
    return _AUTOLINK.sub(_JOINER, text)


def md_escape(value) -> str:
    """Given a document-derived value (unit, project or indicator name, a flag's message, a file
    name), returns it safe for Streamlit Markdown: Markdown and HTML characters escaped, URLs,
    www. addresses and e-mail addresses kept from becoming links, on one line — it shows as
    written. (Headings with such text also need anchor=False: their anchor is a link.)"""
    text = _break_links("" if value is None else str(value))
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in text).replace("\r", " ").replace("\n", " ")


def plot_text(value) -> str | None:
    """Given a document-derived label, returns it safe for Plotly, which renders <a href>,
    <span style>, <br> and entities in labels, legends and hover text: & < > as entities (shown
    as written), links broken as in md_escape. None stays None."""
    if value is None:
        return None
    text = str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _break_links(text)


def plot_frame(df: pl.DataFrame, columns) -> pl.DataFrame:
    """Given a frame and its document-text columns (units, project names …), returns it with
    those columns made safe for Plotly (`plot_text` on each distinct value); missing columns
    are skipped."""
    exprs = []
    for c in columns:
        if c in df.columns and df.schema[c] == pl.String:
            mapping = {v: plot_text(v) for v in df.get_column(c).drop_nulls().unique().to_list()}
            mapping = {k: v for k, v in mapping.items() if k != v}
            if mapping:
                exprs.append(pl.col(c).replace(mapping))
    return df.with_columns(exprs) if exprs else df
