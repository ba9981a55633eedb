"""Users and sign-in rules: Argon2 hashes (the file never holds a password), roles, the
`jixiao users` command (add / list / remove, password from stdin, never echoed) and the
slow-down of failed sign-ins."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import pytest

from jixiao import users as u


@pytest.fixture()
def users_file(tmp_path, monkeypatch):
    path = tmp_path / "cfg" / "users.json"
    monkeypatch.setenv("JIXIAO_USERS", str(path))
    return path


def test_password_is_stored_as_an_argon2_hash_only(users_file):
    u.add_user("张审核", "correct horse 42", "审核")
    text = users_file.read_text(encoding="utf-8")
    assert "correct horse 42" not in text
    rec = json.loads(text)["users"]["张审核"]
    assert rec["role"] == "审核" and rec["password_hash"].startswith("$argon2id$")
    assert stat.S_IMODE(users_file.stat().st_mode) == 0o600
    assert u.authenticate("张审核", "correct horse 42") == u.User("张审核", "审核")
    assert u.authenticate("张审核", "correct horse 43") is None
    assert u.authenticate("没有这个人", "correct horse 42") is None
    # two users with the same password get different hashes (salted)
    u.add_user("王管理", "correct horse 42", "admin")
    recs = json.loads(users_file.read_text(encoding="utf-8"))["users"]
    assert recs["王管理"]["password_hash"] != recs["张审核"]["password_hash"]
    assert recs["王管理"]["role"] == "管理"


@pytest.mark.parametrize("have,need,ok", [
    ("查看", "查看", True), ("查看", "审核", False), ("审核", "审核", True), ("审核", "管理", False),
    ("管理", "审核", True), ("管理", "管理", True), ("未知", "查看", False),
])
def test_role_allows(have, need, ok):
    assert u.role_allows(have, need) is ok


@pytest.mark.parametrize("name,password,role,why", [
    ("", "long-enough-1", "审核", "用户名"), ("张三", "short", "审核", "密码太短"),
    ("张三", "long-enough-1", "superuser", "未知角色"), ("a\x07b", "long-enough-1", "审核", "控制字符"),
])
def test_add_user_refuses_bad_input(users_file, name, password, role, why):
    with pytest.raises(ValueError, match=why):
        u.add_user(name, password, role)
    assert not users_file.exists()


def test_add_existing_needs_replace(users_file):
    u.add_user("张审核", "first-password", "审核")
    with pytest.raises(ValueError, match="已存在"):
        u.add_user("张审核", "second-password", "管理")
    u.add_user("张审核", "second-password", "管理", replace=True)
    assert u.authenticate("张审核", "second-password") == u.User("张审核", "管理")
    assert u.authenticate("张审核", "first-password") is None


class Clock:
    def __init__(self):
        self.t = 1000.0

    def __call__(self):
        return self.t


def test_throttle_waits_grow_and_are_forgotten():
    clock = Clock()
    th = u.LoginThrottle(free=2, base=2.0, cap=60.0, forget_after=900.0, clock=clock)
    keys = ["user:张审核", "session:s1"]
    waits = []
    for _ in range(7):
        th.failed(keys)
        waits.append(th.wait_seconds(keys))
        clock.t += waits[-1]  # the attacker waits exactly as long as asked
    assert waits == [0.0, 0.0, 2.0, 4.0, 8.0, 16.0, 32.0]
    th.failed(keys)
    assert th.wait_seconds(keys) == 60.0  # capped
    clock.t += 901
    assert th.wait_seconds(keys) == 0.0  # forgotten after a quiet quarter hour
    th.failed(keys)
    assert th.wait_seconds(keys) == 0.0  # counting starts again


def test_sign_in_slows_down_per_user_and_per_session(users_file):
    u.add_user("张审核", "right-password", "审核")
    clock = Clock()
    th = u.LoginThrottle(clock=clock)
    msgs = [u.sign_in("张审核", "wrong", "s1", th)[1] for _ in range(3)]
    assert msgs[:2] == ["用户名或密码不正确。"] * 2 and msgs[2].startswith("用户名或密码不正确。请 ")
    user, msg = u.sign_in("张审核", "right-password", "s1", th)
    assert user is None and "登录失败次数过多" in msg  # not even checked while waiting
    assert u.sign_in("张审核", "right-password", "s2", th)[0] is None  # same user, other session
    assert u.sign_in("王管理", "x", "s1", th)[1].startswith("登录失败次数过多")  # same session, other name
    clock.t += 3
    assert u.sign_in("张审核", "right-password", "s2", th)[0] == u.User("张审核", "审核")
    assert th.wait_seconds(u.throttle_keys("张审核", "s2")) == 0  # success forgets


def test_unknown_names_are_throttled_like_known_ones(users_file):
    u.add_user("张审核", "right-password", "审核")
    th = u.LoginThrottle(clock=Clock())
    known = [u.sign_in("张审核", "wrong", f"k{i}", th)[1] for i in range(4)]
    unknown = [u.sign_in("没有这个人", "wrong", f"u{i}", th)[1] for i in range(4)]
    assert known == unknown


# --------------------------------------------------------------------------- the command


def _jixiao(*args, stdin: str = "", env_file=None):
    env = {**os.environ, "JIXIAO_USERS": str(env_file)} if env_file else dict(os.environ)
    return subprocess.run([sys.executable, "-m", "jixiao.cli", *args], input=stdin, capture_output=True,
                          text=True, env=env)


def test_cli_users_add_list_remove(tmp_path):
    path = tmp_path / "users.json"
    r = _jixiao("users", "add", "张审核", "--role", "审核", "--password-stdin", stdin="s3cret-pass\n", env_file=path)
    assert r.returncode == 0, r.stderr
    assert "s3cret-pass" not in r.stdout + r.stderr
    r = _jixiao("users", "add", "李查看", "--role", "viewer", "--password-stdin", "--users", str(path),
                stdin="another-pass\n")
    assert r.returncode == 0, r.stderr
    assert u.authenticate("张审核", "s3cret-pass", path) == u.User("张审核", "审核")
    r = _jixiao("users", "list", env_file=path)
    assert r.returncode == 0
    assert r.stdout.splitlines() == ["张审核\t审核", "李查看\t查看"]  # names and roles only
    assert "argon2" not in r.stdout + r.stderr
    r = _jixiao("users", "add", "张审核", "--role", "审核", "--password-stdin", stdin="s3cret-pass\n", env_file=path)
    assert r.returncode == 2 and "已存在" in r.stderr
    r = _jixiao("users", "add", "短", "--role", "审核", "--password-stdin", stdin="short\n", env_file=path)
    assert r.returncode == 2 and "密码太短" in r.stderr and "Traceback" not in r.stderr
    r = _jixiao("users", "remove", "李查看", env_file=path)
    assert r.returncode == 0
    assert [x.name for x in u.list_users(path)] == ["张审核"]
    r = _jixiao("users", "remove", "李查看", env_file=path)
    assert r.returncode == 1 and "没有用户" in r.stderr


def test_cli_users_add_without_a_terminal_needs_password_stdin(tmp_path):
    path = tmp_path / "users.json"
    r = _jixiao("users", "add", "张审核", "--role", "审核", stdin="typed\n", env_file=path)
    assert r.returncode == 2 and "--password-stdin" in r.stderr
    assert not path.exists()
