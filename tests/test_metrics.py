"""Metrics: hand-computed values, properties, bad input, and recmetrics 0.1.5 side by side."""

import math
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.stats as st_scipy
from hypothesis import given, settings
from hypothesis import strategies as st

from recsys_lab.data import make_marketing
from recsys_lab.evaluation import metrics, stats
from recsys_lab.evaluation import model_selection as ms
from recsys_lab.evaluation.metrics import beyond
from recsys_lab.evaluation.metrics.evaluate import SET_LEVEL
from recsys_lab.mf import SGDMatrixFactorization
from recsys_lab.models.rerank import mmr

try:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import recmetrics
except ImportError:  # the peer is optional: only its side-by-side tests need it
    recmetrics = None
needs_recmetrics = pytest.mark.skipif(
    recmetrics is None, reason="recmetrics is absent: pip install --no-deps recmetrics==0.1.5"
)

RECS = {"ann": ["a", "b", "c"], "bob": ["c", "d", "e"]}
TRUTH = {"ann": ["b", "x"], "bob": ["c", "e"]}


def test_ranking_by_hand():
    # ann: hit at rank 2 of 2 relevant; bob: hits at ranks 1 and 3 of 2 relevant
    assert metrics.precision_at_k(RECS, TRUTH, k=3) == pytest.approx((1 / 3 + 2 / 3) / 2)
    assert metrics.recall_at_k(RECS, TRUTH, k=3) == pytest.approx((1 / 2 + 1) / 2)
    f1_ann = 2 * (1 / 3) * (1 / 2) / (1 / 3 + 1 / 2)
    f1_bob = 2 * (2 / 3) * 1 / (2 / 3 + 1)
    assert metrics.f1_at_k(RECS, TRUTH, k=3) == pytest.approx((f1_ann + f1_bob) / 2)
    assert metrics.mrr(RECS, TRUTH, k=3) == pytest.approx((1 / 2 + 1) / 2)
    assert metrics.hit_rate_at_k(RECS, TRUTH, k=1) == 0.5
    ap_ann = (1 / 2) / 2
    ap_bob = (1 + 2 / 3) / 2
    assert metrics.map_at_k(RECS, TRUTH, k=3) == pytest.approx((ap_ann + ap_bob) / 2)
    d = 1 / np.log2(np.arange(2, 5))
    ndcg_ann = d[1] / (d[0] + d[1])
    ndcg_bob = (d[0] + d[2]) / (d[0] + d[1])
    assert metrics.ndcg_at_k(RECS, TRUTH, k=3) == pytest.approx((ndcg_ann + ndcg_bob) / 2)


def test_graded_ndcg_and_dataframe_inputs():
    recs = pd.DataFrame({"user": [1, 1, 1], "item": ["x", "y", "z"], "rank": [3, 1, 2]})
    truth = pd.DataFrame({"user": [1, 1], "item": ["x", "y"], "rating": [5.0, 1.0]})
    # order: y (gain 1), z (0), x (5); ideal: x (5), y (1)
    d = 1 / np.log2(np.arange(2, 5))
    expected = (1 * d[0] + 5 * d[2]) / (5 * d[0] + 1 * d[1])
    assert metrics.ndcg_at_k(recs, truth, k=3, graded=True) == pytest.approx(expected)
    assert metrics.ndcg_at_k(recs, truth, k=3) == pytest.approx((d[0] + d[2]) / (d[0] + d[1]))
    by_score = pd.DataFrame({"user": [1, 1], "item": ["x", "y"], "score": [0.1, 0.9]})
    assert metrics.mrr(by_score, truth, k=1) == 1.0  # y is first by score


def test_users_without_list_score_zero_and_extra_users_are_ignored():
    recs = {"ann": ["a"], "zed": ["a"]}
    truth = {"ann": ["a"], "bob": ["a"]}
    table = metrics.per_user(recs, truth, k=1)
    assert table.index.tolist() == ["ann", "bob"]
    assert table["precision"].tolist() == [1.0, 0.0]


lists_st = st.dictionaries(
    st.integers(0, 20),
    st.lists(st.integers(0, 30), min_size=0, max_size=8, unique=True),
    min_size=1,
    max_size=10,
)


@settings(max_examples=80, deadline=None)
@given(lists_st, lists_st, st.integers(1, 10))
def test_ranking_bounds_and_perfect_lists(recs, truth_lists, k):
    truth = {u: items for u, items in truth_lists.items() if items}
    if not truth:
        return
    table = metrics.per_user(recs, truth, k)
    assert ((table >= 0) & (table <= 1 + 1e-12)).all().all()
    assert (table["f1"] <= table[["precision", "recall"]].max(axis=1) + 1e-12).all()
    perfect = metrics.per_user(truth, truth, k)
    assert np.allclose(perfect["ndcg"], 1) and np.allclose(perfect["map"], 1)
    assert np.allclose(perfect["recall"], [min(len(truth[u]), k) / len(truth[u]) for u in truth])


@settings(max_examples=50, deadline=None)
@given(lists_st)
def test_order_invariance_and_bounds_of_set_metrics(recs):
    recs = {u: items for u, items in recs.items() if items}
    if len(recs) < 2:
        return
    reversed_recs = {u: items[::-1] for u, items in recs.items()}
    catalog = range(31)
    assert metrics.catalog_coverage(recs, catalog) == metrics.catalog_coverage(
        reversed_recs, catalog
    )
    p = metrics.personalization(recs)
    assert p == pytest.approx(metrics.personalization(reversed_recs))
    assert -1e-12 <= p <= 1 + 1e-12
    assert 0 <= metrics.gini(recs, catalog) < 1


def test_beyond_accuracy_by_hand():
    catalog = list("abcdefgh")
    assert metrics.catalog_coverage(RECS, catalog) == 5 / 8
    assert metrics.exposure(RECS, catalog).loc[["c", "a", "h"]].tolist() == [2, 1, 0]
    # personalization: ann and bob share c: cos = 1/3 -> 1 - 1/3
    assert metrics.personalization(RECS) == pytest.approx(2 / 3)
    x = np.sort(np.array([1, 1, 2, 1, 1, 0, 0, 0], float))
    n = x.size
    gini = ((2 * np.arange(1, n + 1) - n - 1) * x).sum() / (n * x.sum())
    assert metrics.gini(RECS, catalog) == pytest.approx(gini)
    s = np.array([1, 1, 2, 1, 1]) / 6
    assert metrics.entropy(RECS, catalog) == pytest.approx(-(s * np.log2(s)).sum())


def test_novelty_arp_aplt_by_hand():
    train = pd.DataFrame({"user": [1, 2, 3, 4, 4], "item": ["a", "a", "a", "b", "a"]})
    recs = {9: ["a", "b", "z"]}
    # a known by 4/4 users, b by 1/4, z unseen: 1/(4+1)
    expected = (0 + 2 + np.log2(5)) / 3
    assert metrics.novelty(recs, train) == pytest.approx(expected)
    assert metrics.arp(recs, train) == pytest.approx((4 + 1 + 0) / 3)
    assert metrics.aplt(recs, train, head_fraction=0.5) == pytest.approx(2 / 3)


def test_diversity_serendipity_calibration_by_hand():
    features = pd.DataFrame({"x": [1.0, 0.0, 1.0], "y": [0.0, 1.0, 1.0]}, index=list("abc"))
    cos_ac = 1 / np.sqrt(2)
    ild = metrics.intra_list_diversity({"u": ["a", "b", "c"]}, features)
    assert ild == pytest.approx((1 + (1 - cos_ac) * 2) / 3)
    assert np.isnan(metrics.intra_list_diversity({"u": ["a"]}, features))  # documented NaN
    seren = metrics.serendipity(
        {"u": ["a", "b", "c"]}, {"u": ["a", "c"]}, baseline={"u": ["a", "q"]}, k=3
    )
    assert seren == pytest.approx(1 / 3)  # c only: a was obvious
    train = pd.DataFrame({"user": [1, 1, 1, 1], "item": ["a", "b", "c", "d"]})
    cats = pd.DataFrame({"item": list("abcde"), "category": ["x", "x", "x", "y", "y"]})
    p = np.array([0.75, 0.25])
    q = np.array([0.0, 1.0])
    q_t = 0.99 * q + 0.01 * p
    expected = (p * np.log(p / q_t)).sum()
    assert metrics.calibration({1: ["e"]}, train, cats) == pytest.approx(expected)


def test_multi_category_items_split_their_weight():
    train = pd.DataFrame({"user": [1], "item": ["a"]})
    cats = pd.DataFrame({"item": ["a", "a", "b"], "category": ["x", "y", "x"]})
    # history: x 0.5, y 0.5; list [b]: x 1.0
    p, q = np.array([0.5, 0.5]), np.array([1.0, 0.0])
    q_t = 0.99 * q + 0.01 * p
    assert metrics.calibration({1: ["b"]}, train, cats) == pytest.approx(
        (p * np.log(p / q_t)).sum()
    )


def test_fairness_and_business():
    values = pd.Series([1.0, 0.5, 0.0, 0.25], index=[1, 2, 3, 4])
    groups = pd.Series(["a", "a", "b", "b"], index=[1, 2, 3, 4])
    table = metrics.group_means(values, groups)
    assert table["mean"].tolist() == [0.75, 0.125] and table["users"].tolist() == [2, 2]
    assert metrics.fairness_gap(values, groups) == 0.625
    log = pd.DataFrame(
        {"seg": ["a", "a", "b", "b"], "clicked": [1, 0, 1, 1], "purchased": [1, 0, 0, 1]}
    )
    assert metrics.ctr(log) == 0.75
    assert metrics.conversion(log) == pytest.approx(2 / 3)
    assert metrics.ctr(log, by="seg")["rate"].tolist() == [0.5, 1.0]
    assert metrics.rmse([1, 2], [2, 2]) == pytest.approx(np.sqrt(0.5))
    assert metrics.mae([1, 2], [2, 2]) == 0.5
    assert metrics.prediction_coverage([True, True, False, True]) == 0.75


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: metrics.precision_at_k(RECS, TRUTH, k=0), ValueError, "k must be >= 1"),
        (lambda: metrics.precision_at_k({"u": ["a", "a"]}, TRUTH), ValueError, "more than once"),
        (lambda: metrics.precision_at_k(RECS, {}), ValueError, "truth is empty"),
        (
            lambda: metrics.precision_at_k(RECS, pd.DataFrame({"user": [], "item": []})),
            ValueError,
            "truth is empty",
        ),
        (lambda: metrics.precision_at_k({"u": "abc"}, TRUTH), TypeError, "is a string"),
        (lambda: metrics.precision_at_k([["a"]], TRUTH), TypeError, "must be a DataFrame"),
        (lambda: metrics.catalog_coverage(RECS, "ab"), ValueError, "not in the catalog"),
        (
            lambda: metrics.intra_list_diversity(RECS, pd.DataFrame({"x": [1.0]}, index=["a"])),
            ValueError,
            "not in the item features",
        ),
        (
            lambda: metrics.intra_list_diversity(
                {"u": ["a", "b"]}, pd.DataFrame({"x": [1.0, 0.0]}, index=["a", "b"])
            ),
            ValueError,
            "all-zero",
        ),
        (lambda: metrics.personalization({"u": ["a"]}), ValueError, "at least two users"),
        (lambda: metrics.ctr(pd.DataFrame({"clicked": []})), ValueError, "zero traffic"),
        (lambda: metrics.ctr(pd.DataFrame({"clicked": [2]})), ValueError, "must hold 0/1"),
        (
            lambda: metrics.conversion(pd.DataFrame({"clicked": [0], "purchased": [1]})),
            ValueError,
            "without a click",
        ),
        (lambda: metrics.rmse([], []), ValueError, "empty"),
        (lambda: metrics.rmse([1, np.nan], [1, 2]), ValueError, "NaN"),
        (
            lambda: metrics.aplt(RECS, pd.DataFrame({"user": [1], "item": ["a"]}), head_fraction=1),
            ValueError,
            "head_fraction",
        ),
    ],
)
def test_bad_input_gets_a_clear_error(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_inputs_are_not_modified():
    recs = pd.DataFrame({"user": [1, 1, 2], "item": ["a", "b", "a"], "rank": [2, 1, 1]})
    before = recs.copy()
    metrics.precision_at_k(recs, {1: ["a"], 2: ["b"]})
    metrics.personalization(recs)
    pd.testing.assert_frame_equal(recs, before)


def test_evaluate_several_models_with_groups():
    truth = pd.DataFrame({"user": [1, 2, 3], "item": ["a", "b", "c"], "rating": [5.0, 4.0, 3.0]})
    train = pd.DataFrame({"user": [1, 2, 3, 3], "item": ["b", "a", "a", "d"]})
    items = pd.DataFrame({"item": list("abcd"), "category": list("xxyy")})
    features = pd.DataFrame(
        {"f": [1.0, 0.0, 1.0, 0.5], "g": [0.0, 1.0, 1.0, 0.5]}, index=list("abcd")
    )
    good = {1: ["a", "c"], 2: ["b", "d"], 3: ["c", "a"]}
    bad = {1: ["d", "c"], 2: ["d", "c"], 3: ["d", "b"]}
    groups = pd.Series(["new", "new", "old"], index=[1, 2, 3])
    result = metrics.evaluate(
        {"good": good, "bad": bad},
        truth,
        train=train,
        items=items,
        k=2,
        groups=groups,
        item_features=features,
    )
    table = result.table()
    assert list(table.columns) == ["good", "bad"]
    assert table.loc["precision@2", "good"] == 0.5 and table.loc["precision@2", "bad"] == 0.0
    assert table.loc["catalog_coverage", "bad"] == metrics.catalog_coverage(bad, "abcd", 2)
    assert table.loc["novelty", "good"] == pytest.approx(metrics.novelty(good, train, 2))
    for name in (
        "ndcg_graded@2",
        "personalization",
        "gini",
        "calibration",
        "serendipity",
        "intra_list_diversity",
        "aplt",
        "ndcg gap",
    ):
        assert name in table.index
    assert set(result.per_user["model"]) == {"good", "bad"} and len(result.per_user) == 6
    gap = result.by_group.query("model == 'good' and metric == 'ndcg'")
    assert gap["group"].tolist() == ["new", "old"]


# ---------------------------------------------------------------- recmetrics side by side
PRED = [["a", "b", "c"], ["a", "d", "e"], ["f", "b", "c"]]
FEATURES = pd.DataFrame(
    {"x": [1, 0, 1, 0, 1, 1.0], "y": [0, 1, 1, 1, 0, 1.0], "z": [0, 0, 1, 2, 1, 0.0]},
    index=list("abcdef"),
)
as_map = dict(enumerate(PRED))


@needs_recmetrics
def test_same_as_recmetrics_where_definitions_coincide():
    assert metrics.personalization(as_map) == pytest.approx(recmetrics.personalization(PRED))
    ils = recmetrics.intra_list_similarity(PRED, FEATURES)
    assert metrics.intra_list_diversity(as_map, FEATURES) == pytest.approx(1 - ils)
    pop = {"a": 4, "b": 3, "c": 2, "d": 1, "e": 1, "f": 1}
    train = pd.DataFrame(
        [(u, i) for i, c in pop.items() for u in range(c)], columns=["user", "item"]
    )
    theirs, _ = recmetrics.novelty(PRED, pop, u=4, n=3)
    assert metrics.novelty(as_map, train) == pytest.approx(theirs)
    actual = [["a", "x"], ["e"], ["q"]]
    truth = dict(enumerate(actual))
    assert metrics.precision_at_k(as_map, truth, k=3) == pytest.approx(
        recmetrics.recommender_precision(PRED, actual), abs=1e-4
    )
    assert metrics.recall_at_k(as_map, truth, k=3) == pytest.approx(
        recmetrics.recommender_recall(PRED, actual), abs=1e-4
    )
    # recmetrics' "prediction_coverage" is our catalog coverage, in percent
    assert 100 * metrics.catalog_coverage(as_map, "abcdefgh") == recmetrics.prediction_coverage(
        PRED, list("abcdefgh")
    )


@needs_recmetrics
def test_where_recmetrics_differs():
    # 1. catalog coverage: recmetrics samples lists at random and reports percent
    runs = {recmetrics.catalog_coverage(PRED, list("abcdefgh"), k=2) for _ in range(50)}
    assert len(runs) > 1 and max(runs) > 1  # random, and in percent
    assert metrics.catalog_coverage(as_map, "abcdefgh") == 0.75  # exact fraction, every run
    # 2. novelty divides by the nominal n, not the list's length
    pop = {"a": 4, "b": 1}
    short = [["a", "b"], ["b"]]
    train = pd.DataFrame(
        [(u, i) for i, c in pop.items() for u in range(c)], columns=["user", "item"]
    )
    theirs, _ = recmetrics.novelty(short, pop, u=4, n=2)
    ours = metrics.novelty(dict(enumerate(short)), train)
    assert theirs == pytest.approx((2 / 2 + 2 / 2) / 2) and ours == pytest.approx((1 + 2) / 2)
    # 3. similarity, not diversity: the two are complements
    assert recmetrics.intra_list_similarity([["a", "c"]], FEATURES) == pytest.approx(
        1 - metrics.intra_list_diversity({0: ["a", "c"]}, FEATURES)
    )
    # 4. crashes where we return a defined value or a clear error
    with pytest.raises(ZeroDivisionError):
        recmetrics.intra_list_similarity([["a"], ["a", "b"]], FEATURES)
    # a and b are orthogonal: diversity 1; the 1-item list is NaN and left out of the mean
    assert metrics.intra_list_diversity({0: ["a"], 1: ["a", "b"]}, FEATURES) == 1.0
    with pytest.raises(KeyError):
        recmetrics.intra_list_similarity([["a", "zz"]], FEATURES)
    with pytest.raises(KeyError):
        recmetrics.novelty([["a", "zz"]], {"a": 3}, 5, 2)
    assert metrics.novelty({0: ["a", "zz"]}, train) > 0  # unseen item: smoothed
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert math.isinf(recmetrics.personalization([["a", "b"]]))  # one user
    with pytest.raises(ValueError, match="at least two users"):
        metrics.personalization({0: ["a", "b"]})


def test_mmr_trades_relevance_for_diversity():
    rng = np.random.default_rng(0)
    items = [f"i{j}" for j in range(30)]
    features = pd.DataFrame(rng.random((30, 4)), index=items)
    cands = pd.DataFrame(
        [(u, i, s) for u in range(20) for i, s in zip(items, rng.random(30), strict=True)],
        columns=["user", "item", "score"],
    )
    plain = mmr(cands, features, lam=1.0, n=5)
    top = cands.sort_values(["user", "score"], ascending=[True, False]).groupby("user").head(5)
    assert plain["item"].tolist() == top["item"].tolist()
    diverse = mmr(cands, features, lam=0.2, n=5)
    ild = [metrics.intra_list_diversity(r, features) for r in (plain, diverse)]
    assert ild[1] > ild[0]
    assert diverse.groupby("user")["rank"].apply(list).map(lambda r: r == [1, 2, 3, 4, 5]).all()
    with pytest.raises(ValueError, match="lam must be between 0 and 1"):
        mmr(cands, features, lam=2)


def test_evaluate_names_missing_columns():
    with pytest.raises(ValueError, match="items needs an 'item' column"):
        metrics.evaluate(RECS, TRUTH, items=pd.DataFrame({"category": ["x"]}, index=["a"]))
    with pytest.raises(ValueError, match="train needs columns user and item"):
        metrics.evaluate(RECS, TRUTH, train=pd.DataFrame({"who": [1], "item": ["a"]}))


# ------------------------------------------------- evaluate: intervals and paired tests
def _three_models(n_users=60, seed=0):
    rng = np.random.default_rng(seed)
    users = np.arange(n_users)
    truth = pd.DataFrame({"user": users, "item": rng.integers(0, 5, n_users)})
    catalog = np.arange(20)

    def lists(skill):  # put the relevant item in the top 3 for a share `skill` of the users
        out = {}
        for u, item in zip(truth["user"], truth["item"], strict=True):
            others = [i for i in rng.permutation(catalog) if i != item][:5]
            out[u] = [*others[:2], item, *others[2:]] if rng.random() < skill else others
        return out

    return {"weak": lists(0.2), "strong": lists(0.6), "same": lists(0.2)}, truth


def test_evaluate_intervals_are_bootstrap_intervals_of_per_user_values():
    recs, truth = _three_models()
    items = pd.DataFrame({"item": np.arange(20)})
    result = metrics.evaluate(recs, truth, items=items, k=5, n_resamples=2000, random_state=3)
    rows = result.summary.set_index(["model", "metric"])
    per_user = result.by_user("ndcg@5")
    assert list(per_user.columns) == ["weak", "strong", "same"] and len(per_user) == 60
    # a model's metrics share their draws, which depend on the users and the seed only
    ndcg = per_user[["strong"]].to_numpy()
    low, high = stats.bootstrap_cis(ndcg, n_resamples=2000, random_state=3)[0]
    assert tuple(rows.loc[("strong", "ndcg@5"), ["low", "high"]]) == (low, high)
    assert (low, high) == pytest.approx(stats.bootstrap_ci(ndcg[:, 0]), abs=0.02)  # other draws
    tested = rows.dropna(subset=["low"])
    assert (tested["low"] <= tested["value"]).all() and (tested["value"] <= tested["high"]).all()
    assert len(tested) == 3 * (7 + 4)  # ranking metrics and the four set-level ones
    assert result.table("high").loc["mrr", "same"] == rows.loc[("same", "mrr"), "high"]


def test_metrics_missing_for_some_users_are_resampled_over_the_others():
    # one-item lists have no intra-list diversity: its interval resamples the other users
    rng = np.random.default_rng(1)
    recs = {u: list(rng.choice(8, size=1 + u % 3, replace=False)) for u in range(50)}
    features = pd.DataFrame(rng.random((8, 3)), index=range(8))
    result = metrics.evaluate(recs, {u: [0] for u in recs}, k=3, item_features=features)
    diversity = result.by_user("intra_list_diversity")["model"]
    assert diversity.isna().sum() == 17
    row = result.summary.set_index("metric").loc["intra_list_diversity"]
    known = diversity.dropna().to_numpy()[:, None]
    assert tuple(row[["low", "high"]]) == tuple(stats.bootstrap_cis(known)[0])
    assert row["value"] == known.mean()


def test_encoded_lists_and_checked_interactions_give_the_same_values():
    from recsys_lab._lists import as_lists

    recs = {"ann": ["a", "b", "c"], "bob": ["c", "d"], "cy": ["e"]}
    train = pd.DataFrame({"user": [1, 2, 2, 3], "item": ["a", "a", "c", "e"]})
    truth = {"ann": ["b"], "bob": ["d", "x"], "cy": ["e"]}
    encoded, checked = as_lists(recs), beyond.Interactions.of(train)
    for metric in (metrics.novelty, metrics.arp, metrics.aplt):
        per_user = metric(encoded, checked, 2, per_user=True)
        assert per_user.equals(metric(recs, train, 2, per_user=True))
    assert metrics.popular_unseen(checked, ["ann"]).equals(metrics.popular_unseen(train, ["ann"]))
    assert metrics.per_user(encoded, truth, 2).equals(metrics.per_user(recs, truth, 2))
    assert metrics.gini(encoded, "abcdefg", 2) == metrics.gini(recs, "abcdefg", 2)
    recoded = as_lists(encoded, k=2, items=pd.Index(["e", "z", "c"]))
    assert recoded.items.tolist() == ["e", "z", "c", "a", "b", "d"]
    assert recoded.codes.tolist() == [[3, 4], [2, 5], [0, -1]]


@pytest.mark.parametrize("method", ["t", "randomization"])
def test_evaluate_compares_against_a_reference_with_adjusted_pvalues(method):
    recs, truth = _three_models()
    result = metrics.evaluate(
        recs, truth, k=5, compare_to="weak", method=method, adjust="bonferroni", n_resamples=999
    )
    rows = result.summary.set_index(["model", "metric"])
    assert rows.loc[("weak", "hit_rate@5"), ["difference", "pvalue"]].isna().all()
    hits = result.by_user("hit_rate@5")
    tests = [
        stats.paired_test(hits[m], hits["weak"], method, n_resamples=999)
        for m in ("strong", "same")
    ]
    for model, test in zip(("strong", "same"), tests, strict=True):
        assert rows.loc[(model, "hit_rate@5"), "pvalue"] == test.pvalue
        assert rows.loc[(model, "hit_rate@5"), "pvalue_adjusted"] == min(1, 2 * test.pvalue)
        assert rows.loc[(model, "hit_rate@5"), "difference"] == pytest.approx(test.mean_difference)
    assert rows.loc[("strong", "hit_rate@5"), "pvalue_adjusted"] < 0.01
    assert rows.loc[("same", "hit_rate@5"), "pvalue_adjusted"] > 0.05


def test_evaluate_bad_comparisons_get_a_clear_error():
    recs, truth = _three_models(10)
    with pytest.raises(ValueError, match="compare_to='best' is not one of the models"):
        metrics.evaluate(recs, truth, compare_to="best")
    with pytest.raises(ValueError, match="Unknown method 'z'"):
        metrics.evaluate(recs, truth, compare_to="weak", method="z")
    with pytest.raises(ValueError, match="Unknown adjust 'sidak'"):
        metrics.evaluate(recs, truth, compare_to="weak", adjust="sidak")
    result = metrics.evaluate(recs, truth, k=5)
    with pytest.raises(ValueError, match="Unknown column 'pvalue'"):
        result.table("pvalue")  # no comparison asked for
    with pytest.raises(ValueError, match="Unknown per-user metric 'personalization'"):
        result.by_user("personalization")


# ------------------------------------------------------------- sampled vs full ranking
def test_sampled_ranking_by_hand():
    train = pd.DataFrame({"user": [1, 2], "item": ["a", "f"]})
    test = pd.DataFrame({"user": [1, 1], "item": ["b", "c"]})
    score = {"a": 9.0, "b": 0.5, "c": 0.1, "d": 0.8, "e": 0.3, "f": 0.05}
    table = metrics.sampled_ranking(
        lambda users, items: [score[i] for i in items], train, test, k=3, items=list("abcdef")
    )
    # candidates of user 1: b, c (held out) and d, e, f; a was seen. Order d, b, e, c, f.
    d = 1 / np.log2(np.arange(2, 5))
    assert table.loc[1, "hit_rate"] == 1.0 and table.loc[1, "negatives"] == 3
    assert table.loc[1, "ndcg"] == pytest.approx(d[1] / (d[0] + d[1]))


def test_sampled_negatives_are_unseen_catalog_items():
    ratings = make_marketing(n_users=40, n_items=150, mean_ratings=12, seed=4).ratings
    train, test = ms.leave_last_out(ratings, n=2)
    asked = []

    def record(users, items):
        asked.append(pd.DataFrame({"user": list(users), "item": list(items)}))
        return np.random.default_rng(0).random(len(asked[-1]))

    table = metrics.sampled_ranking(record, train, test, n_negatives=20, random_state=5)
    pairs = asked[0].merge(ratings[["user", "item"]], how="left", indicator=True)
    held_out = pairs["_merge"] == "both"
    rankable = test["user"].isin(train["user"]) & test["item"].isin(train["item"])
    assert held_out.sum() == rankable.sum() < len(test)  # every test item the catalog has
    assert pairs.loc[held_out].merge(train[["user", "item"]]).empty  # none from training
    assert (table["negatives"] == 20).all() and set(pairs["item"]) <= set(train["item"])
    assert not asked[0].duplicated().any()
    again = metrics.sampled_ranking(record, train, test, n_negatives=20, random_state=5)
    pd.testing.assert_frame_equal(table, again)


def test_sampled_with_every_negative_is_the_full_ranking():
    ratings = make_marketing(n_users=50, n_items=60, mean_ratings=12, seed=5).ratings
    train, test = ms.leave_last_out(ratings, n=3)
    model = SGDMatrixFactorization(n_factors=4, n_epochs=5, random_state=0).fit(train)
    test = test[test["item"].isin(train["item"])]
    full = metrics.per_user(model.recommend(users=test["user"].unique(), n=10), test, k=10)
    everything = metrics.sampled_ranking(model, train, test, k=10, n_negatives=10_000)
    pd.testing.assert_frame_equal(everything[["hit_rate", "ndcg"]], full[["hit_rate", "ndcg"]])
    sampled = metrics.sampled_ranking(model, train, test, k=10, n_negatives=20)
    assert (sampled["hit_rate"] >= full["hit_rate"]).all()  # fewer competitors, never worse


def test_sampled_metrics_can_reorder_models():
    # 1,000 items, 200 users with one held-out item each (Krichene & Rendle 2020, Fig. 1):
    # "bimodal" ranks it first for half of the users and last for the others; "steady"
    # ranks it 20th for everybody, behind 19 items everybody scores higher.
    n_users, catalog = 200, np.arange(1000)
    test = pd.DataFrame({"user": np.arange(n_users), "item": np.arange(n_users)})
    train = pd.DataFrame({"user": np.arange(n_users), "item": 500 + np.arange(n_users)})

    def noise(users, items):
        return ((np.asarray(users) * 7919 + np.asarray(items) * 104_729) % 1000) / 1000

    def bimodal(users, items):
        users, items = np.asarray(users), np.asarray(items)
        held_out = np.where(users % 2 == 0, 10.0, -10.0)
        return np.where(items == users, held_out, noise(users, items))

    def steady(users, items):
        users, items = np.asarray(users), np.asarray(items)
        top = (items >= 900) & (items < 919)
        return np.where(items == users, 1.0, np.where(top, 2.0, noise(users, items)))

    def hit_rate(scorer, n):
        return metrics.sampled_ranking(scorer, train, test, n_negatives=n, items=catalog)[
            "hit_rate"
        ].mean()

    assert hit_rate(bimodal, 10_000) == 0.5 and hit_rate(steady, 10_000) == 0.0  # full
    assert hit_rate(steady, 100) > 0.9 > 0.5 == hit_rate(bimodal, 100)  # sampled: flipped


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda: metrics.sampled_ranking("model", TRAIN_S, TEST_S),
            TypeError,
            "scorer must be a fitted recommender",
        ),
        (
            lambda: metrics.sampled_ranking(lambda u, i: [], TRAIN_S, TEST_S),
            ValueError,
            "one number per \\(user, item\\) pair",
        ),
        (
            lambda: metrics.sampled_ranking(len, TRAIN_S, TEST_S.assign(user=9)),
            ValueError,
            "nothing to rank",
        ),
        (
            lambda: metrics.sampled_ranking(len, TRAIN_S, TEST_S, n_negatives=0),
            ValueError,
            "n_negatives must be >= 1",
        ),
    ],
)
def test_sampled_bad_input_gets_a_clear_error(call, error, match):
    with pytest.raises(error, match=match):
        call()


TRAIN_S = pd.DataFrame({"user": [1, 1, 2], "item": ["a", "b", "c"]})
TEST_S = pd.DataFrame({"user": [1], "item": ["c"]})


# ------------------------------------------- serendipity against each user's own list
POP_TRAIN = pd.DataFrame(
    {"user": [1, 2, 2, 3, 3, 3, 4], "item": ["a", "a", "b", "a", "b", "c", "d"]}
)  # popularity: a (3 users), b (2), then c and d (1 each; c seen first)


def test_popular_unseen_by_hand():
    lists = beyond.popular_unseen(POP_TRAIN, [1, 3, 4, 9], k=2)
    by_user = lists.groupby("user")["item"].apply(list).to_dict()
    assert by_user == {1: ["b", "c"], 3: ["d"], 4: ["a", "b"], 9: ["a", "b"]}
    assert lists["rank"].tolist() == [1, 2, 1, 1, 2, 1, 2]  # 3 has seen all but d


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 8), st.integers(0, 12)), min_size=1, max_size=60),
    st.integers(1, 6),
)
def test_popular_unseen_are_the_popularity_recommenders_lists(pairs, k):
    from recsys_lab.models import PopularityRecommender

    train = pd.DataFrame(pairs, columns=["user", "item"]).drop_duplicates()
    users = sorted(train["user"].unique())
    ours = beyond.popular_unseen(train, users, k)
    model = PopularityRecommender().fit(train).recommend(users=users, n=k)
    pd.testing.assert_frame_equal(
        ours.reset_index(drop=True), model[["user", "item", "rank"]].reset_index(drop=True)
    )


def test_serendipity_uses_each_users_unseen_popular_items():
    recs = {1: ["c", "e"], 3: ["d", "e"]}
    truth = {1: ["c", "e"], 3: ["d", "e"]}
    # user 1's obvious list is [b, c] (a seen): c is obvious, e a surprise -> 1/2;
    # user 3 has seen a, b, c: the obvious list is [d]: e only -> 1/2
    per_user = metrics.serendipity(recs, truth, POP_TRAIN, k=2, per_user=True)
    assert per_user.to_dict() == {1: 0.5, 3: 0.5}
    # one shared top-2 [a, b] would have called every relevant item a surprise
    shared = {u: ["a", "b"] for u in recs}
    assert metrics.serendipity(recs, truth, baseline=shared, k=2) == 1.0
    popularity = beyond.popular_unseen(POP_TRAIN, [1, 3], k=2)
    assert metrics.serendipity(popularity, truth, POP_TRAIN, k=2) == 0.0  # never surprising


def test_serendipity_bad_baselines_get_a_clear_error():
    with pytest.raises(TypeError, match="one list per user"):
        metrics.serendipity({1: ["a"]}, {1: ["a"]}, baseline=["a", "b"])
    with pytest.raises(ValueError, match="needs train"):
        metrics.serendipity({1: ["a"]}, {1: ["a"]})


def test_evaluate_scores_serendipity_against_users_own_popularity_lists():
    truth = {1: ["c", "e"], 3: ["d", "e"]}
    recs = {"m": {1: ["c", "e"], 3: ["d", "e"]}}
    table = metrics.evaluate(recs, truth, train=POP_TRAIN, k=2, n_resamples=50).table()
    assert table.loc["serendipity", "m"] == 0.5


# ------------------------------------------------------------- set-level metrics
def _random_lists(n_users, n_items, k, seed):
    rng = np.random.default_rng(seed)
    return {u: rng.choice(n_items, size=k, replace=False).tolist() for u in range(n_users)}


def test_list_set_weights_equal_the_metrics_of_the_chosen_users():
    from recsys_lab.evaluation.metrics.beyond import ListSet

    recs = {0: ["a", "b"], 1: ["b", "c", "d"], 2: ["a"], 3: ["e", "a"]}
    catalog = list("abcdefg")
    ls = ListSet.from_recs(recs, catalog)
    keep = np.array([[1.0, 0.0, 1.0, 1.0], [0.0, 1.0, 0.0, 1.0]])
    values = ls.values(ls.sums(keep))
    for row, chosen in enumerate(keep):
        sub = {u: recs[u] for u, w in zip(recs, chosen, strict=True) if w}
        assert values["catalog_coverage"][row] == metrics.catalog_coverage(sub, catalog)
        assert values["gini"][row] == pytest.approx(metrics.gini(sub, catalog))
        assert values["entropy"][row] == pytest.approx(
            metrics.entropy(sub, catalog, normalized=True)
        )
        pairs = [(u, v) for u in sub for v in sub if u < v]
        cos = [
            len(set(sub[u]) & set(sub[v])) / np.sqrt(len(sub[u]) * len(sub[v])) for u, v in pairs
        ]
        assert values["personalization"][row] == pytest.approx(1 - np.mean(cos))


def test_bootstrapping_users_fakes_concentration_and_half_samples_do_not():
    from recsys_lab.evaluation.metrics.evaluate import set_level_resamples

    recs = _random_lists(400, 300, 10, seed=1)
    observed = metrics.gini(recs, range(300))
    boot = set_level_resamples(recs, range(300), scheme="bootstrap", n_resamples=300)
    assert boot["gini"].quantile(0.025) > observed  # repeated users repeat lists
    result = metrics.evaluate(
        {"random": recs},
        {u: [0] for u in recs},
        items=pd.DataFrame({"item": range(300)}),
        k=10,
        n_resamples=300,
    )
    row = result.summary.set_index("metric").loc["gini"]
    assert row["low"] < observed < row["high"]


def test_half_sample_intervals_cover_the_expected_value():
    """A seeded simulation: 60 sets of random lists (300 users, 400 items, 10 each).

    Each set-level metric's expected value at this number of users is estimated by its
    mean over the 60 sets; the 95 % half-sample intervals must cover it at least 90 %
    of the time (they are conservative, so usually more).
    """
    items = pd.DataFrame({"item": range(400)})
    rows = []
    for seed in range(60):
        recs = _random_lists(300, 400, 10, seed)
        result = metrics.evaluate(
            {"m": recs},
            {u: [0] for u in recs},
            items=items,
            k=10,
            n_resamples=200,
            random_state=seed,
        )
        rows.append(result.summary.set_index("metric").loc[list(SET_LEVEL)])
    table = pd.concat(rows, keys=range(60), names=["seed"])
    expected = table["value"].groupby("metric").mean()
    hit = (table["low"] <= expected.reindex(table.index, level="metric")) & (
        expected.reindex(table.index, level="metric") <= table["high"]
    )
    coverage = hit.groupby("metric").mean()
    assert (coverage >= 0.9).all(), coverage
    # conservative, as the docstring says: 1.2 to 2.6 times the spread over the 60 sets
    se = ((table["high"] - table["low"]) / (2 * 1.96)).groupby("metric").mean()
    ratio = se / table["value"].groupby("metric").std()
    assert ratio.between(1.0, 3.0).all() and ratio.idxmax() == "catalog_coverage", ratio


def test_half_samples_are_uniform_halves_and_their_sums_are_list_set_sums():
    from recsys_lab.evaluation.metrics.beyond import ListSet
    from recsys_lab.evaluation.metrics.evaluate import _half_sums

    # user u shows items of its own (1 to 3 of them), so a half's exposures say who is in it
    recs = {u: [f"{u}-{j}" for j in range(1 + u % 3)] for u in range(9)}
    ls = ListSet.from_recs(recs, [i for items in recs.values() for i in items])
    owner = np.array([int(item.split("-")[0]) for item in ls.catalog])
    halves = []
    for ((x, a, b, n),) in _half_sums([ls], 9000, np.random.default_rng(0)):
        kept = np.zeros((len(x), 9))
        np.maximum.at(kept, (slice(None), owner), (x > 0).astype(float))
        assert (kept.sum(axis=1) == 4).all() and (n == 4).all()
        for got, want in zip((x, a, b), ls.sums(kept)[:3], strict=True):
            np.testing.assert_allclose(got, want, rtol=1e-12)
        halves.append(kept)
    subsets = pd.Series([tuple(np.flatnonzero(k)) for k in np.concatenate(halves)])
    assert subsets.nunique() == math.comb(9, 4)  # every half, about equally often: 71 each
    assert st_scipy.chisquare(subsets.value_counts()).pvalue > 0.001


def test_set_level_intervals_use_at_most_half_samples_subsets():
    from recsys_lab.evaluation.metrics.evaluate import HALF_SAMPLES

    recs = _random_lists(40, 30, 5, seed=2)
    items = pd.DataFrame({"item": range(30)})

    def set_level(n_resamples):
        result = metrics.evaluate(recs, {0: [0]}, items=items, k=5, n_resamples=n_resamples)
        return result.summary.set_index("metric").loc[list(SET_LEVEL), ["low", "high"]]

    assert set_level(HALF_SAMPLES + 500).equals(set_level(HALF_SAMPLES))
    assert not set_level(HALF_SAMPLES - 500).equals(set_level(HALF_SAMPLES))


def test_swaps_are_fair_coins_and_their_sums_are_list_set_sums():
    from recsys_lab.evaluation.metrics.beyond import ListSet
    from recsys_lab.evaluation.metrics.evaluate import _swap_sums

    # users 0-6 have an item of their own in A's list, so set 1's exposures say whose coin
    # put A's list there; the lists share other items, with lengths 1 to 3 that differ
    # between A and B. Users 7 and 8 get the same lists from both: their coins change nothing.
    same = {7: ["a", "d"], 8: ["d"]}
    a = {u: [f"{u}-own", *"abc"[: u % 3]] for u in range(7)} | same
    b = {u: list("bcd"[: 1 + (u + 1) % 3]) for u in range(7)} | same
    catalog = sorted({item for recs in (a, b) for items in recs.values() for item in items})
    set_a, set_b = ListSet.from_recs(a, catalog), ListSet.from_recs(b, catalog)
    own = set_a.catalog.get_indexer([f"{u}-own" for u in range(7)])
    patterns = []
    for one, two in _swap_sums(set_a, set_b, 12_800, np.random.default_rng(0)):
        coins = np.zeros((len(one[0]), 9))
        coins[:, :7] = one[0][:, own]  # 1 where set 1 has the user's list from A
        assert np.isin(coins, [0.0, 1.0]).all()
        first = [x + y for x, y in zip(set_a.sums(coins), set_b.sums(1 - coins), strict=True)]
        second = [x + y for x, y in zip(set_a.sums(1 - coins), set_b.sums(coins), strict=True)]
        for got, want in zip((*one, *two), (*first, *second), strict=True):
            np.testing.assert_allclose(got, want, rtol=1e-12)
        patterns.append(coins[:, :7] @ 2 ** np.arange(7))
    seen = pd.Series(np.concatenate(patterns)).value_counts()
    assert len(seen) == 2**7  # every swap of the 7 users, about equally often: 100 each
    assert st_scipy.chisquare(seen).pvalue > 0.001


def test_set_level_resamples_are_the_same_for_any_number_of_threads():
    import numba

    from recsys_lab.evaluation.metrics.evaluate import set_level_resamples

    a, b = _random_lists(300, 50, 5, seed=3), _random_lists(300, 50, 5, seed=4)

    def resamples():
        return [
            set_level_resamples(a, range(50), scheme=scheme, n_resamples=200, other=b)
            for scheme in ("half", "swap")
        ]

    threads = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        alone = resamples()
    finally:
        numba.set_num_threads(threads)
    assert all(x.equals(y) for x, y in zip(resamples(), alone, strict=True))


def test_set_level_tests_draw_at_most_swaps_swaps():
    from recsys_lab.evaluation.metrics.evaluate import SWAPS

    recs = {"a": _random_lists(40, 30, 5, seed=2), "b": _random_lists(40, 30, 5, seed=3)}
    recs["one item"] = {u: [0] for u in range(40)}
    items = pd.DataFrame({"item": range(30)})

    def pvalues(n_resamples):
        result = metrics.evaluate(
            recs, {0: [0]}, items=items, k=5, compare_to="a", n_resamples=n_resamples
        )
        return result.summary.set_index(["model", "metric"]).loc[:, "pvalue"].dropna()

    assert pvalues(SWAPS + 500).equals(pvalues(SWAPS))
    assert not pvalues(SWAPS - 500).equals(pvalues(SWAPS))
    # one item for everybody against five: no swap is as far apart as the models
    assert pvalues(10_000).loc[("one item", "catalog_coverage")] == 1 / (SWAPS + 1)


def test_a_model_s_intervals_do_not_depend_on_the_models_evaluated_with_it():
    recs, truth = _three_models()
    recs["few"] = {u: items[:2] for u, items in recs["same"].items() if u % 4}  # other users
    items = pd.DataFrame({"item": np.arange(20)})
    features = pd.DataFrame(np.random.default_rng(0).random((20, 3)))  # diversity: NaN if no list
    options = {"items": items, "item_features": features, "k": 5, "n_resamples": 300}
    together = metrics.evaluate(recs, truth, **options).summary
    for name, lists in recs.items():
        alone = metrics.evaluate({name: lists}, truth, **options).summary
        mine = together[together["model"] == name].reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, alone)


def test_set_level_randomization_test_by_enumeration():
    # two users; A shows a to both (coverage 1/3), B shows b and c (2/3). Of the four
    # equally likely swaps, two give |difference| = 1/3 (no swap, full swap), two give 0.
    a = {1: ["a"], 2: ["a"]}
    b = {1: ["b"], 2: ["c"]}
    result = metrics.evaluate(
        {"A": a, "B": b},
        {1: ["a"], 2: ["c"]},
        items=pd.DataFrame({"item": list("abc")}),
        k=1,
        compare_to="A",
        n_resamples=4000,
    )
    row = result.summary.set_index(["model", "metric"]).loc[("B", "catalog_coverage")]
    assert row["difference"] == pytest.approx(1 / 3)
    assert row["pvalue"] == pytest.approx(0.5, abs=0.03)  # SWAPS = 1,000 swaps: 2 SE
    same = metrics.evaluate(
        {"A": a, "A2": a},
        {1: ["a"]},
        items=pd.DataFrame({"item": list("abc")}),
        k=1,
        compare_to="A",
        n_resamples=99,
    )
    assert same.summary.set_index(["model", "metric"]).loc[("A2", "gini"), "pvalue"] == 1.0


def test_evaluate_report_and_set_level_tests_against_a_reference():
    recs, truth = _three_models()
    result = metrics.evaluate(
        recs,
        truth,
        items=pd.DataFrame({"item": np.arange(20)}),
        k=5,
        compare_to="weak",
        n_resamples=199,
    )
    rows = result.summary.set_index(["model", "metric"])
    for metric in SET_LEVEL:
        assert rows.loc[("weak", metric), ["pvalue", "difference"]].isna().all()
        assert 1 / 200 <= rows.loc[("strong", metric), "pvalue"] <= 1
    value, low, high = rows.loc[("strong", "gini"), ["value", "low", "high"]]
    assert result.report(2).loc["gini", "strong"] == f"{value:.2f} [{low:.2f}, {high:.2f}]"


# ------------------------------------------------------------------ group fairness
def test_group_comparison_against_scipy_and_by_hand():
    from scipy import stats as st

    from recsys_lab.evaluation.metrics import fairness

    rng = np.random.default_rng(0)
    users = np.arange(90)
    values = pd.DataFrame(
        {"m1": rng.random(90), "m2": rng.random(90) + (users % 3 == 0) * 0.3}, index=users
    )
    groups = pd.Series(np.array(["x", "y", "z"])[users % 3], index=users)
    table = fairness.group_comparison(values, groups, n_resamples=500)
    assert table[["model", "group"]].values.tolist() == [
        [m, g] for m in ("m1", "m2") for g in ("x", "y", "z")
    ]
    row = table.set_index(["model", "group"]).loc[("m2", "x")]
    mine, rest = values["m2"][users % 3 == 0], values["m2"][users % 3 != 0]
    welch = st.ttest_ind(mine, rest, equal_var=False)
    assert row["pvalue"] == pytest.approx(welch.pvalue)
    assert row["difference"] == pytest.approx(mine.mean() - rest.mean())
    assert (row["low"], row["high"]) == stats.bootstrap_ci(mine, n_resamples=500)
    assert table["pvalue_adjusted"].tolist() == pytest.approx(
        stats.adjust_pvalues(table["pvalue"], "holm").tolist()
    )
    versus = fairness.group_comparison(values["m1"], groups, reference="y", n_resamples=50)
    assert np.isnan(versus.loc[1, "pvalue"]) and versus["model"].eq("m1").all()
    z = values["m1"][users % 3 == 2].mean() - values["m1"][users % 3 == 1].mean()
    assert versus.loc[2, "difference"] == pytest.approx(z)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda f: f.group_comparison(pd.Series([1.0]), ["x"]), TypeError, "groups must be"),
        (
            lambda f: f.group_comparison(pd.Series([1.0, 2.0]), pd.Series(["x", "x"])),
            ValueError,
            "at least two groups",
        ),
        (
            lambda f: f.group_comparison(
                pd.Series([1.0, 2, 3, 4]), pd.Series(list("xxyy")), reference="z"
            ),
            ValueError,
            "reference='z' is not one of the groups",
        ),
        (
            lambda f: f.group_comparison(pd.Series([1.0]), pd.Series(["x"], index=[7])),
            ValueError,
            "no user has both",
        ),
    ],
)
def test_group_comparison_bad_input(call, error, match):
    from recsys_lab.evaluation.metrics import fairness

    with pytest.raises(error, match=match):
        call(fairness)


# ------------------------------------------------------ item features from genres
def test_multi_hot_genres_and_category_table():
    films = pd.DataFrame({"item": [1, 2, 3], "genres": ["Drama", "Comedy|Drama", "Comedy"]})
    features = metrics.item_features(films, multilabel=["genres"])
    assert features.loc[2].tolist() == [1.0, 1.0] and list(features.columns) == [
        "Comedy",
        "Drama",
    ]
    cats = beyond.category_table(films)
    assert cats.values.tolist() == [[1, "Drama"], [2, "Comedy"], [2, "Drama"], [3, "Comedy"]]
    # history: one drama, one comedy-drama -> drama 3/4, comedy 1/4; list [3]: comedy
    train = pd.DataFrame({"user": [1, 1], "item": [1, 2]})
    p, q = np.array([0.25, 0.75]), np.array([1.0, 0.0])
    q_t = 0.99 * q + 0.01 * p
    assert metrics.calibration({1: [3]}, train, cats) == pytest.approx((p * np.log(p / q_t)).sum())
    with pytest.raises(ValueError, match="no column"):
        metrics.item_features(films, multilabel=["genre"])
    assert metrics.prediction_coverage(pd.DataFrame({"fallback": [True, False]})) == 0.5


# --------------------------------------------------------------- the MMR explorer
def test_tradeoff_state_and_its_static_snapshot():
    import matplotlib.pyplot as plt

    from recsys_lab.teaching.widgets import tradeoff_snapshot, tradeoff_state

    features = pd.DataFrame(
        {"x": [1.0, 1.0, 0.0, 0.5], "y": [0.0, 0.1, 1.0, 0.5]}, index=list("abcd")
    )
    cands = pd.DataFrame({"user": 1, "item": list("abcd"), "score": [4.0, 3.9, 3.0, 2.0]})
    truth = pd.DataFrame({"user": [1], "item": ["c"]})
    headline, table = tradeoff_state(
        cands, features, truth, lam=1.0, n=2, item_labels={"a": "A (1977)", "b": "B (1980)"}
    )
    assert headline == "λ = 1.00: precision@2 0.000, diversity 0.005"
    assert table[["item", "title", "relevant"]].values.tolist() == [
        ["a", "A (1977)", False],
        ["b", "B (1980)", False],
    ]
    headline, table = tradeoff_state(cands, features, truth, lam=0.3, n=2)
    assert table["item"].tolist() == ["a", "c"] and headline.startswith(
        "λ = 0.30: precision@2 0.500"
    )
    fig = tradeoff_snapshot(cands, features, truth, lam=0.3, n=2)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "✓ c"]
    assert ax.get_title().startswith(headline) and ax.get_xlim()[0] == 0
    plt.close(fig)
