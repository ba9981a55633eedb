"""The readers, one per file type (the registry): each turns a file into rows of raw cells."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from jixiao.model import ReadError, ReadResult


def _text(path: Path) -> ReadResult:
    from jixiao.readers.text import read_text

    return read_text(path)


def _xlsx(path: Path) -> ReadResult:
    from jixiao.readers.xlsx import read_xlsx

    return read_xlsx(path)


def _docx(path: Path) -> ReadResult:
    from jixiao.readers.docx import read_docx

    return read_docx(path)


READERS: dict[str, Callable[[Path], ReadResult]] = {
    ".txt": _text,
    ".md": _text,
    ".xlsx": _xlsx,
    ".docx": _docx,
}

LAYOUT_OF = {".txt": "text", ".md": "text", ".xlsx": "xlsx", ".docx": "docx"}


def read_file(path: Path) -> ReadResult:
    """Given a path with a supported suffix, returns what its reader read; raises ReadError."""
    reader = READERS.get(Path(path).suffix.lower())
    if reader is None:
        raise ReadError(f"不支持的文件类型 {Path(path).suffix or '(none)'} (unsupported file type)")
    try:
        return reader(path)
    except ReadError:
        raise
    except Exception as e:  # any library failure on a damaged file is a read error, not a crash
        raise ReadError(f"文件损坏或格式不对，无法读取 ({type(e).__name__}: {e})") from None
