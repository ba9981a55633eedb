"""Launching the Streamlit dashboard with streamlit_config/config.toml applied as flags.

The launcher's own options win over the config file: `--server.address` (127.0.0.1 unless
`--host` says otherwise), `--server.port` and `--server.headless` replace whatever the TOML
says, so each option is given to Streamlit once.

The server runs as `python -m jixiao.serve run …` (Streamlit's own command line behind a
few imports): the dashboard's libraries (Polars, DuckDB, Plotly, the dashboard modules — a
second and more) are imported when the server starts, not in the first visitor's page run,
and the shared caches are filled with the unfiltered view of every page (and the overview
of each year) before the server opens its port, then again by a background thread after
every import or waiver (`dashboard.data.warm_in_background`; JIXIAO_WARM=0 turns it off).

With `workers` > 1 (`jixiao serve --workers N`; default one per core, at most four), the command
is `python -m jixiao.serve workers N HOST PORT …`: N such servers on free loopback ports and,
once every one answers, `jixiao.balancer` on HOST:PORT keeping each browser on one of them. A
server that exits is started again on its port; the balancer sends its browsers to the others
meanwhile.
"""

from __future__ import annotations

import ipaddress
import os
import signal
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
from pathlib import Path

from jixiao.db import REPO_ROOT

CONFIG = REPO_ROOT / "streamlit_config" / "config.toml"
APP = REPO_ROOT / "dashboard" / "app.py"
DEFAULT_HOST = "127.0.0.1"
# Viewing needs a sign-in when this is 1/true/yes (read by dashboard/auth.py).
REQUIRE_LOGIN_ENV = "JIXIAO_REQUIRE_LOGIN"
MAX_AUTO_WORKERS = 4  # each server holds its own caches: memory grows with them


def default_workers() -> int:
    """Returns the number of server processes `serve` starts by default: one per core, at most
    MAX_AUTO_WORKERS."""
    return max(1, min(os.cpu_count() or 1, MAX_AUTO_WORKERS))


def free_port(host: str = "127.0.0.1") -> int:
    """Returns a TCP port free on `host` now."""
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def _flag_value(value) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def config_options(path: Path | None = None) -> dict[str, str]:
    """Given the TOML config (default: streamlit_config/config.toml), returns its options as
    {"section.key": value}."""
    data = tomllib.loads((path or CONFIG).read_text(encoding="utf-8"))
    return {f"{section}.{key}": _flag_value(value)
            for section, values in data.items() for key, value in values.items()}


def config_flags(path: Path | None = None, overrides: dict[str, str] | None = None) -> list[str]:
    """Given the TOML config and the launcher's own options, returns Streamlit command-line
    flags (--section.key=value), one per option, the overrides winning."""
    options = {**config_options(path), **{k: _flag_value(v) for k, v in (overrides or {}).items()}}
    return [f"--{k}={v}" for k, v in options.items()]


def streamlit_command(db_path: Path, port: int, host: str = DEFAULT_HOST, headless: bool = True,
                      users: Path | str | None = None, require_login: bool | None = None,
                      workers: int = 1) -> tuple[list[str], dict[str, str]]:
    """Given the database, port and address (and optionally the users file, whether viewing
    needs a sign-in and how many server processes), returns the command line and the
    environment that start the app."""
    overrides = {"server.address": host or DEFAULT_HOST, "server.port": int(port)}
    if headless:
        overrides["server.headless"] = True
    if workers > 1:
        # the servers behind the balancer never open a browser; the balancer does, unless headless
        cmd = [sys.executable, "-m", "jixiao.serve", "workers", str(int(workers)), host or DEFAULT_HOST, str(int(port)),
               "0" if headless else "1", str(APP),
               *config_flags(overrides={**overrides, "server.address": "127.0.0.1", "server.headless": True})]
    else:
        cmd = [sys.executable, "-m", "jixiao.serve", "run", str(APP), *config_flags(overrides=overrides)]
    env = {"JIXIAO_DB": str(Path(db_path).resolve())}
    if users:
        env["JIXIAO_USERS"] = str(Path(users).expanduser().resolve())
    if require_login is not None:
        env[REQUIRE_LOGIN_ENV] = "1" if require_login else "0"
    return cmd, env


def is_loopback(host: str) -> bool:
    """Returns whether an address only this machine can reach (127.x, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve_notes(host: str, env: dict[str, str]) -> list[str]:
    """Given the address and the app's environment, returns what the operator should know
    (in Chinese): who can reach the dashboard and who may change anything."""
    from jixiao import users

    notes = []
    path = Path(env.get("JIXIAO_USERS") or users.users_path())
    try:
        writers = [u for u in users.list_users(path) if u.may(users.REVIEWER)]
    except ValueError as e:
        writers = []
        notes.append(f"注意：{e}")
    if not is_loopback(host):
        closed = env.get(REQUIRE_LOGIN_ENV, os.environ.get(REQUIRE_LOGIN_ENV, "")).lower() in ("1", "true", "yes")
        notes.append(f"仪表盘在 {host} 上对网络开放；" + ("查看需要登录。" if closed else
                     "任何能访问的人都可以查看（要求登录才能查看：--require-login）。"))
    if not writers:
        notes.append(f"还没有审核或管理用户（{path}）：导入文档、接受标记暂时无人可做。"
                     "添加：jixiao users add 姓名 --role 审核")
    return notes


# pandas and pyarrow too: Streamlit's chart and table elements import them lazily, and fifty
# sessions' first runs importing one module at once see it half-initialised (AttributeError).
PRELOAD = ("pandas", "pyarrow", "polars", "duckdb", "plotly.graph_objects", "plotly.express", "plotly.io",
           # a styled table (pandas' Styler compiles its jinja2 templates on import: 0.1–0.16 s)
           "pandas.io.formats.style", "streamlit.elements.lib.pandas_styler_utils",
           "dashboard.data", "dashboard.charts",
           "dashboard.export", "dashboard.filters", "dashboard.format", "dashboard.links", "dashboard.auth")


def _serialize_once() -> None:
    """Serialises one small chart of each kind the dashboard draws and one table as the elements
    do, and reads one Chinese label as a widget does, so that what they load on first use is
    loaded here, once, and not in the first visitor's wait: Plotly's JSON encoders and each trace
    type's validators, Streamlit's Arrow conversion, and the emoji pattern Streamlit compiles for
    the first label that is not ASCII (0.23 s: the first project opened, its 年度 control)."""
    import plotly.graph_objects as go
    import plotly.io as pio
    import polars as pl
    from streamlit import dataframe_util, string_util

    for trace in (go.Bar(x=[1], y=[1]), go.Scatter(x=[1], y=[1]), go.Box(x=["a"], y=[1]),
                  go.Violin(x=["a"], y=[1]), go.Heatmap(z=[[1]]), go.Treemap(labels=["a"], parents=[""])):
        pio.to_json(go.Figure(trace), validate=False)
    dataframe_util.convert_anything_to_arrow_bytes(pl.DataFrame({"a": [1]}).to_arrow())
    string_util.extract_leading_emoji("年度")


def healthy(port: int) -> bool:
    """Given a port on 127.0.0.1, returns whether a dashboard server there answers its health check."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


def _with_port(flags: list[str], port: int) -> list[str]:
    return [f for f in flags if not f.startswith("--server.port=")] + [f"--server.port={port}"]


def workers_main(argv: list[str]) -> int:
    """`workers N HOST PORT OPEN APP FLAGS…`: runs N servers (`run APP FLAGS…` on free loopback
    ports) and, once all answer, the balancer on HOST:PORT (and a browser on it when OPEN is
    1); restarts a server that exits; stops them all on SIGTERM / SIGINT."""
    import asyncio

    from jixiao.balancer import serve_forever

    n, host, port, open_browser, app, flags = int(argv[0]), argv[1], int(argv[2]), argv[3] == "1", argv[4], argv[5:]
    ports = [free_port() for _ in range(n)]
    procs: list[subprocess.Popen | None] = [None] * n

    def start(i: int) -> subprocess.Popen:
        # its "You can now view your Streamlit app" names its own port, not the one to open
        return subprocess.Popen([sys.executable, "-m", "jixiao.serve", "run", app, *_with_port(flags, ports[i])],
                                stdout=subprocess.DEVNULL)

    def stop(*_):
        for p in procs:
            if p and p.poll() is None:
                p.terminate()
        for p in procs:
            try:
                p and p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for i in range(n):
        procs[i] = start(i)
    while not all(healthy(p) for p in ports):  # each fills its caches before opening its port
        for i, p in enumerate(procs):
            if p.poll() is not None:
                print(f"仪表盘服务进程 {i + 1} 启动失败（退出码 {p.returncode}）", file=sys.stderr)
                stop()
        time.sleep(0.3)

    async def run() -> None:
        async def watch() -> None:
            while True:
                await asyncio.sleep(1)
                for i, p in enumerate(procs):
                    if p.poll() is not None:
                        print(f"仪表盘服务进程 {i + 1} 已退出（退出码 {p.returncode}），正在重新启动", file=sys.stderr)
                        procs[i] = start(i)

        asyncio.ensure_future(watch())

        def ready(_port: int) -> None:
            url = f"http://{'localhost' if host in ('0.0.0.0', '::') else host}:{port}/"
            print(f"仪表盘：{url}（{n} 个服务进程）", file=sys.stderr, flush=True)
            if open_browser:
                import webbrowser

                webbrowser.open(url)

        await serve_forever(host, port, [("127.0.0.1", p) for p in ports], ready=ready)

    try:
        asyncio.run(run())
    finally:
        stop()
    return 0


def main() -> int:
    """Streamlit's command line (`streamlit run …`), the dashboard's libraries imported first.
    Importing them does no work on data (that happens on a page's first run). `workers …`:
    several of those behind the balancer (`workers_main`)."""
    if sys.argv[1:2] == ["workers"]:
        return workers_main(sys.argv[2:])
    import importlib

    sys.path.insert(0, str(REPO_ROOT))  # where `streamlit run dashboard/app.py` finds `dashboard`
    for name in PRELOAD:
        importlib.import_module(name)
    _serialize_once()
    if os.environ.get("JIXIAO_WARM", "1") != "0":
        from dashboard.data import warm_in_background

        warm_in_background(first_now=True)  # the port opens once the unfiltered views are ready
    from streamlit.web.cli import main as streamlit_main

    return streamlit_main(prog_name="streamlit")


if __name__ == "__main__":
    sys.exit(main())
