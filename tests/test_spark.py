"""recsys_lab.spark: the same numbers as the pandas metrics, on a local Spark."""

import numpy as np
import pandas as pd
import pytest

from recsys_lab import metrics
from recsys_lab.spark import java_version

pyspark = pytest.importorskip("pyspark", reason="pyspark not installed: pip install -e '.[spark]'")
if (java_version() or 0) < 17:
    pytest.skip(
        "Spark needs Java 17+: apt-get install openjdk-17-jre-headless", allow_module_level=True
    )

from recsys_lab import spark as rs  # noqa: E402
from recsys_lab.datasets import make_marketing  # noqa: E402


@pytest.fixture(scope="module")
def spark():
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


def test_parquet_round_trip_als_top_n_and_lsh(spark, tmp_path):
    ratings = rs.make_marketing(spark, n_users=80, n_items=60, mean_ratings=10, seed=1)
    ratings.write.parquet(str(tmp_path / "ratings"))
    back = spark.read.parquet(str(tmp_path / "ratings"))
    assert back.count() == ratings.count()
    model = rs.fit_als(back.withColumn("rating", back["rating"].cast("float")), rank=4, max_iter=5)
    top = rs.top_n(model, 3).toPandas()
    assert top.groupby("user")["rank"].apply(list).map(lambda r: r == [1, 2, 3]).all()
    assert (top.groupby("user")["score"].apply(lambda s: s.is_monotonic_decreasing)).all()
    near = rs.item_neighbours(model, n=2).toPandas()
    assert (near["item"] != near["neighbour"]).all() and near.groupby("item").size().max() <= 2


def test_clear_errors(monkeypatch):
    monkeypatch.setattr(rs, "java_version", lambda: 11)
    with pytest.raises(RuntimeError, match="Java 17 or newer"):
        rs.session()
