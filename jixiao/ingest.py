"""Ingest: files -> reader -> interpreter -> frames -> DuckDB, with a report per file.

One bad file never stops the others: every failure becomes a `failed` document with a
message, a document with an incomplete project is `partial` and keeps its complete projects,
and content loaded before (same SHA-256) is skipped.
"""

from __future__ import annotations

import hashlib
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterable

import polars as pl

from jixiao import db, schema
from jixiao.interpret import interpret, mask_phones
from jixiao.model import ParsedDocument, ParsedIndicator, ParsedProject, ReadError
from jixiao.readers import LAYOUT_OF, READERS, read_file
from jixiao.regions import resolve, region_note

MAX_BYTES = int(os.environ.get("JIXIAO_MAX_FILE_MB", "64")) * 1024 * 1024


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
        """Returns the one-line terminal report for this file."""
        counts = f"projects={self.projects} indicators={self.indicators}"
        if self.status == "ok":
            return f"ok       {self.path}  {counts}"
        if self.status == "partial":
            return f"partial  {self.path}  {counts}  {self.message}"
        if self.status == "skipped":
            return f"skipped  {self.path}  {self.message}"
        return f"failed   {self.path}  {self.message}"


@dataclass
class Parsed:
    """A parsed file ready to load: its frames and its report."""

    report: FileReport
    sha256: str
    frames: dict[str, pl.DataFrame]


def collect_files(paths: Iterable[str | Path]) -> tuple[list[Path], list[FileReport]]:
    """Given files and folders, returns the supported files (folders walked, sorted) and reports
    for paths that cannot be ingested (missing; unsupported when named directly)."""
    files: list[Path] = []
    bad: list[FileReport] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_file() and f.suffix.lower() in READERS and not f.name.startswith((".", "~$")):
                    files.append(f)
        elif p.is_file():
            if p.suffix.lower() in READERS:
                files.append(p)
            else:
                bad.append(FileReport(str(p), "failed", message=f"不支持的文件类型 {p.suffix or '(无后缀)'}，支持 .txt .md .xlsx .docx"))
        else:
            bad.append(FileReport(str(p), "failed", message="文件不存在 (no such file or folder)"))
    return files, bad


def _doc_row(path: Path, sha: str, size: int, **kw) -> dict:
    row = {c: None for c in schema.DOCUMENTS}
    row.update(doc_id=sha[:16], source_path=str(path), sha256=sha, size_bytes=size,
               file_type=path.suffix.lower().lstrip("."), layout=LAYOUT_OF.get(path.suffix.lower()),
               synthetic=False, loaded_at=datetime.now().replace(microsecond=0),
               n_projects=0, n_indicators=0, confidence=0.0)
    row.update(kw)
    return row


def _frames(doc: dict, projects: list[dict], indicators: list[dict], lines: list[dict]) -> dict[str, pl.DataFrame]:
    return {
        "documents": pl.DataFrame([doc], schema=schema.DOCUMENTS),
        "projects": pl.DataFrame(projects, schema=schema.PROJECTS) if projects else schema.empty_frame(schema.PROJECTS),
        "indicators": pl.DataFrame(indicators, schema=schema.INDICATORS) if indicators else schema.empty_frame(schema.INDICATORS),
        "source_lines": pl.DataFrame(lines, schema=schema.SOURCE_LINES) if lines else schema.empty_frame(schema.SOURCE_LINES),
    }


def _source_lines(doc_id: str, text_lines: list[str]) -> list[dict]:
    out = []
    for k, text in enumerate(text_lines, start=1):
        # xlsx display lines are "sheet!row<TAB>cells": keep the Excel row as the line number.
        line = k
        if "!" in text.split("\t", 1)[0]:
            head, _, rest = text.partition("\t")
            sheet, _, row = head.rpartition("!")
            if row.isdigit():
                line, text = int(row), f"[{sheet}] {rest}"
        out.append({"doc_id": doc_id, "line": line, "text": mask_phones(text)[:2000]})
    return out


def parse_file(path: Path, *, synthetic: bool = False, data: bytes | None = None) -> Parsed:
    """Given a file, returns its parsed frames and report; never raises for bad input."""
    path = Path(path)
    try:
        if data is None:
            size = path.stat().st_size
            if size > MAX_BYTES:
                sha = hashlib.sha256(path.name.encode() + str(size).encode()).hexdigest()
                msg = f"文件过大（{size / 1048576:.1f} MB，上限 {MAX_BYTES // 1048576} MB），未读取"
                doc = _doc_row(path, sha, size, status="failed", message=msg, synthetic=synthetic)
                return Parsed(FileReport(str(path), "failed", message=msg, doc_id=doc["doc_id"]), sha, _frames(doc, [], [], []))
            data = path.read_bytes()
        sha = hashlib.sha256(data).hexdigest()
    except OSError as e:
        return Parsed(FileReport(str(path), "failed", message=f"无法读取文件：{e.strerror or e}"), "", {})
    doc_id = sha[:16]
    try:
        result = read_file(path)
        parsed = interpret(result.rows)
    except ReadError as e:
        doc = _doc_row(path, sha, len(data), status="failed", message=str(e), synthetic=synthetic)
        return Parsed(FileReport(str(path), "failed", message=str(e), doc_id=doc_id), sha, _frames(doc, [], [], []))
    except Exception as e:  # a parser bug must not stop the other files; say what happened
        msg = f"解析出错（{type(e).__name__}: {e}）"
        doc = _doc_row(path, sha, len(data), status="failed", message=msg, synthetic=synthetic)
        return Parsed(FileReport(str(path), "failed", message=msg, doc_id=doc_id), sha, _frames(doc, [], [], []))
    return _build(path, sha, len(data), doc_id, parsed, result.text_lines, result.encoding, result.notes,
                  result.layout, synthetic)


def _build(path: Path, sha: str, size: int, doc_id: str, parsed: ParsedDocument, text_lines: list[str],
           encoding: str | None, reader_notes: list[str], layout: str | None, synthetic: bool) -> Parsed:
    """Given a parsed document, returns its frames and report: the one place where projects and
    indicators become database rows."""
    projects, indicators = [], []
    report_lines = list(reader_notes)
    complete = parsed.complete_projects
    for seq, p in enumerate(complete, start=1):
        pid = f"{doc_id}-{seq:03d}"
        row, note = _project_row(p, pid, doc_id, seq, parsed.doc_text, synthetic)
        if note:
            report_lines.append(f"项目「{p.label}」：{note}")
        projects.append(row)
        for k, ind in enumerate(p.indicators, start=1):
            indicators.append(_indicator_row(ind, f"{pid}-{k:03d}", pid, doc_id, k))
        report_lines.append(f"项目「{p.label}」（第{p.source_line}行起）：{len(p.indicators)} 个指标")
    report_lines.extend(parsed.incomplete)
    report_lines.extend(n.render() for n in parsed.problems)
    report_lines.extend(n.render() for n in parsed.notes)
    report_lines.append(f"解析把握度 {parsed.confidence:.2f}")
    problems = [n.render() for n in parsed.problems]
    if not complete:
        status = "failed"
        message = "；".join(parsed.incomplete) if parsed.incomplete else "未找到绩效目标表或绩效自评表（没有可识别的项目和指标）"
    elif parsed.incomplete or problems:
        status, message = "partial", "；".join([*parsed.incomplete, *problems])
    else:
        status, message = "ok", None
    doc = _doc_row(
        path, sha, size, status=status, message=message, encoding=encoding,
        kind=parsed.kind if complete else None, n_projects=len(projects), n_indicators=len(indicators),
        parse_report="\n".join(report_lines), synthetic=synthetic,
        confidence=parsed.confidence if complete else 0.0,
    )
    doc["layout"] = layout or doc["layout"]
    report = FileReport(str(path), status, len(projects), len(indicators), message, doc_id)
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
        "fund_use": f.get("fund_use"), "spend_plan": f.get("spend_plan"),
        "goal": f.get("goal"), "goal_long": f.get("goal_long"), "goal_summary": f.get("goal_summary"),
        "region_note": note, "synthetic": synthetic,
        "source_line": p.source_line, "source_sheet": p.source_sheet,
    }, note


def _indicator_row(ind: ParsedIndicator, iid: str, pid: str, doc_id: str, seq: int) -> dict:
    """Given a parsed indicator (values already parsed by the interpreter), returns its
    `indicators` row."""
    c, t = ind.cells, ind.target
    return {
        "indicator_id": iid, "project_id": pid, "doc_id": doc_id, "seq": seq,
        "level1": ind.level1, "level2": ind.level2,
        "level1_raw": ind.level1_raw, "level2_raw": ind.level2_raw,
        "level1_points": ind.level1_points,
        "name": ind.name,
        "description": c.get("description") or None,
        "target_raw": c.get("target") or None,
        "target_op": t.op, "target_value": t.value, "target_unit": t.unit,
        "declared_type": c.get("type") or None,
        "is_quantitative": t.is_quantitative,
        "weight": ind.weight,
        "actual_raw": c.get("actual") or None,
        "actual_value": ind.actual.value, "actual_unit": ind.actual.unit,
        "score_reported": ind.score,
        "score_expected": None,
        "scoring_rule": c.get("scoring_rule") or None,
        "last_year_raw": c.get("last_year") or None,
        "last_year_value": ind.last_year.value,
        "basis": c.get("basis") or None,
        "evidence": c.get("evidence") or None,
        "reason": c.get("reason") or None,
        "source_line": ind.source_line,
        "source_sheet": ind.source_sheet,
    }


def _parse_job(args: tuple[str, bool]) -> Parsed:
    return parse_file(Path(args[0]), synthetic=args[1])


def ingest_paths(paths: Iterable[str | Path], db_path: Path | str | None = None, *, synthetic: bool = False,
                 workers: int = 1, batch_size: int = 1, on_file: Callable[[FileReport], None] | None = None,
                 derive: bool = True) -> list[FileReport]:
    """Given files/folders, loads them into the database and returns one report per file.

    Files whose content is already loaded are skipped; a file loaded earlier from the same
    path with other content is replaced. With workers > 1 parsing runs in processes; loading
    is batched (batch_size documents per transaction) for bulk corpora.
    """
    files, reports = collect_files(paths)
    for r in reports:
        if on_file:
            on_file(r)
    con = db.connect(db_path)
    try:
        known = db.existing_documents(con)
        by_path = {v[2]: (sha, v[0]) for sha, v in known.items()}
        pending: list[Parsed] = []
        replace: list[str] = []
        seen_now: set[str] = set()

        def flush() -> None:
            if not pending:
                return
            frames = {t: pl.concat([p.frames[t] for p in pending if t in p.frames], how="vertical")
                      for t in db.TABLES if any(t in p.frames for p in pending)}
            try:
                db.load_batch(con, frames, replace)
            except Exception as e:  # one document the database refuses must not sink its batch
                if len(pending) == 1:
                    rep = pending[0].report
                    rep.status, rep.message = "failed", f"写入数据库失败：{type(e).__name__}: {e}"
                    rep.projects = rep.indicators = 0
                else:
                    batch, old = list(pending), list(replace)
                    pending.clear()
                    replace.clear()
                    for k, parsed in enumerate(batch):
                        pending.append(parsed)
                        replace.extend(old if k == 0 else [])
                        flush()
                    return
            if on_file:
                for parsed in pending:
                    on_file(parsed.report)
            pending.clear()
            replace.clear()

        def handle(parsed: Parsed) -> None:
            rep = parsed.report
            if parsed.sha256 and parsed.sha256 in known and known[parsed.sha256][1] != "failed":
                rep = FileReport(rep.path, "skipped", message=f"内容已导入过（{known[parsed.sha256][0]}），未重复导入",
                                 doc_id=known[parsed.sha256][0])
            elif parsed.sha256 in seen_now:
                rep = FileReport(rep.path, "skipped", message="与本次导入中的另一文件内容相同，未重复导入", doc_id=rep.doc_id)
            elif parsed.frames:
                if parsed.sha256 in known:  # a failed earlier attempt: parse again
                    replace.append(known[parsed.sha256][0])
                old = by_path.get(str(Path(rep.path)))
                if old and old[0] != parsed.sha256:
                    replace.append(old[1])
                    rep.message = (rep.message + "；" if rep.message else "") + "替换了同一路径先前导入的版本"
                pending.append(parsed)
                seen_now.add(parsed.sha256)
                reports.append(rep)
                if len(pending) >= batch_size:
                    flush()
                return  # announced by flush(), once the database has it
            reports.append(rep)
            if on_file:
                on_file(rep)

        if workers > 1 and len(files) > 1:
            with ProcessPoolExecutor(max_workers=workers) as pool:
                for parsed in pool.map(_parse_job, [(str(f), synthetic) for f in files], chunksize=8):
                    handle(parsed)
        else:
            for f in files:
                handle(parse_file(f, synthetic=synthetic))
        flush()
        if derive:
            from jixiao.derive import refresh

            refresh(con)
    finally:
        con.close()
    return reports


def ingest_into_copy(paths: Iterable[str | Path], db_path: Path | str, **kw) -> list[FileReport]:
    """Given files and the live database, ingests into a copy and swaps it in atomically.

    Readers (the dashboard holds a read-only connection) keep reading the old file until the
    new one is complete; a failure leaves the live database untouched.
    """
    import shutil
    import tempfile

    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".ingest-", suffix=".duckdb", dir=db_path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        if db_path.exists():
            shutil.copyfile(db_path, tmp_path)
        else:
            tmp_path.unlink()
        reports = ingest_paths(paths, tmp_path, **kw)
        os.replace(tmp_path, db_path)
        return reports
    finally:
        for leftover in (tmp_path, Path(str(tmp_path) + ".wal")):
            if leftover.exists():
                leftover.unlink()
