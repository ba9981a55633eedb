"""Container checks shared by the readers: what a file is (by its bytes, not its name), and
whether a zip (xlsx / docx / ods) or OLE2 (.xls / .doc) container is safe to open.

Every refusal is a `ReadError` with a Chinese reason (English detail in parentheses).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from jixiao.model import ReadError
from jixiao.readers import limits

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")
ENCRYPTED = "文件有密码保护（已加密），无法读取；请去掉密码后另存再导入"

_KIND_NAMES = {"xlsx": "Excel 工作簿 (.xlsx)", "docx": "Word 文档 (.docx)", "ods": "OpenDocument 表格 (.ods)"}
# The member that makes a zip an archive of that kind.
_KIND_MEMBER = {"xlsx": "xl/workbook.xml", "docx": "word/document.xml", "ods": "content.xml"}
_ODF_MIMETYPES = {
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
    b"application/vnd.oasis.opendocument.text": "odt",
}


def read_bytes(path: Path) -> bytes:
    """Given a path, returns the file's bytes, or raises ReadError if it cannot be opened."""
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise ReadError(f"无法打开文件 ({exc.strerror or exc})") from None


NESTED_TOO_DEEP = "文档结构嵌套过深（如表格中套表格数百层），文件可能已损坏或被构造，未读取 (nesting too deep)"


def too_deep(exc: BaseException) -> bool:
    """Given a library exception, returns whether it is a parser's nesting limit (lxml refuses
    XML deeper than 256 levels, Python recursion) rather than damage."""
    return isinstance(exc, RecursionError) or "Excessive depth" in str(exc)


def reason(exc: BaseException) -> str:
    """Given a library exception, returns a one-line English reason without a traceback."""
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0][:200]}" if text else type(exc).__name__


def reraise_interrupts(exc: BaseException) -> None:
    """Given a caught exception, re-raises it if it is an interrupt rather than a read failure
    (a Rust panic inside calamine is pyo3's PanicException, a BaseException, so readers
    catch broadly and call this first)."""
    from jixiao.readers.limits import ParseTimeout

    if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit, ParseTimeout)):
        raise exc


# ---------------------------------------------------------------- what is this file?


def sniff(data: bytes, suffix: str = "") -> str:
    """Given a file's bytes (and its suffix, used only where the bytes cannot tell), returns
    its type: pdf, doc, xls, xlsx, docx, ods, odt, html, xml2003, rtf, image, program,
    archive, encrypted, ole, zip or text. Never raises."""
    suffix = suffix.lower().lstrip(".")
    if not data:
        return "text"  # the text reader says "empty"
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if data.startswith(OLE_MAGIC):
        return _sniff_ole(data, suffix)
    if data.startswith(ZIP_MAGIC) or data.startswith(b"PK\x05\x06"):
        return _sniff_zip(data, suffix)
    if data.startswith(b"{\\rtf"):
        return "rtf"
    if data.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*", b"BM")):
        return "image"
    # Windows .exe/.dll, Linux ELF, macOS Mach-O: a program under a document's name.
    if data.startswith((b"MZ", b"\x7fELF", b"\xfe\xed\xfa", b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe")):
        return "program"
    if data.startswith((b"7z\xbc\xaf\x27\x1c", b"Rar!\x1a\x07", b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00")):
        return "archive"
    head = _text_head(data)
    if head.startswith("<?xml") and "urn:schemas-microsoft-com:office:spreadsheet" in head:
        return "xml2003"
    if head.startswith(("<html", "<!doctype html", "<table", "<meta", "<head", "<body", "<style", "<!--")) or (
        head.startswith("<?xml") and "<html" in head
    ):
        if head.startswith("<!--") and "<html" not in head and "<table" not in head:
            return "text"
        return "html"
    return "text"


def _text_head(data: bytes) -> str:
    """Given bytes, returns their first characters lower-cased, BOM and leading space removed."""
    head = data[:4096]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", errors="ignore")
    else:
        text = head.decode("latin-1")
    return text.lstrip("\ufeff\xef\xbb\xbf \t\r\n\x00").lower()


def _sniff_ole(data: bytes, suffix: str) -> str:
    """Given OLE2 bytes, returns doc / xls / encrypted by stream name, else a guess."""
    try:
        import olefile

        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            streams = {"/".join(entry) for entry in ole.listdir(streams=True, storages=False)}
    except Exception:
        streams = set()
    if "EncryptionInfo" in streams or "EncryptedPackage" in streams:
        return "encrypted"
    if "WordDocument" in streams:
        return "doc"
    if "Workbook" in streams or "Book" in streams:
        return "xls"
    if not streams and ENCRYPTION_INFO in data:
        return "encrypted"
    if suffix in ("doc", "wps", "dot"):
        return "doc"
    if suffix in ("xls", "et", "xlt"):
        return "xls"
    return "ole"


def _sniff_zip(data: bytes, suffix: str) -> str:
    """Given zip bytes, returns xlsx / docx / ods / odt by member, else a guess by suffix."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                mimetype = archive.read("mimetype")[:100].strip()
                if mimetype in _ODF_MIMETYPES:
                    return _ODF_MIMETYPES[mimetype]
    except Exception:
        names = set()
    if "xl/workbook.xml" in names or any(n.startswith("xl/") for n in names):
        return "xlsx"
    if "word/document.xml" in names or any(n.startswith("word/") for n in names):
        return "docx"
    if "content.xml" in names and suffix in ("ods", "odt"):
        return suffix
    if not names and suffix in ("xlsx", "xlsm", "docx", "ods"):
        return "xlsx" if suffix == "xlsm" else suffix  # a damaged archive: its reader says so
    return "zip"


# ---------------------------------------------------------------- zip containers


def check_zip(name: str, data: bytes, kind: str, *, verify: bool = False) -> set[str]:
    """Given a file name, its bytes and "xlsx", "docx" or "ods", returns the zip member names.

    Raises ReadError (Chinese) when the bytes are not a complete archive of that kind, or when
    the archive would expand beyond the limits: too many members, too many bytes in total, or a
    member compressed suspiciously well (a zip bomb). With `verify`, every member is also
    decompressed once, in bounded chunks, so a member whose header understates its size (or
    whose data is corrupt) is refused before a library that trusts the header reads it.
    """
    what = _KIND_NAMES[kind]
    if not data:
        raise ReadError(f"{name}：文件为空（0 字节），不是{what} (empty file)")
    if data.startswith(OLE_MAGIC):
        if ENCRYPTION_INFO in data:
            raise ReadError(f"{name}：{ENCRYPTED} (encrypted OLE2 package)")
        legacy = "旧版 Word 97-2003 (.doc)" if kind == "docx" else "旧版 Excel 97-2003 (.xls)"
        raise ReadError(f"{name}：这是{legacy}文件，不是{what} (legacy OLE2 file)")
    if not data.startswith(ZIP_MAGIC):
        raise ReadError(f"{name}：不是{what}（不是 zip 压缩包，可能是文本或其他格式） (not a zip archive)")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, NotImplementedError, OSError) as exc:
        raise ReadError(f"{name}：文件损坏或不完整，无法打开（{what}的 zip 压缩包损坏） ({reason(exc)})") from None
    with archive:
        names = {info.filename for info in infos}
        _check_expansion(name, infos)
        ours = _holds_kind(kind, names)
        for other in _KIND_MEMBER:
            if other != kind and not ours and _holds_kind(other, names):
                raise ReadError(f"{name}：这是{_KIND_NAMES[other]}，不是{what}")
        if not ours:
            raise ReadError(f"{name}：zip 压缩包里没有{what}的内容，不是{what} (no {_KIND_MEMBER[kind]})")
        if verify:
            _verify_members(name, archive, infos, what)
    return names


def _holds_kind(kind: str, names: set[str]) -> bool:
    """Given a kind and an archive's member names, returns whether it holds that kind's main part.
    A Word package names its main part in its relationships, and not always word/document.xml
    (Word Online saves word/document2.xml): a package with relationships and word/ members is
    one, and the reader follows the relationship."""
    if _KIND_MEMBER[kind] in names:
        return True
    return kind == "docx" and "_rels/.rels" in names and any(n.startswith("word/") for n in names)


def _check_expansion(name: str, infos: list[zipfile.ZipInfo]) -> None:
    """Given an archive's entries, raises ReadError if they declare more than the limits allow."""
    if len(infos) > limits.MAX_ZIP_MEMBERS:
        raise ReadError(f"{name}：压缩包内文件过多（{len(infos):,} 个，上限 {limits.MAX_ZIP_MEMBERS:,} 个），未读取")
    total = 0
    for info in infos:
        total += info.file_size
        if total > limits.MAX_UNZIPPED_BYTES:
            raise ReadError(f"{name}：文件解压后过大（超过 {limits.mb(limits.MAX_UNZIPPED_BYTES)} 上限），"
                            f"为防止内存耗尽未读取 (uncompressed size over the limit)")
        if info.file_size > limits.ZIP_RATIO_MIN_BYTES:
            ratio = info.file_size / max(1, info.compress_size)
            if ratio > limits.MAX_ZIP_RATIO:
                raise ReadError(f"{name}：压缩包内「{info.filename[:80]}」压缩比异常（{ratio:,.0f}:1，上限 "
                                f"{limits.MAX_ZIP_RATIO}:1），疑似压缩炸弹，未读取 (zip bomb)")


def _verify_members(name: str, archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], what: str) -> None:
    """Given an open archive, decompresses every member in chunks; raises ReadError when a
    member is corrupt or holds more than its header declares (zipfile stops at the declared
    size and then fails the CRC check)."""
    for info in infos:
        if info.filename.endswith("/"):  # a folder (ZipInfo.is_dir fails on a damaged, empty name)
            continue
        try:
            with archive.open(info) as member:
                while member.read(1 << 20):
                    pass
        except Exception as exc:  # zlib.error, BadZipFile (CRC), EOFError …
            raise ReadError(f"{name}：文件损坏或不完整，压缩包内「{info.filename[:80]}」无法解压（{what}） "
                            f"({reason(exc)})") from None


# ---------------------------------------------------------------- OLE2 containers


def open_ole_streams(name: str, data: bytes, wanted: tuple[str, ...], what: str) -> dict[str, int]:
    """Given OLE2 bytes and stream names, returns {stream: size} for those present.

    Raises ReadError when the container is unreadable, is an encrypted package, or a stream
    exceeds `limits.MAX_STREAM_BYTES`.
    """
    import olefile

    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            streams = {"/".join(entry) for entry in ole.listdir(streams=True, storages=False)}
            if "EncryptionInfo" in streams or "EncryptedPackage" in streams:
                raise ReadError(f"{name}：{ENCRYPTED}")
            sizes = {s: ole.get_size(s) for s in wanted if s in streams}
    except ReadError:
        raise
    except Exception as exc:
        raise ReadError(f"{name}：文件损坏或不完整，无法打开（{what}的 OLE2 复合文件损坏） (OLE2 container unreadable: {reason(exc)})") from None
    for stream, size in sizes.items():
        if size > limits.MAX_STREAM_BYTES:
            raise ReadError(f"{name}：{what}的「{stream}」数据过大（{limits.mb(size)}，上限 "
                            f"{limits.mb(limits.MAX_STREAM_BYTES)}），未读取")
    return sizes
