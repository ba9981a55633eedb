"""`jixiao serve`: listens on 127.0.0.1 unless --host says otherwise, the launcher's options
win over streamlit_config/config.toml, and the operator is told who can reach it."""

from __future__ import annotations

from jixiao import serve
from jixiao.cli import build_parser


def _opts(cmd: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for a in cmd:
        if a.startswith("--") and "=" in a:
            k, v = a[2:].split("=", 1)
            out.setdefault(k, []).append(v)
    return out


def test_serve_listens_on_loopback_by_default(tmp_path):
    args = build_parser().parse_args(["serve"])
    assert args.host == "127.0.0.1"
    cmd, env = serve.streamlit_command(tmp_path / "x.duckdb", 8501, host=args.host)
    assert _opts(cmd)["server.address"] == ["127.0.0.1"]
    assert env["JIXIAO_DB"].endswith("x.duckdb")


def test_host_flag_wins_over_the_config_file(tmp_path, monkeypatch):
    cfg = tmp_path / "config.toml"
    cfg.write_text('[server]\naddress = "0.0.0.0"\nport = 9999\nmaxUploadSize = 20\n', encoding="utf-8")
    monkeypatch.setattr(serve, "CONFIG", cfg)
    cmd, _ = serve.streamlit_command(tmp_path / "x.duckdb", 8600)
    opts = _opts(cmd)
    assert opts["server.address"] == ["127.0.0.1"] and opts["server.port"] == ["8600"], "each option once"
    assert opts["server.maxUploadSize"] == ["20"]
    cmd, _ = serve.streamlit_command(tmp_path / "x.duckdb", 8600, host="0.0.0.0")
    assert _opts(cmd)["server.address"] == ["0.0.0.0"]


def test_the_project_config_sets_no_address():
    # the address is the launcher's (default 127.0.0.1); a value in the TOML would be overridden
    assert "server.address" not in serve.config_options()


def test_serve_passes_users_file_and_closed_viewing(tmp_path):
    _, env = serve.streamlit_command(tmp_path / "x.duckdb", 8501, users=tmp_path / "u.json", require_login=True)
    assert env["JIXIAO_USERS"] == str((tmp_path / "u.json").resolve())
    assert env[serve.REQUIRE_LOGIN_ENV] == "1"
    _, env = serve.streamlit_command(tmp_path / "x.duckdb", 8501)
    assert serve.REQUIRE_LOGIN_ENV not in env and "JIXIAO_USERS" not in env


def test_serve_notes_say_who_can_reach_it(tmp_path):
    env = {"JIXIAO_USERS": str(tmp_path / "none.json")}
    loop = serve.serve_notes("127.0.0.1", env)
    assert not any("对网络开放" in n for n in loop) and any("还没有审核或管理用户" in n for n in loop)
    opened = serve.serve_notes("0.0.0.0", env)
    assert any("对网络开放" in n for n in opened)
    assert serve.is_loopback("::1") and serve.is_loopback("localhost") and not serve.is_loopback("10.0.0.5")


def test_a_server_loads_what_a_first_visitor_would_wait_for_before_it_opens():
    # In a fresh interpreter, as `jixiao serve` starts a server process: after the preload the
    # first styled table, chart of each kind and Chinese widget label find their code loaded.
    import subprocess
    import sys

    code = (
        "import sys, importlib, re\n"
        "import jixiao.serve as sv\n"
        "[importlib.import_module(n) for n in sv.PRELOAD]\n"
        "assert 'streamlit.emojis' not in sys.modules\n"
        "sv._serialize_once()\n"
        "assert 'streamlit.emojis' in sys.modules  # its pattern is compiled on import\n"
        "assert 'pandas.io.formats.style' in sys.modules and 'jinja2' in sys.modules\n"
        "for kind in ('violin', 'treemap', 'heatmap', 'box'):\n"
        "    assert any(m.startswith('plotly.') and m.endswith(kind) for m in sys.modules), kind\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().endswith("ok")
