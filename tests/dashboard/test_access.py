"""Who may do what in the dashboard (AppTest): the sidebar sign-in, failed sign-ins slowed down
with one message whether or not the name exists, the upload controls only for 审核/管理, sign
out, a user removed while signed in, and viewing closed by JIXIAO_REQUIRE_LOGIN."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"


def _ok(at):
    assert not at.exception, [e.value for e in at.exception]


def _errors(at) -> list[str]:
    return [e.value for e in at.error]


def _start() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    return at.run()


def _uploads(at) -> list:
    return at.get("file_uploader")


def test_sign_in_shows_the_user_and_sign_out_forgets(seed_db, sign_in):
    at = _start()
    _ok(at)
    assert "auth_user" not in at.session_state
    sign_in(at, "张审核")
    _ok(at)
    assert at.session_state["auth_user"] == "张审核"
    assert any("已登录：张审核（审核）" in c.value for c in at.caption)
    held = [str(at.session_state[k]) for k in at.session_state.keys()]
    assert not any("shenhe" in v for v in held), "the password does not stay in the session"
    next(b for b in at.button if b.label == "退出").click()
    at.run()
    assert "auth_user" not in at.session_state
    assert [t.key for t in at.text_input if t.key == "auth_name"], "the sign-in form is back"


def test_wrong_password_and_unknown_name_get_the_same_message(seed_db, sign_in):
    at = _start()
    sign_in(at, "张审核", "not-the-password")
    wrong = _errors(at)
    at2 = _start()
    sign_in(at2, "没有这个人", "whatever-password")
    unknown = _errors(at2)
    assert wrong == unknown == ["用户名或密码不正确。"]
    assert "auth_user" not in at.session_state and "auth_user" not in at2.session_state


def test_failed_sign_ins_are_slowed_down_per_session_and_per_user(seed_db, sign_in):
    at = _start()
    for _ in range(2):  # two typing errors are free
        sign_in(at, "张审核", "wrong-password")
        assert _errors(at) == ["用户名或密码不正确。"]
    sign_in(at, "张审核", "wrong-password")
    assert "秒后再试" in _errors(at)[0]
    # now even the right password is not checked in this session until the wait is over
    sign_in(at, "张审核")
    assert "登录失败次数过多" in _errors(at)[0]
    assert "auth_user" not in at.session_state
    # another browser session (a reload) waits too: the failures count per user name as well
    other = _start()
    sign_in(other, "张审核")
    assert "登录失败次数过多" in _errors(other)[0]
    # and this session is slowed for other names too (per session)
    sign_in(at, "王管理")
    assert "登录失败次数过多" in _errors(at)[0]
    # a third session with another user is not affected
    third = _start()
    sign_in(third, "王管理")
    _ok(third)
    assert third.session_state["auth_user"] == "王管理"


@pytest.mark.parametrize("user,may", [(None, False), ("李查看", False), ("张审核", True), ("王管理", True)])
def test_upload_controls_only_for_reviewers(open_page, user, may):
    at = open_page("documents", user=user)
    _ok(at)
    assert bool(_uploads(at)) == may
    assert ("开始导入" in [b.label for b in at.button]) == may
    if not may:
        assert any("登录后可导入文档" in i.value for i in at.info)
    assert any(s.value == "已导入的文档" for s in at.subheader), "viewing stays open"


def test_a_user_removed_while_signed_in_loses_the_right(open_page, tmp_path, monkeypatch):
    import shutil

    from jixiao.users import remove_user, users_path

    own = tmp_path / "users.json"
    shutil.copyfile(users_path(), own)
    monkeypatch.setenv("JIXIAO_USERS", str(own))
    at = open_page("documents", user="张审核")
    assert _uploads(at)
    assert remove_user("张审核", own)
    at.run()
    _ok(at)
    assert not _uploads(at)
    assert "auth_user" not in at.session_state


def test_closed_viewing_shows_only_the_sign_in_page(seed_db, monkeypatch, sign_in):
    monkeypatch.setenv("JIXIAO_REQUIRE_LOGIN", "1")
    at = _start()
    _ok(at)
    assert [t.value for t in at.title] == ["登录"]
    assert not at.dataframe and not at.metric, "no data before signing in"
    assert not [s for s in at.sidebar.selectbox], "no filters (they list units) before signing in"
    sign_in(at, "李查看")  # any role may view
    _ok(at)
    assert [t.value for t in at.title] == ["总览"]
    assert at.metric


def test_closed_viewing_keeps_a_shared_link(seed_db, monkeypatch, sign_in):
    monkeypatch.setenv("JIXIAO_REQUIRE_LOGIN", "1")
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["severity"] = "高"
    at.run()
    at.switch_page("views/flags.py")  # a link to 问题标记 opened before signing in
    at.run()
    assert [t.value for t in at.title] == ["登录"]
    sign_in(at, "李查看")
    _ok(at)
    assert [t.value for t in at.title] == ["问题标记"]
    assert at.multiselect(key="severity").value == ["高"]


def test_users_file_is_outside_the_repository(seed_db, app_users):
    from jixiao.db import REPO_ROOT
    from jixiao.users import users_path

    assert not users_path().resolve().is_relative_to(REPO_ROOT)
    text = Path(users_path()).read_text(encoding="utf-8")
    for _role, password in app_users.values():
        assert password not in text
