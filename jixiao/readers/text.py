"""Text extracted from PDF or Word (.txt, .md): decode, then split into rows of cells.

Two shapes occur and are told apart per block of consecutive non-blank lines:
- tab-separated rows, one table row per line (most extractions);
- one cell per line, each cell a line starting with a TAB and rows separated by blank lines
  (Word tables saved as text); a line without the leading TAB continues the previous cell.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from jixiao.model import ReadError, ReadResult, Row

_BOMS = [
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]


def decode(data: bytes) -> tuple[str, str, list[str]]:
    """Given the bytes of a text file, returns (text, encoding name, problems).

    BOMs first, then UTF-8, then strict GB18030 (a superset of GBK/GB2312), then
    charset-normalizer's best guess. A UTF-8 (or BOM-marked) text with a few invalid bytes is
    decoded with U+FFFD in their place and the problems say where: one damaged character must
    not lose the whole document, nor turn it into GB18030 mojibake. Raises ReadError for
    binary data or no workable encoding.
    """
    if not data.strip():
        raise ReadError("文件为空 (empty file)")
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc), enc, []
            except UnicodeDecodeError as e:
                text = data.decode(enc, errors="replace")
                if _mostly_readable(text):
                    return text, enc, [_bad_bytes_problem(text, {"utf-8-sig": "UTF-8"}.get(enc, enc.upper()))]
                raise ReadError(f"文件声明了 {enc} 编码但无法解码 (undecodable {enc}): {e.reason}") from None
    if b"\x00" in data[:65536]:
        raise ReadError("不是文本文件：含有二进制数据 (binary data, not text)")
    try:
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError:
        text = data.decode("utf-8", errors="replace")
        if _mostly_utf8(data, text):
            return text, "utf-8", [_bad_bytes_problem(text, "UTF-8")]
    try:
        return data.decode("gb18030"), "gb18030", []
    except UnicodeDecodeError:
        pass
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
    except Exception:  # a detector failure is just "no guess"
        best = None
    if best is not None and best.encoding:
        return str(best), best.encoding, []
    raise ReadError("无法识别文件编码 (unknown text encoding)")


def _mostly_utf8(data: bytes, text: str) -> bool:
    """Given bytes and their UTF-8 decoding with replacement, returns whether the invalid
    sequences are a few slips in real UTF-8 (many valid multi-byte characters, few bad ones).
    GBK/GB18030 text decoded as UTF-8 is mostly invalid, so it does not pass."""
    bad = text.count("\ufffd")
    multibyte = len(text) - len(text.encode("ascii", "ignore")) - bad  # the non-ASCII characters
    return bad <= max(16, len(text) // 1000) and multibyte >= 20 * bad


def _mostly_readable(text: str) -> bool:
    """Given a text decoded with replacement, returns whether replacements are rare."""
    return text.count("\ufffd") <= max(16, len(text) // 1000)


def _bad_bytes_problem(text: str, enc: str) -> str:
    """Given a text with U+FFFD replacements, returns the problem line naming where they are."""
    lines = [k for k, line in enumerate(text.split("\n"), start=1) if "\ufffd" in line]
    where = "、".join(f"第{k}行" for k in lines[:5]) + ("等" if len(lines) > 5 else "")
    return (f"有 {text.count(chr(0xFFFD))} 处字节不是有效的 {enc} 编码（{where}），已替换为 �，"
            f"这些位置的内容可能不完整 (invalid {enc} bytes replaced)")


_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\ufffd]")


def _control_share(text: str) -> float:
    sample = text[:20000]
    return len(_CONTROL.findall(sample)) / max(1, len(sample))


def split_rows(lines: list[str]) -> list[Row]:
    """Given decoded lines, returns the rows of cells with their 1-based source line."""
    rows: list[Row] = []
    i, n = 0, len(lines)
    # A line holding only a TAB is an empty cell (one-cell-per-line layout), not a blank line.
    blank = [not ln.strip(" \u3000\r\f\v") for ln in lines]
    while i < n:
        if blank[i]:
            i += 1
            continue
        j = i
        while j < n and not blank[j]:
            j += 1
        rows.extend(_block_rows(lines, i, j))
        i = j
    return rows


def _is_cell_line(line: str) -> bool:
    return line.startswith("\t") and "\t" not in line[1:]


def _block_rows(lines: list[str], start: int, end: int) -> list[Row]:
    block = lines[start:end]
    # Tabular unless every TAB-holding line is a one-cell line (and there is one).
    if (any("\t" in ln.lstrip("\t") or ("\t" in ln and not ln.startswith("\t")) for ln in block)
            or not any(_is_cell_line(ln) for ln in block)):
        strip = str.strip
        return [Row(tuple(map(strip, ln.split("\t"))), start + k) for k, ln in enumerate(block, start=1)]
    # One cell per line: leading lines without a TAB (a title before the table) stand alone.
    out: list[Row] = []
    # Each cell as its lines' texts, joined by a space at the end (a cell grown line by line
    # was copied whole for every line: quadratic in a long cell's lines).
    cells: list[list[str]] = []
    first_line = None
    for k, ln in enumerate(block):
        if not ln.strip() and not ln.startswith("\t"):
            continue
        if _is_cell_line(ln) or ln.strip("\t ") == "":
            if first_line is None:
                first_line = start + k + 1
            cells.append([ln[1:].strip()])
        elif cells:
            cells[-1].append(ln.strip())
        else:
            out.append(Row((ln.strip(),), start + k + 1))
    if cells and first_line is not None:  # (set with the first cell)
        out.append(Row(tuple(" ".join(filter(None, parts)) for parts in cells), first_line))
    return out


def text_layout(lines: list[str]) -> str:
    """Given decoded lines, returns "text_cell_per_line" when one-cell lines outnumber
    tab-separated rows, else "text_tabular"."""
    single = multi = 0
    for ln in lines:  # one pass: a cell line has one TAB, leading; a tab-separated row two or more
        tabs = ln.count("\t")
        if tabs >= 2:
            multi += 1
        elif tabs == 1 and ln[0] == "\t":
            single += 1
    return "text_cell_per_line" if single > multi else "text_tabular"


# Suffixes that promise a binary document: the text reader only sees such a file when its
# bytes are none of them.
_PROMISED = {".pdf": "PDF", ".doc": "Word", ".docx": "Word", ".wps": "WPS 文字", ".xls": "Excel",
             ".xlsx": "Excel", ".xlsm": "Excel", ".et": "WPS 表格", ".ods": "OpenDocument 表格"}


def read_text(path: Path, data: bytes | None = None) -> ReadResult:
    """Given a text file (and its bytes if already read), returns its rows and lines; raises
    ReadError if it is not text."""
    data = Path(path).read_bytes() if data is None else data
    promised = _PROMISED.get(Path(path).suffix.lower())
    try:
        text, enc, problems = decode(data)
        if _control_share(text) > 0.02:
            raise ReadError(f"不是文本文件：含有大量控制字符 (binary or corrupt text, decoded as {enc})")
    except ReadError as e:
        # Binary data under a document's name is no "text file" to the user: say what it is not.
        if promised and data.strip():
            raise ReadError(f"扩展名为 {Path(path).suffix}，但内容不是 {promised} 文件（无法识别的格式），"
                            f"文件可能已损坏或被改名 (unrecognised binary data)") from None
        raise e
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    notes = [] if enc in ("utf-8", "utf-8-sig") else [f"编码识别为 {enc}"]
    return ReadResult(rows=split_rows(lines), text_lines=lines, encoding=enc, notes=notes,
                      layout=text_layout(lines), problems=problems)
