"""Who may do what: the dashboard's users, their roles, password checks and the slow-down of
failed sign-ins. No Streamlit here; `dashboard/auth.py` is the dashboard's side.

Roles, weakest first (each may do what the ones before it may):

- 查看 (viewer): sees the dashboard where viewing needs a sign-in; changes nothing;
- 审核 (reviewer): also imports documents, accepts flags and undoes acceptances, merges units;
- 管理 (admin): everything a reviewer may; the role for whoever runs the deployment (`jixiao
  users` edits the file itself and needs no role, only access to the file).

The users file lives outside the repository — a deployment's people are not in git:
`$JIXIAO_USERS`, else `$XDG_CONFIG_HOME/jixiao/users.json` (`~/.config/jixiao/users.json`).
JSON, written atomically with mode 0600:

    {"version": 1, "users": {"张审核": {"role": "审核", "password_hash": "$argon2id$…",
                                        "created_at": "2026-12-01T10:00:00+08:00"}}}

Passwords are hashed with Argon2id (argon2-cffi's defaults); the password itself is never
stored, printed or logged.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from jixiao.locking import exclusive

ROLES = ("查看", "审核", "管理")
VIEWER, REVIEWER, ADMIN = ROLES
# English spellings accepted on the command line; stored and shown in Chinese.
ROLE_ALIASES = {"viewer": VIEWER, "view": VIEWER, "reviewer": REVIEWER, "review": REVIEWER,
                "admin": ADMIN, "administrator": ADMIN}
MIN_PASSWORD = 8
MAX_NAME = 40

_hasher = PasswordHasher()
# Checked against when the name is unknown, so an unknown name costs as long as a wrong
# password and the timing does not tell which names exist.
_DUMMY_HASH = _hasher.hash("jixiao-no-such-user")


@dataclass(frozen=True)
class User:
    """A signed-in (or listed) user: name and role."""

    name: str
    role: str

    def may(self, role: str) -> bool:
        """Returns whether this user has at least `role`."""
        return role_allows(self.role, role)


def normalise_role(role: str) -> str:
    """Given a role in Chinese or English (审核, reviewer …), returns the Chinese role;
    ValueError for anything else."""
    r = (role or "").strip()
    r = ROLE_ALIASES.get(r.lower(), r)
    if r not in ROLES:
        raise ValueError(f"未知角色「{role}」：可选 {'、'.join(ROLES)}（或 viewer / reviewer / admin）")
    return r


def role_allows(have: str, need: str) -> bool:
    """Given a user's role and the role an action needs, returns whether the user may act."""
    if have not in ROLES or need not in ROLES:
        return False
    return ROLES.index(have) >= ROLES.index(need)


def users_path() -> Path:
    """Returns the users file: $JIXIAO_USERS, else $XDG_CONFIG_HOME (~/.config)/jixiao/users.json."""
    env = os.environ.get("JIXIAO_USERS")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base).expanduser() / "jixiao" / "users.json"


def check_name(name: str) -> str:
    """Given a user name, returns it normalised (NFC, trimmed); ValueError when it is empty,
    too long or holds control characters."""
    n = unicodedata.normalize("NFC", (name or "").strip())
    if not n:
        raise ValueError("用户名不能为空")
    if len(n) > MAX_NAME:
        raise ValueError(f"用户名过长（最多 {MAX_NAME} 个字符）")
    if any(unicodedata.category(ch).startswith("C") for ch in n):
        raise ValueError("用户名不能含控制字符")
    return n


def _read(path: Path) -> dict:
    if not path.exists():
        return {"version": 1, "users": {}}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError(f"用户文件无法读取（{path}）：{type(e).__name__}") from e
    if not isinstance(data, dict) or not isinstance(data.get("users"), dict):
        raise ValueError(f"用户文件格式不对（{path}）：缺少 users")
    return data


def _write(path: Path, data: dict) -> None:
    """Writes the file atomically (a temporary file in the same folder, then os.replace),
    readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(prefix=".users-", suffix=".json", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False, indent=1, sort_keys=True)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def list_users(path: Path | None = None) -> list[User]:
    """Returns the users of the file (name and role only), by name; [] when there is no file."""
    data = _read(Path(path) if path else users_path())
    out = []
    for name, rec in data["users"].items():
        role = rec.get("role") if isinstance(rec, dict) else None
        if role in ROLES:
            out.append(User(name, role))
    return sorted(out, key=lambda u: u.name)


def add_user(name: str, password: str, role: str, path: Path | None = None, *, replace: bool = False) -> User:
    """Adds a user with an Argon2id hash of the password; with replace=True an existing user
    gets the new password and role. ValueError for a bad name, role or short password, or
    when the user exists and replace is False."""
    path = Path(path) if path else users_path()
    name = check_name(name)
    role = normalise_role(role)
    if password is None or len(password) < MIN_PASSWORD:
        raise ValueError(f"密码太短：至少 {MIN_PASSWORD} 个字符")
    if password != password.strip() or "\n" in password:
        raise ValueError("密码首尾不能有空白，也不能含换行")
    with exclusive(path):
        data = _read(path)
        if name in data["users"] and not replace:
            raise ValueError(f"用户「{name}」已存在（要改密码或角色，加 --replace）")
        data["users"][name] = {
            "role": role,
            "password_hash": _hasher.hash(password),
            "created_at": datetime.now().astimezone().isoformat(timespec="seconds"),
        }
        _write(path, data)
    return User(name, role)


def remove_user(name: str, path: Path | None = None) -> bool:
    """Removes a user; returns False when there was no such user."""
    path = Path(path) if path else users_path()
    name = unicodedata.normalize("NFC", (name or "").strip())
    with exclusive(path):
        data = _read(path)
        if name not in data["users"]:
            return False
        del data["users"][name]
        _write(path, data)
    return True


def get_user(name: str, path: Path | None = None) -> User | None:
    """Returns the user of that name as the file says now (role included), or None."""
    try:
        rec = _read(Path(path) if path else users_path())["users"].get(unicodedata.normalize("NFC", (name or "").strip()))
    except ValueError:
        return None
    if not isinstance(rec, dict) or rec.get("role") not in ROLES:
        return None
    return User(unicodedata.normalize("NFC", name.strip()), rec["role"])


def authenticate(name: str, password: str, path: Path | None = None) -> User | None:
    """Given a name and password, returns the user when the password matches its stored hash,
    else None — the same None (after the same work) whether the name is unknown or the
    password wrong."""
    path = Path(path) if path else users_path()
    try:
        users = _read(path)["users"]
    except ValueError:
        users = {}
    key = unicodedata.normalize("NFC", (name or "").strip())
    rec = users.get(key)
    stored = rec.get("password_hash") if isinstance(rec, dict) else None
    try:
        _hasher.verify(stored or _DUMMY_HASH, password or "")
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if not stored or rec.get("role") not in ROLES:
        return None
    if _hasher.check_needs_rehash(stored):  # argon2's parameters grew: store the stronger hash
        try:
            with exclusive(path):
                data = _read(path)
                data["users"][key]["password_hash"] = _hasher.hash(password)
                _write(path, data)
        except (OSError, ValueError, KeyError):
            pass  # a read-only file still lets the user in
    return User(key, rec["role"])


# --------------------------------------------------------------------------- slowing down failures


class LoginThrottle:
    """Failed sign-ins, counted per key ("user:<name>", "session:<id>"), with a growing wait.

    The first `free` failures of a key cost nothing (typing errors); after that each further
    failure doubles the wait before the next attempt is even checked: 2 s, 4 s, 8 s … up to
    `cap` seconds. A key's count is forgotten `forget_after` seconds after its last failure and
    on a successful sign-in. Counting by user name applies to unknown names too, so the wait
    does not tell which names exist. Thread-safe (every browser session is a thread).
    """

    def __init__(self, free: int = 2, base: float = 2.0, cap: float = 300.0, forget_after: float = 900.0,
                 clock: Callable[[], float] = time.monotonic):
        self.free, self.base, self.cap, self.forget_after = free, base, cap, forget_after
        self.clock = clock
        self._lock = threading.Lock()
        self._fails: dict[str, tuple[int, float]] = {}  # key -> (failures, time of the last)

    def _delay(self, n: int) -> float:
        return 0.0 if n <= self.free else min(self.cap, self.base * 2 ** (n - self.free - 1))

    def wait_seconds(self, keys: list[str]) -> float:
        """Given the keys of an attempt, returns how many seconds must still pass before it may
        be checked (0 when it may be checked now)."""
        now = self.clock()
        wait = 0.0
        with self._lock:
            for k in keys:
                n, last = self._fails.get(k, (0, 0.0))
                if n and now - last > self.forget_after:
                    del self._fails[k]
                    continue
                wait = max(wait, last + self._delay(n) - now)
        return max(0.0, wait)

    def failed(self, keys: list[str]) -> None:
        """Counts one failed attempt for each key."""
        now = self.clock()
        with self._lock:
            for k in keys:
                n, _ = self._fails.get(k, (0, 0.0))
                self._fails[k] = (n + 1, now)

    def succeeded(self, keys: list[str]) -> None:
        """Forgets the failures of these keys."""
        with self._lock:
            for k in keys:
                self._fails.pop(k, None)

    def reset(self) -> None:
        """Forgets every failure."""
        with self._lock:
            self._fails.clear()


def throttle_keys(name: str, session_id: str) -> list[str]:
    """Given a typed user name and a session id, returns the keys a sign-in attempt counts on."""
    return [f"user:{unicodedata.normalize('NFC', (name or '').strip()).casefold()}", f"session:{session_id}"]


def sign_in(name: str, password: str, session_id: str, throttle: LoginThrottle,
            path: Path | None = None) -> tuple[User | None, str | None]:
    """Given what was typed, the session and the throttle, returns (user, None) on success or
    (None, a Chinese message). The message never says whether the name exists."""
    keys = throttle_keys(name, session_id)
    wait = throttle.wait_seconds(keys)
    if wait > 0:
        return None, f"登录失败次数过多，请 {int(wait) + 1} 秒后再试。"
    if not (name or "").strip() or not password:
        return None, "请输入用户名和密码。"
    user = authenticate(name, password, path)
    if user is None:
        throttle.failed(keys)
        wait = throttle.wait_seconds(keys)
        more = f"请 {int(wait) + 1} 秒后再试。" if wait > 0 else ""
        return None, "用户名或密码不正确。" + more
    throttle.succeeded(keys)
    return user, None
