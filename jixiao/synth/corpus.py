"""`generate_corpus`: counties → departments and units → projects across years → documents
(goal tables and self-evaluations) in the four seed layouts, .txt (UTF-8, UTF-8 with BOM,
GB18030) with a few .xlsx and .docx, written under OUT/documents/<county code>/, plus

- `ground_truth.csv`: every planted defect (rule, file, project seq, indicator seq or empty);
- `manifest.csv`: every project written (file, seq, kind, year, region, unit, name, number of
  indicators), so a test can check the ingest loaded all of them;
- `summary.json`: counts, formats, layouts, defects per rule.

Counties are generated independently (each from its own `random.Random` seeded by the corpus
seed and the county code), in two processes when there are several: the bytes depend only on
the arguments, never on timing or worker count.
"""

from __future__ import annotations

import csv
import io
import json
import multiprocessing
import os
import random
import re
import shutil
import time
import unicodedata
import zipfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from jixiao.synth import defects, places
from jixiao.synth.build import (
    ProjectYear,
    assign_weights,
    finish_totals,
    instantiate,
    last_year_values,
    make_lineages,
    make_units,
    self_evaluate,
    tame_bands,
)
from jixiao.synth.render import DETECT, RENDERERS, Doc, Rendered

# Workers start fresh ("spawn"), never forked: a fork of a process whose DuckDB or Polars
# threads hold a lock deadlocks the child (seen: a test run hung in ingest's pool map).
_SPAWN = multiprocessing.get_context("spawn")

# Goal-table layout of a department (self-evaluations are always L001).
GOAL_LAYOUTS = {"L004": 0.45, "L000": 0.3, "L003": 0.25}
XLSX_SHARE = 0.025
DOCX_SHARE = 0.012
ENCODINGS = (("utf-8", 0.8), ("utf-8-sig", 0.1), ("gb18030", 0.1))
DOCS = "documents"  # the documents go under OUT/documents (ingest that folder; OUT also holds a README)
GT_COLUMNS = ["rule", "file", "project_seq", "project", "indicator_seq", "indicator", "note"]
# unit / project: as the document writes them; unit_canonical: the unit they are; project_key: the
# project's identity across documents and years (the truth of project_links and project_history).
MANIFEST_COLUMNS = ["file", "project_seq", "kind", "year", "layout", "format", "encoding", "province", "city",
                    "county", "department", "unit", "project", "n_indicators", "budget", "defect",
                    "unit_canonical", "project_key"]
# How often a document writes a unit's name another way, and which ways (code prefix: the
# same name; the others need a reviewer's merge). 003 documents put the code in front already
# and their unit line must end as a unit name does, so they only drop 服务.
UNIT_VARIANT_SHARE = 0.05
UNIT_VARIANTS = {"code": 0.45, "benji": 0.2, "fuwu": 0.2, "cut": 0.15}
CUT_NAME_SHARE = 0.04  # self-evaluations that cut a long 项目名称 off
DETAIL_COLUMNS = ["file", "project_seq", "seq", "name", "target_raw", "weight", "score"]
_FIXED_ZIP_TIME = (2025, 1, 1, 0, 0, 0)


def parse_years(years: str | int | list) -> list[int]:
    """Given "2021-2025", "2024" or "2021,2023", returns the sorted list of years."""
    if isinstance(years, int):
        return [years]
    if isinstance(years, (list, tuple)):
        return sorted(int(y) for y in years)
    s = str(years).strip()
    m = re.fullmatch(r"(\d{4})\s*[-–~]\s*(\d{4})", s)
    if m:
        a, b = int(m.group(1)), int(m.group(2))
        if b < a:
            raise ValueError(f"bad year range {years!r}")
        return list(range(a, b + 1))
    return sorted({int(x) for x in re.split(r"[,\s]+", s) if x})


def fingerprint() -> str:
    """Returns a digest of this generator's source (jixiao/synth/*.py): a corpus it wrote says
    which generator wrote it, and one from before a change (a rule planted since) is not reused."""
    import hashlib

    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def generate_corpus(out: Path, counties: int = 10, years: str = "2023-2025", seed: int = 1,
                    projects_per_unit: int = 4, formats: str = "txt,xlsx,docx", *, workers: int | None = None,
                    detail: bool = False) -> dict:
    """Given an output folder and the corpus size, writes the documents, ground_truth.csv,
    manifest.csv and summary.json there and returns the summary (a dict).

    `formats`: which of txt, xlsx, docx to write (txt is always written). `detail` also writes
    indicators.csv (every indicator as the parser should read it), for tests.
    """
    t0 = time.perf_counter()
    out = Path(out)
    year_list = parse_years(years)
    fmts = {f.strip().lower() for f in str(formats).split(",") if f.strip()} | {"txt"}
    bad = fmts - {"txt", "xlsx", "docx"}
    if bad:
        raise ValueError(f"unknown formats {sorted(bad)} (txt, xlsx, docx)")
    if counties < 1 or projects_per_unit < 1:
        raise ValueError("counties and projects_per_unit must be at least 1")
    out.mkdir(parents=True, exist_ok=True)
    _clean(out)
    chosen = places.choose_counties(counties, seed)
    towns = places.town_pool(seed, counties)
    jobs = [(i, counties, c, towns[i], year_list, seed, projects_per_unit, sorted(fmts), str(out), detail)
            for i, c in enumerate(chosen)]
    if workers is None:
        workers = min(2, os.cpu_count() or 1) if counties >= 4 else 1
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers, mp_context=_SPAWN) as pool:
            results = list(pool.map(_county_job, jobs, chunksize=1))
    else:
        results = [_county_job(j) for j in jobs]
    manifest, gt, detail_rows = [], [], []
    stats: dict[str, dict] = {"format": {}, "layout": {}, "encoding": {}, "kind": {}}
    n_bytes = 0
    for res in results:
        manifest += res["manifest"]
        gt += res["gt"]
        detail_rows += res["detail"]
        n_bytes += res["bytes"]
        for k in stats:
            for key, v in res["stats"][k].items():
                stats[k][key] = stats[k].get(key, 0) + v
    _write_csv(out / "ground_truth.csv", GT_COLUMNS, gt)
    _write_csv(out / "manifest.csv", MANIFEST_COLUMNS, manifest)
    if detail:
        _write_csv(out / "indicators.csv", DETAIL_COLUMNS, detail_rows)
    per_rule: dict[str, int] = {}
    for row in gt:
        per_rule[row["rule"]] = per_rule.get(row["rule"], 0) + 1
    defect_py: dict[str, int] = {}
    for row in manifest:
        d = row["defect"] or "clean"
        defect_py[d] = defect_py.get(d, 0) + 1
    n_ind = sum(int(r["n_indicators"]) for r in manifest)
    summary = {
        "synthetic": True,
        "generator": fingerprint(),
        "seed": seed, "counties": counties, "years": year_list, "projects_per_unit": projects_per_unit,
        "formats": sorted(fmts),
        "files": sum(stats["format"].values()), "bytes": n_bytes,
        "projects": len(manifest), "indicators": n_ind,
        "by_format": dict(sorted(stats["format"].items())), "by_layout": dict(sorted(stats["layout"].items())),
        "by_encoding": dict(sorted(stats["encoding"].items())),
        "by_kind": stats["kind"],
        "ground_truth_rows": dict(sorted(per_rule.items())),
        "project_documents_by_planted_rule": dict(sorted(defect_py.items())),
        "counties_list": [f"{c.province}{c.city or ''}{c.name}" for c in chosen],
        "seconds": round(time.perf_counter() - t0, 2),
    }
    (out / "summary.json").write_text(json.dumps({k: v for k, v in summary.items() if k != "seconds"},
                                                 ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return summary


def _clean(out: Path) -> None:
    """Removes what an earlier run wrote into `out` (the documents folder and the tables), so
    a smaller corpus does not leave stale files behind. Other files (README.md) stay."""
    for name in ("ground_truth.csv", "manifest.csv", "summary.json", "indicators.csv"):
        p = out / name
        if p.exists():
            p.unlink()
    if (out / DOCS).is_dir():
        shutil.rmtree(out / DOCS)


def _write_csv(path: Path, columns: list[str], rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow(r)


# ----------------------------------------------------------------------------- one county


def _county_job(args) -> dict:
    i, n, county, towns, years, seed, ppu, fmts, out, detail = args
    return generate_county(i, n, county, towns, years, seed, ppu, set(fmts), Path(out), detail)


def generate_county(index: int, n_counties: int, county, towns: list[str], years: list[int], seed: int, ppu: int,
                    fmts: set[str], out: Path, detail: bool = False) -> dict:
    """Generates and writes one county's documents; returns its manifest, ground-truth and
    detail rows and counts."""
    rng = random.Random(f"jixiao-synth:{seed}:{county.adcode}")
    depts = make_units(county, rng, rng.randint(7, 10), GOAL_LAYOUTS,
                       force_layouts=["L000", "L003", "L004"] if index == 0 else None)
    units = [u for d in depts for u in d]
    styles = {u.name: {"cost_under_output": rng.random() < 0.7,
                       "benefit_label": rng.choice(("绩效指标", "效益指标"))} for u in units}
    used: dict = {}
    villages = places.village_stems(seed, n_counties, index)
    lineages = {u.name: make_lineages(u, years, ppu, towns, villages, rng, used) for u in units}
    last: dict[int, ProjectYear] = {}  # id(lineage) -> its project-year of the year before
    unforced = set(defects.RATES)
    reasons: set[str] = set()
    res = {"manifest": [], "gt": [], "detail": [], "bytes": 0,
           "stats": {"format": {}, "layout": {}, "encoding": {}, "kind": {}}}
    instances: list[tuple[str, int, object, str, frozenset]] = []  # for JX402
    forced_formats = ["xlsx", "docx"] if index == 0 else []
    forced_encodings = ["utf-8-sig", "gb18030"] if index == 0 else []
    for y in years:
        first = index == 0 and y == years[0]
        pys: list[ProjectYear] = []
        for u in units:
            for lin in lineages[u.name]:
                if lin.start <= y <= lin.end:
                    pys.append(instantiate(lin, y, rng, last.get(id(lin))))
        copies = defects.plant_groups(pys, rng, first)
        for b in copies:
            pys.insert(pys.index(b.copy_of) + 1, b)
        # The first county plants every rule at least once, over its years: what did not fit
        # (or needs last year's documents) in one year is forced the next.
        defects.choose(pys, rng, tuple(sorted(unforced)) if index == 0 and unforced else False)
        for p in pys:
            defects.plant_structure(p, rng)
        for p in pys:
            if p.defect != "JX404":
                tame_bands(p, rng)
            assign_weights(p, rng)
            defects.plant_copy(p, rng)
        for p in pys:
            defects.plant_targets(p, rng)
            defects.plant_lineage_targets(p, rng)
        for p in pys:
            if p.defect != "JX505":  # a copy keeps last year's 上年完成值 too
                last_year_values(p, rng)
            self_evaluate(p, rng, reasons)
        for p in pys:
            defects.plant_self(p, rng, reasons)
            finish_totals(p)
            last[id(p.lineage)] = p
        unforced -= {p.defect for p in pys}  # after plant_self: a rule that found no place became JX302
        for p in pys:
            defects.mark_weaker_than_last_year(p)
        for d_idx, dept in enumerate(depts):
            all_dpys = [p for p in pys if p.unit in dept]
            if not all_dpys:
                continue
            key = dept[0].dept_key
            for kind in ("goal", "self"):
                dpys = [p for p in all_dpys if p.skip_doc != kind]
                if not dpys:
                    continue
                layout = dept[0].goal_layout if kind == "goal" else "L001"
                # An empty name cell under a written one reads as a merged cell in a workbook.
                txt_only = any(p.goal_over.get("JX106", (None, ""))[1] == "name" if kind == "goal" else
                               p.self_over.get("JX106", (None, ""))[1] == "name" for p in dpys)
                fmt = "txt"
                if layout != "L003":
                    pending = [f for f in forced_formats if f in fmts]
                    if first and kind == "self" and pending and not txt_only:
                        fmt = pending[0]
                        forced_formats.remove(fmt)
                    else:
                        r = rng.random()
                        if "xlsx" in fmts and r < XLSX_SHARE:
                            fmt = "xlsx"
                        elif "docx" in fmts and r < XLSX_SHARE + DOCX_SHARE:
                            fmt = "docx"
                if txt_only:
                    fmt = "txt"
                enc = "utf-8"
                if fmt == "txt" and first and forced_encodings:
                    enc = forced_encodings.pop(0)
                elif fmt == "txt":
                    r = rng.random()
                    acc = 0.0
                    for e, share in ENCODINGS:
                        acc += share
                        if r < acc:
                            enc = e
                            break
                rel = f"{DOCS}/{county.adcode}/{kind}-{y}-{key}.{fmt}"
                doc = Doc(path=rel, layout=layout, kind=kind, year=y, county=county, department=dept[0].department,
                          projects=dpys, fmt=fmt, encoding=enc if fmt == "txt" else "", style=styles,
                          unit_written=_unit_variants(dept, layout, rng), name_written=_cut_names(dpys, kind, rng))
                drng = random.Random(f"{seed}:{rel}")
                text, rendered = RENDERERS[layout](doc, drng)
                res["bytes"] += _write(out / rel, text, fmt, enc)
                for k, v in (("format", fmt), ("layout", layout), ("encoding", doc.encoding or fmt), ("kind", kind)):
                    res["stats"][k][v] = res["stats"][k].get(v, 0) + 1
                _emit(doc, rendered, res, instances, detail)
    res["gt"] += _jx402_truth(instances)
    return res


def unit_variant(unit, how: str) -> str | None:
    """Given a unit and a way of writing its name otherwise, returns that spelling (None when the
    way does not apply): code (219001-轮台县…, the same name), benji (…本级), fuwu (社会保险中心
    for 社会保险服务中心), cut (the last character cut off)."""
    name = unit.name
    if how == "code":
        return f"{unit.code}-{name}"
    if how == "benji":
        return name + "本级"
    if how == "fuwu":
        return name.replace("服务中心", "中心") if "服务中心" in name else None
    if how == "cut":
        return name[:-1] if len(name) >= 8 else None
    raise ValueError(how)


def _unit_variants(dept: list, layout: str, rng: random.Random) -> dict[str, str]:
    """Decides, for one document, which of its units are written another way."""
    out = {}
    for unit in dept:
        if rng.random() >= UNIT_VARIANT_SHARE:
            continue
        ways = ["fuwu"] if layout == "L003" else list(UNIT_VARIANTS)
        how = rng.choices(ways, [UNIT_VARIANTS[w] for w in ways])[0]
        v = unit_variant(unit, how)
        if v:
            out[unit.name] = v
    return out


def _cut_names(pys: list, kind: str, rng: random.Random) -> dict[int, str]:
    """Some self-evaluation forms cut a long 项目名称 off (a cell of fixed width)."""
    out = {}
    if kind != "self":
        return out
    for p in pys:
        if len(p.name) >= 14 and rng.random() < CUT_NAME_SHARE:
            out[id(p)] = p.name[:max(10, len(p.name) - rng.randint(2, 6))]
    return out


def _write(path: Path, text: str, fmt: str, enc: str) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "txt":
        data = text.encode("utf-8-sig" if enc == "utf-8-sig" else enc)
        path.write_bytes(data)
        return len(data)
    from jixiao.writers import rows_to_docx, rows_to_xlsx, text_to_blocks

    blocks = text_to_blocks(text)
    if fmt == "xlsx":
        rows_to_xlsx(blocks, path)
    else:
        rows_to_docx(blocks, path)
    _fix_zip(path)
    return path.stat().st_size


def _fix_zip(path: Path) -> None:
    """Rewrites an .xlsx/.docx with fixed member dates and document properties, so the same
    seed gives the same bytes."""
    src = zipfile.ZipFile(path)
    members = [(info, src.read(info)) for info in src.infolist()]
    src.close()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info, data in members:
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)",
                              rb"\g<1>2025-01-01T00:00:00Z\g<2>", data)
                data = re.sub(rb"<cp:lastModifiedBy>[^<]*</cp:lastModifiedBy>", b"<cp:lastModifiedBy>jixiao</cp:lastModifiedBy>", data)
            zi = zipfile.ZipInfo(info.filename, date_time=_FIXED_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = info.external_attr
            dst.writestr(zi, data)
    path.write_bytes(buf.getvalue())


# ----------------------------------------------------------------------------- ground truth


_PUNCT_CATS = ("P", "S", "Z")


def norm_text(text: str | None) -> str:
    """NFKC, lower case, no whitespace, punctuation or symbols, digit runs -> "#" (the template
    form the near-duplicate rules compare)."""
    if not text:
        return ""
    s = unicodedata.normalize("NFKC", text)
    s = "".join(ch for ch in s if not (ch.isspace() or unicodedata.category(ch)[0] in _PUNCT_CATS))
    return re.sub(r"\d+", "#", s).lower()


def name_key(text: str | None) -> str:
    """The JX107 comparison key of an indicator name."""
    if not text:
        return ""
    s = unicodedata.normalize("NFKC", text)
    s = "".join(ch for ch in s if not (ch.isspace() or unicodedata.category(ch)[0] in _PUNCT_CATS))
    s = re.sub(r"^指标\d+", "", s)
    return s.lower()


def _row(rule: str, doc: Doc, seq: int, r: Rendered, k: int | None = None, note: str = "") -> dict:
    return {"rule": rule, "file": doc.path, "project_seq": seq, "project": r.py.name,
            "indicator_seq": "" if k is None else k, "indicator": "" if k is None else r.names[k - 1], "note": note}


def _emit(doc: Doc, rendered: list[Rendered], res: dict, instances: list, detail: bool) -> None:
    layout = doc.layout
    is_self = doc.kind == "self"
    for seq, r in enumerate(rendered, start=1):
        py = r.py
        over = py.self_over if is_self else py.goal_over
        c = py.unit.county
        res["manifest"].append({
            "file": doc.path, "project_seq": seq, "kind": "self_eval" if is_self else "goal", "year": doc.year,
            "layout": layout, "format": doc.fmt, "encoding": doc.encoding, "province": c.province,
            "city": c.city or "", "county": c.name, "department": py.unit.department, "unit": doc.unit_of(py),
            "project": doc.name_of(py), "n_indicators": len(r.inds), "budget": py.budget,
            "defect": _defect_label(py, doc), "unit_canonical": py.unit.name, "project_key": py.lineage.key,
        })
        gt = res["gt"]
        project_rules = set(py.gt) | (set(py.self_gt) if is_self else set(py.goal_gt))
        for rule in sorted(project_rules):
            if rule == "JX105" or layout not in DETECT[rule]:
                continue
            gt.append(_row(rule, doc, seq, r))
        if "JX105" in py.gt:
            if r.money_costs == 1:
                k = next(k for k, ind in enumerate(r.inds, 1) if ind.is_cost and ind.value is not None)
                gt.append(_row("JX105", doc, seq, r, k))
            else:
                gt.append(_row("JX105", doc, seq, r))
        seen: dict[str, int] = {}
        for k, ind in enumerate(r.inds, start=1):
            rules = set(ind.gt) | (set(ind.self_gt) if is_self else set(ind.goal_gt))
            rules.discard("JX107")
            for rule in sorted(rules):
                if layout in DETECT[rule]:
                    gt.append(_row(rule, doc, seq, r, k))
            key = name_key(r.names[k - 1])
            if key:
                if key in seen:
                    gt.append(_row("JX107", doc, seq, r, k, f"与第{seen[key]}个指标同名"))
                else:
                    seen[key] = k
        for rule in ("JX103", "JX104", "JX106"):
            if rule in over and layout in DETECT[rule]:
                target = over[rule][0]
                k = next(k for k, ind in enumerate(r.inds, 1) if ind is target)
                note = over[rule][1] if rule == "JX106" else ""
                gt.append(_row(rule, doc, seq, r, k, note))
        keys = frozenset(f"{norm_text(n)}\x1f{norm_text(t)}" for n, t in zip(r.names, r.targets)) - {"\x1f"}
        # The same project (its lineage) in another document or year is not a copy (JX402).
        instances.append((doc.path, seq, py.unit.name, py.lineage.key, keys))
        if detail:
            for k, ind in enumerate(r.inds, start=1):
                weight = r.weights[k - 1] if r.weights else ind.weight
                res["detail"].append({"file": doc.path, "project_seq": seq, "seq": k, "name": r.names[k - 1],
                                      "target_raw": r.targets[k - 1], "weight": "" if layout == "L003" else weight,
                                      "score": ind.score if is_self else ""})


def _defect_label(py: ProjectYear, doc: Doc) -> str:
    d = py.defect or ""
    if d in ("JX403a", "JX403b"):
        d = "JX403"
    if d == "JX402src":
        d = "JX402(源)"
    if d and d not in ("JX402(源)",) and doc.layout not in DETECT.get(d, ()) :
        return d + "(本表不可见)"
    if d in ("JX103", "JX104") and doc.kind == "self":
        return d + "(本表不可见)"
    if d == "JX106":
        over = py.self_over if doc.kind == "self" else py.goal_over
        if "JX106" not in over:
            return "JX106(本表不可见)"
    return d


def _jx402_truth(instances: list) -> list[dict]:
    """Exact JX402 truth over a county's project documents: two projects whose (name, target)
    sets (≥5 each) share at least 80% (of the larger set) are both flagged, unless they are the
    same unit's same-named project."""
    post: dict[str, list[int]] = {}
    for idx, (_, _, _, _, keys) in enumerate(instances):
        for k in keys:
            post.setdefault(k, []).append(idx)
    flagged: set[int] = set()
    for idx, (_, _, unit, name, keys) in enumerate(instances):
        if len(keys) < 5:
            continue
        cands: set[int] = set()
        for k in keys:
            lst = post[k]
            if len(lst) <= 60:
                cands.update(lst)
        for j in cands:
            if j <= idx:
                continue
            _, _, unit2, name2, keys2 = instances[j]
            if len(keys2) < 5 or (unit == unit2 and name == name2):  # name: the project's key
                continue
            inter = len(keys & keys2)
            if inter / max(len(keys), len(keys2)) >= 0.8 - 1e-9:
                flagged.add(idx)
                flagged.add(j)
    out = []
    for idx in sorted(flagged):
        path, seq, _, key, _ = instances[idx]
        out.append({"rule": "JX402", "file": path, "project_seq": seq, "project": key, "indicator_seq": "",
                    "indicator": "", "note": ""})
    return out
