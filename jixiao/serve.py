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
"""

from __future__ import annotations

import ipaddress
import os
import sys
import tomllib
from pathlib import Path

from jixiao.db import REPO_ROOT

CONFIG = REPO_ROOT / "streamlit_config" / "config.toml"
APP = REPO_ROOT / "dashboard" / "app.py"
DEFAULT_HOST = "127.0.0.1"
# Viewing needs a sign-in when this is 1/true/yes (read by dashboard/auth.py).
REQUIRE_LOGIN_ENV = "JIXIAO_REQUIRE_LOGIN"


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
                      users: Path | str | None = None,
                      require_login: bool | None = None) -> tuple[list[str], dict[str, str]]:
    """Given the database, port and address (and optionally the users file and whether viewing
    needs a sign-in), returns the command line and the environment that start the app."""
    overrides = {"server.address": host or DEFAULT_HOST, "server.port": int(port)}
    if headless:
        overrides["server.headless"] = True
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
           "dashboard.data", "dashboard.charts",
           "dashboard.export", "dashboard.filters", "dashboard.format", "dashboard.links", "dashboard.auth")


def _serialize_once() -> None:
    """Serialises one small chart and one table as the elements do, so that what they import on
    first use (Plotly's JSON encoders, Streamlit's Arrow conversion) is imported here, once."""
    import plotly.graph_objects as go
    import plotly.io as pio
    import polars as pl
    from streamlit import dataframe_util

    pio.to_json(go.Figure(go.Bar(x=[1], y=[1])), validate=False)
    dataframe_util.convert_anything_to_arrow_bytes(pl.DataFrame({"a": [1]}).to_arrow())


def main() -> int:
    """Streamlit's command line (`streamlit run …`), the dashboard's libraries imported first.
    Importing them does no work on data (that happens on a page's first run)."""
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
