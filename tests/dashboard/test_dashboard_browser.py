"""Real-browser tests: `jixiao serve` on the seed database, Debian's Chromium through
Playwright. Every page opened by clicking its sidebar link (only `/` serves a page directly),
no exception or error text anywhere, the URL-bound year filter applied on load; and on 问题标记
no writing control signed out, a filter written into the address, a sign-in through the
sidebar, an acceptance recorded with the login's name, a flag opened in 下钻; the project view
opened by its address on a fresh server, and by the sidebar search."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from jixiao.bench_dashboard import CHROMIUM, CHROMIUM_ARGS, free_port

PAGES = ["总览", "单位对比", "下钻", "趋势", "项目视图", "问题标记", "规则说明", "数据导入 / 文档", "单位名称合并"]



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
    """Runs `jixiao serve` on the database (on 127.0.0.1, its default; two server processes
    behind the balancer, as on a machine with two cores or more) and yields its address."""
    port = free_port()
    jixiao = Path(sys.executable).with_name("jixiao")
    cmd = [str(jixiao), "serve", "--db", str(db), "--port", str(port), "--headless", "--workers", "2"]
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
            # the rerun after the click may start after _wait_done saw the app idle (a busy machine)
            page.get_by_text("已登录：张审核（审核）").wait_for(timeout=60_000)
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
            page.get_by_text("已接受 JX").wait_for(timeout=60_000)
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
def test_a_deep_link_on_a_fresh_server_keeps_navigation_sidebar_and_filters(seed_db, tmp_path):
    """The first address a fresh server is asked for is a shared link (/flags?severity=中&year=2024):
    the navigation is in Chinese, the sidebar is there with the year it carries, the page filters
    by both; its Excel download opens with that filter in its title; a link into 下钻 (as a
    template occurrence writes it) opens at its indicator; no English is left in the widgets
    whose words we replace (multiselect, file uploader)."""
    import io
    from urllib.parse import urlencode

    import duckdb
    from openpyxl import load_workbook
    from playwright.sync_api import sync_playwright

    con = duckdb.connect(str(seed_db), read_only=True,
                         config={"autoinstall_known_extensions": "false", "autoload_known_extensions": "false"})
    n = con.execute("SELECT count(*) FROM flags f JOIN projects p USING (project_id) "
                    "WHERE f.severity = '中' AND p.year = 2024").fetchone()[0]
    unit, pid, iid, ind_name = con.execute(
        "SELECT coalesce(p.unit_canonical, p.unit), p.project_id, i.indicator_id, i.name FROM indicators i "
        "JOIN projects p USING (project_id) WHERE p.year = 2024 AND i.name <> '' ORDER BY i.indicator_id LIMIT 1"
    ).fetchone()
    con.close()
    assert n > 0
    with _served(seed_db) as url:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1440, "height": 900}, accept_downloads=True)
            page.goto(url + "flags?" + urlencode({"severity": "中", "year": "2024"}))  # before anyone opened /
            _wait_done(page)
            page.wait_for_selector("h1:has-text('问题标记')", timeout=15_000)
            nav = page.locator("[data-testid='stSidebarNav'] a")
            labels = [nav.nth(k).inner_text().split("\n")[-1].strip() for k in range(nav.count())]
            assert labels == PAGES, labels
            sidebar = page.locator("[data-testid='stSidebar']")
            assert sidebar.get_by_text("筛选", exact=True).count() == 1
            year = sidebar.locator("[data-testid='stMultiSelect']", has_text="年度")
            assert year.locator("[data-tag]").all_inner_texts() == ["2024"]
            severity = page.locator("[data-testid='stMultiSelect']", has_text="严重程度")
            assert severity.locator("[data-tag]").all_inner_texts() == ["中"]
            assert page.get_by_text("当前筛选：2024年").count() == 1
            assert page.get_by_text(f"共 {n:,} 条").count() == 1
            _assert_clean(page, "cold /flags")

            # the download carries the filter in its title and every row shown
            with page.expect_download() as dl:
                page.get_by_role("button", name="下载 Excel").first.click()
            ws = load_workbook(io.BytesIO(open(dl.value.path(), "rb").read())).active
            assert "筛选：2024年" in ws.cell(1, 1).value and ws.cell(2, 1).value == f"共 {n:,} 行"
            assert ws.cell(3, 1).value == "严重" and ws.max_row == 3 + n
            assert {ws.cell(r, 1).value for r in range(4, 4 + n)} == {"中"}

            # English left by Streamlit in a multiselect: no "Select all", no "No results"
            page.locator("[data-testid='stMultiSelect']", has_text="规则").locator("input").click()
            page.wait_for_timeout(400)
            assert page.get_by_text("Select all").count() == 0
            page.keyboard.type("zzzz")
            page.wait_for_timeout(400)
            empty = page.locator("[role='listbox'][data-empty='true'] [role='option'] > span").first
            assert empty.evaluate("e => getComputedStyle(e, '::after').content") == '"没有匹配的选项"'
            page.keyboard.press("Escape")

            # a link into 下钻 as the template occurrences write it, in a new session
            other = browser.new_page(viewport={"width": 1440, "height": 900})
            other.goto(url + "drilldown?" + urlencode({"year": "2024", "dd_unit": unit, "dd_project": pid,
                                                       "dd_indicator": iid}))
            _wait_done(other)
            other.wait_for_selector("h3:has-text('④ 指标')", timeout=15_000)
            assert other.locator("h3", has_text=ind_name[:6]).count() >= 1
            _assert_clean(other, "cold /drilldown with a focus")

            # the uploader's words, signed in as a reviewer
            page.get_by_text("登录（审核人）").click()
            page.get_by_label("用户名").fill("张审核")
            page.get_by_label("密码").fill("shenhe-2026!")
            page.get_by_role("button", name="登录").click()
            _wait_done(page)
            page.locator("[data-testid='stSidebarNav'] a", has_text="数据导入").first.click()
            _wait_done(page)
            button = page.locator("[data-testid='stFileUploaderDropzone'] [data-testid='stMarkdownContainer'] p").first
            assert button.evaluate("e => getComputedStyle(e, '::after').content") == '"选择文件"'
            assert button.evaluate("e => getComputedStyle(e).fontSize") == "0px"  # "Upload" not shown
            hint = page.locator("[data-testid='stFileUploaderDropzoneInstructions'] span").first
            assert "单个文件不超过 20 MB" in hint.evaluate("e => getComputedStyle(e, '::after').content")
            assert hint.evaluate("e => getComputedStyle(e).fontSize") == "0px"  # "20MB per file" not shown
            _assert_clean(page, "数据导入 signed in")
            # an upload reaches the server holding this session (behind the balancer): the
            # page's next run sees the file, and the import button is enabled
            start = page.get_by_role("button", name="开始导入")
            assert start.is_disabled()
            seed = next(Path(__file__).resolve().parents[2].joinpath("datasets", "seeds").glob("*.txt"))
            page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(str(seed))
            page.wait_for_selector(f"[data-testid='stFileChipName']:has-text('{seed.name[:6]}')", timeout=15_000)
            _wait_done(page)
            assert start.is_enabled()
            _assert_clean(page, "数据导入 with an upload")
            browser.close()


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is missing (apt-get install chromium fonts-noto-cjk)")
def test_headline_cards_hold_a_large_budget_in_chromium(seed_db, tmp_path):
    """12,345,678.9 万元 in all: the 总览 cards show 1,234.57 with 亿元 in the label, nothing cut,
    at 1440 and at 1280 px."""
    import shutil

    import duckdb
    from playwright.sync_api import sync_playwright

    db = tmp_path / "big.duckdb"
    shutil.copyfile(seed_db, db)
    con = duckdb.connect(str(db))
    total = con.execute("SELECT sum(budget) FROM projects").fetchone()[0]
    con.execute("UPDATE projects SET budget = budget + ? WHERE project_id = (SELECT min(project_id) FROM projects "
                "WHERE budget IS NOT NULL)", [12_345_678.9 - total])
    con.close()
    with _served(db) as url:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            for width in (1440, 1280):
                page = browser.new_page(viewport={"width": width, "height": 900})
                page.goto(url)
                _wait_done(page)
                cards = page.evaluate("""() => [...document.querySelectorAll("[data-testid='stMetric']")].map(m => {
                    const v = m.querySelector("[data-testid='stMetricValue']");
                    // the label's text box is its Markdown container (it ends in … when cut)
                    const l = m.querySelector("[data-testid='stMetricLabel'] [data-testid='stMarkdownContainer']");
                    return [l.innerText, v.innerText, v.scrollWidth <= v.clientWidth, l.scrollWidth <= l.clientWidth]; })""")
                by_label = {c[0]: c for c in cards}
                assert by_label["预算（亿元）"][1] == "1,234.57", cards
                assert all(c[2] and c[3] for c in cards), (width, [c for c in cards if not (c[2] and c[3])])
                page.close()


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


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is missing (apt-get install chromium fonts-noto-cjk)")
def test_an_upload_that_would_hold_the_server_fails_alone_and_the_server_serves_on(seed_db, tmp_path):
    """A PDF that holds pdfplumber for minutes (its line guard lifted) uploaded beside a new
    document: the PDF fails with 解析超时 in its worker, the document loads, and the server
    answers another page meanwhile and after."""
    import shutil

    import duckdb
    from playwright.sync_api import sync_playwright

    from tests.ingest.test_readers_formats import _grid_pdf

    db = tmp_path / "upload.duckdb"
    shutil.copyfile(seed_db, db)
    grid = _grid_pdf(tmp_path / "grid.pdf", 400)
    seed = next(Path(__file__).resolve().parents[2].joinpath("datasets", "seeds").glob("000_*.txt"))
    new = tmp_path / "新上传.txt"
    new.write_text(seed.read_text(encoding="utf-8").replace("芷江侗族自治县", "新晃侗族自治县"), encoding="utf-8")
    env = {"JIXIAO_MAX_PDF_CROSSINGS": str(10 ** 9), "JIXIAO_MAX_PARSE_SECONDS": "8"}
    with _served(db, env) as url:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            page.goto(url + "documents")
            _wait_done(page)
            page.get_by_text("登录（审核人）").click()
            page.get_by_label("用户名").fill("张审核")
            page.get_by_label("密码").fill("shenhe-2026!")
            page.get_by_role("button", name="登录").click()
            _wait_done(page)
            page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files([str(grid), str(new)])
            page.wait_for_selector("[data-testid='stFileChipName']:has-text('grid')", timeout=15_000)
            _wait_done(page)
            page.get_by_role("button", name="开始导入").click()
            page.wait_for_timeout(3_000)  # the PDF is being parsed now: another visitor is served
            other = browser.new_page(viewport={"width": 1440, "height": 900})
            started = time.monotonic()
            other.goto(url)
            _wait_done(other)
            assert other.locator("[data-testid='stMetric']").count() >= 3 and time.monotonic() - started < 20
            page.get_by_text("本次导入结果").wait_for(timeout=90_000)
            _wait_done(page, timeout=90_000)
            summary = page.get_by_text("本次导入结果").first.locator("xpath=..").inner_text()
            assert "2 个文件" in summary and "成功 1 个" in summary and "失败 1 个" in summary
            _assert_clean(page, "数据导入 after an upload that timed out")
            browser.close()
    con = duckdb.connect(str(db), read_only=True)
    rows = dict(con.execute("SELECT source_path, status || ':' || coalesce(message, '') FROM documents "
                            "WHERE source_path IN ('grid.pdf', '新上传.txt')").fetchall())
    con.close()
    assert rows["grid.pdf"].startswith("failed:解析超时：8 秒内未能读完")
    assert rows["新上传.txt"].startswith("ok")
