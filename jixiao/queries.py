"""The SQL in queries/: one query per file, loaded by name, with shared fragments included.

A line `-- include: NAME` is replaced by queries/_NAME.sql (fragments start with "_" and are
not queries themselves): the shared sidebar filter lives in one place. Values are never
formatted into the text; they are bound as $parameters by the caller.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from jixiao.db import REPO_ROOT

QUERIES_DIR = REPO_ROOT / "queries"
_INCLUDE = re.compile(r"^(?P<indent>[ \t]*)-- include: (?P<name>[a-z0-9_]+)[ \t]*$", re.M)
_HEADER = re.compile(r"^(--[^\n]*\n)+")


def query_names(folder: Path = QUERIES_DIR) -> list[str]:
    """Returns the names of the queries (not the fragments) in queries/, sorted."""
    return sorted(p.stem for p in folder.glob("*.sql") if not p.stem.startswith("_"))


@lru_cache(maxsize=256)
def _read(path: Path, mtime: float) -> str:
    return path.read_text(encoding="utf-8")


def _file(name: str, folder: Path) -> str:
    if not re.fullmatch(r"_?[a-z0-9_]+", name):
        raise ValueError(f"bad query name {name!r}")
    path = folder / f"{name}.sql"
    return _read(path, path.stat().st_mtime)


def load_query(name: str, folder: Path = QUERIES_DIR) -> str:
    """Given a query name, returns the text of queries/<name>.sql with its includes expanded."""
    def expand(m: re.Match[str]) -> str:
        fragment = _HEADER.sub("", _file("_" + m.group("name"), folder)).rstrip("\n")
        return "\n".join(m.group("indent") + line if line else line for line in fragment.split("\n"))

    return _INCLUDE.sub(expand, _file(name, folder))
