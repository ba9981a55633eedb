"""Phone numbers out of everything we store or show: one function, `mask_phones`, and its
vectorised use over frames, `mask_frame`.

Documents carry the phone numbers of the people who filled them in (填表人 … 联系电话), and
sometimes inside a goal or a unit's name. Every form is masked as ``***``:

- Chinese mobiles, 11 digits from 13x–19x, bare or split 3-4-4 / 4-3-4 by spaces or hyphens
  (or dots, 138.0013.8000), with +86 / 0086 / (+86) / a bare 86 in front;
- landlines: an area code (010, 02x, 0xxx; bracketed, also full-width （0951）) and a local
  number of 7–8 digits starting 2–9, joined by nothing, a space or a hyphen, with an extension
  (-801, 转801, ext. 801), also +86-951-2034567, and more local numbers listed after it
  (0951-2034567/2034568、2034569);
- 400 / 800 service numbers (400-810-8888, 4008108888);
- anything with seven or more digits right after a phone word (电话, 手机, 传真, 座机, 热线,
  联系方式, Tel, Fax …): the seeds hold a mistyped 10-digit 联系电话: 1877717130.

Full-width digits and punctuation (１３８, ＋８６, －, （ ）, the ideographic space) are read as
their ASCII forms, and so are digits written as Chinese numerals one by one (一三八〇〇一三八〇〇〇,
零九五一, 幺 for 1 as phone numbers are spoken): every form above, so written, is masked too.
What must survive is left alone: a number glued to other digits or to a decimal point (a
12-digit adcode, a 20-digit 项目编码, 13800138000.50), a number followed by a money or percent
unit (元, 万, 亿, %), years, dates and amounts. Knowingly masked: an 11-digit
run starting 13–19 that is not a phone (indistinguishable from one), and a 0-prefixed run that
reads as area code + local number.
"""

from __future__ import annotations

import re

import polars as pl

MASK = "***"
# Bumped whenever the masking learns a new form: older databases are masked again on opening
# (jixiao.db.init_schema).
MASK_VERSION = 3

# Full-width and typographic variants -> ASCII, one character for one, so offsets line up.
_FOLD = str.maketrans({
    **{chr(0xFF10 + k): str(k) for k in range(10)},
    "＋": "+", "－": "-", "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "―": "-", "−": "-",
    "（": "(", "）": ")", "．": ".", "\u3000": " ", "\xa0": " ", "：": ":",
    # digits as Chinese numerals, one character each (a year 二〇二四 stays below seven digits)
    **{ch: str(k) for k, ch in enumerate("〇一二三四五六七八九")}, "零": "0", "幺": "1",
})

_SEP = r"(?: ?- ?| )"                            # between digit groups: a hyphen (spaced or not) or a space
_LEFT = r"(?<![0-9])(?<![0-9]\.)"                # not the tail of a longer number or of a decimal
_RIGHT = r"(?![0-9])(?!\.[0-9])(?! ?(?:元|万|亿|%|‰))"  # not followed by more digits, decimals or a unit

_CC = r"(?:\+|00) ?86"                           # country code
_MOBILE = re.compile(
    _LEFT
    + rf"(?:(?:{_CC}|\((?:\+|00)? ?86\)){_SEP}?|86)?"
    + rf"1[3-9][0-9](?:{_SEP}?[0-9]{{4}}{_SEP}?[0-9]{{4}}|[0-9]{_SEP}?[0-9]{{3}}{_SEP}?[0-9]{{4}}|\.[0-9]{{4}}\.[0-9]{{4}})"
    + _RIGHT
)
_AREA = r"(?:10|2[0-9]|[3-9][0-9]{2})"           # without its leading 0
_LOCAL = rf"[2-9][0-9]{{2,3}}{_SEP}?[0-9]{{4}}"
_EXT = r"(?:(?: ?[-转] ?| ?(?:ext|EXT|Ext|x|分机)\.? ?)[0-9]{1,6}(?![0-9]))?"
_LOCAL_EXT = _LOCAL + rf"(?:{_RIGHT}{_EXT})" + _RIGHT  # a local number, its extension, nothing glued on
_LANDLINE = re.compile(
    _LEFT
    + rf"(?:\(0{_AREA}\) ?|0{_AREA}{_SEP}?|{_CC}{_SEP}?(?:\(0\) ?)?{_AREA}{_SEP}?)"
    + _LOCAL_EXT
)
# More local numbers listed after a landline share its area code: 0951-2034567/2034568、2034569.
_LISTED = re.compile(r" ?(?:[/、,，;；]|或) ?(?P<n>" + _LOCAL_EXT + ")")
# 400/800 numbers are written 400-000-1990, 400 000 1990, 400-0001990 or 4000001990; a
# separator after the sixth digit alone is a code's (400000-1990-0001), not a phone's.
_SERVICE = re.compile(_LEFT + rf"[48]00(?:{_SEP}[0-9]{{3}}{_SEP}?|[0-9]{{3}})[0-9]{{4}}" + _RIGHT)

# A phone word, then (after a colon, brackets or spaces) numbers: each with 7+ digits is masked.
_KEYWORD = re.compile(
    r"(?:电话|手机|座机|传真|热线|联系方式|联系号码|(?i:tel|phone|mobile|fax)|☎|📞)(?:号码|号)?[\t :()]{0,4}"
    r"(?P<run>\+?\(?[0-9](?:[ ()\-]{0,3}[0-9])*(?:[/、,，;；] ?\+?\(?[0-9](?:[ ()\-]{0,3}[0-9])*)*)"
)
_NUMBER = re.compile(r"\+?\(?[0-9](?:[ ()\-]{0,3}[0-9])*")

# A cheap superset for frames: seven digits linked by at most three separator characters.
# Every form above contains such a chain; strings without one are never run through Python.
# (A plain string holding the characters themselves: Python, Polars and DuckDB read it alike.)
PREFILTER = ("[0-9０-９〇零一二三四五六七八九幺](?:[ \t\u3000\xa0\\-－‐‑‒–—―−.．()（）+＋]{0,3}"
             "[0-9０-９〇零一二三四五六七八九幺]){6}")
PREFILTER_RE = re.compile(PREFILTER)


def _spans(folded: str) -> list[tuple[int, int]]:
    spans = [m.span() for pat in (_MOBILE, _SERVICE) for m in pat.finditer(folded)]
    for m in _LANDLINE.finditer(folded):  # a landline, and the local numbers listed after it
        spans.append(m.span())
        end = m.end()
        while (n := _LISTED.match(folded, end)) is not None:
            spans.append(n.span("n"))
            end = n.end()
    # After a phone word, a number of another shape (a mistyped 10-digit mobile, a bare local
    # number) is masked whole, unless a form above already covers part of it: then that form's
    # match alone is masked, so "电话：0951-2034567 2026年" keeps its year.
    extra = []
    for m in _KEYWORD.finditer(folded):
        start = m.start("run")
        for n in _NUMBER.finditer(m.group("run")):
            a, b = start + n.start(), start + n.end()
            if sum(ch.isdigit() for ch in n.group()) >= 7 and not any(s < b and a < e for s, e in spans):
                extra.append((a, b))
    return spans + extra


def mask_phones(text: str | None) -> str | None:
    """Given a text (None passes through), returns it with every phone number replaced by ***."""
    if not text or not PREFILTER_RE.search(text):
        return text
    folded = text.translate(_FOLD)
    spans = sorted(_spans(folded))
    if not spans:
        return text
    merged: list[list[int]] = []
    for start, end in spans:  # two forms may overlap (a landline inside a keyword run): one mask
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out, pos = [], 0
    for start, end in merged:
        out += [text[pos:start], MASK]
        pos = end
    out.append(text[pos:])
    return "".join(out)


# Columns that identify rather than describe: never document text, never masked.
KEEP_COLUMNS = frozenset({"sha256", "text_sha256", "source_key"})


def maskable(column: str) -> bool:
    """Given a column name, returns whether it holds text to mask (ids and hashes do not)."""
    return column not in KEEP_COLUMNS and not column.endswith("_id")


def mask_frame(df: pl.DataFrame) -> pl.DataFrame:
    """Given a frame, returns it with phone numbers masked in every String column except ids
    and hashes. One vectorised Polars pass (the prefilter over each row's text columns, joined
    by newlines, which the prefilter never crosses) finds the rows worth a look; only their
    values, deduplicated, go through `mask_phones`."""
    cols = [c for c, t in df.schema.items() if t == pl.String and maskable(c)]
    if not cols or df.height == 0:
        return df
    joined = pl.concat_str([pl.col(c).fill_null("") for c in cols], separator="\n")
    rows = df.select(joined.str.contains(PREFILTER)).to_series()
    if not rows.any():
        return df
    sub = df.filter(rows)
    exprs = []
    for c in cols:
        mapping = {v: mask_phones(v) for v in sub.get_column(c).drop_nulls().unique().to_list()}
        mapping = {k: v for k, v in mapping.items() if k != v}
        if mapping:
            exprs.append(pl.col(c).replace(mapping))
    return df.with_columns(exprs) if exprs else df
