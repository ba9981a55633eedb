"""Fixtures for the dashboard tests: a database built once per session from the real seeds,
pointed at by JIXIAO_DB, with an empty waivers file of its own (JIXIAO_WAIVERS), and a helper
that opens one page of the app with AppTest."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "dashboard" / "app.py"
SEEDS = ROOT / "datasets" / "seeds"


@pytest.fixture(scope="session")
def seed_db(tmp_path_factory) -> Path:
    """Builds the seed database once per session and points JIXIAO_DB at it."""
    from jixiao.ingest import ingest_paths

    d = tmp_path_factory.mktemp("dashboard")
    db = d / "seeds.duckdb"
    mp = pytest.MonkeyPatch()
    # set before ingest: deriving the flags reads the waivers file
    mp.setenv("JIXIAO_WAIVERS", str(d / "waivers_none.csv"))
    ingest_paths([SEEDS], db)
    mp.setenv("JIXIAO_DB", str(db))
    yield db
    mp.undo()


@pytest.fixture()
def waivers_csv(seed_db, tmp_path, monkeypatch) -> Path:
    """A fresh waivers file for one test (the accept-a-flag tests write to it)."""
    path = tmp_path / "waivers.csv"
    monkeypatch.setenv("JIXIAO_WAIVERS", str(path))
    return path


@pytest.fixture()
def db_copy(seed_db, tmp_path, monkeypatch) -> Path:
    """A private copy of the seed database (for tests that ingest into it)."""
    path = tmp_path / "copy.duckdb"
    shutil.copyfile(seed_db, path)
    monkeypatch.setenv("JIXIAO_DB", str(path))
    return path


@pytest.fixture()
def open_page(seed_db):
    """Returns a function: page name (file stem under dashboard/views) -> AppTest after the
    page ran; keyword `state` presets session state (widget values) before the first run."""
    from streamlit.testing.v1 import AppTest

    def _open(page: str, state: dict | None = None) -> AppTest:
        at = AppTest.from_file(str(APP), default_timeout=60)
        for k, v in (state or {}).items():
            at.session_state[k] = v
        at.run()
        at.switch_page(f"views/{page}.py")
        at.run()
        return at

    return _open


def select(rows: list[int]) -> dict:
    """The session-state value of a dataframe selection of these rows."""
    return {"selection": {"rows": rows, "columns": [], "cells": []}}
