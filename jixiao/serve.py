"""Launching the Streamlit dashboard with streamlit_config/config.toml applied as flags."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

from jixiao.db import REPO_ROOT

CONFIG = REPO_ROOT / "streamlit_config" / "config.toml"
APP = REPO_ROOT / "dashboard" / "app.py"


def config_flags(path: Path = CONFIG) -> list[str]:
    """Given the TOML config, returns it as Streamlit command-line flags (--section.key=value)."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    flags = []
    for section, values in data.items():
        for key, value in values.items():
            v = str(value).lower() if isinstance(value, bool) else str(value)
            flags.append(f"--{section}.{key}={v}")
    return flags


def streamlit_command(db_path: Path, port: int, headless: bool = True) -> tuple[list[str], dict[str, str]]:
    """Given the database and port, returns the command line and environment that start the app."""
    cmd = [sys.executable, "-m", "streamlit", "run", str(APP), *config_flags(),
           f"--server.port={port}"]
    if headless:
        cmd.append("--server.headless=true")
    return cmd, {"JIXIAO_DB": str(Path(db_path).resolve())}
