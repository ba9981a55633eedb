"""The `jixiao` command: ingest, serve, flags, generate, bench, units, export (see CONTRACT.md)."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from jixiao import db


def _db_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", type=Path, default=None, help=f"database file (default: {db.default_db()})")


def _existing_db(args: argparse.Namespace) -> Path | None:
    """Returns the database the command reads, or None after saying it does not exist."""
    path = Path(args.db) if args.db else db.default_db()
    if not path.exists():
        print(f"数据库不存在：{path}。先运行 jixiao ingest（例如 jixiao ingest datasets/seeds）。", file=sys.stderr)
        return None
    return path


def cmd_ingest(args: argparse.Namespace) -> int:
    from jixiao.ingest import collect_files, ingest_paths

    files, _ = collect_files(args.paths)
    progress = None
    if len(files) > 1 and sys.stderr.isatty() and not args.quiet:
        from rich.progress import Progress

        progress = Progress(transient=True)
        progress.start()
        task = progress.add_task("导入中", total=len(files))

    def on_file(rep):
        if progress is not None:
            progress.console.print(rep.line(), markup=False, highlight=False)
            progress.advance(task)
        else:
            print(rep.line(), flush=True)

    try:
        reports = ingest_paths(args.paths, args.db, synthetic=args.synthetic, workers=args.workers,
                               batch_size=args.batch_size, on_file=on_file)
    finally:
        if progress is not None:
            progress.stop()
    counts = {s: sum(1 for r in reports if r.status == s) for s in ("ok", "partial", "failed", "skipped")}
    print(f"共 {len(reports)} 个文件：导入 {counts['ok']}，部分导入 {counts['partial']}，失败 {counts['failed']}，"
          f"跳过（已导入）{counts['skipped']}", file=sys.stderr)
    return 1 if counts["partial"] or counts["failed"] else 0


def cmd_serve(args: argparse.Namespace) -> int:
    from jixiao.serve import streamlit_command

    path = _existing_db(args)
    if path is None:
        return 2
    cmd, env = streamlit_command(path, args.port, headless=args.headless)
    return subprocess.call(cmd, env={**os.environ, **env})


def cmd_flags(args: argparse.Namespace) -> int:
    import polars as pl

    from jixiao.waivers import flags_with_status

    path = _existing_db(args)
    if path is None:
        return 2
    con = db.connect(path, read_only=True)
    try:
        # Waivers are applied as they stand now, also those accepted after the last ingest.
        cur = con.cursor()
        flags = flags_with_status(con)
        cur.register("_flags", flags.to_arrow())
        df = cur.sql(
            "SELECT f.flag_id, f.rule, r.title, f.severity, f.status, f.waiver_reason, p.province, p.city, "
            "p.county, p.unit, p.year, p.name AS project, i.name AS indicator, i.source_line, f.message "
            "FROM _flags f LEFT JOIN rules r USING (rule) LEFT JOIN projects p USING (project_id) "
            "LEFT JOIN indicators i USING (indicator_id) ORDER BY f.rule, p.unit, p.name, f.flag_id"
        ).pl()
    finally:
        con.close()
    if args.format == "csv":
        sys.stdout.write(df.write_csv())
    elif args.format == "json":
        print(json.dumps(df.to_dicts(), ensure_ascii=False, indent=1, default=str))
    else:
        with pl.Config(tbl_rows=-1, tbl_width_chars=200, fmt_str_lengths=80, tbl_hide_dataframe_shape=True):
            print(df.select("rule", "severity", "status", "unit", "project", "indicator", "message"))
        waived = df.filter(pl.col("status") == "waived").height
        print(f"共 {df.height} 条标记（已接受 {waived} 条）", file=sys.stderr)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from jixiao.export import export_parquet

    written = export_parquet(args.db, Path(args.parquet))
    for name, n in written.items():
        print(f"{name}: {n} rows")
    return 0


def cmd_generate(args: argparse.Namespace) -> int:
    from jixiao.synth import generate_corpus

    summary = generate_corpus(Path(args.out), counties=args.counties, years=args.years, seed=args.seed,
                              projects_per_unit=args.projects_per_unit, formats=args.formats)
    print(json.dumps(summary, ensure_ascii=False, indent=1))
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from jixiao.bench import run_bench

    return run_bench(args)


def cmd_units(args: argparse.Namespace) -> int:
    import polars as pl

    from jixiao import units

    path = _existing_db(args)
    if path is None:
        return 2
    if args.action in ("accept", "reject"):
        if not args.alias or not args.canonical:
            print("用法：jixiao units accept|reject 别名 规范名称 --reviewer 姓名", file=sys.stderr)
            return 2
        if not args.reviewer or not args.reviewer.strip():
            print("合并或拒绝合并必须写明审核人（--reviewer）", file=sys.stderr)
            return 2
        units.record_decision(args.alias, args.canonical, args.action, reviewer=args.reviewer, note=args.note or "",
                              province=args.province or "", county=args.county or "")
        units.rebuild(path)  # on a copy, swapped in: the dashboard keeps reading meanwhile
        print(f"已记录（{units.aliases_path()}）并重新计算派生表：{args.alias} → {args.canonical}（{args.action}）")
        return 0
    con = db.connect(path, read_only=True)
    try:
        df = con.cursor().sql("SELECT status, county, unit_a, unit_b, reason, similarity, n_projects_a, n_projects_b "
                              "FROM unit_alias_suggestions ORDER BY status DESC, county, unit_a, unit_b").pl()
    finally:
        con.close()
    with pl.Config(tbl_rows=-1, tbl_width_chars=200, fmt_str_lengths=40, tbl_hide_dataframe_shape=True):
        print(df)
    print(f"共 {df.height} 条建议（待定 {df.filter(pl.col('status') == 'pending').height} 条）；"
          "合并：jixiao units accept 别名 规范名称 --reviewer 姓名", file=sys.stderr)
    return 0


def build_parser() -> argparse.ArgumentParser:
    """Returns the argument parser of the `jixiao` command."""
    ap = argparse.ArgumentParser(prog="jixiao", description="绩效目标表/自评表 导入、检查与分析")
    sub = ap.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="导入文档（文件夹会被遍历）")
    p.add_argument("paths", nargs="+")
    _db_arg(p)
    p.add_argument("--synthetic", action="store_true", help="mark the documents as synthetic (generated)")
    p.add_argument("--workers", type=int, default=1, help="parallel parser processes")
    p.add_argument("--batch-size", type=int, default=1, help="documents per load transaction")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("serve", help="启动仪表盘")
    _db_arg(p)
    p.add_argument("--port", type=int, default=8501)
    p.add_argument("--headless", action="store_true", help="do not open a browser")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("flags", help="列出问题标记")
    _db_arg(p)
    p.add_argument("--format", choices=["table", "csv", "json"], default="table")
    p.set_defaults(func=cmd_flags)

    p = sub.add_parser("generate", help="生成合成语料（含植入缺陷的真值文件）")
    p.add_argument("--out", required=True)
    p.add_argument("--counties", type=int, default=10)
    p.add_argument("--years", default="2023-2025")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--projects-per-unit", type=int, default=4)
    p.add_argument("--formats", default="txt,xlsx,docx")
    p.set_defaults(func=cmd_generate)

    p = sub.add_parser("bench", help="基准测试")
    p.add_argument("--counties", type=int, default=40)
    p.add_argument("--years", default="2021-2025")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--projects-per-unit", type=int, default=4)
    p.add_argument("--workdir", default=None, help="keep the corpus and database here (default: a temp folder)")
    p.add_argument("--json", dest="json_out", default=None, help="also write the JSON summary to this file")
    p.add_argument("--workers", type=int, default=2, help="parser processes for the ingest")
    p.add_argument("--batch-size", type=int, default=200, help="documents per load transaction")
    p.set_defaults(func=cmd_bench)

    p = sub.add_parser("units", help="单位名称合并：列出建议，接受或拒绝合并")
    p.add_argument("action", choices=["suggestions", "accept", "reject"])
    p.add_argument("alias", nargs="?", help="the name written otherwise (unit_b of a suggestion)")
    p.add_argument("canonical", nargs="?", help="the unit's canonical name (unit_a)")
    p.add_argument("--reviewer", default=None)
    p.add_argument("--note", default=None)
    p.add_argument("--county", default=None, help="apply in this county only (as in projects.county)")
    p.add_argument("--province", default=None)
    _db_arg(p)
    p.set_defaults(func=cmd_units)

    p = sub.add_parser("export", help="导出 Parquet（按省、年分区）")
    p.add_argument("--parquet", required=True, metavar="DIR")
    _db_arg(p)
    p.set_defaults(func=cmd_export)
    return ap


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `jixiao` console command; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130
    except Exception as e:  # the user gets a sentence, not a traceback
        if os.environ.get("JIXIAO_DEBUG"):
            raise
        print(f"错误：{type(e).__name__}: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
