"""EASE, ImplicitALS, BPR and item cosine: hand-solved cases, references, peers, bad input.

The common contract (fit/predict/recommend, fallbacks, pickling, ...) is proven for them
in ``test_common.py``; here, what each algorithm must compute.
"""

from __future__ import annotations

import importlib.util

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from recsys_lab.data import make_marketing
from recsys_lab.models import (
    BPR,
    EASE,
    ImplicitALS,
    Interactions,
    ItemCosine,
    PopularityRecommender,
)
from recsys_lab.models.bpr import _bpr_epoch_compiled, bpr_epoch, sample_triples
from recsys_lab.models.ease import ease_weights
from recsys_lab.models.implicit_als import _cg_half_step, _gram, exact_half_step, implicit_loss
from recsys_lab.models.item_cosine import cosine_neighbours

# items a, b, c: a's users {1, 2}, b's {3}, c's {1, 3}
TINY = pd.DataFrame({"user": [1, 1, 2, 3, 3], "item": ["a", "c", "a", "b", "c"]})


@pytest.fixture(scope="module")
def shop() -> pd.DataFrame:
    """Clicks-like data: the synthetic shop's ratings as interaction strengths 1..5."""
    return make_marketing(n_users=60, n_items=40, mean_ratings=8, seed=11).ratings


def dense(df: pd.DataFrame) -> tuple[Interactions, np.ndarray]:
    data = Interactions.from_frame(df, rating="optional")
    return data, data.matrix().toarray()


# --------------------------------------------------------------------------- EASE
def test_ease_hand_solved():
    # X'X + I = [[3, 0, 1], [0, 2, 1], [1, 1, 3]], its inverse adj / 13 =
    # [[5, 1, -2], [1, 8, -3], [-2, -3, 6]] / 13, and B_ij = -P_ij / P_jj
    model = EASE(reg=1.0).fit(TINY)
    assert model.items_.tolist() == ["a", "c", "b"]
    order = [0, 2, 1]  # rows/columns in a, b, c order
    expected = [[0, -1 / 8, 1 / 3], [-1 / 5, 0, 1 / 2], [2 / 5, 3 / 8, 0]]
    np.testing.assert_allclose(model.weights_[np.ix_(order, order)], expected, atol=1e-14)
    # user 2 knows only a: scores are row a of B; b is anti-correlated with a
    np.testing.assert_allclose(model.predict([2, 2], ["b", "c"]), [-1 / 8, 1 / 3], atol=1e-14)
    assert model.recommend(users=[2], n=2)["item"].tolist() == ["c", "b"]


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), reg=st.floats(0.1, 50.0), weighted=st.booleans())
def test_ease_equals_the_constrained_least_squares(seed, reg, weighted):
    # min ||x_j - X_{-j} b||^2 + reg ||b||^2, one ridge regression per column, diag(B) = 0
    rng = np.random.default_rng(seed)
    X = (rng.random((12, 6)) < 0.4) * (rng.integers(1, 6, (12, 6)) if weighted else 1.0)
    B = np.zeros((6, 6))
    for j in range(6):
        others = [k for k in range(6) if k != j]
        Xo = X[:, others]
        B[others, j] = np.linalg.solve(Xo.T @ Xo + reg * np.eye(5), Xo.T @ X[:, j])
    np.testing.assert_allclose(ease_weights(X, reg), B, atol=1e-10)
    np.testing.assert_allclose(ease_weights(sp.csr_matrix(X), reg), B, atol=1e-10)


def test_ease_scores_are_history_times_weights(shop):
    model = EASE(reg=10.0).fit(shop)
    data, X = dense(shop)
    scores = X @ model.weights_
    pairs = shop.sample(40, random_state=1)
    u, i = data.users.get_indexer(pairs["user"]), data.items.get_indexer(pairs["item"])
    np.testing.assert_allclose(model.predict(pairs["user"], pairs["item"]), scores[u, i])
    recs = model.recommend(users=[data.users[0]], n=3)
    masked = np.where(X[0] > 0, -np.inf, scores[0])
    assert recs["item"].tolist() == data.items[np.argsort(-masked, kind="stable")[:3]].tolist()


# ---------------------------------------------------------------------- item cosine
def test_cosine_by_hand_and_binary():
    model = ItemCosine().fit(TINY)  # items a, c, b: a-c share user 1, c-b share user 3
    s = 1 / np.sqrt(2 * 2)  # |{1}| / sqrt(|U_a| |U_c|), and likewise for c-b with |U_b| = 1
    np.testing.assert_allclose(
        model.weights_, [[0, s, 0], [s, 0, 1 / np.sqrt(2)], [0, 1 / np.sqrt(2), 0]]
    )
    np.testing.assert_allclose(model.predict([2, 2], ["b", "c"]), [0.0, s])
    strengths = TINY.assign(rating=[5.0, 1.0, 2.0, 4.0, 3.0])
    weighted = ItemCosine().fit(strengths)
    np.testing.assert_array_equal(weighted.weights_, model.weights_)
    np.testing.assert_array_equal(
        weighted.predict([1, 2], ["b", "c"]), model.predict([1, 2], ["b", "c"])
    )


def test_cosine_top_k_keeps_each_items_k_most_similar(shop):
    _, X = dense(shop)
    full, top = cosine_neighbours(sp.csr_matrix(X)), cosine_neighbours(sp.csr_matrix(X), k=3)
    assert ((top > 0).sum(axis=1) <= 3).all()
    kept = top > 0
    np.testing.assert_array_equal(top[kept], full[kept])
    for row_full, row_top in zip(full, top, strict=True):  # nothing dropped beats the kept
        dropped = row_full[row_top == 0]
        if (row_top > 0).any() and dropped.size:
            assert dropped.max() <= row_top[row_top > 0].min()


@pytest.mark.filterwarnings("ignore:Method expects CSR input")  # implicit's own conversion
def test_cosine_equals_implicit(shop):
    nn = pytest.importorskip("implicit.nearest_neighbours")
    _, X = dense(shop)
    binary = sp.csr_matrix((X > 0).astype(float))
    peer = nn.CosineRecommender(K=X.shape[1], num_threads=1)
    peer.fit(binary, show_progress=False)
    theirs = np.asarray((binary @ peer.similarity).todense())
    ours = ItemCosine().fit(shop)
    # implicit keeps each item's self-similarity, which only scores already-seen items
    unseen = X == 0
    np.testing.assert_allclose(
        ours._scores(np.arange(X.shape[0]))[unseen], theirs[unseen], atol=1e-6
    )


# ------------------------------------------------------------------------ ImplicitALS
def test_exact_half_step_is_the_dense_ridge_solution():
    rng = np.random.default_rng(0)
    R = (rng.random((7, 5)) < 0.5) * rng.integers(1, 4, (7, 5))
    Y, reg, alpha = rng.standard_normal((5, 3)), 0.3, 2.0
    C = sp.csr_matrix(np.where(R > 0, 1 + alpha * R, 0.0))
    for u in range(7):  # the paper's system, with every item's confidence written out
        Cu = np.diag(np.where(R[u] > 0, 1 + alpha * R[u], 1.0))
        expected = np.linalg.solve(Y.T @ Cu @ Y + reg * np.eye(3), Y.T @ Cu @ (R[u] > 0))
        np.testing.assert_allclose(exact_half_step(C, Y, reg)[u], expected, atol=1e-12)


def test_loss_equals_the_sum_over_all_pairs():
    rng = np.random.default_rng(1)
    R = (rng.random((6, 8)) < 0.4) * 1.0
    X, Y, reg = rng.standard_normal((6, 2)), rng.standard_normal((8, 2)), 0.7
    c, p = np.where(R > 0, 1 + 3.0 * R, 1.0), (R > 0) * 1.0
    expected = (c * (p - X @ Y.T) ** 2).sum() + reg * ((X**2).sum() + (Y**2).sum())
    C = sp.csr_matrix(np.where(R > 0, c, 0.0))
    assert implicit_loss(C, X, Y, reg) == pytest.approx(expected, rel=1e-12)


def test_cg_with_enough_steps_is_the_exact_solve():
    rng = np.random.default_rng(2)
    R = (rng.random((9, 6)) < 0.5) * rng.integers(1, 4, (9, 6)) + np.eye(9, 6)
    C = sp.csr_matrix(np.where(R > 0, 1 + R, 0.0))
    Y, X = rng.standard_normal((6, 4)), rng.standard_normal((9, 4))
    _cg_half_step(C.indptr, C.indices, C.data, X, Y, _gram(Y, 0.1), 4)  # f = 4 steps
    np.testing.assert_allclose(X, exact_half_step(C, Y, 0.1), atol=1e-9)


def test_cg_model_converges_to_the_exact_model(shop):
    exact = ImplicitALS(n_factors=3, n_iter=4, solver="exact").fit(shop)
    cg = ImplicitALS(n_factors=3, n_iter=4, cg_steps=3).fit(shop)
    np.testing.assert_allclose(cg.user_factors_, exact.user_factors_, atol=1e-8)
    np.testing.assert_allclose(cg.item_factors_, exact.item_factors_, atol=1e-8)


@pytest.mark.parametrize("solver", ["cg", "exact"])
@pytest.mark.parametrize("alpha", [0.0, 1.0, 10.0])
def test_als_loss_decreases_every_iteration(shop, solver, alpha):
    model = ImplicitALS(n_factors=5, n_iter=8, alpha=alpha, reg=0.1, solver=solver).fit(shop)
    loss = model.history_["loss"].to_numpy()
    assert model.history_["iteration"].tolist() == list(range(1, 9))
    assert (np.diff(loss) < 0).all(), loss
    _, X = dense(shop)
    C = sp.csr_matrix(np.where(X > 0, 1 + alpha * X, 0.0))
    final = implicit_loss(C, model.user_factors_, model.item_factors_, 0.1)
    assert loss[-1] == pytest.approx(final, rel=1e-12)


def test_als_equals_implicit_from_the_same_start(shop):
    als = pytest.importorskip("implicit.cpu.als")
    alpha, reg, f, n_iter = 0.5, 0.0625, 4, 5  # reg exact in float32, as implicit passes it
    ours = ImplicitALS(n_factors=f, reg=reg, alpha=alpha, n_iter=n_iter, random_state=3)
    ours.fit(shop)
    _, R = dense(shop)
    rng = np.random.default_rng(3)  # our initialisation, handed to implicit
    peer = als.AlternatingLeastSquares(
        factors=f,
        regularization=reg,
        alpha=1.0,
        iterations=n_iter,
        dtype=np.float64,
        num_threads=1,
    )
    peer.user_factors = rng.random((R.shape[0], f)) * 0.01
    peer.item_factors = rng.random((R.shape[1], f)) * 0.01
    peer.fit(sp.csr_matrix(np.where(R > 0, 1 + alpha * R, 0.0)), show_progress=False)
    np.testing.assert_allclose(ours.user_factors_, peer.user_factors, atol=1e-10)
    np.testing.assert_allclose(ours.item_factors_, peer.item_factors, atol=1e-10)


# ------------------------------------------------------------------------------- BPR
def test_bpr_one_step_by_hand():
    P, Q, b = np.array([[0.5, -1.0]]), np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([0.2, 0.0])
    lr, reg = 0.1, 0.5
    x = 0.5 * 1.0 + (-1.0) * (-1.0) + 0.2  # p_u'(q_i - q_j) + b_i - b_j = 1.7
    z = 1 / (1 + np.exp(x))
    correct = bpr_epoch(np.array([0]), np.array([0]), np.array([1]), P, Q, b, lr, reg)
    assert correct == 1
    np.testing.assert_allclose(P, [[0.5 + lr * (z - reg * 0.5), -1 + lr * (-z + reg)]])
    np.testing.assert_allclose(
        Q, [[1 + lr * (z * 0.5 - reg), lr * -z], [lr * -z * 0.5, 1 + lr * (z - reg)]]
    )
    np.testing.assert_allclose(b, [0.2 + lr * (z - reg * 0.2), lr * -z])


def test_bpr_kernel_equals_the_reference():
    rng = np.random.default_rng(4)
    u, i = rng.integers(5, size=300), rng.integers(7, size=300)
    j = (i + rng.integers(1, 7, size=300)) % 7  # never the positive
    start = (rng.standard_normal((5, 3)), rng.standard_normal((7, 3)), rng.standard_normal(7))
    ref, fast = [a.copy() for a in start], [a.copy() for a in start]
    assert bpr_epoch(u, i, j, *ref, 0.05, 0.01) == _bpr_epoch_compiled(u, i, j, *fast, 0.05, 0.01)
    for a, b in zip(ref, fast, strict=True):
        np.testing.assert_allclose(a, b, atol=1e-12)


def test_bpr_engines_fit_the_same_model(shop):
    python = BPR(n_factors=3, n_epochs=2, lr=0.05, engine="python", random_state=5).fit(shop)
    numba = BPR(n_factors=3, n_epochs=2, lr=0.05, engine="numba", random_state=5).fit(shop)
    np.testing.assert_allclose(python.user_factors_, numba.user_factors_, atol=1e-12)
    np.testing.assert_allclose(python.item_bias_, numba.item_bias_, atol=1e-12)
    pd.testing.assert_frame_equal(python.history_, numba.history_)


def test_uniform_sampling():
    seen = sp.csr_matrix(np.array([[1, 1, 0, 0, 0], [1, 0, 0, 0, 0], [1, 1, 1, 1, 1]]))
    u, i, j = sample_triples(seen, 30_000, np.random.default_rng(6))
    assert len(u) == 30_000 and not seen[u, j].any() and seen[u, i].all()
    assert 2 not in u  # knows every item: no negative to draw
    pos = pd.Series(list(zip(u, i, strict=True))).value_counts(normalize=True)
    np.testing.assert_allclose(pos.to_numpy(), 1 / 3, atol=0.015)  # (u, i) uniform
    neg = pd.Series(j[u == 0]).value_counts(normalize=True)
    assert sorted(neg.index) == [2, 3, 4]
    np.testing.assert_allclose(neg.to_numpy(), 1 / 3, atol=0.02)  # j uniform


def test_popularity_sampling_drops_known_negatives():
    seen = sp.csr_matrix(np.array([[1, 0, 0], [0, 1, 1], [1, 1, 0], [0, 1, 0]]))  # 2, 3, 1 users
    u, _, j = sample_triples(seen, 60_000, np.random.default_rng(7), negatives="popularity")
    assert not seen[u, j].any() and len(u) < 60_000
    neg = pd.Series(j[u == 0]).value_counts(normalize=True)  # user 0 lacks items 1 and 2
    np.testing.assert_allclose(neg.loc[[1, 2]].to_numpy(), [3 / 4, 1 / 4], atol=0.02)


def test_no_negatives_at_all_is_a_clear_error():
    full = pd.DataFrame({"user": [1, 1, 2, 2], "item": ["a", "b", "a", "b"]})
    with pytest.raises(ValueError, match="no negative items"):
        BPR(n_epochs=1).fit(full)


def two_tastes(n_users: int = 200, half: int = 15, per_user: int = 6) -> pd.DataFrame:
    """Even users pick among items 0..half-1, odd users among the rest: taste, no popularity."""
    rng = np.random.default_rng(0)
    items = [rng.choice(half, per_user, replace=False) + half * (u % 2) for u in range(n_users)]
    return pd.DataFrame(
        {"user": np.repeat(np.arange(n_users), per_user), "item": np.concatenate(items)}
    )


def auc(model, train: pd.DataFrame, test: pd.DataFrame) -> float:
    """Mean over held-out (u, i) of the share of u's unknown items scored below i."""
    known = set(zip(train["user"], train["item"], strict=True))
    known |= set(zip(test["user"], test["item"], strict=True))
    shares = []
    for u, i in zip(test["user"], test["item"], strict=True):
        negatives = [j for j in model.items_ if (u, j) not in known]
        s = model.predict([u] * (len(negatives) + 1), [i, *negatives])
        shares.append(np.mean(s[0] > s[1:]))
    return float(np.mean(shares))


def test_bpr_auc_rises_with_training():
    clicks = two_tastes()
    test = clicks.groupby("user").sample(1, random_state=0)
    train = clicks.drop(test.index)
    # the best ranking puts the 15 items of the other taste below, 9 of its own around i
    aucs = [auc(BPR(n_factors=4, n_epochs=n).fit(train), train, test) for n in (1, 20, 100)]
    assert aucs[0] < aucs[1] < aucs[2], aucs
    assert aucs[0] < 0.55 < 0.75 < aucs[2]
    assert auc(PopularityRecommender().fit(train), train, test) < 0.55
    history = BPR(n_factors=4, n_epochs=100).fit(train).history_["sampled_auc"]
    assert history.iloc[-10:].mean() > history.iloc[:10].mean() + 0.2


def test_bpr_unknown_user_scores_the_item_bias(shop):
    model = BPR(n_factors=3, n_epochs=2).fit(shop)
    item = shop["item"].iloc[0]
    out = model.predict_details(["nobody", "nobody"], [item, "nothing"])
    code = model.items_.get_loc(item)
    assert out["estimate"].tolist() == [model.item_bias_[code], 0.0]
    assert out["fallback"].all()


# -------------------------------------------------------------------------- bad input
MODELS = [EASE(), ImplicitALS(n_factors=2, n_iter=1), BPR(n_factors=2, n_epochs=1), ItemCosine()]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: type(m).__name__)
@pytest.mark.parametrize("weight", [-1.0, 0.0, np.inf])
def test_non_positive_strengths_are_rejected(model, weight):
    df = TINY.assign(rating=[1.0, 2.0, weight, 1.0, 1.0])
    with pytest.raises(ValueError, match=r"1 interaction strength\(s\).*not positive"):
        model.fit(df)


@pytest.mark.parametrize(
    ("model", "error", "message"),
    [
        (EASE(reg=0.0), ValueError, "reg must be a finite number > 0"),
        (EASE(reg=-5.0), ValueError, "reg must be a finite number > 0"),
        (EASE(reg="big"), TypeError, "reg must be a number"),  # type: ignore[arg-type]
        (ImplicitALS(reg=0.0), ValueError, "reg must be a finite number > 0"),
        (ImplicitALS(n_factors=2.5), TypeError, "n_factors must be an integer"),  # type: ignore[arg-type]
        (ImplicitALS(n_factors=0), ValueError, "n_factors must be >= 1"),
        (ImplicitALS(alpha=-1.0), ValueError, "alpha must be a finite number >= 0"),
        (ImplicitALS(n_iter=0), ValueError, "n_iter must be >= 1"),
        (ImplicitALS(cg_steps=0), ValueError, "cg_steps must be >= 1"),
        (ImplicitALS(solver="lu"), ValueError, "Unknown solver 'lu'. Choose one of: cg, exact"),
        (BPR(reg=-0.1), ValueError, "reg must be a finite number >= 0"),
        (BPR(lr=0.0), ValueError, "lr must be a finite number > 0"),
        (BPR(n_factors=8.0), TypeError, "n_factors must be an integer"),  # type: ignore[arg-type]
        (BPR(n_epochs=0), ValueError, "n_epochs must be >= 1"),
        (BPR(negatives="hard"), ValueError, "Unknown negatives 'hard'"),
        (BPR(engine="c"), ValueError, "Unknown engine 'c'"),
        (ItemCosine(k=0), ValueError, "k must be >= 1"),
        (ItemCosine(k=2.0), TypeError, "k must be an integer"),  # type: ignore[arg-type]
    ],
    ids=lambda x: x if isinstance(x, str) else None,
)
def test_bad_parameters_get_clear_errors(model, error, message):
    with pytest.raises(error, match=message):
        model.fit(TINY)


# ---------------------------------------------------------------- ML-100k (slow)
@pytest.mark.slow
def test_accuracy_bands_on_movielens_100k():
    """The benchmark's and the notebook's split: EASE ≈ 0.44, ALS ≈ 0.36, popularity ≈ 0.22.

    ``model_selection.per_user_split`` (seed 0). On the random split the benchmark used
    before, EASE reached 0.4457: another draw of the same 80/20 protocol moves nDCG@10 by
    about 0.01.
    """
    if importlib.util.find_spec("recbole") is None:
        pytest.skip("needs the recbole wheel's ML-100k files")
    from recsys_lab.data import load_movielens
    from recsys_lab.evaluation.metrics import ndcg_at_k
    from recsys_lab.evaluation.model_selection import per_user_split

    train, test = per_user_split(load_movielens("100k").ratings[["user", "item"]], 0.2)
    bands = [
        (EASE(reg=250.0), 0.44, 0.01),
        (ImplicitALS(), 0.36, 0.015),
        (PopularityRecommender(), 0.22, 0.01),
        (BPR(negatives="popularity"), 0.29, 0.02),
    ]
    for model, expected, tolerance in bands:
        score = ndcg_at_k(model.fit(train).recommend(n=10), test)
        assert score == pytest.approx(expected, abs=tolerance), type(model).__name__
