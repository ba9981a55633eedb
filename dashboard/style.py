"""The dashboard's style rules (dashboard/style.css): long multiselect tags wrap, and the file
uploader's English words are said in Chinese. `apply()` is called by app.py on every page."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

CSS = Path(__file__).with_name("style.css")
UPLOAD_HINT = "单个文件不超过 {mb} MB · PDF、Word、Excel、.ods、网页表格、文本"


def css(upload_mb: int) -> str:
    """Given the upload limit in MB, returns the style sheet with it filled in."""
    text = CSS.read_text(encoding="utf-8")
    return (text.replace("__UPLOAD_HINT__", UPLOAD_HINT.format(mb=upload_mb))
            .replace("__UPLOAD_LIMIT__", str(upload_mb)))


def apply() -> None:
    """Adds the style sheet to the page (a <style> element only: it takes no space)."""
    import streamlit as st

    from dashboard import data

    st.html(f"<style>{css(data.max_upload_mb())}</style>")


PRELOAD_KEY = "jx-chart-preload"


def preload_charts() -> None:
    """Draws an empty chart out of sight at the top of every page run: the browser then fetches
    and compiles the chart library (4.7 MB of JavaScript) while the page's data is fetched,
    not after the page's first real chart arrives (about 1 s of a first visit at a million
    indicators on a 2-core machine). style.css places its container out of the page's flow and out of sight."""
    import streamlit as st

    with st.container(key=PRELOAD_KEY):
        st.plotly_chart(_empty_figure(), config={"displayModeBar": False, "staticPlot": True}, key="jx_preload_chart")


@lru_cache(maxsize=1)
def _empty_figure():
    """One empty 10×10 figure for every page run (it needs no database)."""
    import plotly.graph_objects as go

    return go.Figure(layout={"height": 10, "width": 10, "margin": {"l": 0, "r": 0, "t": 0, "b": 0}})
