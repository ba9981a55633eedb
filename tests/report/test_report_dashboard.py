"""The report downloads on the 下钻 page (AppTest): a selected unit gets Word and Excel buttons
whose files are built on click and open as that unit's report; the unit list gets one .zip of
every unit's report in the filter."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from docx import Document
from streamlit.runtime.media_file_manager import MediaFileManager

from .conftest import GUYUAN

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"


class _Recording(MediaFileManager):
    """The AppTest's media manager, kept so a test can run a deferred download as a click would."""

    last: "_Recording | None" = None

    def __init__(self, *a, **k):
        super().__init__(*a, **k)
        _Recording.last = self


def _click(button) -> bytes:
    """Runs a deferred download button's callable, as the browser's click does; returns the file."""
    mgr = _Recording.last
    file_id = button.proto.deferred_file_id
    assert file_id, "the file must be built on click, not on every rerun"
    url = mgr.execute_deferred(file_id)
    return mgr._storage.get_file(url.rsplit("/", 1)[1]).content


def _file_name(button) -> str:
    return _Recording.last._deferred_callables[button.proto.deferred_file_id]["filename"]


@pytest.fixture()
def drilldown(report_db, monkeypatch):
    from streamlit.testing.v1 import AppTest

    db, facts = report_db
    monkeypatch.setenv("JIXIAO_DB", str(db))
    monkeypatch.setenv("JIXIAO_WAIVERS", str(facts["waivers"]))
    monkeypatch.setattr("streamlit.testing.v1.app_test.MediaFileManager", _Recording)
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    at.switch_page("views/drilldown.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _button(at, label: str):
    return next(b for b in at.get("download_button") if b.proto.label == label)


def test_unit_report_downloads_on_the_drilldown(drilldown):
    at = drilldown
    units = next(d for d in at.dataframe if d.key == "dd_units").value
    k = int(units.index[units["unit"] == GUYUAN][0])
    at.session_state["dd_units"] = {"selection": {"rows": [k], "columns": [], "cells": []}}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    word, excel = _button(at, "Word"), _button(at, "Excel")
    assert _file_name(word) == f"{GUYUAN}_全部年度_审核意见.docx"
    doc = Document(io.BytesIO(_click(word)))
    assert doc.paragraphs[0].text.startswith(f"关于{GUYUAN}")
    assert any(p.text.startswith("整改要求：") for p in doc.paragraphs)
    wb = openpyxl.load_workbook(io.BytesIO(_click(excel)))
    assert "问题清单" in wb.sheetnames and GUYUAN in wb["总体情况"]["A1"].value


def test_zip_of_every_unit_in_the_filter(drilldown):
    at = drilldown
    button = next(b for b in at.get("download_button") if b.proto.label.startswith("全部 4 个单位的审核意见"))
    names = zipfile.ZipFile(io.BytesIO(_click(button))).namelist()
    assert len(names) == 8 and {n.rsplit(".", 1)[1] for n in names} == {"docx", "xlsx"}
