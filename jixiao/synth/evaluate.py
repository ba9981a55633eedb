"""Matching a database against a generated corpus: is every generated project and indicator
loaded, how do the flags compare with the planted defects (precision and recall per rule), how
right are the links between documents and years, and the suggested unit merges.

Flags and ground truth meet on (rule, project_id, indicator_id): the ground truth names a file,
a project's position in it and an indicator's position in the project; the database's
documents give the file's doc_id (source_path), and project_id = f"{doc_id}-{seq:03d}",
indicator_id = f"{project_id}-{k:03d}" (see jixiao.ingest).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import duckdb

from jixiao.rules import RULES as _CATALOG

# Every rule of the catalog is scored (one registry: a rule added there is planted and scored,
# or the synthetic-corpus test fails on it).
RULES = tuple(r.code for r in _CATALOG)


def read_csv(path: Path) -> list[dict]:
    with Path(path).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def doc_ids(con: duckdb.DuckDBPyConnection, corpus: Path) -> dict[str, str]:
    """Given a connection and a corpus folder, returns {file path relative to the corpus:
    doc_id} for the corpus files the database holds."""
    root = Path(corpus).resolve()
    out: dict[str, str] = {}
    for doc_id, source in con.cursor().execute("SELECT doc_id, source_path FROM documents").fetchall():
        try:
            rel = Path(source).resolve().relative_to(root)
        except ValueError:
            continue
        out[rel.as_posix()] = doc_id
    return out


# A unit written with its code in front ("219001-轮台县…", unit_variant "code") is loaded under
# its bare name: the parser takes the code off (the manifest keeps the name as written).
_WRITTEN_CODE = re.compile(r"^\d{3,12}-")


def check_loaded(con: duckdb.DuckDBPyConnection, corpus: Path) -> dict:
    """Given a database and a corpus, returns how many manifest projects and indicators the
    database holds, and up to 20 examples of what is missing or differs."""
    ids = doc_ids(con, corpus)
    manifest = read_csv(Path(corpus) / "manifest.csv")
    got = {}
    for pid, name, n, year, kind, county, unit in con.cursor().execute(
        "SELECT p.project_id, p.name, count(i.indicator_id), p.year, p.kind, p.county, p.unit FROM projects p "
        "LEFT JOIN indicators i USING (project_id) GROUP BY ALL"
    ).fetchall():
        got[pid] = (name, n, year, kind, county, unit)
    status = dict(con.cursor().execute("SELECT doc_id, status FROM documents").fetchall())
    problems: list[str] = []
    n_proj = n_ind = 0
    want_ind = 0
    for row in manifest:
        want_ind += int(row["n_indicators"])
        doc = ids.get(row["file"])
        if doc is None:
            problems.append(f"{row['file']}: not loaded")
            continue
        if status.get(doc) != "ok":
            problems.append(f"{row['file']}: status {status.get(doc)}")
        pid = f"{doc}-{int(row['project_seq']):03d}"
        if pid not in got:
            problems.append(f"{row['file']} #{row['project_seq']} {row['project']}: project missing")
            continue
        name, n, year, kind, county, unit = got[pid]
        n_proj += 1
        n_ind += min(n, int(row["n_indicators"]))
        diffs = []
        if name != row["project"]:
            diffs.append(f"name {name!r} != {row['project']!r}")
        if n != int(row["n_indicators"]):
            diffs.append(f"{n} indicators, {row['n_indicators']} written")
        if year != int(row["year"]) or kind != row["kind"]:
            diffs.append(f"year/kind {year}/{kind} != {row['year']}/{row['kind']}")
        if (county or "") != row["county"]:
            diffs.append(f"county {county!r} != {row['county']!r}")
        if (unit or "") != _WRITTEN_CODE.sub("", row["unit"]):
            diffs.append(f"unit {unit!r} != {row['unit']!r}")
        if diffs:
            problems.append(f"{row['file']} #{row['project_seq']}: " + "; ".join(diffs))
    return {"projects_expected": len(manifest), "projects_loaded": n_proj, "indicators_expected": want_ind,
            "indicators_loaded": n_ind, "problems": len(problems), "examples": problems[:20]}


def truth_keys(corpus: Path, ids: dict[str, str]) -> set[tuple[str, str, str]]:
    """Given a corpus and its doc ids, returns the ground truth as (rule, project_id,
    indicator_id or "")."""
    out = set()
    for row in read_csv(Path(corpus) / "ground_truth.csv"):
        doc = ids.get(row["file"])
        if doc is None:
            continue
        pid = f"{doc}-{int(row['project_seq']):03d}"
        iid = f"{pid}-{int(row['indicator_seq']):03d}" if row["indicator_seq"] else ""
        out.add((row["rule"], pid, iid))
    return out


def flag_keys(con: duckdb.DuckDBPyConnection, docs: set[str]) -> set[tuple[str, str, str]]:
    rows = con.cursor().execute("SELECT rule, doc_id, project_id, coalesce(indicator_id, '') FROM flags").fetchall()
    return {(r, p, i) for r, d, p, i in rows if d in docs}


def score_rules(con: duckdb.DuckDBPyConnection, corpus: Path) -> dict[str, dict]:
    """Given a database holding a generated corpus, returns per rule the planted count, the
    flags, true positives, precision and recall (flags on other documents are ignored)."""
    ids = doc_ids(con, corpus)
    truth = truth_keys(corpus, ids)
    flags = flag_keys(con, set(ids.values()))
    out = {}
    for rule in RULES:
        t = {k for k in truth if k[0] == rule}
        f = {k for k in flags if k[0] == rule}
        tp = len(t & f)
        out[rule] = {
            "planted": len(t), "flagged": len(f), "tp": tp, "fp": len(f - t), "fn": len(t - f),
            "precision": round(tp / len(f), 4) if f else (1.0 if not t else 0.0),
            "recall": round(tp / len(t), 4) if t else 1.0,
        }
    return out


def mismatches(con: duckdb.DuckDBPyConnection, corpus: Path, rule: str, limit: int = 10) -> dict[str, list]:
    """Given a rule, returns examples of its false positives and false negatives with the flag
    message and the ground-truth row (for debugging the generator or a rule)."""
    ids = doc_ids(con, corpus)
    back = {v: k for k, v in ids.items()}
    truth = {k for k in truth_keys(corpus, ids) if k[0] == rule}
    flags = {k for k in flag_keys(con, set(ids.values())) if k[0] == rule}
    msgs = {(r, p, i or ""): m for r, p, i, m in con.cursor().execute(
        "SELECT rule, project_id, indicator_id, message FROM flags WHERE rule = ?", [rule]).fetchall()}
    gt_rows = {}
    for row in read_csv(Path(corpus) / "ground_truth.csv"):
        if row["rule"] != rule or row["file"] not in ids:
            continue
        pid = f"{ids[row['file']]}-{int(row['project_seq']):03d}"
        iid = f"{pid}-{int(row['indicator_seq']):03d}" if row["indicator_seq"] else ""
        gt_rows[(rule, pid, iid)] = row
    fp = [(back.get(k[1][:16]), k[1][17:], k[2][21:], msgs.get(k)) for k in sorted(flags - truth)[:limit]]
    fn = [gt_rows.get(k) for k in sorted(truth - flags)[:limit]]
    return {"false_positives": fp, "false_negatives": fn}


# ----------------------------------------------------------------------------- links and units


def _manifest_ids(con: duckdb.DuckDBPyConnection, corpus: Path) -> list[dict]:
    """The manifest rows with their project_id in the database (rows of files not loaded left out)."""
    ids = doc_ids(con, corpus)
    out = []
    for row in read_csv(Path(corpus) / "manifest.csv"):
        doc = ids.get(row["file"])
        if doc is not None:
            out.append({**row, "project_id": f"{doc}-{int(row['project_seq']):03d}", "year": int(row["year"])})
    return out


def _pr(found: set, truth: set, correct: int | None = None) -> dict:
    tp = len(found & truth) if correct is None else correct
    return {"truth": len(truth), "found": len(found), "correct": tp,
            "precision": round(tp / len(found), 4) if found else (1.0 if not truth else 0.0),
            "recall": round(len(found & truth) / len(truth), 4) if truth else 1.0}


def score_links(con: duckdb.DuckDBPyConnection, corpus: Path) -> dict[str, dict]:
    """Given a database holding a generated corpus, returns precision and recall of
    project_links (goal ↔ self-evaluation of the same project and year) and project_history
    (the same project a year earlier). A history link to the other kind of document (a
    fallback where a unit-year has none of its own kind) is right when it is the same project;
    recall counts the same-kind pairs the corpus holds."""
    rows = _manifest_ids(con, corpus)
    key = {r["project_id"]: (r["project_key"], r["year"], r["kind"]) for r in rows}
    by = {(r["project_key"], r["year"], r["kind"]): r["project_id"] for r in rows}
    goal_self = {(by[(k, y, "goal")], pid) for pid, (k, y, kind) in key.items()
                 if kind == "self_eval" and (k, y, "goal") in by}
    history = {(pid, by[(k, y - 1, kind)]) for pid, (k, y, kind) in key.items() if (k, y - 1, kind) in by}
    links = set(con.cursor().execute("SELECT goal_project_id, self_eval_project_id FROM project_links").fetchall())
    links = {p for p in links if p[0] in key and p[1] in key}
    hist = set(con.cursor().execute("SELECT project_id, previous_project_id FROM project_history").fetchall())
    hist = {p for p in hist if p[0] in key and p[1] in key}
    same_project = sum(1 for a, b in hist if key[a][0] == key[b][0] and key[a][1] == key[b][1] + 1)
    return {"goal_self": _pr(links, goal_self), "history": _pr(hist, history, correct=same_project)}


def unit_truth(corpus: Path) -> dict[tuple[str, str], str]:
    """Given a corpus, returns {(county, unit as written): the unit it is}."""
    return {(r["county"], r["unit"]): r["unit_canonical"] for r in read_csv(Path(corpus) / "manifest.csv")}


def score_unit_suggestions(con: duckdb.DuckDBPyConnection, corpus: Path) -> dict:
    """Given a database holding a generated corpus, returns how well unit_alias_suggestions find
    the unit names written another way that need a reviewer (not the code prefixes the cleaning
    already joins): recall over those names, precision over the suggestions."""
    from jixiao.units import clean_unit

    truth = unit_truth(corpus)
    need = {(c, clean_unit(w)) for (c, w), t in truth.items() if clean_unit(w) != t}
    sugg = con.cursor().execute("SELECT county, unit_a, unit_b FROM unit_alias_suggestions").fetchall()
    true_of = {(c, clean_unit(w)): t for (c, w), t in truth.items()}
    correct = sum(1 for c, a, b in sugg if true_of.get((c, a)) is not None and true_of.get((c, a)) == true_of.get((c, b)))
    found = {(c, n) for c, a, b in sugg for n in (a, b)}
    hit = len(need & found)
    return {"names_needing_review": len(need), "suggestions": len(sugg), "correct": correct,
            "precision": round(correct / len(sugg), 4) if sugg else 1.0,
            "recall": round(hit / len(need), 4) if need else 1.0}


def accept_unit_suggestions(con: duckdb.DuckDBPyConnection, path: Path, reviewer: str = "bench") -> int:
    """Given a database and an alias file, appends an accept decision for every pending
    suggestion (as a reviewer who agrees with all of them would) and returns how many."""
    from jixiao.units import record_decision

    rows = con.cursor().execute(
        "SELECT county, unit_a, unit_b FROM unit_alias_suggestions WHERE status = 'pending'").fetchall()
    for county, a, b in rows:
        record_decision(b, a, "accept", reviewer=reviewer, county=county or "", path=path)
    return len(rows)
