"""What a person waits for in the dashboard: `jixiao bench --browser` and `jixiao bench --sessions N`.

Both start the dashboard (`jixiao.serve.streamlit_command`, on 127.0.0.1, a free port) on an
existing database and measure from the client's side:

- **browser** (`browser_pass`): headless Chromium (Debian's /usr/bin/chromium through
  Playwright). Per round the server is started afresh; the first page (总览, at `/`) and then
  every other page (by its sidebar link, as a person navigates) are each opened once — the
  *first visit* after the server started, caches cold — then every page again (*repeat
  visit*), then one *interaction* per page (a filter, a switch, a selected row). A page is
  *ready* when its script run has finished (the `script_finished` message on the websocket),
  the app says it is not running, no skeleton is left and every Plotly chart on it is drawn.
  Also recorded: the bytes the server sent for each visit (websocket frames) and the largest
  chart's marks.
- **sessions** (`sessions_pass`): N websocket sessions at once (Streamlit's own protocol, as
  a browser drives it, without browsers: it measures the server, not Chromium), each running
  the overview and then one other page (session k takes page k mod 6). Ready = the script run
  finished; an error = an exception element, a run that did not finish successfully, a
  "page not found" or a timeout. Run once right after the server starts (cold caches) and once
  more (warm).

Each returns a dict of p50 / p95 (ms) per page; `format_table` prints them.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from jixiao.serve import default_workers, free_port, healthy

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
# (sidebar title, what the interaction does) — the order a person would click through.
PAGES: list[tuple[str, str]] = [
    ("总览", "年度筛选：选最近一年"),
    ("单位对比", "自评总分分布：按单位"),
    ("下钻", "选中第一个单位"),
    ("趋势", "颜色区分：按单位"),
    ("项目视图", "打开列出的第一个项目"),
    ("问题标记", "严重程度：高"),
    ("规则说明", "省筛选：选第一个省"),
    ("数据导入 / 文档", "选中第一个文档"),
    ("单位名称合并", "状态：全部"),
]
TARGETS = {"first_ms": 3000.0, "repeat_ms": 1500.0, "interaction_ms": 1000.0, "sessions_p95_ms": 3000.0}


def _pct(values: list[float], q: float) -> float | None:
    s = sorted(values)
    if not s:
        return None
    k = (len(s) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def _summary(values: list[float | None]) -> dict:
    values = [v for v in values if v is not None]  # a failed visit is counted among the errors
    return {"n": len(values), "p50_ms": _round(_pct(values, 0.5)), "p95_ms": _round(_pct(values, 0.95)),
            "max_ms": _round(max(values) if values else None)}


def _ms(visit: dict) -> str:
    return f"{visit['ms']:8.0f}" if visit["ms"] is not None else f"  failed ({visit.get('error', '')})"


def _round(v: float | None) -> float | None:
    return None if v is None else round(v, 0)


# ----------------------------------------------------------------------------- the server


@contextmanager
def served(db: Path, env: dict[str, str] | None = None, timeout: float = 90, port: int | None = None,
           workers: int = 1):
    """Runs the dashboard on the database (127.0.0.1, the port or a free one; `workers` server
    processes, behind the balancer when more than one) in its own process group and yields
    (base url, port); stops it (that group) afterwards."""
    from jixiao.serve import streamlit_command

    port = port or free_port()
    cmd, app_env = streamlit_command(Path(db), port, headless=True, workers=workers)
    proc = subprocess.Popen(cmd, env={**os.environ, **app_env, **(env or {})}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"the dashboard exited with {proc.returncode}")
            if healthy(port):
                break
            if time.monotonic() > deadline:
                raise TimeoutError("the dashboard did not start")
            time.sleep(0.2)
        yield base, port
    finally:
        try:
            os.killpg(proc.pid, 15)
            proc.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(proc.pid, 9)
            except ProcessLookupError:
                pass


# ----------------------------------------------------------------------------- browser


class _Frames:
    """Listens to the page's Streamlit websocket: counts the bytes received and notes when a
    script run finished (parsed ForwardMsg)."""

    def __init__(self, page) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        self._msg = ForwardMsg
        self.bytes = 0
        self.finished: list[tuple[float, str]] = []
        self.exceptions = 0
        page.on("websocket", self._attach)

    def _attach(self, ws) -> None:
        if "_stcore/stream" in ws.url:
            ws.on("framereceived", self._frame)

    def _frame(self, payload) -> None:
        if isinstance(payload, str):
            return
        self.bytes += len(payload)
        if len(payload) > _PARSE_LIMIT:  # data (a table, a chart): never the end of a run
            return
        fm = self._msg()
        try:
            fm.ParseFromString(payload)
        except Exception:  # noqa: BLE001 - not a ForwardMsg
            return
        kind = fm.WhichOneof("type")
        if kind == "script_finished":
            self.finished.append((time.perf_counter(), self._msg.ScriptFinishedStatus.Name(fm.script_finished)))
        elif kind == "delta" and fm.delta.WhichOneof("type") == "new_element" \
                and fm.delta.new_element.WhichOneof("type") == "exception":
            self.exceptions += 1


# Messages larger than this carry data (tables, charts), never a script_finished or an
# exception: only their size is counted (parsing 50 sessions' megabytes would load the client).
_PARSE_LIMIT = 64_000

_DOM_READY = """() => {
  const app = document.querySelector("[data-testid='stApp']");
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (app.getAttribute('data-test-connection-state') !== 'CONNECTED') return false;
  if (document.querySelector("[data-testid='stSkeleton']")) return false;
  for (const c of document.querySelectorAll("[data-testid='stPlotlyChart']")) {
    if (!c.querySelector('.main-svg')) return false;
  }
  return true;
}"""


def _wait_ready(page, frames: _Frames, since: float, timeout_s: float) -> float:
    """Waits until a script run that finished after `since` is drawn; returns its time (s)."""
    deadline = since + timeout_s
    while time.perf_counter() < deadline:
        done = [t for t, status in frames.finished if t >= since]
        if done and page.evaluate(_DOM_READY):
            return time.perf_counter()
        page.wait_for_timeout(15)
    raise TimeoutError(f"not ready within {timeout_s:.0f} s")


def _visit(page, frames: _Frames, action, timeout_s: float) -> dict:
    """Runs an action (navigation, a click) and returns {ms, bytes, errors} until the page is
    ready; an action or a page that fails counts as an error (ms None), the pass goes on."""
    b0, e0 = frames.bytes, frames.exceptions
    t0 = time.perf_counter()
    try:
        action()
        t1 = _wait_ready(page, frames, t0, timeout_s)
    except Exception as e:  # noqa: BLE001 - a failed visit is a result, not the end of the pass
        return {"ms": None, "bytes": frames.bytes - b0, "errors": 1, "error": f"{type(e).__name__}: {e}"[:200]}
    errors = frames.exceptions - e0 + page.locator("[data-testid='stException']").count()
    return {"ms": (t1 - t0) * 1000, "bytes": frames.bytes - b0, "errors": errors}


def _nav(page, title: str):
    return lambda: page.locator("[data-testid='stSidebarNav'] a", has_text=title).first.click()


def _click_first_row(page) -> None:
    grid = page.locator("[data-testid='stDataFrame']:visible").first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 18, box["y"] + 36 + 17)


def _pick(page, testid: str, label: str, option: int = 0) -> None:
    page.locator(f"[data-testid='{testid}']", has_text=label).first.click()
    page.locator("[role='option']").nth(option).click()
    page.keyboard.press("Escape")


def _interaction(page, title: str):
    """The one interaction per page (PAGES), as a callable."""
    def segmented(label: str):
        return lambda: page.locator("[data-testid='stButtonGroup'] button", has_text=label).first.click()

    return {
        "总览": lambda: _pick(page, "stMultiSelect", "年度"),
        "单位对比": segmented("按单位"),
        "下钻": lambda: _click_first_row(page),
        "趋势": segmented("按单位"),
        "问题标记": lambda: _pick(page, "stMultiSelect", "严重程度"),
        "规则说明": lambda: _pick(page, "stSelectbox", "省（自治区）", 1),
        "项目视图": lambda: page.locator("[data-testid='stMain'] a[href*='project=']").first.click(),
        "数据导入 / 文档": lambda: _click_first_row(page),
        "单位名称合并": segmented("全部"),
    }[title]


def browser_pass(db: Path, rounds: int = 3, pages: list[str] | None = None, timeout_s: float = 120,
                 log=print, workers: int | None = None) -> dict:
    """Given a database, opens the dashboard's pages in headless Chromium `rounds` times (each on
    a freshly started server): first visit, repeat visit and one interaction per page. Returns
    {"pages": {title: {first, repeat, interaction: {n, p50_ms, p95_ms, max_ms}, bytes_first,
    bytes_repeat, errors}}, "rounds": n, "workers": n}: served as `jixiao serve` serves (`workers`
    server processes, default one per core)."""
    from playwright.sync_api import sync_playwright

    workers = workers or default_workers()
    titles = [t for t, _ in PAGES if pages is None or t in pages]
    unknown = set(pages or ()) - {t for t, _ in PAGES}
    if unknown:
        raise ValueError(f"unknown pages {sorted(unknown)}; pages: {[t for t, _ in PAGES]}")
    raw: dict[str, dict[str, list]] = {t: {"first": [], "repeat": [], "interaction": [], "bytes_first": [],
                                           "bytes_repeat": [], "errors": []} for t in titles}
    port = free_port()  # one address for every round: the browser's cache of the app's files holds
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        ctx = browser.new_context(viewport={"width": 1440, "height": 900})
        try:
            # The app's own files (JavaScript, Plotly) come from the browser's cache on a real
            # visit after a restart: load them once on a server of their own, not measured.
            with served(db, port=port, workers=workers) as (base, _port):
                warm = ctx.new_page()
                frames = _Frames(warm)
                t0 = time.perf_counter()
                warm.goto(base)
                _wait_ready(warm, frames, t0, timeout_s)
                warm.close()
            for r in range(rounds):
                with served(db, port=port, workers=workers) as (base, _port):
                    page = ctx.new_page()
                    frames = _Frames(page)
                    # first visits: / is the overview; the others by their sidebar links
                    for k, title in enumerate(titles):
                        go = (lambda: page.goto(base)) if k == 0 and title == PAGES[0][0] else None
                        if go is None and k == 0:  # the first page asked for is not the default: open / first
                            t0 = time.perf_counter()
                            page.goto(base)
                            _wait_ready(page, frames, t0, timeout_s)
                        v = _visit(page, frames, go or _nav(page, title), timeout_s)
                        raw[title]["first"].append(v["ms"])
                        raw[title]["bytes_first"].append(v["bytes"])
                        raw[title]["errors"].append(v["errors"])
                        log(f"round {r + 1} first   {title:<10} {_ms(v)} ms {v['bytes'] / 1e3:9.1f} KB")
                    for title in titles:
                        v = _visit(page, frames, _nav(page, title), timeout_s)
                        raw[title]["repeat"].append(v["ms"])
                        raw[title]["bytes_repeat"].append(v["bytes"])
                        raw[title]["errors"].append(v["errors"])
                        log(f"round {r + 1} repeat  {title:<10} {_ms(v)} ms {v['bytes'] / 1e3:9.1f} KB")
                    for title in titles:
                        _visit(page, frames, _nav(page, title), timeout_s)
                        v = _visit(page, frames, _interaction(page, title), timeout_s)
                        raw[title]["interaction"].append(v["ms"])
                        raw[title]["errors"].append(v["errors"])
                        log(f"round {r + 1} act     {title:<10} {_ms(v)} ms  ({dict(PAGES)[title]})")
                    page.close()
        finally:
            ctx.close()
            browser.close()
    out = {}
    for title, v in raw.items():
        out[title] = {"first": _summary(v["first"]), "repeat": _summary(v["repeat"]),
                      "interaction": {**_summary(v["interaction"]), "what": dict(PAGES)[title]},
                      "kb_first": round(max(v["bytes_first"], default=0) / 1e3, 1),
                      "kb_repeat": round(max(v["bytes_repeat"], default=0) / 1e3, 1),
                      "errors": sum(v["errors"])}
    return {"rounds": rounds, "workers": workers, "pages": out}


# ----------------------------------------------------------------------------- sessions


def _session_run(ws, page_hash: str, timeout_s: float) -> dict:
    """One script run over an open websocket: sends rerun_script, reads until it finished.
    Returns {ms, ok, error, pages} (pages: {title: script hash} from the navigation message)."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    msg = BackMsg()
    msg.rerun_script.query_string = ""
    msg.rerun_script.page_script_hash = page_hash
    t0 = time.perf_counter()
    ws.send(msg.SerializeToString())
    out: dict[str, Any] = {"ok": False, "error": None, "pages": {}}
    deadline = t0 + timeout_s
    exceptions = 0
    while True:
        left = deadline - time.perf_counter()
        if left <= 0:
            out["error"] = "timeout"
            break
        data = ws.recv(timeout=left)
        if len(data) > _PARSE_LIMIT:
            continue
        fm = ForwardMsg()
        fm.ParseFromString(data)
        kind = fm.WhichOneof("type")
        if kind == "navigation":
            out["pages"] = {p.page_name: p.page_script_hash for p in fm.navigation.app_pages}
        elif kind == "page_not_found":
            out["error"] = "page not found"
        elif kind == "delta" and fm.delta.WhichOneof("type") == "new_element" \
                and fm.delta.new_element.WhichOneof("type") == "exception":
            exceptions += 1
            ex = fm.delta.new_element.exception
            out.setdefault("exception", f"{ex.type}: {ex.message}"[:200])
        elif kind == "script_finished":
            status = ForwardMsg.ScriptFinishedStatus.Name(fm.script_finished)
            if status == "FINISHED_SUCCESSFULLY":
                out["ok"] = not exceptions and out["error"] is None
                if exceptions:
                    out["error"] = f"{exceptions} exception(s) shown ({out.get('exception')})"
                break
            if status != "FINISHED_EARLY_FOR_RERUN":
                out["error"] = status
                break
    out["ms"] = (time.perf_counter() - t0) * 1000
    return out


def _session(port: int, other: str, start: threading.Barrier, timeout_s: float, results: list) -> None:
    from websockets.sync.client import connect

    rec: dict[str, Any] = {"page": other}
    try:
        start.wait()
        t0 = time.perf_counter()
        with connect(f"ws://127.0.0.1:{port}/_stcore/stream", subprotocols=["streamlit"], max_size=None,
                     open_timeout=timeout_s, ping_interval=None, close_timeout=5) as ws:
            first = _session_run(ws, "", timeout_s)
            rec["overview_ms"] = (time.perf_counter() - t0) * 1000  # from connecting, as a browser waits
            rec["errors"] = [first["error"]] if first["error"] else []
            target = first["pages"].get(other)
            if target is None:
                rec["errors"].append(f"no page {other}")
            else:
                second = _session_run(ws, target, timeout_s)
                rec["other_ms"] = second["ms"]
                if second["error"]:
                    rec["errors"].append(second["error"])
    except Exception as e:  # noqa: BLE001 - every failure is a result
        rec.setdefault("errors", []).append(f"{type(e).__name__}: {e}"[:200])
    results.append(rec)


def _sessions_once(port: int, n: int, timeout_s: float) -> dict:
    others = [t for t, _ in PAGES[1:]]
    start = threading.Barrier(n)
    results: list[dict] = []
    threads = [threading.Thread(target=_session, args=(port, others[k % len(others)], start, timeout_s, results))
               for k in range(n)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    ready = [r["overview_ms"] for r in results if "overview_ms" in r] + [r["other_ms"] for r in results if "other_ms" in r]
    per_page: dict[str, list[float]] = {"总览": [r["overview_ms"] for r in results if "overview_ms" in r]}
    for r in results:
        if "other_ms" in r:
            per_page.setdefault(r["page"], []).append(r["other_ms"])
    errors = [e for r in results for e in r.get("errors", [])]
    return {"sessions": n, "wall_s": round(wall, 1), "errors": len(errors), "error_examples": sorted(set(errors))[:5],
            "ready": _summary(ready), "pages": {k: _summary(v) for k, v in per_page.items()}}


def sessions_pass(db: Path, n: int = 50, timeout_s: float = 120, log=print, workers: int | None = None) -> dict:
    """Given a database, starts the dashboard and runs `n` websocket sessions at once, each
    opening the overview and one other page — right after the start (cold caches) and once more
    (warm). Returns {"cold": {...}, "warm": {...}}: errors and p50 / p95 (ms) of every page run.
    Served as `jixiao serve` serves: `workers` server processes (default one per core)."""
    workers = workers or default_workers()
    with served(db, workers=workers) as (_base, port):
        cold = _sessions_once(port, n, timeout_s)
        log(f"sessions {n} cold: errors {cold['errors']}, ready p50 {cold['ready']['p50_ms']} ms "
            f"p95 {cold['ready']['p95_ms']} ms, wall {cold['wall_s']} s")
        warm = _sessions_once(port, n, timeout_s)
        log(f"sessions {n} warm: errors {warm['errors']}, ready p50 {warm['ready']['p50_ms']} ms "
            f"p95 {warm['ready']['p95_ms']} ms, wall {warm['wall_s']} s")
    return {"level": "websocket (Streamlit's protocol, no browser)", "workers": workers, "cold": cold, "warm": warm}


# ----------------------------------------------------------------------------- report


def check_targets(browser: dict | None, sessions: dict | None) -> dict[str, dict]:
    """Given the browser and sessions results, returns {target: {value, target, ok}}."""
    out: dict[str, dict] = {}
    for name, step in (("browser", browser), ("sessions", sessions)):
        if step and "error" in step:  # the step itself failed
            out[f"{name}_pass"] = {"value": None, "target": "runs", "ok": False, "error": step["error"]}
    browser = None if browser and "error" in browser else browser
    sessions = None if sessions and "error" in sessions else sessions
    if browser:
        pages = browser["pages"]
        for key, what in (("first", "first_ms"), ("repeat", "repeat_ms"), ("interaction", "interaction_ms")):
            worst = max(pages, key=lambda t: pages[t][key]["p95_ms"] or 0)
            val = pages[worst][key]["p95_ms"]
            out[f"browser_{key}_p95_ms"] = {"value": val, "page": worst, "target": f"≤ {TARGETS[what]:g} ms (slowest page)",
                                            "ok": val is not None and val <= TARGETS[what]}
        errors = sum(v["errors"] for v in pages.values())
        out["browser_errors"] = {"value": errors, "target": "0", "ok": errors == 0}
    if sessions:
        for when in ("cold", "warm"):
            s = sessions[when]
            val = s["ready"]["p95_ms"]
            out[f"sessions_{when}_p95_ms"] = {"value": val, "target": f"≤ {TARGETS['sessions_p95_ms']:g} ms, 0 errors",
                                              "ok": val is not None and val <= TARGETS["sessions_p95_ms"] and s["errors"] == 0}
    return out


def format_table(browser: dict | None, sessions: dict | None) -> str:
    """Returns the human-readable report of the browser and sessions passes."""
    lines = [f"{name} pass failed: {step['error']}" for name, step in (("browser", browser), ("sessions", sessions))
             if step and "error" in step]
    browser = None if browser and "error" in browser else browser
    sessions = None if sessions and "error" in sessions else sessions
    if browser:
        lines.append(f"browser (headless Chromium, {browser['rounds']} round(s), ms)   first p50/p95   repeat p50/p95"
                     "   interaction p50/p95   KB first/repeat")
        for title, v in browser["pages"].items():
            f, r, i = v["first"], v["repeat"], v["interaction"]
            lines.append(f"  {title:<12} {f['p50_ms']!s:>7} {f['p95_ms']!s:>7}  {r['p50_ms']!s:>7} {r['p95_ms']!s:>7}  "
                         f"{i['p50_ms']!s:>7} {i['p95_ms']!s:>7}  {v['kb_first']:>8} {v['kb_repeat']:>8}  "
                         f"{i['what']}" + (f"  ERRORS {v['errors']}" if v["errors"] else ""))
    if sessions:
        lines.append(f"sessions ({sessions['level']})")
        for when in ("cold", "warm"):
            s = sessions[when]
            lines.append(f"  {when}: {s['sessions']} sessions, errors {s['errors']}, every page run p50 "
                         f"{s['ready']['p50_ms']} ms p95 {s['ready']['p95_ms']} ms max {s['ready']['max_ms']} ms, "
                         f"wall {s['wall_s']} s" + (f"; {s['error_examples']}" if s["errors"] else ""))
            for page, v in s["pages"].items():
                lines.append(f"      {page:<12} n {v['n']:>3}  p50 {v['p50_ms']!s:>7}  p95 {v['p95_ms']!s:>7}")
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover - a quick look: python -m jixiao.bench_dashboard DB
    db = Path(sys.argv[1])
    b = browser_pass(db, rounds=1) if "--no-browser" not in sys.argv else None
    s = sessions_pass(db, int(os.environ.get("SESSIONS", "50"))) if "--sessions" in sys.argv else None
    print(format_table(b, s))
