"""Text helpers shared by the report writers: the one phone-masking import, numbers as the
bureau writes them, Chinese ordinals, and names that are safe as file and sheet names."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from jixiao.privacy import mask_phones as _mask_phones

# Control characters that Word and Excel refuse in XML (tab and newline are kept).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def clean(value: object) -> str:
    """Given any value, returns it as text fit for a report: phone numbers masked, characters
    that Office files cannot hold removed; None becomes ""."""
    if value is None:
        return ""
    return _CONTROL.sub("", _mask_phones(str(value)))


def join_lines(text: str | None) -> str:
    """Given a text with the hard line breaks of a docstring, returns one paragraph: lines are
    joined without a space between Chinese characters, with one between Latin words."""
    lines = [ln.strip() for ln in (text or "").splitlines() if ln.strip()]
    out = ""
    for ln in lines:
        if out and out[-1].isascii() and out[-1].isalnum() and ln[0].isascii() and ln[0].isalnum():
            out += " "
        out += ln
    return out


def num(x: float | None, digits: int = 2, empty: str = "—") -> str:
    """Given a number, returns it with thousands separators and at most `digits` decimals,
    trailing zeros dropped: 1930.7 -> "1,930.7", 10.0 -> "10"; None -> "—"."""
    if x is None:
        return empty
    s = f"{x:,.{digits}f}"
    return s.rstrip("0").rstrip(".") if "." in s else s


def money(x: float | None, empty: str = "—") -> str:
    """Given an amount in 万元, returns it with two decimals: 1930.7 -> "1,930.70万元"."""
    return empty if x is None else f"{x:,.2f}万元"


def pct(x: float | None, empty: str = "—") -> str:
    """Given a fraction, returns a percentage with two decimals: 0.98 -> "98.00%"."""
    return empty if x is None else f"{x * 100:.2f}%"


def cn_date(d: date) -> str:
    """Given a date, returns it as the bureau writes it: 2026年12月1日."""
    return f"{d.year}年{d.month}月{d.day}日"


_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """Given 1 ≤ n ≤ 9999, returns it in Chinese numerals: 1 -> 一, 12 -> 十二, 21 -> 二十一,
    105 -> 一百零五."""
    if n <= 0 or n >= 10000:
        return str(n)
    if n < 10:
        return _DIGITS[n]
    if n < 20:
        return "十" + (_DIGITS[n % 10] if n % 10 else "")
    out, zero = "", False
    for value, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = n // value % 10
        if d:
            if zero and out:
                out += "零"
            out += _DIGITS[d] + name
            zero = False
        elif out:
            zero = True
    return out


def years_text(years: list[int]) -> str:
    """Given the report's years, returns them for a title: [2025] -> "2025年度",
    [2023, 2024, 2025] -> "2023—2025年度", [2023, 2025] -> "2023、2025年度", [] -> ""."""
    ys = sorted(set(years))
    if not ys:
        return ""
    if len(ys) == 1:
        return f"{ys[0]}年度"
    if ys == list(range(ys[0], ys[-1] + 1)):
        return f"{ys[0]}—{ys[-1]}年度"
    return "、".join(str(y) for y in ys) + "年度"


# Characters Windows refuses in file names, and names it reserves whatever the suffix.
_BAD_FILE = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$", re.I)


def safe_file_stem(name: str, max_len: int = 80) -> str:
    """Given a unit or project name, returns a file name stem that Windows, macOS and Linux
    accept: no <>:"/\\|?* or control characters, no trailing dot or space, not a reserved
    device name (CON, NUL, COM1 …), at most `max_len` characters; never empty."""
    s = unicodedata.normalize("NFC", name or "")
    s = _BAD_FILE.sub("_", s)
    s = re.sub(r"\s+", " ", s).strip()[:max_len].rstrip(" .")
    if not s:
        s = "未命名单位"
    if _RESERVED.match(s):
        s = "_" + s
    return s


# Excel forbids these in sheet names; the full-width forms read the same in Chinese
# (巴财企[2022]38号 -> 巴财企〔2022〕38号, the way official document numbers are written).
_SHEET_MAP = str.maketrans({"[": "〔", "]": "〕", ":": "：", "*": "＊", "?": "？", "/": "／", "\\": "＼"})
_SHEET_MAX = 31


def sheet_name(name: str, used: set[str]) -> str:
    """Given a wanted sheet name and the (lower-cased) names already used in the workbook,
    returns a valid, unique name — no [ ] : * ? / \\, not starting or ending with an
    apostrophe, not "History", at most 31 characters — and adds it to `used`."""
    s = _CONTROL.sub("", (name or "").translate(_SHEET_MAP))
    s = re.sub(r"\s+", " ", s).strip().strip("'").strip() or "工作表"
    if s.lower() == "history":
        s = "History表"
    base, k = s[:_SHEET_MAX], 1
    cand = base
    while cand.lower() in used:
        k += 1
        tail = f"～{k}"
        cand = base[: _SHEET_MAX - len(tail)].rstrip("'") + tail
    used.add(cand.lower())
    return cand
