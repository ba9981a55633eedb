"""The dashboard's style rules (dashboard/style.css): long multiselect tags wrap, and the file
uploader's English words are said in Chinese. `apply()` is called by app.py on every page."""

from __future__ import annotations

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


