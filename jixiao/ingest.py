"""Ingest: files -> reader -> interpreter -> frames -> DuckDB, with a report per file.

One bad file never stops the others: every failure becomes a `failed` document with a
message, a document with an incomplete project is `partial` and keeps its complete projects,
and content loaded before is skipped.

A document's identity is twofold:

- **where it comes from** (`documents.source_key`): the file's normalised absolute path
  (symlinks and `..` resolved, so a folder given relatively and then absolutely is the same
  folder), or for an upload `<scope>:<file name>` ("upload:目标表.xlsx"), not the random
  temporary folder it was written to — stored as its SHA-256 (`db.identity_key`), since a file
  name may hold a phone number and the key must stay exact. A file whose source held other
  content before replaces that older version; the path shown (`source_path`, phone numbers
  masked) is the absolute path, or the file name for an upload.
- **what it holds**: the SHA-256 of its bytes (`sha256`, the first 16 hex digits are the
  doc_id) and, for text files, of its decoded text (`text_sha256`: lines joined by \n, Unicode
  NFC, trailing blank lines dropped), so one document saved as UTF-8 and as GB18030 is loaded
  once. Content already loaded is skipped.

What is skipped is never deleted in the same run: the older version of a file is only deleted
when no other file of the run still holds that content (copy a.txt to b.txt, edit a.txt: the old
a.txt content stays loaded, recorded under b.txt). Each document's deletions ride in its own
load transaction, so a document the database refuses keeps its older version.
"""

from __future__ import annotations

import gc
import hashlib
from bisect import bisect_right
import multiprocessing
import os
import signal
import stat
import threading
import unicodedata
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager, nullcontext, suppress
from dataclasses import dataclass, field
from datetime import datetime
from itertools import chain
from pathlib import Path
from typing import Callable, Iterable, Iterator

import polars as pl

from jixiao import db, schema
from jixiao.interpret import interpret
from jixiao.model import ParsedDocument, ParsedProject, ReadError, ReadResult
from jixiao.privacy import PREFILTER_RE, mask_frame, mask_phones
from jixiao.readers import DOCUMENT_SUFFIXES, LAYOUT_OF, limits, read_file
from jixiao.regions import resolve, region_note

# Workers start fresh ("spawn"), never forked: a fork of a process whose DuckDB or Polars
# threads hold a lock deadlocks the child (seen: a test run hung in ingest's pool map).
_SPAWN = multiprocessing.get_context("spawn")

MAX_BYTES = int(os.environ.get("JIXIAO_MAX_FILE_MB", "64")) * 1024 * 1024

# Cyclic garbage collection while parsing: the parse allocates millions of short-lived objects,
# freed by reference counting (a document's pass leaves no cycle behind), while the parse's
# caches hold hundreds of thousands of long-lived ones, which every full collection walks
# again. With Python's default thresholds (700, 10, 10) collections took a sixth of the CPU time
# of a 400-file corpus sample, with (50_000, 20, 100) a twentieth. At 500,000 a worker's young
# generation is the live set of its job (a folder's parses, freed together once sent) and the
# parse's cache growth: on 1,700 corpus files no collection ran at all, and a worker took 0.8–1.8
# CPU-s (5–11%) less than at 50,000 (paired runs, both at once on the two cores).
PARSE_GC_THRESHOLDS = (500_000, 20, 100)

# How much write-ahead log a load gathers before DuckDB checkpoints it into the file.
LOAD_CHECKPOINT = "256MB"
# Documents per load transaction for bulk loads (`jixiao bench`, `--batch-size`): at the benchmark's
# 17,906 files a commit every 1,000 documents cost the loading process 6 CPU-s less than one every
# 200 (fewer, larger appends: DuckDB writes whole row groups straight to the file instead of
# through its log), for about 100 MB more memory; the parse workers get that CPU.
BULK_BATCH = 1000


_gc_lock = threading.Lock()
_gc_users: list[tuple[int, int, int]] = []  # the thresholds before, while any ingest in this process parses


@contextmanager
def parsing_gc() -> Iterator[None]:
    """Within: cyclic garbage collection at PARSE_GC_THRESHOLDS; the thresholds before are
    restored when the last of the ingests running at once (dashboard uploads: threads) ends."""
    with _gc_lock:
        if not _gc_users:
            _gc_users.append(gc.get_threshold())
            gc.set_threshold(*PARSE_GC_THRESHOLDS)
        else:
            _gc_users.append(_gc_users[0])
    try:
        yield
    finally:
        with _gc_lock:
            before = _gc_users.pop()
            if not _gc_users:
                gc.set_threshold(*before)


def _worker_init() -> None:
    """A parse worker collects garbage at PARSE_GC_THRESHOLDS for its whole life, and loads what
    every parse needs (the readers' modules, the vocabulary, the gazetteer) as it starts, while
    the main process is still listing the files."""
    gc.set_threshold(*PARSE_GC_THRESHOLDS)
    import importlib

    from jixiao.readers import READERS
    from jixiao.regions import resolve as _resolve
    from jixiao.vocabulary import current

    try:  # a warm-up only: a reader that fails to import says so when a file needs it
        for name in READERS:
            importlib.import_module(f"jixiao.readers.{name}")
        current()
        _resolve("北京市")
    except Exception:
        pass


@dataclass
class FileReport:
    """What happened to one file: status ok / partial / failed / skipped, counts and why."""

    path: str
    status: str
    projects: int = 0
    indicators: int = 0
    message: str | None = None
    doc_id: str | None = None

    def line(self) -> str:
        """Returns the one-line terminal report for this file (control characters in a file
        name or message shown escaped, \\n for a newline: one file, one line)."""
        counts = f"projects={self.projects} indicators={self.indicators}"
        path, message = _one_line(self.path), _one_line(self.message)
        if self.status == "ok":
            return f"ok       {path}  {counts}"
        if self.status == "partial":
            return f"partial  {path}  {counts}  {message}"
        if self.status == "skipped":
            return f"skipped  {path}  {message}"
        return f"failed   {path}  {message}"


# A report quotes what it read (a project's name, a cell): a name of four million characters in a
# hostile file is not quoted whole.
MESSAGE_MAX, REPORT_LINE_MAX = 2000, 500


def _capped(text: str | None, limit: int) -> str | None:
    """Given a text (None passes through) and a length, returns it cut to about that length,
    saying how long it was."""
    if text is None or len(text) <= limit:
        return text
    return f"{text[:limit]}…（共 {len(text):,} 个字符，此处截断）"


def _one_line(text: str | None) -> str:
    """Given a text, returns it with control characters escaped as Python writes them."""
    text = "" if text is None else str(text)
    return "".join(repr(ch)[1:-1] if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch for ch in text)


@dataclass
class Parsed:
    """A parsed file ready to load: its tables as columns (table -> column -> values, empty for a
    file that could not even be read) and its report. `frames` makes them Polars frames; the
    loader builds one frame per table for a whole batch instead (`batch_frames`): a frame per
    document and table cost more than parsing its indicators.

    From a parse worker the tables come columnar instead (`rows`: table -> the rows of one frame
    per table shared by the worker's whole job, as frame, offset, length; `tables` is then
    empty): a Polars frame crosses to the loader as Arrow buffers, where lists of Python
    values were pickled and unpickled one object at a time."""

    report: FileReport
    sha256: str
    tables: dict[str, dict[str, list]]
    text_sha256: str | None = None  # text files: the digest of the decoded text (see text_digest)
    rows: dict[str, tuple[pl.DataFrame, int, int]] | None = None

    @property
    def readable(self) -> bool:
        """Returns False for a file that could not even be read (nothing to load)."""
        return bool(self.tables) or bool(self.rows)

    @property
    def frames(self) -> dict[str, pl.DataFrame]:
        """Returns the tables as Polars frames (schema.py's columns and types)."""
        return batch_frames([self])


_SCHEMAS = {"documents": schema.DOCUMENTS, "projects": schema.PROJECTS, "indicators": schema.INDICATORS,
            "source_lines": schema.SOURCE_LINES}


def batch_frames(parsed: list[Parsed]) -> dict[str, pl.DataFrame]:
    """Given parsed files, returns one frame per table holding all their rows, in order (a
    table only where some file has it), each column in one chunk. Columnar files' rows are
    sliced from their job's frames (adjacent files' rows as one slice)."""
    out = {}
    for t in db.TABLES:
        pieces: list[pl.DataFrame] = []
        lists: list[dict[str, list]] = []  # files with columns of values, not yet made a frame
        run: list = []  # [frame, offset, length] of adjacent columnar files' rows

        def close_lists() -> None:
            if lists:
                # Series by Series: a third less than pl.DataFrame(dict, schema=…), same frame.
                pieces.append(pl.DataFrame([pl.Series(c, list(chain.from_iterable(part[c] for part in lists)),
                                                      dtype=dtype, strict=True)
                                            for c, dtype in _SCHEMAS[t].items()]))
                lists.clear()

        def close_run() -> None:
            if run:
                pieces.append(run[0].slice(run[1], run[2]))
                run.clear()

        for p in parsed:
            if p.rows and t in p.rows:
                close_lists()
                df, offset, n = p.rows[t]
                if run and run[0] is df and run[1] + run[2] == offset:
                    run[2] += n
                else:
                    close_run()
                    run.extend((df, offset, n))
            elif t in p.tables:
                close_run()
                lists.append(p.tables[t])
        close_lists()
        close_run()
        if len(pieces) == 1:
            out[t] = pieces[0].rechunk()
        elif pieces:
            out[t] = pl.concat(pieces, rechunk=True)
    return out


def columnar(parsed: list[Parsed]) -> list[Parsed]:
    """Given parsed files (columns of values), returns them columnar: one frame per table for
    them all, each file holding its rows of it (`Parsed.rows`). Where a value does not fit its
    column the files are returned as they came: the loader meets it as it did before."""
    try:
        frames = batch_frames(parsed)
    except Exception:
        return parsed
    offsets = dict.fromkeys(frames, 0)
    for p in parsed:
        if not p.tables:
            continue
        rows = {}
        for t, cols in p.tables.items():
            n = len(next(iter(cols.values()))) if cols else 0
            rows[t] = (frames[t], offsets[t], n)
            offsets[t] += n
        p.rows, p.tables = rows, {}
    return parsed


@dataclass(frozen=True)
class Source:
    """Where a file comes from: the file on disk, its identity and the path shown for it."""

    path: Path
    key: str
    shown: str


def source_of(path: Path | str, scope: str | None = None, resolved: Path | None = None) -> Source:
    """Given a file and an optional upload scope, returns its Source: in a scope the identity is
    "<scope>:<file name>" and the file name is shown; else the identity is the normalised
    absolute path (`resolved`, when the caller has it already), and shown. The key is the
    identity's digest (db.identity_key)."""
    path = Path(path)
    if scope:
        return Source(path, db.identity_key(f"{scope}:{path.name}"), path.name)
    full = str(resolved or path.resolve())
    return Source(path, db.identity_key(full), full)


def text_digest(result: ReadResult) -> str | None:
    """Given what a reader read, returns for a decoded text file the SHA-256 of its text (lines
    joined by \n, Unicode NFC, trailing blank lines dropped) — the same for every encoding of one
    document — and None for other files."""
    if not result.encoding:
        return None
    text = unicodedata.normalize("NFC", "\n".join(result.text_lines)).rstrip("\n")
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def collect_files(paths: Iterable[str | Path]) -> tuple[list[Path], list[FileReport]]:
    """Given files and folders, returns the files to read (folders walked, sorted, taking
    document-like suffixes; a file named directly whatever its suffix — its content decides
    the reader) and reports for paths that do not exist, and for links in a folder that lead
    nowhere or out of it."""
    found, bad = _collect(paths)
    return [f for f, _ in found], bad


def _collect(paths: Iterable[str | Path]) -> tuple[list[tuple[Path, Path]], list[FileReport]]:
    """`collect_files`, each file with its real path (what its identity is made of)."""
    files: list[tuple[Path, Path]] = []
    bad: list[FileReport] = []
    seen: set[Path] = set()  # the same file reached twice (a folder given relatively and absolutely)
    folders: dict[Path, Path] = {}

    def add(f: Path, full: Path) -> None:
        if full not in seen:
            seen.add(full)
            files.append((f, full))

    def real(f: Path) -> Path:
        # A file that is no link is its folder's real path and its own name: one realpath per
        # folder, not one per file (a system call per path component: 0.8 s for 17,906 files).
        d = folders.get(f.parent)
        if d is None:
            d = folders[f.parent] = f.parent.resolve()
        return d / f.name

    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            inside, links = p.resolve(), []
            for f in sorted(p.rglob("*")):  # rglob does not follow linked folders: no loops
                if f.suffix.lower() not in DOCUMENT_SUFFIXES or f.name.startswith((".", "~$")):
                    continue
                try:
                    mode = f.lstat().st_mode
                except FileNotFoundError:  # gone since the folder was listed
                    continue
                except OSError as e:
                    bad.append(FileReport(str(f), "failed", message=f"无法读取文件：{e.strerror or e}"))
                    continue
                if stat.S_ISLNK(mode):
                    links.append(f)
                elif stat.S_ISREG(mode):
                    add(f, real(f))
            # Links last, so a file reached directly keeps its own name. A link out of the folder
            # is refused: it would copy any file the loading user may read into the database.
            for f in links:
                target = f.resolve()
                if not target.exists():
                    bad.append(FileReport(str(f), "failed", message="链接指向的文件不存在 (dangling link)"))
                elif not target.is_relative_to(inside):
                    bad.append(FileReport(str(f), "failed", message="链接指向所选文件夹以外的文件，未导入；"
                                          "请复制该文件到文件夹中或直接指定它 (link leaves the folder)"))
                elif target.is_file():
                    add(f, target)
        elif p.is_file():
            add(p, p.resolve())
        else:
            bad.append(FileReport(str(p), "failed", message="文件不存在 (no such file or folder)"))
    return files, bad


def _doc_row(path: Path, source: Source, sha: str, size: int, **kw) -> dict:
    row = {c: None for c in schema.DOCUMENTS}
    row.update(doc_id=sha[:16], source_path=source.shown, source_key=source.key, sha256=sha, size_bytes=size,
               file_type=path.suffix.lower().lstrip("."), layout=LAYOUT_OF.get(path.suffix.lower().lstrip(".")),
               synthetic=False, loaded_at=datetime.now().replace(microsecond=0),
               n_projects=0, n_indicators=0, confidence=0.0)
    row.update(kw)
    return row


def _frames(doc: dict, projects: list[dict], indicators: dict[str, list] | None = None,
            lines: dict[str, list] | None = None) -> dict[str, dict[str, list]]:
    """Given a document's rows (its indicators and source lines as columns), returns its tables
    as columns."""
    return {
        "documents": {c: [doc[c]] for c in schema.DOCUMENTS},
        "projects": {c: [row[c] for row in projects] for c in schema.PROJECTS},
        "indicators": indicators or {c: [] for c in schema.INDICATORS},
        "source_lines": lines or {c: [] for c in schema.SOURCE_LINES},
    }


def _source_lines(doc_id: str, text_lines: list[str]) -> dict[str, list]:
    """Given a document's display lines, returns its `source_lines` columns (phone numbers
    masked, texts cut at 2,000 characters)."""
    texts = text_lines
    numbers: list[int] | range = range(1, len(texts) + 1)
    joined = "\n".join(texts)
    if "!" in joined:
        numbers, texts = [], []
        for k, text in enumerate(text_lines, start=1):
            # xlsx display lines are "sheet!row<TAB>cells": keep the Excel row as the line number.
            if "!" in text and "!" in text.split("\t", 1)[0]:
                head, _, rest = text.partition("\t")
                sheet, _, row = head.rpartition("!")
                if row.isdigit():
                    numbers.append(int(row))
                    texts.append(f"[{sheet}] {rest}")
                    continue
            numbers.append(k)
            texts.append(text)
        joined = "\n".join(texts)
    # Which lines may hold a phone number: one prefilter search over the whole text, lines
    # joined by \n (the prefilter's digit chains never cross it), instead of one per line.
    suspect: set[int] = set()
    hits = [m.start() for m in PREFILTER_RE.finditer(joined)]
    if hits:
        starts, pos = [], 0
        for text in texts:
            starts.append(pos)
            pos += len(text) + 1
        suspect = {bisect_right(starts, h) - 1 for h in hits}
    out = list(texts)  # (copied, patched where needed: a Python loop over every line cost more)
    for k in suspect:
        out[k] = mask_phones(out[k])
    if out and max(map(len, out)) > 2000:
        out = [text[:2000] for text in out]
    return {"doc_id": [doc_id] * len(texts), "line": list(numbers), "text": out}


def parse_file(path: Path, *, synthetic: bool = False, data: bytes | None = None,
               source: Source | None = None) -> Parsed:
    """Given a file (and where it comes from; default: its own path), returns its parsed
    frames and report (phone numbers masked in the report and source lines; the loader masks
    every other text column); never raises for bad input."""
    path = Path(path)
    parsed = _parse_file(path, source or source_of(path), synthetic=synthetic, data=data)
    # Phone numbers out of the report. (Its frames are masked as a batch's frames are built,
    # in `_write`, the one way into the database.)
    parsed.report.message = mask_phones(parsed.report.message)
    return parsed


def _parse_file(path: Path, source: Source, *, synthetic: bool = False, data: bytes | None = None) -> Parsed:
    """Given a file and where it comes from, returns its frames, the source's identity in its
    documents row (set as the row is made: a frame changed afterwards cost 6% of the parse)."""
    path = Path(path)
    try:
        if data is None:
            size = path.stat().st_size
            if size > MAX_BYTES:
                sha = hashlib.sha256(path.name.encode() + str(size).encode()).hexdigest()
                msg = f"文件过大（{size / 1048576:.1f} MB，上限 {MAX_BYTES // 1048576} MB），未读取"
                doc = _doc_row(path, source, sha, size, status="failed", message=msg, synthetic=synthetic)
                return Parsed(FileReport(str(path), "failed", message=msg, doc_id=doc["doc_id"]), sha, _frames(doc, []))
            data = path.read_bytes()
        sha = hashlib.sha256(data).hexdigest()
    except OSError as e:
        return Parsed(FileReport(str(path), "failed", message=f"无法读取文件：{e.strerror or e}"), "", {})
    doc_id = sha[:16]
    try:
        with limits.deadline(limits.MAX_PARSE_SECONDS):
            result = read_file(path, data)
            parsed = interpret(result.rows)
    except limits.ParseTimeout:
        return _failed(path, source, sha, len(data), synthetic, f"解析超时：{limits.MAX_PARSE_SECONDS} 秒内未能读完，"
                       "未导入（文件异常复杂或已损坏；其他文件照常导入）")
    except ReadError as e:
        return _failed(path, source, sha, len(data), synthetic, str(e))
    except Exception as e:  # a parser bug must not stop the other files; say what happened
        return _failed(path, source, sha, len(data), synthetic, f"解析出错（{type(e).__name__}: {e}）")
    text_sha = text_digest(result)
    out = _build(path, source, sha, len(data), doc_id, parsed, result.text_lines, result.encoding, result.notes,
                 result.layout, synthetic, result.problems, result.file_type, text_sha)
    out.text_sha256 = text_sha
    return out


def _failed(path: Path, source: Source, sha: str, size: int, synthetic: bool, message: str) -> Parsed:
    """Given a file that could not be parsed and why, returns its failed parse: a report and
    a documents row saying so."""
    doc = _doc_row(path, source, sha, size, status="failed", message=message, synthetic=synthetic)
    return Parsed(FileReport(str(path), "failed", message=message, doc_id=sha[:16]), sha, _frames(doc, []))


def _failed_outside(source: Source, synthetic: bool, message: str) -> Parsed:
    """Given a file whose parse gave no answer (its worker died or was killed) and why,
    returns its failed parse, the file's digest taken here."""
    try:
        data = source.path.read_bytes()
    except OSError as e:
        return Parsed(FileReport(str(source.path), "failed", message=f"{message}（{e.strerror or e}）"), "", {})
    return _failed(source.path, source, hashlib.sha256(data).hexdigest(), len(data), synthetic, message)


def _build(path: Path, source: Source, sha: str, size: int, doc_id: str, parsed: ParsedDocument,
           text_lines: list[str], encoding: str | None, reader_notes: list[str], layout: str | None,
           synthetic: bool, reader_problems: list[str] = (), file_type: str | None = None,
           text_sha256: str | None = None) -> Parsed:
    """Given a parsed document, returns its frames and report: the one place where projects and
    indicators become database rows."""
    projects = []
    report_lines = list(reader_notes) + list(reader_problems)
    complete = parsed.complete_projects
    for seq, p in enumerate(complete, start=1):
        pid = f"{doc_id}-{seq:03d}"
        row, note = _project_row(p, pid, doc_id, seq, parsed.doc_text, synthetic)
        if note:
            report_lines.append(f"项目「{p.label}」：{note}")
        projects.append(row)
        report_lines.append(f"项目「{p.label}」（第{p.source_line}行起）：{len(p.indicators)} 个指标")
    indicators = _indicator_columns(complete, doc_id)
    report_lines.extend(parsed.incomplete)
    report_lines.extend(n.render() for n in parsed.problems)
    report_lines.extend(n.render() for n in parsed.notes)
    report_lines.append(f"解析把握度 {parsed.confidence:.2f}")
    problems = [n.render() for n in parsed.problems]
    if not complete:
        status = "failed"
        # what the reader could not read may be why (a page skipped, bytes replaced): said too
        message = "；".join([*(parsed.incomplete or ["未找到绩效目标表或绩效自评表（没有可识别的项目和指标）"]),
                            *reader_problems])
    elif parsed.incomplete or problems or reader_problems:  # what was not understood or not read makes it partial
        status, message = "partial", "；".join([*parsed.incomplete, *problems, *reader_problems])
    else:
        status, message = "ok", None
    message = _capped(message, MESSAGE_MAX)
    doc = _doc_row(
        path, source, sha, size, status=status, text_sha256=text_sha256, message=message, encoding=encoding,
        kind=parsed.kind if complete else None, n_projects=len(projects), n_indicators=len(indicators["seq"]),
        parse_report="\n".join(_capped(line, REPORT_LINE_MAX) for line in report_lines), synthetic=synthetic,
        confidence=parsed.confidence if complete else 0.0,
    )
    doc["layout"] = layout or doc["layout"]
    doc["file_type"] = file_type or doc["file_type"]  # what the content is (an HTML table named .xls is html)
    report = FileReport(str(path), status, len(projects), len(indicators["seq"]), message, doc_id)
    return Parsed(report, sha, _frames(doc, projects, indicators, _source_lines(doc_id, text_lines)))


def _project_row(p: ParsedProject, pid: str, doc_id: str, seq: int, doc_text: str,
                 synthetic: bool) -> tuple[dict, str | None]:
    """Given a parsed project, returns its `projects` row and the region note (None when resolved)."""
    f, m = p.fields, p.money
    unit, dept = f.get("unit"), f.get("department")
    region = resolve(unit, dept, p.title, doc_text)
    note = None if region.province else region_note([unit, dept, p.title], region)
    self_eval = p.kind == "self_eval"
    return {
        "project_id": pid, "doc_id": doc_id, "seq": seq, "kind": p.kind, "year": p.year,
        "province": region.province, "city": region.city, "county": region.county,
        "department": dept, "unit": unit, "unit_canonical": unit, "scope": p.scope,
        "name": f.get("name") or (p.title or ""), "code": f.get("code"),
        "budget": m.budget, "budget_adjusted": m.adjusted if self_eval else None,
        "executed": m.executed if self_eval else None,
        "execution_rate": m.rate if self_eval else None,
        "execution_rate_reported": m.rate_reported if self_eval else None,
        "budget_points": m.points if self_eval else None,
        "budget_score_reported": m.score if self_eval else None,
        "total_score_reported": f.get("total_score_reported"),
        "fund_fiscal": m.fiscal, "fund_carryover": m.carryover, "fund_other": m.other,
        "budget_written": m.budget_written,
        "fund_use": f.get("fund_use"), "spend_plan": f.get("spend_plan"),
        "goal": f.get("goal"), "goal_long": f.get("goal_long"), "goal_summary": f.get("goal_summary"),
        "region_note": note, "synthetic": synthetic,
        "source_line": p.source_line, "source_sheet": p.source_sheet,
    }, note


_INDICATOR_ORDER = ("indicator_id", "project_id", "seq", "level1", "level2", "level1_raw", "level2_raw",
                    "level1_points", "name", "description", "target_raw", "target_op", "target_value",
                    "target_unit", "declared_type", "is_quantitative", "weight", "actual_raw", "actual_value",
                    "actual_unit", "score_reported", "scoring_rule", "last_year_raw", "last_year_value", "basis",
                    "evidence", "reason", "source_line", "source_sheet")


def _indicator_columns(projects: list[ParsedProject], doc_id: str) -> dict[str, list]:
    """Given a document's complete projects (values already parsed by the interpreter), returns
    its `indicators` columns (one tuple per indicator, turned into columns: a dict per
    indicator cost a fifth of the build)."""
    rows = []
    add = rows.append
    for pseq, p in enumerate(projects, start=1):
        pid = f"{doc_id}-{pseq:03d}"
        for k, ind in enumerate(p.indicators, start=1):
            get, t, a = ind.cells.get, ind.target, ind.actual
            add((f"{pid}-{k:03d}", pid, k, ind.level1, ind.level2, ind.level1_raw, ind.level2_raw,
                 ind.level1_points, ind.name, get("description") or None, get("target") or None, t.op, t.value,
                 t.unit, get("type") or None, t.is_quantitative, ind.weight, get("actual") or None, a.value,
                 a.unit, ind.score, get("scoring_rule") or None, get("last_year") or None, ind.last_year.value,
                 get("basis") or None, get("evidence") or None, get("reason") or None, ind.source_line,
                 ind.source_sheet))
    n = len(rows)
    cols = dict(zip(_INDICATOR_ORDER, map(list, zip(*rows)))) if rows else {c: [] for c in _INDICATOR_ORDER}
    cols["doc_id"] = [doc_id] * n
    cols["score_expected"] = [None] * n
    return {c: cols[c] for c in schema.INDICATORS}


def _parse_jobs(jobs: list[tuple[str, bool, Source]]) -> list[Parsed]:
    """Given (path, synthetic, source) per file, returns their parses (one job of a worker),
    columnar: their rows sent as one frame per table (pickled as Arrow buffers)."""
    return columnar([parse_file(Path(path), synthetic=synthetic, source=source) for path, synthetic, source in jobs])


# Files per parse job, at most: a folder's files go to one worker together.
FOLDER_CHUNK = 64


def folder_chunks(sources: list[Source], limit: int = FOLDER_CHUNK) -> list[list[Source]]:
    """Given sources in their loading order, returns them cut into runs of one folder each (at
    most `limit` long), in the same order. A folder (a county's or a unit's documents, year after
    year) repeats its rows, which one worker's caches then see together: a fifth less parse
    CPU on the benchmark's corpus than files dealt out eight at a time."""
    out: list[list[Source]] = []
    for src in sources:
        if out and len(out[-1]) < limit and out[-1][-1].path.parent == src.path.parent:
            out[-1].append(src)
        else:
            out.append([src])
    return out


@dataclass
class _Item:
    """One file's share of a load: what to insert (None for a skipped file) and the older
    documents its source no longer holds — deleted, or moved to a file that still holds them."""

    report: FileReport
    parsed: Parsed | None = None
    delete: list[str] = field(default_factory=list)
    moves: list[tuple[str, str, str]] = field(default_factory=list)  # (doc_id, source_key, source_path)
    refused: bool = False  # the database refused it (report says why)

    @property
    def writes(self) -> bool:
        return self.parsed is not None or bool(self.delete) or bool(self.moves)


class _Catalog:
    """The documents as this run will leave them: those loaded before plus those planned,
    indexed by content (byte and text digests) and by source, with the run's decisions
    (documents planned to go, documents a skipped file still holds)."""

    def __init__(self, known: list[db.Known]):
        self.docs: dict[str, db.Known] = {}
        self.by_sha: dict[str, set[str]] = {}
        self.by_text: dict[str, set[str]] = {}
        self.by_key: dict[str, set[str]] = {}
        self.gone: set[str] = set()               # planned for deletion in this run
        self.claims: dict[str, Source] = {}       # doc_id -> a skipped file (elsewhere) that holds its content
        self.now: dict[str, str] = {}             # digest of content loaded in this run -> path shown
        self.failed_now: dict[str, str] = {}      # digest of content that failed in this run -> why
        for k in known:
            self._add(k)

    def _add(self, k: db.Known) -> None:
        self.docs[k.doc_id] = k
        for index, value in ((self.by_sha, k.sha256), (self.by_text, k.text_sha256), (self.by_key, k.source_key)):
            if value:
                index.setdefault(value, set()).add(k.doc_id)

    def _move(self, k: db.Known, source: Source) -> None:
        self.by_key.get(k.source_key, set()).discard(k.doc_id)
        k.source_key, k.source_path = source.key, source.shown
        self.by_key.setdefault(source.key, set()).add(k.doc_id)

    def same_content(self, sha: str, text: str | None) -> list[db.Known]:
        ids = set(self.by_sha.get(sha, ())) | (set(self.by_text.get(text, ())) if text else set())
        return [self.docs[i] for i in sorted(ids)]

    def leave(self, item: _Item, source: Source, keep: set[str]) -> int:
        """The file at `source` holds new content now: its other documents go (into item.delete),
        unless a skipped file of this run holds their content (then they move to it). Returns
        how many older versions were replaced."""
        n = 0
        for doc_id in sorted(self.by_key.get(source.key, set()) - keep - self.gone):
            k = self.docs[doc_id]
            holder = self.claims.pop(doc_id, None)
            if holder is not None and holder.key != source.key:
                item.moves.append((doc_id, holder.key, mask_phones(holder.shown)))
                self._move(k, holder)
            else:
                item.delete.append(doc_id)
                self.gone.add(doc_id)
            n += 1
        return n

    def decide(self, parsed: Parsed, source: Source) -> _Item:
        """Given a parsed file and its source, returns what loading it means (see the module doc)."""
        rep = parsed.report
        if not parsed.readable:  # the file could not even be read: nothing to load, nothing replaced
            return _Item(rep)
        sha, text = parsed.sha256, parsed.text_sha256
        twin = self.now.get(sha) or (self.now.get(text) if text else None)
        why = self.failed_now.get(sha) or (self.failed_now.get(text) if text else None)
        if twin is not None and why is not None:  # a copy of a file that failed fails too, for its reason
            return _Item(FileReport(rep.path, "failed", doc_id=rep.doc_id, message=mask_phones(
                f"与本次导入中的另一文件（{Path(twin).name}）内容相同，同样未能导入：{why}")))
        if twin is not None:
            item = _Item(FileReport(rep.path, "skipped", doc_id=rep.doc_id, message=mask_phones(
                f"与本次导入中的另一文件（{Path(twin).name}）内容相同，未重复导入")))
            if self.leave(item, source, keep=set()):
                item.report.message += "；同一路径先前导入的版本已移除"
            return item
        same = self.same_content(sha, text)
        alive = [k for k in same if k.status != "failed" and k.doc_id not in self.gone]
        if alive:
            k = alive[0]
            item = _Item(FileReport(rep.path, "skipped", doc_id=k.doc_id, message=mask_phones(
                f"内容已导入过（{Path(k.source_path or k.doc_id).name}），未重复导入")))
            if k.source_key != source.key:
                self.claims.setdefault(k.doc_id, source)
            if self.leave(item, source, keep={a.doc_id for a in alive}):
                item.report.message += "；同一路径先前导入的版本已移除"
            return item
        # New content — or content whose earlier load failed, or that another file gives up in
        # this run: those documents are this one's duplicates and go with its own transaction.
        item = _Item(rep, parsed=parsed, delete=[k.doc_id for k in same])
        self.gone.update(item.delete)
        if self.leave(item, source, keep=set(item.delete)):
            rep.message = (rep.message + "；" if rep.message else "") + "替换了同一路径先前导入的版本"
        self._add(db.Known(rep.doc_id, sha, text, rep.status, source.key, source.shown))
        for digest in (sha, text):
            if digest:
                self.now[digest] = source.shown
                if rep.status == "failed":
                    self.failed_now[digest] = rep.message or ""
        return item

    def forget(self, item: _Item) -> None:
        """The database refused the item: its content is not loaded after all."""
        for digest in ((item.parsed.sha256, item.parsed.text_sha256) if item.parsed else ()):
            if digest:
                self.now.pop(digest, None)
                self.failed_now.pop(digest, None)


def _write(con, items: list[_Item]) -> None:
    """Loads items in one transaction; when the database refuses, retries them one by one (each
    with its own deletions), so one refused document fails alone, with the real reason."""
    parsed = [it.parsed for it in items if it.parsed is not None]
    # Where stored text is masked: every text column of every frame (ids, hashes and source keys
    # excepted), vectorised over the whole batch — except source lines, each of which was masked
    # as it was cut (`_source_lines`, before the 2,000-character cut): masking them twice was a
    # third of this pass. One frame per table for the whole batch, so one chunk per column: an
    # Arrow table of a batch's hundreds of small frames made the insert four times slower.
    frames = {t: df if t == "source_lines" else mask_frame(df) for t, df in batch_frames(parsed).items()}
    delete = list(dict.fromkeys(d for it in items for d in it.delete))
    moves = [m for it in items for m in it.moves]
    try:
        # the three-argument form unless something moves (db.load_batch's own default)
        db.load_batch(con, frames, delete, **({"moves": moves} if moves else {}))
    except Exception as e:
        if len(items) > 1:
            for it in items:
                _write(con, [it])
            return
        rep = items[0].report
        rep.status, rep.message = "failed", mask_phones(f"写入数据库失败：{type(e).__name__}: {e}")
        rep.projects = rep.indicators = 0
        items[0].refused = True


def ingest_paths(paths: Iterable[str | Path], db_path: Path | str | None = None, *, synthetic: bool = False,
                 workers: int = 1, batch_size: int = 1, on_file: Callable[[FileReport], None] | None = None,
                 derive: bool = True, scope: str | None = None, isolate: bool = False) -> list[FileReport]:
    """Given files/folders, loads them into the database and returns one report per file.

    Files whose content is already loaded are skipped; a file whose source held other content
    before replaces it (see the module doc for identity). `scope` ("upload") gives uploaded
    files their identity by file name within it. With workers > 1 parsing runs in processes;
    loading is batched (batch_size documents per transaction) for bulk corpora. `isolate`
    parses each file in a worker process even when there is one (the dashboard's uploads: a
    file that exhausts memory or runs past its deadline costs that worker, not the server).
    A worker that dies costs its file only: the files after it are parsed one by one in a new
    worker. This writes the file in place: `ingest_into_copy` is the way to load a database
    others read.
    """
    paths = list(paths)
    # The workers start before the files are listed: each imports the parser as the listing runs.
    if isolate:
        return _ingest(paths, db_path, None, synthetic=synthetic, batch_size=batch_size, on_file=on_file,
                       derive=derive, scope=scope, isolate=True)
    with _start_pool(workers) if workers > 1 and _many(paths) else nullcontext() as pool:
        return _ingest(paths, db_path, pool, synthetic=synthetic, batch_size=batch_size, on_file=on_file,
                       derive=derive, scope=scope)


def _many(paths: list) -> bool:
    """Given the paths to load, returns whether they may hold more than one file."""
    return len(paths) > 1 or any(Path(p).is_dir() for p in paths)


def _start_pool(workers: int) -> ProcessPoolExecutor:
    """Returns a pool of parse workers, started: one no-op task each makes it spawn them now
    (a pool spawns its processes as tasks come)."""
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=_SPAWN, initializer=_worker_init)
    for _ in range(workers):
        pool.submit(_started)
    return pool


def _started() -> None:
    """A parse worker's first task: nothing (its initializer is the work)."""


# Beyond its parse deadline, how long a worker may take to give its answer before it is
# killed (stuck in a compiled library, which the deadline interrupts only when it returns).
KILL_MARGIN_SECONDS = 30


def parse_isolated(sources: list[Source], synthetic: bool) -> Iterator[tuple[Source, Parsed]]:
    """Given sources, yields (source, parse) for each in order, parsed one after another in a
    worker process: a worker that dies fails its file only, one that gives no answer past the
    deadline and a margin is killed and fails its file, and the next file gets a new worker."""
    pool: ProcessPoolExecutor | None = None
    try:
        for src in sources:
            if pool is None:
                pool = _start_pool(1)
                pid = pool.submit(os.getpid).result()  # the one worker's, to kill it if need be
            future = pool.submit(_parse_jobs, [(str(src.path), synthetic, src)])
            try:
                parsed = future.result(timeout=limits.MAX_PARSE_SECONDS + KILL_MARGIN_SECONDS)[0]
            except (BrokenProcessPool, TimeoutError) as e:
                if isinstance(e, TimeoutError):
                    with suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
                pool.shutdown(wait=True, cancel_futures=True)
                pool = None
                parsed = _failed_outside(src, synthetic, (
                    f"解析超时：{limits.MAX_PARSE_SECONDS} 秒内未能读完，解析进程已终止，未导入；其他文件照常导入"
                    if isinstance(e, TimeoutError) else
                    "解析进程意外退出（内存不足或读取库崩溃），未导入；其他文件照常导入"))
            except Exception as e:  # the answer could not be sent back (pickled): this file only
                parsed = _failed_outside(src, synthetic, f"解析出错（{type(e).__name__}: {e}）")
            yield src, parsed
    finally:
        if pool is not None:
            pool.shutdown()


def _ingest(paths: list, db_path, pool: ProcessPoolExecutor | None, *, synthetic: bool, batch_size: int,
            on_file: Callable[[FileReport], None] | None, derive: bool, scope: str | None,
            isolate: bool = False) -> list[FileReport]:
    """`ingest_paths` with its pool of parse workers (None: parse here, or file by file in a
    worker of its own with `isolate`)."""
    found, reports = _collect(paths)
    for r in reports:
        if on_file:
            on_file(r)
    sources: list[Source] = []
    keys: set[str] = set()
    for f, full in found:
        src = source_of(f, scope, full)
        if src.key in keys:  # two uploads with one name: they would replace each other
            rep = FileReport(str(f), "failed", message=f"与本次导入中的另一文件同名（{src.shown}），未导入；请改名后再导入")
            reports.append(rep)
            if on_file:
                on_file(rep)
            continue
        keys.add(src.key)
        sources.append(src)
    con = db.connect(db_path)
    try:
        # Batches are checkpointed together, not every 16 MB of log (DuckDB's default): each
        # checkpoint recompresses the tables' last row groups, half the loader's CPU at 1M.
        con.execute(f"SET checkpoint_threshold = '{LOAD_CHECKPOINT}'")
        catalog = _Catalog(db.existing_documents(con))
        pending: list[_Item] = []

        def flush() -> None:
            if not pending:
                return
            items = list(pending)
            pending.clear()
            _write(con, items)
            for it in items:
                if it.refused:
                    catalog.forget(it)
                if on_file:
                    on_file(it.report)

        def handle(parsed: Parsed, source: Source) -> None:
            item = catalog.decide(parsed, source)
            reports.append(item.report)
            if item.writes:
                pending.append(item)
                if len(pending) >= batch_size:
                    flush()
            elif on_file:
                on_file(item.report)

        # Garbage collection as in the parse workers here too: the results unpickled (each an
        # object graph of a folder's files) made Python's default thresholds walk the pending
        # batch again and again — a third of this process's CPU.
        with parsing_gc():
            if isolate:
                for src, parsed in parse_isolated(sources, synthetic):
                    handle(parsed, src)
            elif pool is not None and len(sources) > 1:
                chunks = [[(str(src.path), synthetic, src) for src in run] for run in folder_chunks(sources)]
                done = 0
                try:
                    for src, parsed in zip(sources, chain.from_iterable(pool.map(_parse_jobs, chunks))):
                        handle(parsed, src)
                        done += 1
                except BrokenProcessPool:  # a worker died: which file of its chunk is not known
                    for src, parsed in parse_isolated(sources[done:], synthetic):
                        handle(parsed, src)
            else:  # no pool, or a single file (a folder holding one): parsed here
                for src in sources:
                    handle(parse_file(src.path, synthetic=synthetic, source=src), src)
            if pool is not None:
                pool.shutdown()  # the workers' memory back before the last write and the derive
            flush()
        con.execute("RESET checkpoint_threshold")
        if derive:
            from jixiao.derive import refresh

            refresh(con)
    finally:
        con.close()
    return reports


def ingest_into_copy(paths: Iterable[str | Path], db_path: Path | str, *, wait: bool = True,
                     on_wait: Callable[[], None] | None = None, **kw) -> list[FileReport]:
    """Given files and the live database, ingests into a copy and swaps it in atomically (under
    the database's import lock: a second import waits, or raises db.ImportBusy with wait=False).

    Readers (the dashboard holds a read-only connection) keep reading the old file until the
    new one is complete; a failure leaves the live database untouched. Keywords go to
    `ingest_paths`.
    """
    return db.write_via_copy(db_path, lambda copy: ingest_paths(paths, copy, **kw), wait=wait, on_wait=on_wait)
