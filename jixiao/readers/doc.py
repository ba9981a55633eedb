"""Read a Word 97-2003 .doc: msdoc2docx (pure Python) converts it to .docx in a temporary
folder, which the .docx reader then reads; the folder is always removed.

The OLE2 container is checked first (encrypted, stream sizes within `limits`), and the
converter runs with the same stream limit; its output goes through every .docx check.
"""

from __future__ import annotations

import struct
import tempfile
from pathlib import Path

from jixiao.model import ReadError, ReadResult
from jixiao.readers import limits
from jixiao.readers.container import ENCRYPTED, open_ole_streams, read_bytes, reason


def read_doc(path: Path, data: bytes | None = None) -> ReadResult:
    """Given a .doc file (and its bytes if already read), returns its paragraphs and table
    rows as the .docx reader gives them (`sheet` "表格N", `line` counting body blocks).

    Raises `ReadError` (Chinese) for an encrypted, damaged or oversized document.
    """
    from doc2docx import convert
    from doc2docx.cfb import CompoundFileLimits
    from doc2docx.errors import EncryptedDocumentError

    from jixiao.readers.docx import read_docx

    name = Path(path).name
    data = read_bytes(path) if data is None else data
    sizes = open_ole_streams(name, data, ("WordDocument", "0Table", "1Table", "Data"), "Word 文档")
    if "WordDocument" not in sizes:
        raise ReadError(f"{name}：不是 Word 97-2003 文档（没有 WordDocument 数据）")
    if _fib_encrypted(data):
        raise ReadError(f"{name}：{ENCRYPTED}")
    with tempfile.TemporaryDirectory(prefix="jixiao-doc-") as tmp:
        source, target = Path(tmp) / "in.doc", Path(tmp) / "out.docx"
        source.write_bytes(data)
        try:
            convert(source, target, limits=CompoundFileLimits(
                max_input_bytes=max(len(data), 1), max_stream_bytes=limits.MAX_STREAM_BYTES))
        except EncryptedDocumentError:
            raise ReadError(f"{name}：{ENCRYPTED}") from None
        except Exception as exc:
            raise ReadError(f"{name}：无法读取该 Word 97-2003 文档，文件可能已损坏 ({reason(exc)})") from None
        result = read_docx(Path(name), target.read_bytes())  # messages name the .doc
    result.layout = "doc"
    return result


def _fib_encrypted(data: bytes) -> bool:
    """Given the .doc bytes, returns whether the Word FIB says the document is encrypted
    (fEncrypted, bit 8 of the flags at offset 10 of the WordDocument stream)."""
    import io

    import olefile

    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            head = ole.openstream("WordDocument").read(12)
        return len(head) >= 12 and bool(struct.unpack("<H", head[10:12])[0] & 0x0100)
    except Exception:
        return False
