"""Template detection: normalisation, near-duplicate clusters and their recall against all pairs."""

from __future__ import annotations

import random
import re
from collections import Counter

import numpy as np
import polars as pl
import pytest

from jixiao.boilerplate import (
    exact_all_pairs_clusters,
    lowest_pairwise,
    normalise,
    normalise_expr,
    set_lsh_pairs,
    written_expr,
    template_clusters,
    text_clusters,
)
from jixiao.rules.cases import frames_from_case

NORMALISE_CASES = [
    ("≥ 98％", "#"),
    ("总成本８００万元。", "总成本#万元"),
    ("<=0.42万元/次", "#万元次"),
    ("ＡＢＣ 项目", "abc项目"),
    ("\u3000受益 人员\t满意度\n", "受益人员满意度"),
    ("“有效”提高！", "有效提高"),
    ("指标1：社保卡制卡服务覆盖人数", "指标#社保卡制卡服务覆盖人数"),
    ("2026年12月31日前", "#年#月#日前"),
    ("①号楼（二期）", "#号楼二期"),
    ("", ""),
    (None, ""),
]


@pytest.mark.parametrize("text,expected", NORMALISE_CASES)
def test_normalise(text, expected):
    assert normalise(text) == expected


def test_normalise_expr_matches_python():
    texts = [t for t, _ in NORMALISE_CASES]
    got = pl.DataFrame({"t": texts}, schema={"t": pl.String}).select(normalise_expr("t"))["t"].to_list()
    assert got == [normalise(t) for t in texts]


A = "城乡居民养老保险参保人员待遇按时足额发放"
B = "城镇居民养老保险参保人员待遇按时足额发放"      # one character from A
C = "城镇居民养老保险参保人员待遇按时足额拨付"      # two characters from B, four from A
D = "农村公路养护里程达到年度计划"                  # unrelated
E = "困难学生资助人数达到年度计划"                  # shares only a tail with D


def _jac(x: str, y: str) -> float:
    bx = {x[i:i + 2] for i in range(len(x) - 1)}
    by = {y[i:i + 2] for i in range(len(y) - 1)}
    return len(bx & by) / len(bx | by)


def test_hand_made_clusters_chain_does_not_swallow_unrelated():
    assert _jac(A, B) >= 0.8 and _jac(B, C) >= 0.8 and _jac(A, C) < 0.8
    texts = [A, B, C, D, E]
    rep, sim = text_clusters(texts, [1, 5, 1, 1, 1], threshold=0.8)
    # A, B, C form one chain-linked cluster around B (the heaviest); D and E stay alone.
    assert rep.tolist() == [1, 1, 1, 3, 4]
    assert sim[1] == 1.0 and sim[3] == 1.0 and sim[4] == 1.0
    assert sim[0] == pytest.approx(_jac(A, B))
    assert sim[2] == pytest.approx(_jac(B, C))
    assert exact_all_pairs_clusters(texts, 0.8).tolist() == [0, 0, 0, 3, 4]


def test_single_characters_and_empty_texts():
    rep, sim = text_clusters(["", "a", "a", "ab"], threshold=0.8)
    assert rep.tolist()[0] == 0 and rep.tolist()[3] == 3
    assert rep[1] == rep[2]


def _frames():
    def ind(name, target, **kw):
        return {"level1": "产出指标", "level2": "数量指标", "name": name, "target_raw": target, **kw}

    return frames_from_case({"projects": [
        {"unit": "甲单位", "year": 2023, "indicators": [ind(A, "=100%"), ind(D, "≥120公里"), ind("受益人员满意度", "≥98%")]},
        {"unit": "乙单位", "year": 2024, "indicators": [ind(B, "=100%"), ind(D, "≥80公里"), ind("受益人员满意度", "≥95%")]},
        {"unit": "乙单位", "year": 2024, "indicators": [ind(E, "≥300人"), ind("培训", "5次")]},
    ]})


def test_template_clusters_on_frames():
    f = _frames()
    clusters, members = template_clusters(f.indicators, f.projects)
    assert members.columns == ["indicator_id", "cluster_id", "similarity", "project_id", "written_similarity"]
    assert set(members["indicator_id"]) == {"p1.i1", "p2.i1", "p1.i2", "p2.i2"}
    assert clusters.height == 2
    assert all(re.fullmatch(r"T[0-9a-f]{10}", c) for c in clusters["cluster_id"])
    assert clusters["n_indicators"].to_list() == [2, 2]
    assert clusters["n_units"].to_list() == [2, 2]
    assert clusters["n_years"].to_list() == [2, 2]
    assert set(clusters["units"]) == {"乙单位、甲单位"}  # sorted by code point
    road = clusters.filter(pl.col("representative").str.contains("公路"))
    assert road["representative"][0] == normalise(D) + "#公里"
    sims = dict(zip(members["indicator_id"], members["similarity"]))
    assert sims["p1.i2"] == sims["p2.i2"] == 1.0
    assert min(sims["p1.i1"], sims["p2.i1"]) == pytest.approx(_jac(A + "#", B + "#"))
    # Honest: the road texts are one text to the clustering (numbers as #), not as written.
    assert road["min_similarity"][0] == pytest.approx(_indel(D + ">=120公里", D + ">=80公里"))
    assert road["min_similarity"][0] < 1.0
    written = dict(zip(members["indicator_id"], members["written_similarity"]))
    assert sorted([written["p1.i2"], written["p2.i2"]]) == pytest.approx([_indel(D + ">=120公里", D + ">=80公里"), 1.0])
    # Same ids whatever the row order; common names only take part when the list is emptied.
    again, _ = template_clusters(f.indicators.reverse(), f.projects.reverse())
    assert again["cluster_id"].to_list() == clusters["cluster_id"].to_list()
    _, with_common = template_clusters(f.indicators, f.projects, common_names=())
    assert {"p1.i3", "p2.i3"} <= set(with_common["indicator_id"])


def test_cluster_details_of_a_members_frame_it_did_not_number_are_the_same():
    # template_members keeps its own integer form for cluster_details; a frame from elsewhere
    # (a copy, read back) is numbered from its columns and must say the same of each cluster
    from jixiao.boilerplate import cluster_details, template_members

    f = _frames()
    m = template_members(f.indicators, f.projects)
    ours, copied = cluster_details(m), cluster_details(m.clone())
    assert ours["members"].height == 4
    assert copied["members"].equals(ours["members"])
    key = ["cluster_id"]
    assert copied["clusters"].sort(key).equals(ours["clusters"].sort(key))


def _indel(x: str, y: str) -> float:
    """Normalised Indel similarity by the textbook LCS table: 1 − (|x| + |y| − 2·LCS) / (|x| + |y|)."""
    t = [[0] * (len(y) + 1) for _ in range(len(x) + 1)]
    for i, a in enumerate(x):
        for j, b in enumerate(y):
            t[i + 1][j + 1] = t[i][j] + 1 if a == b else max(t[i][j + 1], t[i + 1][j])
    return 1 - (len(x) + len(y) - 2 * t[-1][-1]) / (len(x) + len(y))


def test_written_form_keeps_numbers_and_signs_and_writes_one_sign_one_way():
    texts = ["服务对象满意度 ≥ 95％", "服务对象满意度>=95%", "总成本８００万元。", None]
    got = pl.DataFrame({"t": texts}, schema={"t": pl.String}).select(written_expr("t"))["t"].to_list()
    assert got == ["服务对象满意度>=95%", "服务对象满意度>=95%", "总成本800万元。", ""]


def test_lowest_pairwise_is_the_worst_pair_not_the_one_to_the_representative():
    texts = ["满意度≥92%", "满意度≥95%", "满意度≥95.5%"]
    got = lowest_pairwise(np.array(["T1"] * 3 + ["T2"]), texts + ["只有一个"])
    worst = min(_indel(a, b) for i, a in enumerate(texts) for b in texts[i + 1:])
    assert got == {"T1": pytest.approx(worst), "T2": 1.0}
    assert worst < _indel(texts[0], texts[1])


def test_lowest_pairwise_of_a_large_cluster_is_exact():
    rng = random.Random(3)
    texts = sorted({"".join(rng.choice("甲乙丙丁戊己") for _ in range(rng.randint(6, 9))) for _ in range(400)})
    got = lowest_pairwise(np.array(["T"] * len(texts)), texts)["T"]  # > 64 texts: the block path
    small = texts[:60]
    assert got <= lowest_pairwise(np.array(["S"] * len(small)), small)["S"]
    assert got == pytest.approx(min(_indel(a, b) for i, a in enumerate(texts) for b in texts[i + 1:]))


def test_a_goal_table_and_its_own_self_evaluation_are_one_project():
    def ind(name, target):
        return {"level1": "产出指标", "level2": "数量指标", "name": name, "target_raw": target}

    f = frames_from_case({"projects": [
        {"unit": "甲单位", "year": 2024, "kind": "goal", "indicators": [ind(A, "≥95%"), ind(D, "≥120公里")]},
        {"unit": "甲单位", "year": 2024, "kind": "self_eval", "indicators": [ind(A, "≥95%"), ind(D, "≥120公里")]},
        {"unit": "乙单位", "year": 2024, "kind": "goal", "indicators": [ind(A, "≥92%")]},
    ]})
    pids = f.projects["project_id"].to_list()
    links = pl.DataFrame({"goal_project_id": [pids[0]], "self_eval_project_id": [pids[1]]})
    clusters, members = template_clusters(f.indicators, f.projects, links=links)
    # D is only in the one project's two tables: not a template; A is in two projects (three tables).
    assert clusters.height == 1
    row = clusters.row(0, named=True)
    assert row["representative"].startswith(normalise(A))
    assert (row["n_indicators"], row["n_projects"], row["n_units"]) == (3, 2, 2)
    assert row["min_similarity"] == pytest.approx(_indel(A + ">=95%", A + ">=92%"))
    assert set(members["project_id"]) == set(pids)
    # Without the links the same two tables are two projects and D is a (one-unit) cluster.
    unlinked, _ = template_clusters(f.indicators, f.projects)
    assert sorted(unlinked["n_projects"].to_list()) == [2, 3]


def _planted_sample(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    words = ["社会保险", "参保人数", "补贴", "发放", "资金", "及时率", "覆盖率", "培训", "人次", "道路", "维修",
             "养护", "设备", "购置", "学生", "资助", "医疗", "救助", "农村", "饮水", "安全", "工程", "建设", "完成",
             "合格率", "服务", "对象", "宣传", "知晓率", "项目", "管理", "监督", "检查", "面积", "改造", "提升"]
    base, out = [], []
    while len(out) < n:
        if base and rng.random() < 0.4:
            t = list(rng.choice(base))
            for _ in range(rng.randint(1, 2)):
                k = rng.randrange(len(t))
                op = rng.random()
                if op < 0.4:
                    t[k] = rng.choice("的了在和与及其")
                elif op < 0.7:
                    t.insert(k, rng.choice("新老大小"))
                elif len(t) > 2:
                    del t[k]
            out.append("".join(t))
        else:
            t = "".join(rng.choice(words) for _ in range(rng.randint(4, 9))) + "#" + rng.choice("人次%")
            base.append(t)
            out.append(t)
    return sorted(set(out))


def _co_clustered_pairs(labels: np.ndarray) -> int:
    return sum(k * (k - 1) // 2 for k in Counter(labels.tolist()).values())


def test_recall_against_exact_all_pairs():
    texts = _planted_sample(3000, seed=11)
    exact = exact_all_pairs_clusters(texts, 0.8)
    rep, _ = text_clusters(texts, threshold=0.8)
    both = pl.DataFrame({"e": exact, "l": rep}).group_by("e", "l").len()["len"].to_numpy()
    found = int((both * (both - 1) // 2).sum())
    truth = _co_clustered_pairs(exact)
    assert truth > 300, "the sample must hold planted near duplicates"
    assert found / truth >= 0.95
    # Verified edges only: an LSH cluster never spans two exact clusters.
    assert pl.DataFrame({"e": exact, "l": rep}).group_by("l").agg(pl.col("e").n_unique())["e"].max() == 1


def test_set_lsh_pairs_finds_copied_sets():
    rng = np.random.default_rng(3)
    sets = [rng.choice(10_000, size=9, replace=False) for _ in range(200)]
    sets.append(np.concatenate([sets[5][:8], [20_000]]))   # 8 of 9 shared with set 5
    ids = np.concatenate([np.full(len(s), i) for i, s in enumerate(sets)])
    toks = np.concatenate(sets)
    a, b, na, nb, inter = set_lsh_pairs(ids, toks, len(sets), min_jaccard=0.667)
    hits = {(int(x), int(y)): int(k) for x, y, k in zip(a, b, inter)}
    assert hits.get((5, 200)) == 8
