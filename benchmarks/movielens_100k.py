"""MovieLens-100k: Surprise's published table reproduced, recsys_lab beside it, one run.

Usage (from the repository root; a few minutes on a 2-core laptop):

    PYTHONPATH=. .venv/bin/python benchmarks/movielens_100k.py                # every part
    PYTHONPATH=. .venv/bin/python benchmarks/movielens_100k.py rating ranking # some parts

Data: GroupLens's MovieLens-100k as :func:`recsys_lab.data.load_movielens` returns it
(``u.data`` order, no network). Parts and the files they write in ``benchmarks/results/``:

``rating``
    Surprise's eleven algorithms with its benchmark's settings
    (:func:`recsys_lab.models.surprise_tools.algorithms`) on the 5 folds of
    ``KFold(n_splits=5, random_state=0)`` — the folds of Surprise's published table, since
    the ratings come in the same order — and, on the same folds
    (:func:`recsys_lab.models.surprise_tools.kfold`), ``KNNRecommender(k=40, similarity="msd")``,
    ``SGDMatrixFactorization()`` and ``ALSMatrixFactorization()``.
    SVD++ is by far the slowest (about ten times SVD's time per fold), so it runs on the
    first ``--svdpp-folds`` folds only (default 1); the CSV says how many folds each row used.
    ``movielens_100k_rating_folds.csv``: ``source, algorithm, fold, rmse, mae``;
    ``movielens_100k_rating.csv``: per algorithm the mean and standard deviation
    (``ddof=1``) over folds, and Surprise's published figure.
``ranking``
    A seeded per-user 80/20 split (``per_user_split(test_size=0.2, random_state=0)``);
    every held-out rating counts as relevant. Top-10 lists of unseen items for every user
    from popularity, item- and user-based KNN (k = 40, MSD), Surprise's SVD (through
    ``SurpriseRecommender``, ranked on unclipped scores), and the from-scratch SGD and ALS
    with their defaults; ``metrics.evaluate(..., compare_to="popularity")`` gives 95 %
    bootstrap intervals over users and paired t-tests against popularity (Holm-adjusted).
    ``movielens_100k_ranking.csv``: ``model, metric, value, low, high, difference,
    pvalue, pvalue_adjusted``.
``tuning``
    SGD and ALS under one protocol: ``train_validation_test_split(per_user_split,
    test_size=0.2, random_state=0)`` (64 % / 16 % / 20 %; its test set is the ranking
    part's), a random search of 10 draws each (``model_selection.search``, seed 0) scored
    by validation RMSE, the winner refitted on train + validation and scored on test once.
    ``movielens_100k_tuning.csv``: one row per candidate, ``test_rmse`` on the winners.

Published figures: the MovieLens-100k table of Surprise's README (commit 2381fb1 of
github.com/NicolasHug/Surprise), made by its ``examples/benchmark.py``: default
parameters, ``KFold(random_state=0)``, ``random_state=0`` for SVD, SVD++, NMF and
CoClustering. KNNWithZScore is not in that table.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from surprise import SVD, accuracy
from surprise.model_selection import KFold

from recsys_lab import data as datasets
from recsys_lab.data.movielens import MovieLens
from recsys_lab.evaluation import metrics, model_selection
from recsys_lab.models import (
    ALSMatrixFactorization,
    KNNRecommender,
    PopularityRecommender,
    SGDMatrixFactorization,
    surprise_tools,
)
from recsys_lab.models.surprise_adapter import SurpriseRecommender

RESULTS = Path(__file__).resolve().parent / "results"
SURPRISE = "Surprise 1.1.5 (run here)"
OURS = "recsys_lab"

#: Surprise's README, MovieLens 100k: (RMSE, MAE) of 5-fold cross-validation.
PUBLISHED = {
    "SVD": (0.934, 0.737),
    "SVDpp": (0.919, 0.721),
    "NMF": (0.963, 0.758),
    "SlopeOne": (0.946, 0.743),
    "KNNBasic": (0.98, 0.774),
    "KNNWithMeans": (0.951, 0.749),
    "KNNBaseline": (0.931, 0.733),
    "CoClustering": (0.963, 0.753),
    "BaselineOnly": (0.944, 0.748),
    "NormalPredictor": (1.518, 1.219),
}

#: recsys_lab's models on the rating folds, and the Surprise algorithm each reproduces.
OUR_MODELS = {
    'KNNRecommender(k=40, similarity="msd")': (
        KNNRecommender(k=40, similarity="msd"),
        "KNNBasic",
    ),
    "SGDMatrixFactorization()": (SGDMatrixFactorization(), "SVD"),
    "ALSMatrixFactorization()": (ALSMatrixFactorization(), None),
}

RANKING_METRICS = ["precision@10", "recall@10", "ndcg@10", "map@10", "catalog_coverage"]

#: The search spaces of the tuning part; each model gets N_DRAWS random draws.
SGD_GRID = {
    "n_factors": [20, 50, 100],
    "n_epochs": [20, 50, 100],
    "lr_all": [0.005, 0.01],
    "reg_all": [0.02, 0.05, 0.1],
}
ALS_GRID = {
    "n_factors": [10, 20, 50],
    "n_iter": [10, 20],
    "reg": [0.05, 0.1, 0.2, 0.5],
}
N_DRAWS = 10


def log(message: str, start: float) -> None:
    print(f"[{time.perf_counter() - start:6.0f} s] {message}", file=sys.stderr, flush=True)


def rating_part(ratings: pd.DataFrame, svdpp_folds: int, start: float) -> None:
    data = surprise_tools.to_dataset(ratings, (1, 5))
    folds = list(KFold(n_splits=5, random_state=0).split(data))
    rows = []
    for name, algo in surprise_tools.algorithms(random_state=0).items():
        if name == "NormalPredictor":
            np.random.seed(0)  # noqa: NPY002 - it draws from numpy's global generator
        n_folds = svdpp_folds if name == "SVDpp" else len(folds)
        for fold, (trainset, testset) in enumerate(folds[:n_folds]):
            predictions = algo.fit(trainset).test(testset)
            rows.append(
                {
                    "source": SURPRISE,
                    "algorithm": name,
                    "fold": fold,
                    "rmse": accuracy.rmse(predictions, verbose=False),
                    "mae": accuracy.mae(predictions, verbose=False),
                }
            )
        log(f"Surprise {name}: {n_folds} folds", start)
    for fold, (train, test) in enumerate(surprise_tools.kfold(ratings)):
        for name, (model, _) in OUR_MODELS.items():
            pred = model.fit(train).predict(test["user"], test["item"])
            rows.append(
                {
                    "source": OURS,
                    "algorithm": name,
                    "fold": fold,
                    "rmse": metrics.rmse(test["rating"], pred),
                    "mae": metrics.mae(test["rating"], pred),
                }
            )
    log("recsys_lab models: 5 folds", start)
    per_fold = pd.DataFrame(rows)
    per_fold.to_csv(RESULTS / "movielens_100k_rating_folds.csv", index=False)
    summary = (
        per_fold.groupby(["source", "algorithm"], sort=False)
        .agg(
            folds=("fold", "size"),
            rmse_mean=("rmse", "mean"),
            rmse_sd=("rmse", "std"),
            mae_mean=("mae", "mean"),
            mae_sd=("mae", "std"),
        )
        .reset_index()
    )
    counterpart = summary["algorithm"].map({name: twin for name, (_, twin) in OUR_MODELS.items()})
    summary["published_as"] = np.where(
        summary["source"] == SURPRISE, summary["algorithm"], counterpart
    )
    published = summary["published_as"].map(PUBLISHED)
    summary["published_rmse"] = published.map(lambda p: p[0], na_action="ignore")
    summary["published_mae"] = published.map(lambda p: p[1], na_action="ignore")
    summary["note"] = ""
    summary.loc[summary["folds"] < 5, "note"] = summary["folds"].astype(str) + " of 5 folds (slow)"
    summary.loc[summary["algorithm"] == "KNNWithZScore", "note"] = "not in the published table"
    summary.to_csv(RESULTS / "movielens_100k_rating.csv", index=False, float_format="%.6f")


def ranking_part(ml: MovieLens, start: float) -> None:
    train, test = model_selection.per_user_split(ml.ratings, test_size=0.2, random_state=0)
    models = {
        "popularity": PopularityRecommender(),
        "item-KNN": KNNRecommender(k=40, similarity="msd", user_based=False),
        "user-KNN": KNNRecommender(k=40, similarity="msd"),
        "SVD (Surprise)": SurpriseRecommender(SVD(random_state=0)),
        "SGD": SGDMatrixFactorization(),
        "ALS": ALSMatrixFactorization(),
    }
    recs = {}
    for name, model in models.items():
        recs[name] = model.fit(train).recommend(n=10)
        log(f"top-10 lists: {name}", start)
    result = metrics.evaluate(
        recs,
        test[["user", "item"]],
        train=train[["user", "item"]],
        items=ml.items[["item"]],
        k=10,
        compare_to="popularity",
    )
    table = result.summary[result.summary["metric"].isin(RANKING_METRICS)]
    table.to_csv(RESULTS / "movielens_100k_ranking.csv", index=False, float_format="%.6g")


def tuning_part(ratings: pd.DataFrame, start: float) -> None:
    train, validation, test = model_selection.train_validation_test_split(
        ratings, model_selection.per_user_split, test_size=0.2, random_state=0
    )
    tables = []
    for name, model, grid in [
        ("SGD", SGDMatrixFactorization(), SGD_GRID),
        ("ALS", ALSMatrixFactorization(), ALS_GRID),
    ]:
        found = model_selection.search(
            model, grid, train, validation, scoring="rmse", n_iter=N_DRAWS, random_state=0
        )
        table = found.results.drop(columns=["unknown", "fit_time"])
        table = table.rename(columns={"rmse": "validation_rmse"})
        table.insert(0, "model", name)
        table["test_rmse"] = np.where(table["rank"] == 1, found.score(test)["rmse"], np.nan)
        tables.append(table)
        log(f"tuning: {name}, {N_DRAWS} draws", start)
    columns = ["model", *SGD_GRID, *(c for c in ALS_GRID if c not in SGD_GRID)]
    out = pd.concat(tables, ignore_index=True)
    out = out[[*columns, "validation_rmse", "rank", "test_rmse"]]
    out.to_csv(RESULTS / "movielens_100k_tuning.csv", index=False, float_format="%.6g")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "parts", nargs="*", choices=["rating", "ranking", "tuning"], default=[], metavar="part"
    )
    parser.add_argument("--svdpp-folds", type=int, default=1, choices=range(1, 6))
    args = parser.parse_args()
    parts = args.parts or ["rating", "ranking", "tuning"]
    start = time.perf_counter()
    ml = datasets.load_movielens("100k")
    ratings = ml.ratings[["user", "item", "rating"]]
    RESULTS.mkdir(exist_ok=True)
    if "rating" in parts:
        rating_part(ratings, args.svdpp_folds, start)
    if "ranking" in parts:
        ranking_part(ml, start)
    if "tuning" in parts:
        tuning_part(ratings, start)


if __name__ == "__main__":
    main()
