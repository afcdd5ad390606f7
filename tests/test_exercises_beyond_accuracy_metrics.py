"""The beyond-accuracy notebook's exercises: right answers pass, typical wrong ones fail.

Every right answer here is written independently of the checker (never its ``expected``
or the package function it compares with); wrong answers are the mistakes learners make.
"""

import itertools
import math
from collections import Counter

import numpy as np
import pytest
from scipy import stats as st

from recsys_lab.evaluation import metrics
from recsys_lab.teaching.exercises import ____
from recsys_lab.teaching.exercises import beyond_accuracy_metrics as ex
from recsys_lab.teaching.experiments import movielens_experiment


def _blank(*args):
    return ____


@pytest.mark.parametrize("q", [ex.q1, ex.q2, ex.q3, ex.q4, ex.q5, ex.q6, ex.q7])
def test_blanks_are_not_attempted(q):
    assert q.verdict(____).status == "not attempted"
    assert "Not attempted" in q.verdict(_blank if hasattr(q, "cases") else ____).message


# ------------------------------------------------------------------ q1: NDCG@k
def ndcg_right(ranked, relevant, k):
    dcg = sum(1 / math.log2(r + 2) for r, item in enumerate(ranked[:k]) if item in relevant)
    ideal = sum(1 / math.log2(r + 2) for r in range(min(len(relevant), k)))
    return dcg / ideal


def ndcg_ideal_not_cut(ranked, relevant, k):  # the ideal list is longer than k
    dcg = sum(1 / math.log2(r + 2) for r, item in enumerate(ranked[:k]) if item in relevant)
    return dcg / sum(1 / math.log2(r + 2) for r in range(len(relevant)))


def ndcg_no_cut(ranked, relevant, k):  # hits below rank k still count
    dcg = sum(1 / math.log2(r + 2) for r, item in enumerate(ranked) if item in relevant)
    return dcg / sum(1 / math.log2(r + 2) for r in range(min(len(relevant), k)))


def test_q1_ndcg():
    assert ex.q1.verdict(ndcg_right).correct
    assert "'more relevant items than k'" in ex.q1.verdict(ndcg_ideal_not_cut).message
    assert "'a hit below the cut-off'" in ex.q1.verdict(ndcg_no_cut).message
    assert "expected a function" in ex.q1.verdict(0.387).message


# --------------------------------------------------------- q2: catalog coverage
def coverage_right(lists, catalog):
    return len({item for items in lists for item in items}) / len(set(catalog))


def coverage_not_distinct(lists, catalog):
    return sum(len(items) for items in lists) / len(catalog)


def coverage_union_of_sets(lists, catalog):  # set.union() of nothing raises
    return len(set.union(*map(set, lists))) / len(catalog)


def test_q2_catalog_coverage():
    assert ex.q2.verdict(coverage_right).correct
    assert "'two lists sharing an item'" in ex.q2.verdict(coverage_not_distinct).message
    message = ex.q2.verdict(coverage_union_of_sets).message
    assert "'no lists at all'" in message and "raised TypeError" in message
    percent = ex.q2.verdict(lambda lists, catalog: 100 * coverage_right(lists, catalog))
    assert "should give 0.5, your function gave 50.0" in percent.message


# ------------------------------------------------------ q3: intra-list diversity
def _cos(features, i, j):
    a, b = features.loc[i].to_numpy(), features.loc[j].to_numpy()
    return a @ b / (np.linalg.norm(a) * np.linalg.norm(b))


def diversity_right(items, features):
    pairs = list(itertools.combinations(items, 2))
    if not pairs:
        return float("nan")
    return float(np.mean([1 - _cos(features, i, j) for i, j in pairs]))


def similarity_instead(items, features):  # recmetrics' intra-list *similarity*
    pairs = list(itertools.combinations(items, 2))
    return float(np.mean([_cos(features, i, j) for i, j in pairs])) if pairs else float("nan")


def with_self_pairs(items, features):  # every ordered pair, an item with itself included
    if len(items) < 2:
        return float("nan")
    return float(np.mean([1 - _cos(features, i, j) for i in items for j in items]))


def zero_for_one_item(items, features):
    return diversity_right(items, features) if len(items) > 1 else 0.0


def test_q3_intra_list_diversity():
    assert ex.q3.verdict(diversity_right).correct
    assert "'two films with nothing in common'" in ex.q3.verdict(similarity_instead).message
    assert "'two films with nothing in common'" in ex.q3.verdict(with_self_pairs).message
    assert "'a single item'" in ex.q3.verdict(zero_for_one_item).message


# ------------------------------------------------------------ q4 to q7: reasoning
@pytest.fixture(scope="module")
def exp():
    return movielens_experiment()


def test_q4_old_serendipity(exp):
    top = [item for item, _ in Counter(exp.train["item"]).most_common(10)]
    relevant = exp.test.groupby("user")["item"].apply(set)
    lists = exp.recs["popularity"].groupby("user")["item"].apply(list)
    share = [
        sum(i in relevant[u] and i not in top for i in lists.get(u, [])) / 10
        for u in relevant.index
    ]
    right = float(np.mean(share))
    assert right > 0.05  # what the old convention claimed for a model that cannot surprise
    assert ex.q4.verdict(right).correct and ex.q4.verdict(round(right, 3)).correct
    assert not ex.q4.verdict(0.0).correct  # the new convention's answer
    precision = metrics.precision_at_k(exp.recs["popularity"], exp.test, k=10)
    assert not ex.q4.verdict(precision).correct
    assert "expected a number" in ex.q4.verdict("0.09").message


def test_q5_which_difference_is_supported(exp):
    svd = metrics.per_user(exp.recs["svd"], exp.test, k=10)
    knn = metrics.per_user(exp.recs["user-knn"], exp.test, k=10)
    p = {m: st.ttest_rel(svd[m], knn[m]).pvalue for m in ("recall", "mrr")}
    assert p["mrr"] < 0.05 < p["recall"]  # so the answer is mrr
    for right in ("mrr", "MRR", " mean reciprocal rank "):
        assert ex.q5.verdict(right).correct
    for wrong in ("recall@10", "both", "neither"):
        assert not ex.q5.verdict(wrong).correct


def test_q6_expected_false_positives():
    assert ex.q6.verdict(6 * 4 * 0.05).correct and ex.q6.verdict(1.2).correct
    assert not ex.q6.verdict(24).correct  # the number of tests
    assert not ex.q6.verdict(0.05).correct  # the rate, not the count


def test_q7_stricter_relevance(exp):
    liked = exp.test[exp.test["rating"] >= 4]
    before = metrics.precision_at_k(exp.recs["popularity"], exp.test, k=10)
    after = metrics.precision_at_k(exp.recs["popularity"], liked, k=10)
    assert after < before
    for right in ("down", "Lower", "decreases"):
        assert ex.q7.verdict(right).correct
    assert not ex.q7.verdict("up").correct and not ex.q7.verdict("higher").correct
