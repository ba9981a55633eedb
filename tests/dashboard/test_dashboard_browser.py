"""Real-browser tests: `jixiao serve` on the seed database, Debian's Chromium through
Playwright. Every page opened by clicking its sidebar link (only `/` serves a page directly),
no exception or error text anywhere, the URL-bound year filter applied on load; and on 问题标记
no writing control signed out, a filter written into the address, a sign-in through the
sidebar, an acceptance recorded with the login's name, a flag opened in 下钻; the project view
opened by its address on a fresh server, and by the sidebar search."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
PAGES = ["总览", "单位对比", "下钻", "趋势", "项目视图", "问题标记", "规则说明", "数据导入 / 文档", "单位名称合并"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(url: str, proc: subprocess.Popen, timeout: float = 40) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"jixiao serve exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(url)


def _wait_done(page, timeout: float = 30_000) -> None:
    """The app finished running, as Streamlit's own e2e tests wait for it."""
    page.wait_for_selector("[data-testid='stApp'][data-test-connection-state='CONNECTED']", timeout=timeout)
    page.wait_for_timeout(200)
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout)
    page.wait_for_function("document.querySelectorAll(\"[data-testid='stSkeleton']\").length === 0", timeout=timeout)


def _assert_clean(page, where: str) -> None:
    assert page.locator("[data-testid='stException']").count() == 0, f"{where}: exception shown"
    body = page.locator("body").inner_text()
    for bad in ("Traceback", "Error", "encountered an error"):
        assert bad not in body, f"{where}: {bad!r} on the page"


@contextmanager
def _served(db: Path, env: dict[str, str] | None = None):
    """Runs `jixiao serve` on the database (on 127.0.0.1, its default) and yields its address."""
    port = _free_port()
    jixiao = Path(sys.executable).with_name("jixiao")
    cmd = [str(jixiao), "serve", "--db", str(db), "--port", str(port), "--headless"]
    proc = subprocess.Popen(cmd, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait_http(url, proc)
        yield url
    finally:
        os.killpg(proc.pid, 15)  # the server and its streamlit child, by their group id
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is missing (apt-get install chromium fonts-noto-cjk)")
def test_every_page_in_chromium(seed_db):
    from playwright.sync_api import sync_playwright

    with _served(seed_db) as url:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            page.goto(url)
            _wait_done(page)
            _assert_clean(page, "/")
            for title in PAGES:
                page.locator("[data-testid='stSidebarNav'] a", has_text=title).first.click()
                _wait_done(page)
                page.wait_for_selector(f"h1:has-text('{title}')", timeout=15_000)
                _assert_clean(page, title)
            # a shared link with a filter in it
            page.goto(url + "?year=2024")
            _wait_done(page)
            metric = page.locator("[data-testid='stMetric']", has_text="项目数").first
            assert metric.locator("[data-testid='stMetricValue']").inner_text().strip() == "8"
            _assert_clean(page, "/?year=2024")
            browser.close()


def _click_row(page, row: int) -> None:
    """Ticks a row of the first visible table (its row-selection cell)."""
    grid = page.locator("[data-testid='stDataFrame']:visible").first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 18, box["y"] + 36 + 35 * row + 17)
    _wait_done(page)


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is missing (apt-get install chromium fonts-noto-cjk)")
def test_flags_sign_in_accept_and_url_filters_in_chromium(seed_db, tmp_path):
    """On 127.0.0.1: signed out no accept control; a filter lands in the address; signed in
    through the sidebar a flag is accepted with the login's name; a flag opens 下钻."""
    import json

    from playwright.sync_api import sync_playwright

    log = tmp_path / "waivers.jsonl"
    with _served(seed_db, {"JIXIAO_WAIVERS": str(log)}) as url:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            page.goto(url)
            _wait_done(page)
            page.locator("[data-testid='stSidebarNav'] a", has_text="问题标记").first.click()
            _wait_done(page)
            page.locator("[data-testid='stMultiSelect']", has_text="严重程度").locator("input").click()
            page.locator("[role='option']").get_by_text("中", exact=True).click()
            page.keyboard.press("Escape")
            _wait_done(page)
            assert "severity=" in page.url

            _click_row(page, 0)
            assert page.get_by_role("button", name="接受此标记").count() == 0
            assert page.get_by_text("登录后可接受或撤销问题标记").count() == 1

            page.get_by_text("登录（审核人）").click()
            page.get_by_label("用户名").fill("张审核")
            page.get_by_label("密码").fill("shenhe-2026!")
            page.get_by_role("button", name="登录").click()
            _wait_done(page)
            # on a loaded machine the run may start after _wait_done looked: wait for its result
            page.get_by_text("已登录：张审核（审核）").first.wait_for(timeout=15_000)
            _wait_done(page)
            assert page.get_by_text("已登录：张审核（审核）").count() == 1
            # the row ticked before signing in may or may not survive the sign-in rerun
            if page.get_by_label("接受理由（必填）").count() == 0:
                _click_row(page, 0)
            page.get_by_label("接受理由（必填）").fill("口径特殊，已与单位核实")
            page.get_by_role("button", name="接受此标记").click()
            _wait_done(page)
            # the accept runs, then reruns (st.rerun) to show its message: between the two runs the
            # app is briefly "notRunning", so wait for the message itself
            page.get_by_text("已接受 JX").first.wait_for(timeout=15_000)
            assert page.get_by_text("已接受 JX").count() == 1
            events = [json.loads(x) for x in log.read_text(encoding="utf-8").splitlines()]
            assert [(e["event"], e["reviewer"]) for e in events] == [("accept", "张审核")]
            _assert_clean(page, "问题标记 after accept")

            _click_row(page, 0)
            page.get_by_text("在下钻中查看").click()
            _wait_done(page)
            page.wait_for_selector("h1:has-text('下钻')", timeout=15_000)
            page.wait_for_selector("h3:has-text('④ 指标')", timeout=15_000)
            _assert_clean(page, "下钻 from a flag")
            browser.close()


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is missing (apt-get install chromium fonts-noto-cjk)")
def test_project_view_by_its_address_on_a_fresh_server_and_by_search(seed_db):
    """The first request a fresh server gets is /project?project=<id>: the project view opens
    with that project (not "Page not found", not another page); the sidebar search then opens
    another project by its 项目编码, and the address says which."""
    from playwright.sync_api import sync_playwright

    from jixiao.db import connect

    con = connect(seed_db, read_only=True)
    try:
        (pid, name), = con.sql("SELECT project_id, name FROM projects WHERE code = '316-1202-JBN-B5YG'").fetchall()
        (other,), = con.sql("SELECT name FROM projects WHERE code = '316-1201-JBN-WMEB'").fetchall()
    finally:
        con.close()
    with _served(seed_db) as url:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            page.goto(url + f"project?project={pid}")
            _wait_done(page)
            page.wait_for_selector("h1:has-text('项目视图')", timeout=15_000)
            page.wait_for_selector(f"h3:has-text('{name}')", timeout=15_000)
            page.wait_for_selector("h3:has-text('① 目标表与自评表对照')", timeout=15_000)
            assert page.locator("[data-testid='stDataFrame']").count() >= 2
            assert f"project={pid}" in page.url
            _assert_clean(page, "/project?project=…")

            box = page.get_by_placeholder("项目名称或项目编码")
            box.fill("316-1201")
            box.press("Enter")
            _wait_done(page)
            link = page.locator("[data-testid='stSidebar'] [data-testid='stPageLink'] a", has_text=other).first
            link.wait_for(timeout=15_000)
            link.click()
            _wait_done(page)
            page.wait_for_selector(f"h3:has-text('{other}')", timeout=15_000)
            assert "/project?" in page.url and f"project={pid}" not in page.url
            _assert_clean(page, "search → project view")
            browser.close()
