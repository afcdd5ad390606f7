"""recsys_lab.evaluation.metrics against recmetrics 0.1.5, same inputs, one run.

Usage (from the repository root, after `make setup`; about 1 minute):

    .venv/bin/python benchmarks/metrics_vs_recmetrics.py

Inputs:
- real: item-based KNN's top-10 for the 943 users of MovieLens-100k (80 % of the
  ratings, seed 0), items described by their 19 genres (0/1);
- at scale (MovieLens has 943 users): synthetic top-10 lists over a 2,000-item catalog
  with long-tail popularity, 20-dimensional item features, a held-out truth of 5 items
  per user, for 1,000 to 100,000 users.

`evaluate()` (every metric with its 95 % intervals) at 10,000 and at 100,000 users, with
its default 10,000 bootstrap resamples and with 200; and two models on the same 100,000
users compared with `compare_to` (per-user paired t-tests, set-level swap tests), default
settings. One untimed call first compiles (or loads) the resampling kernels.

Each time: 3 runs, interleaved with recmetrics where it computes the same quantity (the
values are then asserted equal: ILD = 1 − recmetrics' intra-list similarity).
``peak_mb``: memory allocated during one extra, untimed call (tracemalloc, which does not
see the arrays numba's compiled code allocates). Writes
benchmarks/results/metrics_vs_recmetrics.csv.
"""

from __future__ import annotations

import itertools
import tracemalloc
import warnings
from collections.abc import Callable

import harness  # first: fixes the thread counts before numpy loads
import numpy as np
import pandas as pd

from recsys_lab.data import load_movielens
from recsys_lab.evaluation import metrics
from recsys_lab.models import KNNRecommender

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import recmetrics

N_ITEMS, K, DIM = 2_000, 10, 20
PEER = f"recmetrics {harness.version('recmetrics')}"


def make_lists(n_users: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    popularity = 1.0 / np.arange(1, N_ITEMS + 1) ** 0.8
    keys = np.log(popularity) + rng.gumbel(size=(n_users, N_ITEMS))
    return np.argpartition(-keys, K, axis=1)[:, :K]


def as_frame(codes: np.ndarray) -> pd.DataFrame:
    n_users = len(codes)
    return pd.DataFrame(
        {
            "user": np.repeat(np.arange(n_users), K),
            "item": codes.ravel(),
            "rank": np.tile(np.arange(1, K + 1), n_users),
        }
    )


def peak_mb(fn: Callable[[], object]) -> float:
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1e6


def compare(case: str, step: str, ours, theirs, same: Callable[[object, object], bool]) -> dict:
    out_ours, out_theirs, t_ours, t_peer = harness.side_by_side(ours, theirs)
    assert same(out_ours, out_theirs), (case, out_ours, out_theirs)
    return harness.row(
        case, step, t_ours, t_peer, PEER, "same value", ours_peak_mb=peak_mb(ours),
        peer_peak_mb=peak_mb(theirs),
    )  # fmt: skip


def real_lists() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Item-KNN top-10 on MovieLens-100k and the items' genres as 0/1 features."""
    ml = load_movielens("100k")
    train = ml.ratings.sample(frac=0.8, random_state=0)[["user", "item", "rating"]]
    recs = KNNRecommender(k=40, similarity="cosine", user_based=False).fit(train)
    genres = ml.items.set_index("item")["genres"].str.get_dummies(sep="|")
    return recs.recommend(n=K), genres.astype(float)


def evaluate_inputs(n_users: int, seed: int) -> dict[str, object]:
    """evaluate()'s truth (5 items per user), train (8), items (12 categories) and groups."""
    users = np.arange(n_users)
    return {
        "truth": pd.DataFrame(
            {"user": np.repeat(users, 5), "item": make_lists(n_users, seed)[:, :5].ravel()}
        ),
        "train": pd.DataFrame(
            {"user": np.repeat(users, 8), "item": make_lists(n_users, seed + 1)[:, :8].ravel()}
        ),
        "items": pd.DataFrame({"item": np.arange(N_ITEMS), "category": np.arange(N_ITEMS) % 12}),
        "groups": pd.Series(np.where(users % 3 == 0, "new", "regular")),
    }


def time_evaluate(n_users: int, setting: str, fn: Callable[[], object]) -> dict:
    """A row for an evaluate() call: 3 runs after one that compiles the resampling."""
    _, t_ours = harness.timed(fn, warmup=1)
    return harness.row(
        f"synthetic top-10, {n_users:,} users", f"evaluate(): every metric, {setting}", t_ours,
        check="ours only", ours_peak_mb=peak_mb(fn),
    )  # fmt: skip


def main() -> None:
    close = lambda a, b: abs(a - b) < 1e-9  # noqa: E731
    ild_close = lambda a, b: abs(a - (1 - b)) < 1e-9  # noqa: E731
    rows = []

    recs, genres = real_lists()
    lists = recs.groupby("user", sort=False)["item"].apply(list).tolist()
    case = "MovieLens-100k item-KNN top-10, 943 users"
    rows.append(
        compare(case, "personalization", lambda: metrics.personalization(recs),
                lambda: recmetrics.personalization(lists), close)
    )  # fmt: skip
    rows.append(
        compare(case, "intra-list diversity (genres)",
                lambda: metrics.intra_list_diversity(recs, genres),
                lambda: recmetrics.intra_list_similarity(lists, genres), ild_close)
    )  # fmt: skip

    rng = np.random.default_rng(1)
    features = pd.DataFrame(rng.random((N_ITEMS, DIM)), index=np.arange(N_ITEMS))
    lists10k = make_lists(10_000)
    rows.append(
        compare("synthetic top-10, 10,000 users", "personalization",
                lambda: metrics.personalization(as_frame(lists10k)),
                lambda: recmetrics.personalization(lists10k.tolist()), close)
    )  # fmt: skip
    lists1k = lists10k[:1_000]
    rows.append(
        compare("synthetic top-10, 1,000 users", "intra-list diversity",
                lambda: metrics.intra_list_diversity(as_frame(lists1k), features),
                lambda: recmetrics.intra_list_similarity(lists1k.tolist(), features),
                ild_close)
    )  # fmt: skip

    lists100k = make_lists(100_000, seed=2)
    frame100k = as_frame(lists100k)
    for name, fn, why in [
        ("personalization", lambda: metrics.personalization(frame100k),
         "recmetrics not run: a 100,000² similarity matrix (80 GB)"),
        ("intra-list diversity", lambda: metrics.intra_list_diversity(frame100k, features),
         "recmetrics not run: a Python loop per user (~100 × its 1,000-user time)"),
    ]:  # fmt: skip
        _, t_ours = harness.timed(fn)
        rows.append(
            harness.row("synthetic top-10, 100,000 users", name, t_ours, check=why,
                        ours_peak_mb=peak_mb(fn))
        )  # fmt: skip

    # evaluate(): every metric with 95 % intervals, default resamples and 200
    sizes = ((10_000, 3), (100_000, 5))
    for (n_users, seed), resamples in itertools.product(sizes, (10_000, 200)):
        lists_n = lists10k if n_users == 10_000 else lists100k
        frame, data = as_frame(lists_n), evaluate_inputs(n_users, seed)

        def every_metric(frame=frame, data=data, resamples=resamples):
            return metrics.evaluate(
                frame, **data, k=K, item_features=features, n_resamples=resamples
            )

        rows.append(time_evaluate(n_users, f"intervals from {resamples:,} resamples", every_metric))

    # two models on the same users, the second tested against the first (default settings)
    models = {"first": frame100k, "second": as_frame(make_lists(100_000, seed=7))}
    data = evaluate_inputs(100_000, 5)

    def compared():
        return metrics.evaluate(models, **data, k=K, item_features=features, compare_to="first")

    rows.append(time_evaluate(100_000, "two models, compare_to, default settings", compared))
    harness.write_csv("metrics_vs_recmetrics", rows, peers=("recmetrics",))


if __name__ == "__main__":
    main()
