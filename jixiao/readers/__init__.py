"""The readers, one per file type (the registry): each turns a file into rows of raw cells.

The type comes from the file's bytes (`container.sniff`), never from its name: a PDF named
.doc is read as a PDF, the HTML table a web system saves as .xls is read as HTML, an .xls
that is really a zip workbook is read as xlsx. A folder walk takes the files whose suffix
looks like a document (`DOCUMENT_SUFFIXES`) and sniffs each; a file named on the command line
is sniffed whatever its suffix.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Callable

from jixiao.model import ReadError, ReadResult
from jixiao.readers.container import (ENCRYPTED, NESTED_TOO_DEEP, read_bytes, reason, reraise_interrupts, sniff,
                                      too_deep)


def _lazy(module: str, function: str) -> Callable[[Path, bytes], ReadResult]:
    """Given a reader module and function name, returns the reader, imported at first use
    (pdfplumber, xlrd, msdoc2docx load only when such a file comes)."""
    def read(path: Path, data: bytes) -> ReadResult:
        return getattr(importlib.import_module(f"jixiao.readers.{module}"), function)(path, data)

    read.__name__ = function
    return read


# Detected type -> reader. Every reader takes (path, bytes) and returns a ReadResult or
# raises ReadError with a Chinese reason.
READERS: dict[str, Callable[[Path, bytes], ReadResult]] = {
    "text": _lazy("text", "read_text"),
    "xlsx": _lazy("xlsx", "read_xlsx"),
    "docx": _lazy("docx", "read_docx"),
    "pdf": _lazy("pdf", "read_pdf"),
    "doc": _lazy("doc", "read_doc"),
    "xls": _lazy("xls", "read_xls"),
    "ods": _lazy("ods", "read_ods"),
    "html": _lazy("html", "read_html"),
    "xml2003": _lazy("xml2003", "read_xml2003"),
}

# Detected type -> documents.layout when the reader names no finer shape.
LAYOUT_OF = {
    "text": "text", "xlsx": "xlsx", "docx": "docx", "pdf": "pdf", "doc": "doc", "xls": "xls",
    "ods": "ods", "html": "html_table", "xml2003": "xml2003",
}

# Detected types that are refused, with the reason the user sees.
REFUSED = {
    "encrypted": ENCRYPTED,
    "rtf": "RTF 格式暂不支持；请在 Word/WPS 中另存为 .docx 或 .doc 后再导入",
    "image": "这是图片文件，不支持图片识别（OCR）；请导入带文字的 PDF、Word 或 Excel 文件",
    "odt": "OpenDocument 文字文档 (.odt) 暂不支持；请另存为 .docx 后再导入",
    "ole": "无法识别的 Office 97-2003 文件（既不是 Word 也不是 Excel）",
    "zip": "这是 zip 压缩包，不是 Excel / Word / ODS 文件；请解压后导入其中的文件",
    "program": "这是程序文件（可执行文件），不是文档，未读取",
    "archive": "这是压缩包（7z / rar / gz 等），不是文档；请解压后导入其中的文件",
}

# Suffixes a folder walk takes (then sniffed): what a bureau's inbox holds.
DOCUMENT_SUFFIXES = frozenset({
    ".txt", ".md", ".text", ".tsv", ".xlsx", ".xlsm", ".docx", ".pdf", ".doc", ".xls", ".ods",
    ".htm", ".html", ".wps", ".et",
})
# What the upload page accepts (names only; the content decides the reader).
UPLOAD_SUFFIXES = tuple(sorted(s.lstrip(".") for s in DOCUMENT_SUFFIXES))


def detect(path: Path, data: bytes | None = None) -> str:
    """Given a path (and its bytes if already read), returns its detected type (a READERS or
    REFUSED key)."""
    if data is None:
        data = read_bytes(path)
    return sniff(data, Path(path).suffix)


def read_file(path: Path, data: bytes | None = None) -> ReadResult:
    """Given a path (and its bytes if already read), returns what its reader read, with
    `file_type` set to the detected type; raises ReadError with a Chinese reason."""
    path = Path(path)
    if data is None:
        data = read_bytes(path)
    kind = sniff(data, path.suffix)
    if kind in REFUSED:
        raise ReadError(REFUSED[kind])
    try:
        result = READERS[kind](path, data)
    except ReadError:
        raise
    except BaseException as e:  # any library failure on a damaged file is a read error, not a crash
        reraise_interrupts(e)
        if too_deep(e):
            raise ReadError(NESTED_TOO_DEEP) from None
        raise ReadError(f"文件损坏或格式不对，无法读取 ({reason(e)})") from None
    result.file_type = kind
    if result.layout is None:
        result.layout = LAYOUT_OF[kind]
    return result
