"""The `jixiao` command: ingest, serve, users, flags, report, units, generate, bench, export (see the README)."""

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
    from jixiao.ingest import collect_files, ingest_into_copy

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

    def on_wait():
        print("另一个导入正在进行（同一数据库），等它完成后接着导入…", file=sys.stderr, flush=True)

    try:
        # Into a copy that is swapped in when complete: a running dashboard is never blocked
        # and never sees half a load.
        reports = ingest_into_copy(args.paths, args.db or db.default_db(), synthetic=args.synthetic,
                                   workers=args.workers, batch_size=args.batch_size, on_file=on_file,
                                   on_wait=on_wait)
    finally:
        if progress is not None:
            progress.stop()
    counts = {s: sum(1 for r in reports if r.status == s) for s in ("ok", "partial", "failed", "skipped")}
    print(f"共 {len(reports)} 个文件：导入 {counts['ok']}，部分导入 {counts['partial']}，失败 {counts['failed']}，"
          f"跳过（已导入）{counts['skipped']}", file=sys.stderr)
    return 1 if counts["partial"] or counts["failed"] else 0


def _prepared(path: Path) -> bool:
    """Before the dashboard starts: migrates an older database file and rebuilds derived tables
    left stale by an interrupted load (through a copy, so a dashboard already running keeps
    reading). Returns True; when that fails it says why and the dashboard shows the data as
    they are, with its own notice."""
    try:
        db.ensure_current(path)
    except Exception as e:  # the dashboard can still show what there is
        print(f"注意：数据库未能升级或重新计算（{db.friendly_error(e) or f'{type(e).__name__}: {e}'}），"
              "仪表盘按现有数据显示。", file=sys.stderr)
    return True


def cmd_serve(args: argparse.Namespace) -> int:
    from jixiao.serve import default_workers, serve_notes, streamlit_command

    if args.workers is not None and args.workers < 1:
        print("--workers 至少为 1", file=sys.stderr)
        return 2

    path = _existing_db(args)
    if path is None or not _prepared(path):
        return 2
    cmd, env = streamlit_command(path, args.port, host=args.host, headless=args.headless,
                                 users=args.users, require_login=args.require_login,
                                 workers=args.workers or default_workers())
    for note in serve_notes(args.host, env):
        print(note, file=sys.stderr)
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
            "SELECT f.flag_id, f.rule, r.title, f.severity, f.status, f.waiver_reason, f.waiver_reviewer, "
            "f.waived_at, p.province, p.city, "
            "p.county, p.unit, p.year, p.name AS project, i.name AS indicator, i.source_line, f.message "
            "FROM _flags f LEFT JOIN rules r USING (rule) LEFT JOIN projects p USING (project_id) "
            "LEFT JOIN indicators i USING (indicator_id) ORDER BY f.rule, p.unit, p.name, f.flag_id"
        ).pl()
    finally:
        con.close()
    if args.format == "csv":
        from jixiao.csvsafe import write_csv

        sys.stdout.write(write_csv(df))  # waiver reasons and document text cannot become formulas
    elif args.format == "json":
        print(json.dumps(df.to_dicts(), ensure_ascii=False, indent=1, default=str))
    else:
        with pl.Config(tbl_rows=-1, tbl_width_chars=200, fmt_str_lengths=80, tbl_hide_dataframe_shape=True):
            print(df.select("rule", "severity", "status", "unit", "project", "indicator", "message"))
        waived = df.filter(pl.col("status") == "waived").height
        print(f"共 {df.height} 条标记（已接受 {waived} 条）", file=sys.stderr)
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from datetime import date

    from jixiao.report import FORMATS, ReportFilter, UnitNotFound, reports_zip, write_all_reports, write_unit_report

    out = Path(args.out)
    suffix = out.suffix.lower().lstrip(".")
    if args.unit is not None:
        if not out.is_dir() and suffix not in FORMATS:
            print(f"--out 应是 .docx 或 .xlsx 文件（或已有的文件夹）：{out}", file=sys.stderr)
            return 2
        if args.format and not out.is_dir() and args.format != suffix:
            print(f"--format {args.format} 与输出文件 {out.name} 的类型不一致", file=sys.stderr)
            return 2
    elif suffix in FORMATS:
        print("--all-units 为每个单位各写一个文件：--out 应是文件夹（或 .zip 文件），不是 ."
              f"{suffix} 文件", file=sys.stderr)
        return 2
    try:
        when = date.fromisoformat(args.date) if args.date else None
    except ValueError:
        print(f"--date 应为 YYYY-MM-DD：{args.date}", file=sys.stderr)
        return 2
    path = _existing_db(args)
    if path is None:
        return 2
    flt = ReportFilter(years=(args.year,) if args.year else (), province=args.province, city=args.city,
                       county=args.county, kind=args.kind)
    con = db.connect(path, read_only=True)
    try:
        if args.unit is not None:
            try:
                written, rep = write_unit_report(con, args.unit, out, flt, fmt=args.format, report_date=when,
                                                 bureau=args.bureau)
            except UnitNotFound as e:
                print(e.message, file=sys.stderr)
                return 2
            s = rep.summary
            print(f"已写入 {written}（{rep.unit}：{s.n_projects} 个项目，需要整改的问题 {s.n_open} 条，"
                  f"经核实无需整改 {s.n_accepted} 条）")
            return 0
        if suffix == "zip":
            formats = (args.format,) if args.format else FORMATS
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(reports_zip(con, flt, formats, report_date=when))
            print(f"已写入 {out}")
            return 0

        def said(unit, written, error):
            print(f"ok      {written}" if error is None else f"failed  {unit}：{error}", flush=True)

        results = write_all_reports(con, out, flt, fmt=args.format or "docx", report_date=when, on_unit=said)
    finally:
        con.close()
    failed = sum(1 for _, _, e in results if e)
    if not results:
        print(f"所选范围（{flt.describe()}）内没有单位。", file=sys.stderr)
        return 2
    print(f"共 {len(results)} 个单位：写入 {len(results) - failed} 份，失败 {failed} 份（{out}）", file=sys.stderr)
    return 1 if failed else 0


def _read_password(args: argparse.Namespace) -> str:
    """The new password: one line from stdin with --password-stdin, else typed twice at a
    prompt that does not echo. Never printed."""
    import getpass

    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise ValueError("没有终端可输入密码：请用 --password-stdin 从标准输入读取")
    first = getpass.getpass(f"「{args.name}」的密码：")
    if getpass.getpass("再输入一次：") != first:
        raise ValueError("两次输入的密码不一致")
    return first


def cmd_users(args: argparse.Namespace) -> int:
    from jixiao import users

    path = Path(args.users).expanduser() if args.users else users_path_checked()
    if args.action == "add":
        try:
            user = users.add_user(args.name, _read_password(args), args.role, path, replace=args.replace)
        except ValueError as e:
            print(f"错误：{e}", file=sys.stderr)
            return 2
        print(f"已{'更新' if args.replace else '添加'}用户「{user.name}」（{user.role}）：{path}", file=sys.stderr)
    elif args.action == "remove":
        if not users.remove_user(args.name, path):
            print(f"没有用户「{args.name}」：{path}", file=sys.stderr)
            return 1
        print(f"已删除用户「{args.name}」", file=sys.stderr)
    else:
        listed = users.list_users(path)
        for u in listed:
            print(f"{u.name}\t{u.role}")
        print(f"共 {len(listed)} 个用户：{path}", file=sys.stderr)
    return 0


def users_path_checked() -> Path:
    """The users file, with a warning when it sits inside the repository (it should not be in git)."""
    from jixiao.db import REPO_ROOT
    from jixiao.users import users_path

    path = users_path()
    try:
        path.resolve().relative_to(REPO_ROOT)
        print(f"注意：用户文件 {path} 在代码仓库内，请放到仓库以外（JIXIAO_USERS）。", file=sys.stderr)
    except ValueError:
        pass
    return path


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
        try:
            units.record_decision(args.alias, args.canonical, args.action, reviewer=args.reviewer,
                                  note=args.note or "", province=args.province or "", county=args.county or "",
                                  db_path=path)
        except ValueError as e:
            print(str(e), file=sys.stderr)
            return 2
        units.rebuild(path)  # on a copy, swapped in: the dashboard keeps reading meanwhile
        print(f"已记录（{units.decisions_path(path)}）并重新计算派生表：{args.alias} → {args.canonical}（{args.action}）")
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
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1: this machine only; 0.0.0.0 opens it to the network)")
    p.add_argument("--headless", action="store_true", help="do not open a browser")
    p.add_argument("--workers", type=int, default=None,
                   help="server processes behind the one address (default: one per core, at most 4; 1 = a single server)")
    p.add_argument("--users", default=None, help="users file (default: $JIXIAO_USERS or ~/.config/jixiao/users.json)")
    p.add_argument("--require-login", action="store_true", default=None,
                   help="viewing needs a sign-in too (default: $JIXIAO_REQUIRE_LOGIN; else viewing is open)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("users", help="管理可登录仪表盘的用户（查看 / 审核 / 管理）")
    users_file = argparse.ArgumentParser(add_help=False)
    users_file.add_argument("--users", default=None,
                            help="users file (default: $JIXIAO_USERS or ~/.config/jixiao/users.json)")
    us = p.add_subparsers(dest="action", required=True)
    q = us.add_parser("add", parents=[users_file], help="添加用户（密码在提示符下输入，或 --password-stdin）")
    q.add_argument("name")
    q.add_argument("--role", required=True, help="查看 | 审核 | 管理 (viewer | reviewer | admin)")
    q.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    q.add_argument("--replace", action="store_true", help="change the password and role of an existing user")
    q = us.add_parser("remove", parents=[users_file], help="删除用户")
    q.add_argument("name")
    us.add_parser("list", parents=[users_file], help="列出用户（只列用户名和角色）")
    p.set_defaults(func=cmd_users)

    p = sub.add_parser("flags", help="列出问题标记")
    _db_arg(p)
    p.add_argument("--format", choices=["table", "csv", "json"], default="table")
    p.set_defaults(func=cmd_flags)

    p = sub.add_parser("report", help="写审核意见（Word / Excel），一个单位或每个单位一份",
                       description="为一个单位（--unit）或所选范围内的每个单位（--all-units）写审核意见。")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--unit", metavar="NAME", help="单位名称（文档中的写法或统一名称）")
    who.add_argument("--all-units", action="store_true", help="所选范围内每个单位各写一份")
    p.add_argument("--out", required=True, metavar="FILE|DIR",
                   help="--unit：FILE.docx 或 FILE.xlsx（或已有文件夹）；--all-units：文件夹或 FILE.zip")
    p.add_argument("--format", choices=["docx", "xlsx"], default=None,
                   help="写入文件夹时的格式（默认 docx；.zip 默认两种都写）")
    p.add_argument("--year", type=int, default=None, help="只含该年度（默认全部年度）")
    p.add_argument("--province", default=None)
    p.add_argument("--city", default=None)
    p.add_argument("--county", default=None)
    p.add_argument("--kind", choices=["goal", "self_eval"], default=None, help="只含绩效目标表或绩效自评表")
    p.add_argument("--bureau", default=None, help="落款单位（默认按地区：XX县财政局）")
    p.add_argument("--date", default=None, metavar="YYYY-MM-DD", help="落款日期（默认今天）")
    _db_arg(p)
    p.set_defaults(func=cmd_report)

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
    p.add_argument("--batch-size", type=int, default=None,
                   help="documents per load transaction (default: ingest.BULK_BATCH, the bulk loads' size)")
    p.add_argument("--db", type=Path, default=None,
                   help="an existing database for --browser / --sessions / --queries (default: WORKDIR/bench.duckdb)")
    p.add_argument("--browser", action="store_true",
                   help="open every page in headless Chromium: first visit, repeat visit, one interaction")
    p.add_argument("--browser-rounds", type=int, default=3, help="server starts (rounds) for --browser")
    p.add_argument("--pages", default=None, help="only these pages for --browser (sidebar titles, comma-separated)")
    p.add_argument("--sessions", type=int, default=None, metavar="N",
                   help="N concurrent websocket sessions, each opening the overview and one other page")
    p.add_argument("--queries", dest="queries_only", action="store_true",
                   help="time the dashboard's queries on the existing database")
    p.add_argument("--query-runs", type=int, default=20, help="timed runs per query")
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
        print(f"错误：{db.friendly_error(e) or f'{type(e).__name__}: {e}'}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
