"""Fixtures for the dashboard tests: a database built once per session from the real seeds,
pointed at by JIXIAO_DB, with an empty waiver log of its own (JIXIAO_WAIVERS), a users file
outside the repository (JIXIAO_USERS) with one user of each role, and a helper that opens one
page of the app with AppTest, signed in through the sidebar form when asked."""

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
    mp.setenv("JIXIAO_WAIVERS", str(d / "waivers_none.jsonl"))
    mp.setenv("JIXIAO_USERS", str(_users_file(d / "config" / "users.json")))
    mp.delenv("JIXIAO_REQUIRE_LOGIN", raising=False)
    ingest_paths([SEEDS], db)
    mp.setenv("JIXIAO_DB", str(db))
    yield db
    mp.undo()


# name -> (role, password) of the users every dashboard test can sign in as
USERS = {"张审核": ("审核", "shenhe-2026!"), "李查看": ("查看", "chakan-2026!"), "王管理": ("管理", "guanli-2026!")}


def _users_file(path: Path) -> Path:
    from jixiao.users import add_user

    for name, (role, password) in USERS.items():
        add_user(name, password, role, path)
    return path


@pytest.fixture()
def waiver_log(seed_db, tmp_path, monkeypatch) -> Path:
    """A fresh waiver log for one test (the accept-a-flag tests write to it)."""
    path = tmp_path / "waivers.jsonl"
    monkeypatch.setenv("JIXIAO_WAIVERS", str(path))
    return path


@pytest.fixture(autouse=True)
def _no_failed_sign_ins():
    """Every test starts with no failed sign-ins counted (the throttle is per server process)."""
    from dashboard import auth

    auth.throttle().reset()
    yield


def _sign_in(at, name: str, password: str | None = None):
    """Signs in through the sign-in form of the page `at` shows; returns `at` after the run."""
    at.text_input(key="auth_name").input(name)
    at.text_input(key="auth_password").input(USERS[name][1] if password is None else password)
    next(b for b in at.button if b.label == "登录").click()
    return at.run()


@pytest.fixture()
def sign_in():
    """Returns a function (AppTest, user name[, password]) that signs in through the form."""
    return _sign_in


@pytest.fixture()
def app_users() -> dict[str, tuple[str, str]]:
    """The users of the test users file: name -> (role, password)."""
    return dict(USERS)


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
    page ran; keyword `state` presets session state (widget values) and `query` the URL's
    query parameters before the first run; `user` signs in (a name of USERS) first."""
    from streamlit.testing.v1 import AppTest

    def _open(page: str, state: dict | None = None, user: str | None = None,
              query: dict | None = None) -> AppTest:
        at = AppTest.from_file(str(APP), default_timeout=60)
        for k, v in (state or {}).items():
            at.session_state[k] = v
        for k, v in (query or {}).items():
            at.query_params[k] = v
        at.run()
        if user:
            _sign_in(at, user)
        at.switch_page(f"views/{page}.py")
        at.run()
        return at

    return _open


def select(rows: list[int]) -> dict:
    """The session-state value of a dataframe selection of these rows."""
    return {"selection": {"rows": rows, "columns": [], "cells": []}}
