r"""The same pipeline on Apache Spark, for when interactions outgrow one machine.

An optional extra (``pip install -e '.[spark]'``, Java 17+): nothing else in
``recsys_lab`` imports pyspark. Locally Spark runs in ``local[cores]`` mode, which is how
this module is tested; the code is the same on a cluster.

* :func:`session` / :func:`local_session` — a laptop-sized SparkSession (UI off, shuffle
  partitions sized to the cores, bound to localhost), or a clear error saying what to install;
* :func:`make_marketing` — the synthetic shop's ratings generated *inside* Spark, with the
  generative story of :func:`recsys_lab.datasets.make_marketing` (each user's items drawn
  by Gumbel top-k from popularity × exp(0.6 affinity), seeded per user);
* :func:`ranking_metrics`, :func:`catalog_coverage`, :func:`novelty`,
  :func:`personalization` — the definitions of :mod:`recsys_lab.metrics`, with Spark SQL
  and window functions, returning the same numbers;
* :func:`fit_als`, :func:`top_n`, :func:`item_neighbours` — helpers around
  ``pyspark.ml.recommendation.ALS`` and ``BucketedRandomProjectionLSH``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from recsys_lab._validation import check_positive_int

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.ml.recommendation import ALSModel
    from pyspark.sql import DataFrame, SparkSession

INSTALL = "pip install -e '.[spark]'  (or: pip install pyspark)"


def java_version() -> int | None:
    """The major version of the ``java`` on PATH, or None if there is none."""
    java = shutil.which("java")
    if java is None:
        return None
    out = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
    found = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not found:
        return None
    major = int(found.group(1))
    return int(found.group(2)) if major == 1 and found.group(2) else major


def session(app: str = "recsys-lab", cores: int = 2, memory: str = "4g") -> SparkSession:
    """A local SparkSession sized for a laptop; stop it with ``spark.stop()``.

    Raises ``RuntimeError`` naming the fix when pyspark or Java 17+ is missing.
    """
    cores = check_positive_int(cores, "cores")
    version = java_version()
    if version is None or version < 17:
        raise RuntimeError(
            f"Spark needs Java 17 or newer (found: {version or 'none'}). Install it, e.g. "
            f"'apt-get install openjdk-17-jre-headless' or 'conda install openjdk=17'."
        )
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # stay on localhost, quietly
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise RuntimeError(f"pyspark is not installed: {INSTALL}") from None
    spark = (
        SparkSession.builder.master(f"local[{cores}]")
        .appName(app)
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", str(2 * cores))
        .config("spark.default.parallelism", str(2 * cores))
        .config("spark.driver.memory", memory)
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.execution.arrow.pyspark.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    return spark


@contextmanager
def local_session(
    app: str = "recsys-lab", cores: int = 2, memory: str = "4g"
) -> Iterator[SparkSession]:
    """``with local_session() as spark: ...`` — the session is always stopped.

    The arguments are those of :func:`session`.
    """
    spark = session(app, cores, memory)
    try:
        yield spark
    finally:
        spark.stop()


def make_marketing(
    spark: SparkSession,
    n_users: int = 600,
    n_items: int = 300,
    n_factors: int = 6,
    mean_ratings: float = 25.0,
    seed: int = 42,
    partitions: int | None = None,
) -> DataFrame:
    """Ratings of the synthetic shop generated in Spark: ``user, item, rating``.

    The latent factors, biases, popularity and activities are drawn by
    :func:`recsys_lab.datasets.shop_latent`, exactly as for the pandas shop (they are
    small); the per-user sampling
    of rated items and ratings — the part that grows with the data — runs in Spark,
    each user with its own generator seeded by ``(seed, user)``. Statistically the same
    shop; not row-for-row, since the random streams differ.

    The sizes and ``seed`` are those of :func:`recsys_lab.datasets.make_marketing`;
    ``partitions`` is the number of Spark partitions of the users (default: the
    context's default parallelism).
    """
    from pyspark.sql.types import IntegerType, StructField, StructType

    from recsys_lab.datasets import shop_latent

    latent = shop_latent(n_users, n_items, n_factors, mean_ratings, seed)
    P, b_user = latent.P, latent.b_user
    shared = spark.sparkContext.broadcast(
        (latent.Q, latent.b_item, np.log(latent.popularity), latent.global_mean)
    )
    activity = dict(enumerate(latent.n_rated.tolist(), start=1))

    def sample(rows: Iterable[tuple[int, int]]) -> Iterator[tuple[int, int, int]]:
        Qb, bi, lp, mu = shared.value
        for user, n_rated in rows:
            rng = np.random.default_rng([seed, user])
            p = P[user - 1]
            affinity = Qb @ p + bi
            keys = lp + 0.6 * affinity + rng.gumbel(size=len(bi))
            items = np.argsort(-keys, kind="stable")[:n_rated]
            raw = mu + b_user[user - 1] + affinity[items] + 0.5 * rng.standard_normal(len(items))
            for item, stars in zip(items, np.clip(np.round(raw), 1, 5), strict=True):
                yield int(user), int(item + 1), int(stars)

    users = spark.sparkContext.parallelize(
        [(int(u), int(n)) for u, n in activity.items()],
        partitions or spark.sparkContext.defaultParallelism,
    )
    schema = StructType(
        [StructField(name, IntegerType(), False) for name in ("user", "item", "rating")]
    )
    return spark.createDataFrame(users.mapPartitions(sample), schema)


def _top_k(recs: DataFrame, k: int) -> DataFrame:
    return recs.where(recs["rank"] <= k).select("user", "item", "rank")


def ranking_metrics(recs: DataFrame, truth: DataFrame, k: int = 10) -> dict[str, float]:
    """Precision, recall, NDCG and MAP at ``k`` (binary relevance).

    Averaged over the users in ``truth``, with the definitions of
    :func:`recsys_lab.metrics.per_user`.

    Parameters
    ----------
    recs : pyspark.sql.DataFrame
        Columns ``user, item, rank``.
    truth : pyspark.sql.DataFrame
        Columns ``user, item``: the relevant items.
    k : int, default 10
        The cut-off.

    Returns
    -------
    dict
        ``precision``, ``recall``, ``map`` and ``ndcg``, each a float.
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    k = check_positive_int(k, "k")
    rel = truth.select("user", "item").distinct()
    n_rel = rel.groupBy("user").agg(F.count("*").alias("n_rel"))
    top = _top_k(recs, k)
    hits = top.join(rel.withColumn("hit", F.lit(1)), ["user", "item"], "inner")
    w = Window.partitionBy("user").orderBy("rank")
    hits = hits.withColumn("hits_so_far", F.row_number().over(w))
    per_user = hits.groupBy("user").agg(
        F.count("*").alias("hits"),
        F.sum(F.col("hits_so_far") / F.col("rank")).alias("ap_sum"),
        F.sum(1.0 / F.log2(F.col("rank") + 1)).alias("dcg"),
    )
    ideal = F.aggregate(
        F.sequence(F.lit(1), F.least(F.col("n_rel"), F.lit(k))),
        F.lit(0.0),
        lambda acc, r: acc + 1.0 / F.log2(r + 1),
    )
    table = (
        n_rel.join(per_user, "user", "left")
        .fillna(0, subset=["hits", "ap_sum", "dcg"])
        .select(
            (F.col("hits") / k).alias("precision"),
            (F.col("hits") / F.col("n_rel")).alias("recall"),
            (F.col("ap_sum") / F.least(F.col("n_rel"), F.lit(k))).alias("map"),
            (F.col("dcg") / ideal).alias("ndcg"),
        )
    )
    row = table.agg(*[F.avg(c).alias(c) for c in table.columns]).collect()[0]
    return {name: float(row[name]) for name in table.columns}


def catalog_coverage(recs: DataFrame, catalog_size: int, k: int | None = None) -> float:
    """Distinct recommended items / catalog size."""
    listed = recs if k is None else _top_k(recs, k)
    return listed.select("item").distinct().count() / check_positive_int(
        catalog_size, "catalog_size"
    )


def novelty(recs: DataFrame, train: DataFrame, k: int | None = None) -> float:
    """Mean self-information of listed items, as :func:`recsys_lab.metrics.novelty`."""
    from pyspark.sql import functions as F

    listed = recs if k is None else _top_k(recs, k)
    n_users = train.select("user").distinct().count()
    known = train.select("user", "item").distinct().groupBy("item").agg(F.count("*").alias("n"))
    share = F.when(F.col("n").isNull(), 1.0 / (n_users + 1)).otherwise(F.col("n") / n_users)
    per_user = (
        listed.join(known, "item", "left")
        .groupBy("user")
        .agg(F.avg(-F.log2(share)).alias("novelty"))
    )
    return float(per_user.agg(F.avg("novelty")).collect()[0][0])


def personalization(recs: DataFrame, k: int | None = None) -> float:
    """One minus the mean cosine overlap of all pairs of lists, from item counts."""
    from pyspark.sql import functions as F

    listed = recs if k is None else _top_k(recs, k)
    lengths = listed.groupBy("user").agg(F.count("*").alias("len"))
    n = lengths.count()
    if n < 2:
        raise ValueError("personalization compares users' lists: it needs at least two users.")
    weighted = listed.join(lengths, "user").withColumn("w", 1.0 / F.sqrt("len"))
    per_item = weighted.groupBy("item").agg(
        F.sum("w").alias("a"), F.sum(F.col("w") ** 2).alias("b")
    )
    pair_sum = per_item.agg(F.sum((F.col("a") ** 2 - F.col("b")) / 2)).collect()[0][0]
    return float(1.0 - pair_sum / (n * (n - 1) / 2))


def fit_als(
    train: DataFrame,
    rank: int = 10,
    reg: float = 0.1,
    max_iter: int = 10,
    implicit: bool = False,
    seed: int = 0,
) -> ALSModel:
    """Fit ``pyspark.ml.recommendation.ALS`` on ``user, item, rating``.

    With ``coldStartStrategy="drop"``: unknown users or items get no prediction
    instead of NaN. ``rank`` is the number of factors, ``reg`` the L2 penalty,
    ``implicit=True`` the implicit-feedback variant (Hu, Koren & Volinsky, 2008).
    """
    from pyspark.ml.recommendation import ALS

    als = ALS(
        rank=check_positive_int(rank, "rank"),
        regParam=reg,
        maxIter=max_iter,
        implicitPrefs=implicit,
        userCol="user",
        itemCol="item",
        ratingCol="rating",
        coldStartStrategy="drop",
        seed=seed,
        nonnegative=False,
    )
    return als.fit(train)


def top_n(model: ALSModel, n: int = 10) -> DataFrame:
    """Top-``n`` items for every user as ``user, item, score, rank``.

    Spark's ``recommendForAllUsers`` does not leave out seen items; filter them with a
    left anti join against the training data if needed.
    """
    from pyspark.sql import functions as F

    recs = model.recommendForAllUsers(check_positive_int(n, "n"))
    exploded = recs.select("user", F.posexplode("recommendations").alias("pos", "rec"))
    return exploded.select(
        "user",
        F.col("rec.item").alias("item"),
        F.col("rec.rating").alias("score"),
        (F.col("pos") + 1).alias("rank"),
    )


def item_neighbours(
    model: ALSModel, n: int = 5, bucket_length: float = 1.0, seed: int = 0
) -> DataFrame:
    """Approximate nearest items by Euclidean distance of ALS item factors (LSH).

    Returns ``item, neighbour, distance`` with up to ``n`` neighbours per item — "more
    like this" without an items × items matrix.
    """
    from pyspark.ml.feature import BucketedRandomProjectionLSH
    from pyspark.ml.functions import array_to_vector
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    factors = model.itemFactors.select(
        F.col("id").alias("item"), array_to_vector(F.col("features")).alias("v")
    )
    lsh = BucketedRandomProjectionLSH(
        inputCol="v", outputCol="hashes", bucketLength=bucket_length, numHashTables=3, seed=seed
    ).fit(factors)
    pairs = lsh.approxSimilarityJoin(factors, factors, threshold=float("inf"), distCol="distance")
    pairs = pairs.select(
        F.col("datasetA.item").alias("item"),
        F.col("datasetB.item").alias("neighbour"),
        "distance",
    ).where(F.col("item") != F.col("neighbour"))
    w = Window.partitionBy("item").orderBy("distance", "neighbour")
    return pairs.withColumn("r", F.row_number().over(w)).where(F.col("r") <= n).drop("r")


def memory_math(
    interactions: list[int], ratings_per_user: int = 50, items_per_user_ratio: float = 0.05
) -> pd.DataFrame:
    """Back-of-the-envelope memory for one machine, per number of interactions.

    Users = interactions / ``ratings_per_user``; items = ``items_per_user_ratio`` × users.
    Sparse ratings (COO: two int32 ids + one float32 = 12 bytes each), the dense
    users × items matrix (float64), and the dense items × items similarity matrix.

    >>> memory_math([1_000_000]).iloc[0]["sparse ratings (GB)"]
    np.float64(0.012)
    """
    rows = []
    for n in interactions:
        users = n / check_positive_int(ratings_per_user, "ratings_per_user")
        items = max(1.0, items_per_user_ratio * users)
        rows.append(
            {
                "interactions": n,
                "users": int(users),
                "items": int(items),
                "sparse ratings (GB)": 12 * n / 1e9,
                "dense user × item (GB)": 8 * users * items / 1e9,
                "item × item similarity (GB)": 8 * items * items / 1e9,
            }
        )
    return pd.DataFrame(rows)
