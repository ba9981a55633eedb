"""Review reports (审核意见): the bureau's letter to each unit, as Word and Excel.

Structure (one concern per module):

- `model.py`    — what the report says: `ReportSource(con, ReportFilter)` reads the filtered
                  projects (queries/report_projects.sql), their flags with status
                  (`jixiao.waivers.flags_with_status`) and the rule catalog once;
                  `.build(unit)` returns a `Report` (header fields, `Summary`,
                  `ProjectSection`s with open flags grouped by rule, accepted flags, rules quoted).
- `sections.py` — the letter's parts in order (`SECTIONS`); each section lays itself out in
                  Word (`word`) and Excel (`excel`). Add a section there.
- `word.py`, `excel.py` — page, fonts, tables (python-docx) and sheets (xlsxwriter).
- `text.py`     — phone masking (the one import to switch), numbers, dates, safe file and
                  sheet names.

Entry points: `render(report, "docx"|"xlsx") -> bytes`, `write_unit_report`, `write_all_reports`,
`reports_zip`; the `jixiao report` command and the dashboard's downloads use them.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

from jixiao.report.model import Report, ReportFilter, ReportSource, UnitNotFound
from jixiao.report.text import safe_file_stem, years_text

FORMATS = ("docx", "xlsx")

__all__ = ["FORMATS", "Report", "ReportFilter", "ReportSource", "UnitNotFound", "file_name", "file_name_for", "render",
           "reports_zip", "write_all_reports", "write_unit_report"]


def render(report: Report, fmt: str) -> bytes:
    """Given a report and a format ("docx" or "xlsx"), returns the file's bytes."""
    from jixiao.report.sections import headings

    if fmt == "docx":
        from jixiao.report.word import WordWriter

        w = WordWriter()
        w.set_properties(report.title, f"{report.unit} · {report.filter_text}")
        for section, heading in headings(report):
            section.word(w, report, heading)
        return w.to_bytes()
    if fmt == "xlsx":
        from jixiao.report.excel import ExcelWriter
        from jixiao.report.text import cn_date

        x = ExcelWriter(f"{report.title}　　筛选：{report.filter_text}　　生成日期：{cn_date(report.report_date)}")
        for section, _ in headings(report):
            section.excel(x, report)
        return x.to_bytes()
    raise ValueError(f"不支持的格式 {fmt!r}，只能是 docx 或 xlsx")


def file_name(report: Report, fmt: str) -> str:
    """Given a report, returns its file name, safe on Windows: 单位_2024年度_审核意见.docx
    (复核意见 for self-evaluations only)."""
    return file_name_for(report.unit, report.years, fmt, "复核意见" if report.kinds == ["self_eval"] else "审核意见")


def file_name_for(unit: str, years, fmt: str, what: str = "审核意见") -> str:
    """Given a unit, its years (empty: all) and a format, returns the report's file name as
    `file_name` does, for callers that name the file before building it (the dashboard)."""
    span = years_text(list(years)).removesuffix("年度").replace("—", "-").replace("、", "_")
    parts = [safe_file_stem(unit), f"{span}年度" if span else "全部年度", what]
    return "_".join(parts) + f".{fmt}"


def write_unit_report(con, unit: str, out: Path, flt: ReportFilter | None = None, *, fmt: str | None = None,
                      report_date: date | None = None, bureau: str | None = None) -> tuple[Path, Report]:
    """Writes one unit's report to `out` (a .docx/.xlsx file, or a folder with `fmt`); returns
    (path written, report). Raises UnitNotFound (with close matches) for an unknown unit."""
    src = ReportSource(con, flt)
    rep = src.build(unit, report_date=report_date, bureau=bureau)
    out = Path(out)
    if out.is_dir():
        fmt = fmt or "docx"
        out = out / file_name(rep, fmt)
    else:
        fmt = out.suffix.lower().lstrip(".")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(render(rep, fmt))
    return out, rep


def write_all_reports(con, out_dir: Path, flt: ReportFilter | None = None, *, fmt: str = "docx",
                      report_date: date | None = None, on_unit=None) -> list[tuple[str, Path | None, str | None]]:
    """Writes one report per unit in range into `out_dir`; returns (unit, path or None, error or
    None) per unit. One unit that fails does not stop the others; `on_unit` gets each result."""
    src = ReportSource(con, flt)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    results, taken = [], set()
    for unit in src.units():
        try:
            rep = src.build(unit, report_date=report_date)
            name = _unique(file_name(rep, fmt), taken)
            path = out_dir / name
            path.write_bytes(render(rep, fmt))
            res = (unit, path, None)
        except Exception as e:  # one unit's failure is reported, the others still written
            res = (unit, None, f"{type(e).__name__}: {e}")
        results.append(res)
        if on_unit:
            on_unit(*res)
    return results


def reports_zip(con, flt: ReportFilter | None = None, formats: tuple[str, ...] = FORMATS,
                report_date: date | None = None) -> bytes:
    """Given a connection and a filter, returns a .zip with each unit's report in each format
    (file names safe on Windows, UTF-8 flagged in the archive)."""
    src = ReportSource(con, flt)
    buf = io.BytesIO()
    taken: set[str] = set()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for unit in src.units():
            rep = src.build(unit, report_date=report_date)
            for fmt in formats:
                z.writestr(_unique(file_name(rep, fmt), taken), render(rep, fmt))
    return buf.getvalue()


def _unique(name: str, taken: set[str]) -> str:
    """Two units whose names differ only by characters a file name cannot hold get _2, _3 …"""
    stem, dot, ext = name.rpartition(".")
    cand, k = name, 1
    while cand.lower() in taken:
        k += 1
        cand = f"{stem}_{k}{dot}{ext}"
    taken.add(cand.lower())
    return cand
