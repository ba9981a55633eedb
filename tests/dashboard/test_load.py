"""The load test: the dashboard serves (on 127.0.0.1) while `jixiao ingest` loads into the
same database. The ingest succeeds; the dashboard keeps answering — its health endpoint, and a
page's script run end to end over Streamlit's own websocket protocol, as a browser drives it —
says that data are being updated while they are, never fails, and afterwards shows the new data.

Bounded: a few dozen small files, every wait with a timeout."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from jixiao.bench_dashboard import free_port

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "datasets" / "sample"



def _health(base: str) -> int:
    with urllib.request.urlopen(base + "/_stcore/health", timeout=5) as r:
        return r.status


def run_page(port: int, timeout: float = 60) -> dict:
    """Runs the default page (总览) once, as a browser would: a websocket session, one
    rerun_script message, then every element until the script finishes. Returns its metrics
    {label: value}, the texts of its message boxes and markdown, the exceptions it showed and
    whether the run finished successfully."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.sync.client import connect

    out = {"metrics": {}, "texts": [], "exceptions": [], "finished": None}
    with connect(f"ws://127.0.0.1:{port}/_stcore/stream", subprotocols=["streamlit"], max_size=None,
                 open_timeout=timeout) as ws:
        msg = BackMsg()
        msg.rerun_script.query_string = ""
        msg.rerun_script.page_script_hash = ""
        ws.send(msg.SerializeToString())
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            fm = ForwardMsg()
            fm.ParseFromString(ws.recv(timeout=max(1.0, deadline - time.monotonic())))
            kind = fm.WhichOneof("type")
            if kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
                el = fm.delta.new_element
                what = el.WhichOneof("type")
                if what == "metric":
                    out["metrics"][el.metric.label] = el.metric.body
                elif what == "exception":
                    out["exceptions"].append(el.exception.message)
                elif what == "alert":
                    out["texts"].append(el.alert.body)
                elif what == "markdown":
                    out["texts"].append(el.markdown.body)
            elif kind == "script_finished":
                out["finished"] = ForwardMsg.ScriptFinishedStatus.Name(fm.script_finished)
                break
    return out


@pytest.mark.load
def test_dashboard_serves_while_the_cli_loads(db_copy, tmp_path):
    from jixiao.serve import streamlit_command

    # A few dozen files of the bundled sample: enough for the load to take a few seconds.
    files = sorted(p for p in SAMPLE.rglob("*") if p.suffix in (".txt", ".xlsx", ".docx"))[::6][:40]
    folder = tmp_path / "incoming"
    folder.mkdir()
    for f in files:
        shutil.copy(f, folder / f.name)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cmd, env = streamlit_command(db_copy, port, headless=True)
    cmd.append("--server.address=127.0.0.1")
    server = subprocess.Popen(cmd, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if _health(base) == 200:
                    break
            except OSError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, "the dashboard did not start"
            time.sleep(0.3)
        before = run_page(port)
        assert before["finished"] == "FINISHED_SUCCESSFULLY" and not before["exceptions"]
        assert before["metrics"]["项目数"] == "37"

        ingest = subprocess.Popen([sys.executable, "-m", "jixiao.cli", "ingest", str(folder), "--db", str(db_copy),
                                   "--synthetic"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        during, updating_shown = [], 0
        from jixiao import db

        while ingest.poll() is None:
            assert _health(base) == 200
            running = db.import_running(db_copy)
            page = run_page(port)
            during.append(page)
            assert page["finished"] == "FINISHED_SUCCESSFULLY", page
            assert not page["exceptions"], page["exceptions"]
            assert not any("lock" in t.lower() or "请重新导入" in t for t in page["texts"]), page["texts"]
            if running and db.import_running(db_copy):  # the whole run happened during the import
                assert any("数据正在更新" in t for t in page["texts"]), page["texts"]
                updating_shown += 1
        out, err = ingest.communicate(timeout=300)
        assert ingest.returncode == 0, err
        assert during, "the import finished before the dashboard was asked anything"
        assert updating_shown, "no page run fell inside the import"
        print(f"{len(during)} page runs during the import, {updating_shown} said it was updating")

        added = sum(int(m) for m in re.findall(r"^ok\s.*projects=(\d+)", out, flags=re.M))
        assert added > 0
        after = run_page(port)
        assert after["finished"] == "FINISHED_SUCCESSFULLY" and not after["exceptions"]
        assert after["metrics"]["项目数"] == f"{37 + added:,}"
        assert not any("数据正在更新" in t for t in after["texts"])
        assert _health(base) == 200
    finally:
        server.kill()
        server.wait(timeout=30)


def test_pages_say_when_the_derived_tables_are_stale_or_an_import_runs(db_copy):
    """A load killed before its derive step leaves scores and flags behind the data: every page
    says so; while an import holds the database, pages say the data shown are the previous."""
    from streamlit.testing.v1 import AppTest

    from dashboard import data
    from jixiao import db
    from jixiao.ingest import ingest_paths

    ingest_paths([ROOT / "tests" / "fixtures" / "handwritten" / "selfeval_zhangye.txt"], db_copy, derive=False)
    data.clear_caches()
    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception
    assert [i.value for i in at.info] == [data.STALE]
    at.switch_page("views/documents.py")
    at.run()
    assert data.STALE in [i.value for i in at.info]
    with db.import_lock(db_copy):
        at.switch_page("views/overview.py")
        at.run()
        assert [i.value for i in at.info] == [data.UPDATING]
