"""Who is signed in and what they may do: the dashboard's side of `jixiao.users`.

A sign-in lasts for the browser session (Streamlit's session state; a reload signs out).
Pages ask before they draw a writing control:

    user = auth.require_role(auth.REVIEWER, "登录后可接受问题标记。")
    if user:                      # a signed-in 审核 or 管理 user: draw the control,
        ...                       # and record user.name as the reviewer (never a typed name)

`require_role` shows the hint (a sign-in prompt, or "your role may not") and returns None for
anonymous visitors and 查看 users, so they see no writing control at all. `current_user()`
re-reads the users file, so a user removed or demoted with
`jixiao users` loses the right at their next click.

Viewing is open unless `JIXIAO_REQUIRE_LOGIN=1` (`jixiao serve --require-login`): then the
entry point shows only the sign-in page until someone signs in (`may_view`).
"""

from __future__ import annotations

import os
import uuid

import streamlit as st

from jixiao import users
from jixiao.users import ADMIN, REVIEWER, VIEWER, LoginThrottle, User

__all__ = ["ADMIN", "REVIEWER", "VIEWER", "User", "current_user", "require_role", "has_role", "may_view",
           "sidebar", "sign_in_page", "throttle"]

SESSION_KEY = "auth_user"       # the signed-in user's name
_MSG_KEY = "auth_message"       # the last sign-in message (shown once)
REQUIRE_LOGIN_ENV = "JIXIAO_REQUIRE_LOGIN"


def require_login_to_view() -> bool:
    """Returns whether the deployment wants a sign-in for viewing too ($JIXIAO_REQUIRE_LOGIN)."""
    return os.environ.get(REQUIRE_LOGIN_ENV, "").strip().lower() in ("1", "true", "yes", "on")


_THROTTLE = LoginThrottle()


def throttle() -> LoginThrottle:
    """The server's one record of failed sign-ins (shared by every browser session: module
    state lives as long as the server process)."""
    return _THROTTLE


def current_user() -> User | None:
    """Returns the signed-in user with their role as the users file says now, or None."""
    name = st.session_state.get(SESSION_KEY)
    if not name:
        return None
    # read each time (a small file): a user removed or demoted since signing in loses the right
    user = users.get_user(name)
    if user is None:
        st.session_state.pop(SESSION_KEY, None)
    return user


def has_role(role: str = REVIEWER) -> User | None:
    """Returns the signed-in user when they have at least `role`, else None (shows nothing)."""
    user = current_user()
    return user if user is not None and user.may(role) else None


def require_role(role: str = REVIEWER, hint: str | None = "登录后可进行此操作。") -> User | None:
    """Returns the signed-in user when they have at least `role`; otherwise shows `hint` (a
    Chinese sign-in prompt, or that their role may not) and returns None. Pass hint=None to
    show nothing."""
    user = current_user()
    if user is not None and user.may(role):
        return user
    if hint:
        allowed = "」或「".join(users.ROLES[users.ROLES.index(role):])
        if user is None:
            st.info(f"{hint}请先在左侧边栏「登录」（需要「{allowed}」角色）。", icon=":material/lock:")
        else:
            st.info(f"{hint}当前账号「{_plain(user.name)}」的角色是「{user.role}」，需要「{allowed}」角色。",
                    icon=":material/lock:")
    return None


def may_view() -> bool:
    """Returns whether this session may see the data (always, unless viewing needs a sign-in)."""
    return not require_login_to_view() or current_user() is not None


def _session_id() -> str:
    # our own id in the session's state: one per browser session (a reload starts a new one)
    return st.session_state.setdefault("_auth_session", uuid.uuid4().hex)


def _on_sign_in() -> None:
    # A callback: runs before the script, so the page drawn next already knows the user.
    name = st.session_state.get("auth_name", "")
    password = st.session_state.get("auth_password", "")
    st.session_state["auth_password"] = ""  # the password does not stay in the session
    user, message = users.sign_in(name, password, _session_id(), throttle())
    if user is not None:
        st.session_state[SESSION_KEY] = user.name
        st.session_state.pop(_MSG_KEY, None)
    else:
        st.session_state[_MSG_KEY] = message


def _on_sign_out() -> None:
    st.session_state.pop(SESSION_KEY, None)
    st.session_state.pop(_MSG_KEY, None)


def sign_in_form(key: str = "auth_form") -> None:
    """Draws the sign-in form (user name, password) where it is called."""
    with st.form(key, clear_on_submit=False, border=False):
        st.text_input("用户名", key="auth_name", max_chars=users.MAX_NAME, autocomplete="username")
        st.text_input("密码", key="auth_password", type="password", max_chars=200, autocomplete="current-password")
        st.form_submit_button("登录", type="primary", on_click=_on_sign_in, icon=":material/login:")
    if msg := st.session_state.get(_MSG_KEY):
        st.error(msg, icon=":material/error:")


def sidebar() -> User | None:
    """Draws, in the sidebar, who is signed in (with 退出) or the sign-in form; returns the user."""
    user = current_user()
    with st.sidebar:
        if user is not None:
            row = st.container(horizontal=True, vertical_alignment="center", gap="small")
            row.caption(f":material/person: 已登录：{_plain(user.name)}（{user.role}）")
            row.button("退出", key="auth_sign_out", on_click=_on_sign_out, type="tertiary",
                       icon=":material/logout:")
        else:
            with st.expander("登录（审核人）", icon=":material/login:", expanded=bool(st.session_state.get(_MSG_KEY))):
                sign_in_form()
                st.caption("查看无需登录；导入文档、接受或撤销问题标记需要审核或管理角色。"
                           if not require_login_to_view() else "本系统需要登录后才能查看。")
    return user


def sign_in_page() -> None:
    """The only page shown while viewing needs a sign-in and no one is signed in."""
    st.title("登录")
    st.caption("本系统的数据需要登录后才能查看。账号由系统管理员用 `jixiao users add` 添加。")
    left, _ = st.columns([1, 2])
    with left:
        sign_in_form("auth_page_form")


def _plain(text: str) -> str:
    """A user name shown in Markdown (a caption) as written."""
    from dashboard.format import md_escape

    return md_escape(text)
