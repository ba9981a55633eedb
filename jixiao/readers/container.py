"""The zip container check shared by the Office readers (xlsx and docx are zip archives)."""

from __future__ import annotations

import io
import zipfile

from jixiao.model import ReadError

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")

# kind -> (what it is called, its legacy format, the member that betrays the *other* kind, that kind)
_KINDS = {
    "xlsx": ("an xlsx workbook", "legacy Excel 97-2003 (.xls/OLE2) file, not xlsx; save it as .xlsx",
             "word/document.xml", "this is a Word .docx document, not an xlsx workbook"),
    "docx": ("a .docx document", "legacy Word 97-2003 (.doc/OLE2) file, not .docx; save it as .docx",
             "xl/workbook.xml", "this is an Excel workbook, not a Word .docx document"),
}


def check_zip(name: str, data: bytes, kind: str) -> set[str]:
    """Given a file name, its bytes and "xlsx" or "docx", returns the zip member names, or
    raises ReadError saying why the bytes are not a complete archive of that kind."""
    what, legacy, other_member, other_message = _KINDS[kind]
    if not data:
        raise ReadError(f"{name}: empty file (0 bytes), not {what}")
    if data.startswith(OLE_MAGIC):
        if ENCRYPTION_INFO in data:
            raise ReadError(f"{name}: password-protected (encrypted) file; save it without a password")
        raise ReadError(f"{name}: {legacy}")
    if not data.startswith(ZIP_MAGIC):
        raise ReadError(f"{name}: not {what} (not a zip archive; maybe text or another format)")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, NotImplementedError, OSError) as exc:
        raise ReadError(f"{name}: corrupt or truncated {kind} (zip archive unreadable: {exc})") from None
    if other_member in names:
        raise ReadError(f"{name}: {other_message}")
    return names
