"""The dashboard's style rules (dashboard/style.css): long multiselect tags wrap, and the file
uploader's English words are said in Chinese; and the chart library loaded ahead, once a page
is drawn. `apply()` is called by app.py on every page."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

CSS = Path(__file__).with_name("style.css")
UPLOAD_HINT = "单个文件不超过 {mb} MB · PDF、Word、Excel、.ods、网页表格、文本"


def css(upload_mb: int) -> str:
    """Given the upload limit in MB, returns the style sheet with it filled in."""
    text = CSS.read_text(encoding="utf-8")
    return (text.replace("__UPLOAD_HINT__", UPLOAD_HINT.format(mb=upload_mb))
            .replace("__UPLOAD_LIMIT__", str(upload_mb)))


_CHUNK = re.compile(r"PlotlyChart\.[A-Za-z0-9_-]+\.js")

# Once the first page's run has ended, Streamlit's chart library (its Plotly chunk, 4.7 MB) is
# loaded into the browser's page: the first page with a chart then draws at once instead of
# loading it first (1.5-2 s of script on this machine). It is the module Streamlit imports,
# by the same URL, so it is loaded once. Loaded at once instead, it slowed the overview's first
# visit by a second.
_PRELOAD = """<script>(() => {
  if (window.__jixiaoCharts) return;
  window.__jixiaoCharts = true;
  const index = document.querySelector('script[src*="/static/js/index."]');
  if (!index) return;
  const load = () => import(new URL("__CHUNK__", index.src).href).catch(() => {});
  // once the page's own run has ended (it was seen running, and is no more): never in its way
  let ran = false;
  const wait = () => {
    const app = document.querySelector("[data-testid='stApp']");
    const state = app && app.getAttribute("data-test-script-state");
    if (state === "running") ran = true;
    if (ran && state === "notRunning") setTimeout(load, 50); else setTimeout(wait, 100);
  };
  wait();
})();</script>"""


@lru_cache(maxsize=1)
def chart_chunk() -> str | None:
    """Returns the file name of Streamlit's Plotly chunk (static/js/PlotlyChart.<hash>.js) in
    the installed Streamlit, or None when there is not exactly one."""
    import streamlit

    found = [p.name for p in (Path(streamlit.__file__).parent / "static" / "static" / "js").glob("PlotlyChart.*.js")
             if _CHUNK.fullmatch(p.name)]
    return found[0] if len(found) == 1 else None


def apply() -> None:
    """Adds the style sheet to the page and, where the chart library can be found, its loading
    once the page's run has ended (one <style> and <script> element: it takes no space). The script
    is this module's constant text with a checked file name, never data."""
    import streamlit as st

    from dashboard import data

    chunk = chart_chunk()
    preload = _PRELOAD.replace("__CHUNK__", chunk) if chunk else ""
    st.html(f"<style>{css(data.max_upload_mb())}</style>{preload}", unsafe_allow_javascript=bool(preload))


