"""Takes a screenshot of every dashboard page (and the drill-down levels) at 1440×900 with
Debian's Chromium, for looking at the pages by eye. Not a test (pytest does not collect it).

    .venv/bin/jixiao serve --port 8600 --headless &
    .venv/bin/python tests/dashboard/screenshots.py --port 8600 --out screenshots [--user NAME --password PW]

With --user (a 审核 user of the server's users file) the upload page is shot signed in, with
the uploader; the other pages look the same signed in or not.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from jixiao.bench_dashboard import CHROMIUM, CHROMIUM_ARGS

PAGES = ["总览", "单位对比", "下钻", "趋势", "问题标记", "规则说明", "数据导入 / 文档", "项目视图", "单位名称合并"]


def wait_done(page: Page, timeout: float = 30_000) -> None:
    """Waits until the app finished running (the selectors Streamlit's own e2e tests use)."""
    page.wait_for_selector("[data-testid='stApp'][data-test-connection-state='CONNECTED']", timeout=timeout)
    page.wait_for_timeout(300)
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout)
    page.wait_for_function("document.querySelectorAll(\"[data-testid='stSkeleton']\").length === 0", timeout=timeout)
    page.wait_for_timeout(800)  # let Plotly finish drawing


def shoot(page: Page, path: Path) -> None:
    """Saves the 1440×900 view, and the whole page (the viewport stretched to the content's
    height, since Streamlit scrolls an inner element and full_page alone sees only 900 px)."""
    errors = page.locator("[data-testid='stException']").count()
    if errors:
        print(f"!! {path.name}: {errors} exception(s) on the page")
    page.screenshot(path=str(path))
    height = page.evaluate(
        "Math.max(...[...document.querySelectorAll(\"[data-testid='stMain'], [data-testid='stAppViewContainer'], "
        "[data-testid='stMainBlockContainer']\")].map(e => e.scrollHeight), 900)"
    )
    page.set_viewport_size({"width": 1440, "height": min(int(height) + 40, 12000)})
    page.wait_for_timeout(700)
    page.screenshot(path=str(path.with_name(path.stem + "_full.png")))
    page.set_viewport_size({"width": 1440, "height": 900})
    page.wait_for_timeout(300)


def go(page: Page, title: str) -> None:
    """Opens a page by clicking its link in the sidebar navigation."""
    page.locator("[data-testid='stSidebarNav'] a", has_text=title).first.click()
    wait_done(page)


def select_row(page: Page, table_index: int, row: int) -> None:
    """Selects a row of the n-th st.dataframe by clicking its row-selection cell."""
    grid = page.locator("[data-testid='stDataFrame']:visible").nth(table_index)
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 18, box["y"] + 36 + 35 * row + 17)
    wait_done(page)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=8600)
    ap.add_argument("--out", type=Path, default=Path("screenshots"))
    ap.add_argument("--user")
    ap.add_argument("--password")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    url = f"http://localhost:{args.port}/"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 900}, locale="zh-CN")
        page.goto(url)
        wait_done(page)
        if args.user:
            page.get_by_text("登录（审核人）").click()
            page.get_by_label("用户名").fill(args.user)
            page.get_by_label("密码").fill(args.password or "")
            page.get_by_role("button", name="登录").click()
            wait_done(page)
        for k, title in enumerate(PAGES, start=1):
            go(page, title)
            shoot(page, args.out / f"{k:02d}_{title.split()[0]}.png")
            print("saved", title)
        # compare: the median tab; rules: one expander open
        go(page, "单位对比")
        page.get_by_role("tab", name="与本市、本省中位数比较").click()
        wait_done(page)
        shoot(page, args.out / "02b_单位对比_中位数.png")
        go(page, "规则说明")
        page.locator("[data-testid='stExpander'] summary").first.click()
        page.wait_for_timeout(500)
        shoot(page, args.out / "06b_规则说明_展开.png")
        go(page, "问题标记")
        page.get_by_role("tab", name="模板雷同").click()
        wait_done(page)
        shoot(page, args.out / "05c_模板雷同.png")
        if page.locator("[data-testid='stDataFrame']:visible").count():
            select_row(page, 0, 0)
            shoot(page, args.out / "05d_模板雷同_出现.png")
        # trends: a 高分低执行 project selected, then the county roll-up
        go(page, "趋势")
        grids = page.locator("[data-testid='stDataFrame']:visible")
        if grids.count() >= 2:
            select_row(page, 0, 0)
            shoot(page, args.out / "04b_趋势_高分低执行.png")
            page.get_by_role("tab", name="按县（区）汇总").click()
            wait_done(page)
            shoot(page, args.out / "04c_趋势_按县汇总.png")
        # drill-down levels: unit -> project -> indicator
        go(page, "下钻")
        select_row(page, 0, 1)
        shoot(page, args.out / "03b_下钻_单位.png")
        select_row(page, 1, 0)
        shoot(page, args.out / "03c_下钻_项目.png")
        select_row(page, 2, 2)
        shoot(page, args.out / "03d_下钻_指标.png")
        # the project view, from the drill-down's project level
        page.get_by_text("项目视图：目标表与自评表对照").first.click()
        wait_done(page)
        shoot(page, args.out / "03e_项目视图.png")
        # flags: select a flag to show the accept form
        go(page, "问题标记")
        select_row(page, 0, 0)
        shoot(page, args.out / "05b_问题标记_选中.png")
        # documents: select one
        go(page, "数据导入 / 文档")
        select_row(page, 0, 1)
        shoot(page, args.out / "07b_文档_选中.png")
        # a filtered view through the URL
        page.goto(url + "?year=2024")
        wait_done(page)
        shoot(page, args.out / "01b_总览_2024.png")
        browser.close()


if __name__ == "__main__":
    main()
