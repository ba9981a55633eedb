"""Waivers: a signed-in reviewer accepts a flag with a required reason, and can undo it.

Every decision is an event appended to one log — the single place the CLI (`jixiao flags`),
the dashboard, the Parquet export and the review reports read through `flags_with_status`.
Nothing bakes a status into the database, so a flag's status is never stale: it is the last
event of its key (rule, project_id, indicator_id), read when asked.

Where: `$JIXIAO_WAIVERS`, else beside the database, `<db stem>.waivers.jsonl`
(data/jixiao.waivers.jsonl for the default database): a deployment's decisions are its own
data, not the repository's. An old-format waivers CSV (rule, project_id, indicator_id, reason,
reviewer, waived_at — the former datasets/waivers.csv) is read as accept events, and is
rewritten as a log on the first new decision.

Format: JSON Lines, one event an object, append-only (under an exclusive lock, one write per
decision, so two browser sessions never interleave):

    {"event_id": "…", "event": "accept", "rule": "JX404", "project_id": "…", "indicator_id": "",
     "reason": "…", "reviewer": "张审核", "at": "2026-12-01T10:02:03+08:00", "batch": "…"}

`event` is accept or undo; `indicator_id` is "" for a flag about a whole project; `batch` ties
the events of one bulk decision together. A line that cannot be read (a write cut off by a
crash) is skipped.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
import uuid
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

import polars as pl

from jixiao.db import DEFAULT_DB, REPO_ROOT, default_db, file_of
from jixiao.locking import exclusive

ACCEPT, UNDO = "accept", "undo"
EVENT_COLUMNS = ["event_id", "event", "rule", "project_id", "indicator_id", "reason", "reviewer", "at", "batch"]
EVENT_SCHEMA = {c: pl.String for c in EVENT_COLUMNS}
KEY = ["rule", "project_id", "indicator_id"]
# The columns flags_with_status adds to the flags.
STATUS_COLUMNS = ["status", "waiver_reason", "waiver_reviewer", "waived_at"]
LEGACY_COLUMNS = ["rule", "project_id", "indicator_id", "reason", "reviewer", "waived_at"]
LEGACY_PATH = REPO_ROOT / "datasets" / "waivers.csv"
MAX_REASON = 1000

FlagKey = tuple[str, str, str]


def waivers_path(db_path: Path | str | None = None) -> Path:
    """Given a database file (None: the default one), returns its waiver log:
    $JIXIAO_WAIVERS, else `<db folder>/<db stem>.waivers.jsonl`."""
    env = os.environ.get("JIXIAO_WAIVERS")
    if env:
        return Path(env).expanduser()
    db = Path(db_path) if db_path else default_db()
    return db.with_name(f"{db.stem}.waivers.jsonl")


def flag_key(rule: str, project_id: str, indicator_id: str | None) -> FlagKey:
    """Returns the key a waiver is about: (rule, project_id, indicator_id or "")."""
    return (str(rule), str(project_id), str(indicator_id or ""))


def _now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


# --------------------------------------------------------------------------- reading


def _legacy_events(text: str) -> list[dict]:
    """Given an old-format waivers CSV, returns its rows (those with a reason) as accept events."""
    out = []
    for k, r in enumerate(csv.DictReader(io.StringIO(text))):
        reason = (r.get("reason") or "").strip()
        if not reason or not r.get("rule") or not r.get("project_id"):
            continue  # a waiver without a reason was never a waiver
        at = (r.get("waived_at") or "").strip()
        out.append({"event_id": f"legacy-{k + 1}", "event": ACCEPT, "rule": r["rule"].strip(),
                    "project_id": r["project_id"].strip(), "indicator_id": (r.get("indicator_id") or "").strip(),
                    "reason": reason, "reviewer": (r.get("reviewer") or "").strip(), "at": at, "batch": ""})
    return out


def _is_legacy(text: str) -> bool:
    first = text.lstrip("\ufeff").split("\n", 1)[0].strip()
    return first.startswith("rule,") or first == ",".join(LEGACY_COLUMNS)


def _parse(text: str) -> list[dict]:
    if _is_legacy(text):
        return _legacy_events(text.lstrip("\ufeff"))
    out = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        try:
            e = json.loads(line)
        except json.JSONDecodeError:
            continue  # a line cut off by a crash mid-write
        if not isinstance(e, dict) or e.get("event") not in (ACCEPT, UNDO) or not e.get("rule") or not e.get("project_id"):
            continue
        if e["event"] == ACCEPT and not str(e.get("reason") or "").strip():
            continue
        out.append({c: ("" if e.get(c) is None else str(e.get(c))) for c in EVENT_COLUMNS})
    return out


def _legacy_source(path: Path) -> Path | None:
    """The old datasets/waivers.csv is the default database's history before the log existed."""
    if os.environ.get("JIXIAO_WAIVERS") or path.exists() or not LEGACY_PATH.exists():
        return None
    return LEGACY_PATH if path == waivers_path(DEFAULT_DB) else None


def _read_events(path: Path) -> list[dict]:
    source = path if path.exists() else _legacy_source(path)
    if source is None:
        return []
    return _parse(source.read_text(encoding="utf-8-sig", errors="replace"))


def load_events(path: Path | None = None) -> pl.DataFrame:
    """Returns every waiver event of the log in the order written (empty frame with the
    columns when there is none yet)."""
    rows = _read_events(Path(path) if path else waivers_path())
    return pl.DataFrame(rows, schema=EVENT_SCHEMA) if rows else pl.DataFrame(schema=EVENT_SCHEMA)


def current_waivers(events: pl.DataFrame) -> pl.DataFrame:
    """Given waiver events, returns the keys whose last event is an accept, with that accept's
    reason, reviewer and waived_at."""
    if events.height == 0:
        return pl.DataFrame(schema={**{k: pl.String for k in KEY}, "reason": pl.String, "reviewer": pl.String,
                                    "waived_at": pl.String})
    last = events.with_row_index("_n").sort("_n").group_by(KEY, maintain_order=True).last()
    return last.filter(pl.col("event") == ACCEPT).select(*KEY, "reason", "reviewer", pl.col("at").alias("waived_at"))


def load_waivers(path: Path | None = None) -> pl.DataFrame:
    """Returns the flags accepted now (rule, project_id, indicator_id, reason, reviewer, waived_at)."""
    return current_waivers(load_events(path))


def apply_waivers(flags: pl.DataFrame, waivers: pl.DataFrame) -> pl.DataFrame:
    """Given flags and the current waivers, returns the flags, in their order, with status
    (open / waived), waiver_reason, waiver_reviewer and waived_at. Flags are never dropped."""
    w = waivers.select(
        *KEY[:2], pl.col("indicator_id").fill_null(""),
        pl.col("reason").alias("waiver_reason"),
        pl.col("reviewer").replace("", None).alias("waiver_reviewer"),
        pl.col("waived_at").replace("", None),
    ).unique(subset=KEY, keep="last")
    out = flags.drop([c for c in STATUS_COLUMNS if c in flags.columns])
    out = out.with_columns(pl.col("indicator_id").fill_null("").alias("_ind")).join(
        w.rename({"indicator_id": "_ind"}), on=["rule", "project_id", "_ind"], how="left", maintain_order="left",
    ).drop("_ind")
    return out.with_columns(
        pl.when(pl.col("waiver_reason").is_not_null()).then(pl.lit("waived")).otherwise(pl.lit("open")).alias("status")
    )


def flags_with_status(con, path: Path | None = None) -> pl.DataFrame:
    """Given a database connection, returns the `flags` table (ordered by flag_id) with the
    waivers as they stand now: status (open / waived), waiver_reason, waiver_reviewer,
    waived_at. The one read the CLI, the dashboard, the export and the reports share; the
    log is the database's own (`waivers_path`) unless `path` is given."""
    flags = con.cursor().sql("SELECT * FROM flags ORDER BY flag_id").pl()
    return apply_waivers(flags, load_waivers(Path(path) if path else waivers_path(file_of(con))))


def history(events: pl.DataFrame, keys: Iterable[FlagKey]) -> pl.DataFrame:
    """Given waiver events and flag keys, returns those keys' events, newest first."""
    wanted = pl.DataFrame([flag_key(*k) for k in keys], schema=KEY, orient="row").unique()
    return (events.with_row_index("_n").join(wanted, on=KEY, how="semi")
            .sort("_n", descending=True).drop("_n"))


# --------------------------------------------------------------------------- writing


def _rewrite_as_log(path: Path, events: list[dict]) -> None:
    """Replaces an old-format file (or writes a new log) with these events as JSON Lines."""
    fd, tmp = tempfile.mkstemp(prefix=".waivers-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.writelines(json.dumps(e, ensure_ascii=False) + "\n" for e in events)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _append(path: Path, events: list[dict]) -> None:
    """Appends events in one write; the caller holds the lock."""
    if path.exists():
        with path.open("rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            if size:
                f.seek(-1, os.SEEK_END)
                torn = f.read(1) != b"\n"  # a crash cut the last line: start on a fresh one
            else:
                torn = False
    else:
        torn = False
    payload = ("\n" if torn else "") + "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in events)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, payload.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)


def _record(event: str, keys: Iterable[FlagKey], reason: str, reviewer: str, path: Path | None) -> int:
    path = Path(path) if path else waivers_path()
    reviewer = (reviewer or "").strip()
    reason = (reason or "").strip()
    if not reviewer:
        raise ValueError("需要登录的审核人：审核人取自登录，不能为空")
    if event == ACCEPT and not reason:
        raise ValueError("接受标记必须填写理由")
    if len(reason) > MAX_REASON:
        raise ValueError(f"理由过长（最多 {MAX_REASON} 个字符）")
    wanted = list(dict.fromkeys(flag_key(*k) for k in keys))
    if not wanted:
        return 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with exclusive(path):
        existing = _read_events(path)
        if not path.exists() and existing or path.exists() and _is_legacy(path.read_text(encoding="utf-8-sig")):
            _rewrite_as_log(path, existing)  # migrate the old CSV before the first new event
        status: dict[FlagKey, str] = {}
        for e in existing:
            status[(e["rule"], e["project_id"], e["indicator_id"])] = e["event"]
        # accept what is open, undo what is accepted: a second click or a stale page changes nothing
        todo = [k for k in wanted if (status.get(k) == ACCEPT) == (event == UNDO)]
        if not todo:
            return 0
        at, batch = _now(), (uuid.uuid4().hex[:12] if len(todo) > 1 else "")
        _append(path, [{"event_id": uuid.uuid4().hex, "event": event, "rule": k[0], "project_id": k[1],
                        "indicator_id": k[2], "reason": reason, "reviewer": reviewer, "at": at, "batch": batch}
                       for k in todo])
    return len(todo)


def accept(keys: Iterable[FlagKey], reason: str, reviewer: str, path: Path | None = None) -> int:
    """Given flag keys (rule, project_id, indicator_id), a reason and the signed-in reviewer,
    appends an accept event for each key that is open now; returns how many were accepted.
    ValueError when the reason or the reviewer is empty."""
    return _record(ACCEPT, keys, reason, reviewer, path)


def undo(keys: Iterable[FlagKey], reviewer: str, reason: str = "", path: Path | None = None) -> int:
    """Given flag keys and the signed-in reviewer (and optionally why), appends an undo event
    for each key that is accepted now; returns how many acceptances were undone."""
    return _record(UNDO, keys, reason, reviewer, path)
