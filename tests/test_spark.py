"""recsys_lab.spark: the same numbers as the pandas metrics, on a local Spark.

Tests that need a JVM take the ``spark`` fixture, which skips them without pyspark or
Java 17+; the settings and the notebook's exercises are tested everywhere.
"""

import importlib.util

import numpy as np
import pandas as pd
import pytest

from recsys_lab import spark as rs
from recsys_lab.data import make_marketing
from recsys_lab.evaluation import metrics
from recsys_lab.models.base import top_n as base_top_n
from recsys_lab.teaching.exercises import ____
from recsys_lab.teaching.exercises import spark_at_scale as ex


@pytest.fixture(scope="module")
def spark():
    if importlib.util.find_spec("pyspark") is None:
        pytest.skip("pyspark not installed: pip install -e '.[spark]'")
    if (rs.java_version() or 0) < 17:
        pytest.skip("Spark needs Java 17+: apt-get install openjdk-17-jre-headless")
    with rs.local_session(memory="1g") as session:
        yield session
    assert session.sparkContext._jsc is None  # stopped: no stray JVM work


def small_case():
    rng = np.random.default_rng(0)
    recs = pd.DataFrame(
        [(u, int(i), r + 1) for u in range(30) for r, i in enumerate(rng.choice(40, 8, False))],
        columns=["user", "item", "rank"],
    )
    truth = pd.DataFrame(
        [(u, int(i)) for u in range(30) for i in rng.choice(40, 1 + u % 5, False)],
        columns=["user", "item"],
    )
    train = pd.DataFrame(
        [(u, int(i)) for u in range(30) for i in rng.choice(40, 6, False)], columns=["user", "item"]
    )
    return recs, truth, train


def test_metrics_equal_pandas(spark):
    recs, truth, train = small_case()
    s_recs, s_truth, s_train = (spark.createDataFrame(df) for df in (recs, truth, train))
    for k in (3, 8):
        got = rs.ranking_metrics(s_recs, s_truth, k)
        expected = metrics.per_user(recs, truth, k).mean()
        for name in ("precision", "recall", "map", "ndcg"):
            assert got[name] == pytest.approx(expected[name], abs=1e-12)
    assert rs.catalog_coverage(s_recs, 50) == metrics.catalog_coverage(recs, range(50))
    assert rs.novelty(s_recs, s_train) == pytest.approx(metrics.novelty(recs, train), abs=1e-12)
    assert rs.personalization(s_recs) == pytest.approx(metrics.personalization(recs), abs=1e-12)
    assert rs.catalog_coverage(s_recs, 50, k=2) == metrics.catalog_coverage(recs, range(50), k=2)


def test_generated_shop_matches_the_pandas_story(spark):
    ours = rs.make_marketing(spark, n_users=120, n_items=80, mean_ratings=12, seed=3).toPandas()
    theirs = make_marketing(n_users=120, n_items=80, mean_ratings=12, seed=3).ratings
    assert len(ours) == len(theirs)  # the same activity per user
    assert ours.groupby("user").size().equals(theirs.groupby("user").size())
    assert not ours.duplicated(["user", "item"]).any() and ours["rating"].between(1, 5).all()
    assert abs(ours["rating"].mean() - theirs["rating"].mean()) < 0.15
    top_ours = set(ours["item"].value_counts().index[:10])
    top_theirs = set(theirs["item"].value_counts().index[:10])
    assert len(top_ours & top_theirs) >= 5  # the same long-tail popularity
    again = rs.make_marketing(spark, n_users=120, n_items=80, mean_ratings=12, seed=3).toPandas()
    pd.testing.assert_frame_equal(
        ours.sort_values(["user", "item"]).reset_index(drop=True),
        again.sort_values(["user", "item"]).reset_index(drop=True),
    )


@pytest.fixture(scope="module")
def shop(spark, tmp_path_factory):
    """A small shop written once to Parquet, and ALS fitted on it."""
    folder = str(tmp_path_factory.mktemp("shop"))
    ratings = rs.marketing_parquet(spark, folder, n_users=80, n_items=60, mean_ratings=10, seed=1)
    ratings = ratings.withColumn("rating", ratings["rating"].cast("float")).cache()
    model = rs.fit_als(ratings, rank=4, max_iter=5)
    return folder, ratings, model


def test_parquet_is_written_once(spark, shop, monkeypatch):
    folder, ratings, _ = shop
    assert (
        ratings.count()
        == rs.make_marketing(spark, n_users=80, n_items=60, mean_ratings=10, seed=1).count()
    )

    def no_regeneration(*args, **kwargs):
        raise AssertionError("the Parquet file exists: it must be read, not generated again")

    monkeypatch.setattr(rs, "make_marketing", no_regeneration)
    again = rs.marketing_parquet(spark, folder, n_users=80, n_items=60, mean_ratings=10, seed=1)
    assert again.count() == ratings.count()


def test_top_n_is_the_pandas_top_n_without_seen_items(shop):
    _, ratings, model = shop
    top = rs.top_n(model, ratings, n=5).toPandas()
    train = ratings.toPandas()
    assert top.merge(train, on=["user", "item"]).empty  # no seen item is listed
    # the same lists from the factors in numpy, with the shared top-N of every recommender
    users = model.userFactors.toPandas().sort_values("id")
    items = model.itemFactors.toPandas().sort_values("id")
    scores = np.vstack(users["features"]) @ np.vstack(items["features"]).T
    u_pos = pd.Series(np.arange(len(users)), index=users["id"])
    i_pos = pd.Series(np.arange(len(items)), index=items["id"])
    scores[u_pos[train["user"]].to_numpy(), i_pos[train["item"]].to_numpy()] = -np.inf
    rows, cols, vals, ranks = base_top_n(scores, 5)
    expected = pd.DataFrame(
        {"user": users["id"].to_numpy()[rows], "item": items["id"].to_numpy()[cols],
         "score": vals, "rank": ranks}
    )  # fmt: skip
    got = top.sort_values(["user", "rank"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(
        got[["user", "item", "rank"]], expected[["user", "item", "rank"]], check_dtype=False
    )
    np.testing.assert_allclose(got["score"], expected["score"], rtol=1e-5)


def test_popularity_top_n_by_hand(spark):
    train = pd.DataFrame(
        {"user": [1, 1, 2, 2, 3, 3, 3, 4], "item": [10, 11, 10, 12, 10, 11, 13, 14]}
    )
    # popularity: 10 → 3 users, 11 → 2, then 12, 13, 14 with 1 each (ties by item id)
    top = rs.popularity_top_n(spark.createDataFrame(train), n=2).toPandas()
    lists = top.sort_values(["user", "rank"]).groupby("user")["item"].apply(list).to_dict()
    assert lists == {1: [12, 13], 2: [11, 13], 3: [12, 14], 4: [10, 11]}
    assert top.query("user == 4")["score"].tolist() == [3, 2]
    with pytest.raises(ValueError, match="n must be >= 1"):
        rs.popularity_top_n(spark.createDataFrame(train), n=0)


def test_implicit_als_ranks_unseen_items(shop):
    _, ratings, _ = shop
    model = rs.fit_als(ratings, rank=4, max_iter=5, implicit=True, alpha=2.0)
    assert model._java_obj.parent().getImplicitPrefs()  # the implicit-feedback variant
    top = rs.top_n(model, ratings, n=3).toPandas()
    assert top.groupby("user")["rank"].apply(list).map(lambda r: r == [1, 2, 3]).all()
    assert top.merge(ratings.toPandas(), on=["user", "item"]).empty


def test_lsh_neighbours_and_their_recall(shop):
    _, _, model = shop
    near = rs.item_neighbours(model, n=2).toPandas()
    assert (near["item"] != near["neighbour"]).all() and near.groupby("item").size().max() <= 2
    # wide buckets: each table splits the items by the sign of one projection, so ten
    # tables miss none of the nearest; more tables only add pairs (the first is shared)
    table = rs.lsh_recall(model, n=3, bucket_lengths=(1e6,), hash_tables=(1, 10))
    one, ten = table.iloc[0], table.iloc[1]
    m = len(rs.exact_item_neighbours(model, 1))
    assert ten["recall"] == 1.0 and one["recall"] <= ten["recall"]
    assert one["pairs_compared"] <= ten["pairs_compared"] <= m * (m - 1)
    assert ten["share_of_pairs"] == ten["pairs_compared"] / (m * (m - 1))
    with pytest.raises(ValueError, match="bucket_length must be a positive number"):
        rs.item_neighbours(model, bucket_length=0.0)


def test_settings_from_the_environment(monkeypatch):
    monkeypatch.setenv(rs.MASTER_ENV, "spark://head:7077")
    monkeypatch.setenv(rs.CONF_ENV, "spark.executor.memory=8g; spark.sql.shuffle.partitions=64")
    master, conf = rs.spark_settings(cores=2, config={"spark.executor.cores": 4})
    assert master == "spark://head:7077"
    assert conf["spark.executor.memory"] == "8g" and conf["spark.executor.cores"] == "4"
    assert conf["spark.sql.shuffle.partitions"] == "64"
    assert "spark.driver.host" not in conf  # localhost bindings are for local mode only
    assert conf["spark.sql.execution.arrow.pyspark.enabled"] == "true"
    monkeypatch.delenv(rs.MASTER_ENV)
    monkeypatch.delenv(rs.CONF_ENV)
    master, conf = rs.spark_settings(cores=3)
    assert master == "local[3]" and conf["spark.sql.shuffle.partitions"] == "6"
    monkeypatch.setenv(rs.CONF_ENV, "spark.executor.memory")
    with pytest.raises(ValueError, match="key=value;key=value"):
        rs.spark_settings()
    monkeypatch.delenv(rs.CONF_ENV)
    with pytest.raises(ValueError, match="start with 'spark.'; got executor.memory"):
        rs.spark_settings(config={"executor.memory": "1g"})


def test_clear_errors(monkeypatch):
    monkeypatch.setattr(rs, "java_version", lambda: 11)
    with pytest.raises(RuntimeError, match="Java 17 or newer"):
        rs.session()


# ------------------------------------------------------------ the notebook's exercises
def unseen_top_n(scores, seen, n):
    seen = set(seen)
    unseen = [i for i in range(len(scores)) if i not in seen]
    return sorted(unseen, key=lambda i: (-scores[i], i))[:n]


def neighbour_recall(found, exact):
    truth = {(i, j) for i, js in exact.items() for j in js}
    got = {(i, j) for i, js in found.items() for j in js}
    return len(truth & got) / len(truth) if truth else 1.0


def test_exercises_accept_right_answers_and_name_the_failing_case():
    assert ex.q1.verdict(unseen_top_n).correct and ex.q2.verdict(neighbour_recall).correct
    keeps_seen = ex.q1.verdict(lambda s, seen, n: sorted(range(len(s)), key=lambda i: -s[i])[:n])
    assert "'five items, two seen'" in keeps_seen.message and not keeps_seen.correct
    ties_by_order = ex.q1.verdict(
        lambda s, seen, n: [i for i in np.argsort(s)[::-1].tolist() if i not in seen][:n]
    )
    assert "'a tie: the lower item first'" in ties_by_order.message
    per_item = ex.q2.verdict(  # the mean of per-item recalls is another number
        lambda f, e: np.mean([len(set(f.get(i, [])) & set(js)) / len(js) for i, js in e.items()])
    )
    assert not per_item.correct
    assert ex.q2.verdict(lambda f, e: 0.5).status == "incorrect"
    assert ex.q3.verdict(80).correct and ex.q4.verdict(4).correct and ex.q5.verdict("nan").correct
    assert not ex.q4.verdict(200).correct and not ex.q5.verdict("drop").correct
    for q in (ex.q1, ex.q2, ex.q3, ex.q4, ex.q5):
        assert q.verdict(____).status == "not attempted"
