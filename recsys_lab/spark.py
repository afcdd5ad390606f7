r"""The same pipeline on Apache Spark, for when interactions outgrow one machine.

An optional extra (``pip install -e '.[spark]'``, Java 17+): nothing else in
``recsys_lab`` imports pyspark. Locally Spark runs in ``local[cores]`` mode, which is how
this module is tested; on a cluster the same code runs once the environment names the
master and the resources (:func:`session`).

* :func:`session` / :func:`local_session` — a SparkSession: local and laptop-sized by
  default (UI off, shuffle partitions sized to the cores, bound to localhost), or the
  master URL and ``spark.*`` settings of ``RECSYS_LAB_SPARK_MASTER`` and
  ``RECSYS_LAB_SPARK_CONF`` (:func:`spark_settings`); Arrow on for pandas transfers;
* :func:`make_marketing` — the synthetic shop's ratings generated *inside* Spark, with the
  generative story of :func:`recsys_lab.data.make_marketing` (each user's items drawn
  by Gumbel top-k from popularity × exp(0.6 affinity), seeded per user);
  :func:`marketing_parquet` writes them once to a Parquet folder you name and reads
  them back;
* :func:`ranking_metrics`, :func:`catalog_coverage`, :func:`novelty`,
  :func:`personalization` — the definitions of :mod:`recsys_lab.evaluation.metrics`, with Spark SQL
  and window functions, returning the same numbers;
* :func:`fit_als` (explicit or implicit feedback), :func:`top_n` and
  :func:`popularity_top_n` — lists of unseen items, like every recommender of
  :mod:`recsys_lab.models`;
* :func:`item_neighbours` ("more like this" by LSH) and :func:`lsh_recall`, which checks
  LSH settings against the exact neighbours.
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


MASTER_ENV, CONF_ENV = "RECSYS_LAB_SPARK_MASTER", "RECSYS_LAB_SPARK_CONF"


def spark_settings(
    cores: int = 2,
    memory: str = "4g",
    master: str | None = None,
    config: dict[str, object] | None = None,
) -> tuple[str, dict[str, str]]:
    """The master URL and ``spark.*`` settings that :func:`session` uses.

    The master is ``master``, else the environment variable ``RECSYS_LAB_SPARK_MASTER``
    (e.g. ``spark://host:7077``, ``yarn``, ``k8s://...``), else ``local[cores]``. Settings,
    later ones winning: the defaults; ``RECSYS_LAB_SPARK_CONF``, as
    ``key=value;key=value`` (e.g. ``spark.executor.memory=8g;spark.executor.cores=4``);
    ``config``. Only in local mode are the UI turned off, the shuffle partitions and
    default parallelism set to 2 × ``cores`` and the driver bound to localhost; on a
    cluster those are the cluster's business.

    >>> master, conf = spark_settings(cores=4, config={"spark.sql.shuffle.partitions": 16})
    >>> master, conf["spark.sql.shuffle.partitions"], conf["spark.driver.host"]
    ('local[4]', '16', '127.0.0.1')
    """
    cores = check_positive_int(cores, "cores")
    master = master or os.environ.get(MASTER_ENV) or f"local[{cores}]"
    settings = {
        "spark.driver.memory": memory,
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.execution.arrow.pyspark.enabled": "true",  # pandas <-> Spark by Arrow
        "spark.ui.showConsoleProgress": "false",
    }
    if master.startswith("local"):
        settings |= {
            "spark.ui.enabled": "false",
            "spark.sql.shuffle.partitions": str(2 * cores),
            "spark.default.parallelism": str(2 * cores),
            "spark.driver.host": "127.0.0.1",
            "spark.driver.bindAddress": "127.0.0.1",
        }
    from_env = {}
    for item in filter(None, (x.strip() for x in os.environ.get(CONF_ENV, "").split(";"))):
        key, eq, value = item.partition("=")
        if not eq:
            raise ValueError(
                f"{CONF_ENV} holds {item!r}: write settings as key=value;key=value, "
                f"e.g. spark.executor.memory=8g;spark.executor.cores=4."
            )
        from_env[key.strip()] = value.strip()
    settings |= from_env | {key: str(value) for key, value in (config or {}).items()}
    odd = [key for key in settings if not key.startswith("spark.")]
    if odd:
        raise ValueError(f"Spark settings start with 'spark.'; got {', '.join(odd)}.")
    return master, settings


def session(
    app: str = "recsys-lab",
    cores: int = 2,
    memory: str = "4g",
    master: str | None = None,
    config: dict[str, object] | None = None,
) -> SparkSession:
    """A SparkSession, local by default; stop it with ``spark.stop()``.

    ``cores``, ``memory`` (the driver's), ``master`` and ``config`` are those of
    :func:`spark_settings`, so the environment alone moves a notebook to a cluster.
    Raises ``RuntimeError`` naming the fix when pyspark or Java 17+ is missing.
    """
    master, settings = spark_settings(cores, memory, master, config)
    version = java_version()
    if version is None or version < 17:
        raise RuntimeError(
            f"Spark needs Java 17 or newer (found: {version or 'none'}). Install it, e.g. "
            f"'apt-get install openjdk-17-jre-headless' or 'conda install openjdk=17'."
        )
    if master.startswith("local"):
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # stay on localhost, quietly
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise RuntimeError(f"pyspark is not installed: {INSTALL}") from None
    builder = SparkSession.builder.master(master).appName(app)
    for key, value in settings.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


@contextmanager
def local_session(
    app: str = "recsys-lab",
    cores: int = 2,
    memory: str = "4g",
    master: str | None = None,
    config: dict[str, object] | None = None,
) -> Iterator[SparkSession]:
    """``with local_session() as spark: ...`` — the session is always stopped.

    The arguments are those of :func:`session`.
    """
    spark = session(app, cores, memory, master, config)
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
    :func:`recsys_lab.data.shop_latent`, exactly as for the pandas shop (they are
    small); the per-user sampling
    of rated items and ratings — the part that grows with the data — runs in Spark,
    each user with its own generator seeded by ``(seed, user)``. Statistically the same
    shop; not row-for-row, since the random streams differ.

    The sizes and ``seed`` are those of :func:`recsys_lab.data.make_marketing`;
    ``partitions`` is the number of Spark partitions of the users (default: the
    context's default parallelism).
    """
    from pyspark.sql.types import IntegerType, StructField, StructType

    from recsys_lab.data import shop_latent

    latent = shop_latent(n_users, n_items, n_factors, mean_ratings, seed)
    shared = spark.sparkContext.broadcast(  # every executor gets the lookups once
        (latent.P, latent.b_user, latent.Q, latent.b_item, np.log(latent.popularity))
    )
    mu = latent.global_mean
    activity = dict(enumerate(latent.n_rated.tolist(), start=1))

    def sample(rows: Iterable[tuple[int, int]]) -> Iterator[tuple[int, int, int]]:
        P, b_user, Q, b_item, log_pop = shared.value
        for user, n_rated in rows:
            rng = np.random.default_rng([seed, user])
            affinity = Q @ P[user - 1] + b_item
            keys = log_pop + 0.6 * affinity + rng.gumbel(size=len(b_item))
            # the n_rated largest keys, in no particular order: a selection, not a sort
            items = np.argpartition(-keys, n_rated - 1)[:n_rated]
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


def _exists(spark: SparkSession, path: str) -> bool:
    """Whether ``path`` exists on Spark's file system (local, HDFS, S3, ...)."""
    jvm = spark.sparkContext._jvm
    hadoop_path = jvm.org.apache.hadoop.fs.Path(path)  # type: ignore[union-attr]
    fs = hadoop_path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())  # type: ignore[union-attr]
    return bool(fs.exists(hadoop_path))


def marketing_parquet(
    spark: SparkSession,
    folder: str,
    n_users: int = 600,
    n_items: int = 300,
    n_factors: int = 6,
    mean_ratings: float = 25.0,
    seed: int = 42,
) -> DataFrame:
    """The shop's ratings (:func:`make_marketing`) as Parquet under ``folder``, made once.

    The file's name holds the parameters, e.g. ``shop_u600_i300_f6_m25_s42.parquet``;
    if it is already there (complete: Spark's ``_SUCCESS`` marker), it is read, not
    generated again. ``folder`` is any path Spark can write: a local folder, ``hdfs://``
    or ``s3a://``.
    """
    name = f"shop_u{n_users}_i{n_items}_f{n_factors}_m{mean_ratings:g}_s{seed}.parquet"
    path = f"{str(folder).rstrip('/')}/{name}"
    if not _exists(spark, f"{path}/_SUCCESS"):
        ratings = make_marketing(spark, n_users, n_items, n_factors, mean_ratings, seed)
        ratings.write.mode("overwrite").parquet(path)
    return spark.read.parquet(path)


def _top_k(recs: DataFrame, k: int) -> DataFrame:
    return recs.where(recs["rank"] <= k).select("user", "item", "rank")


def ranking_metrics(recs: DataFrame, truth: DataFrame, k: int = 10) -> dict[str, float]:
    """Precision, recall, NDCG and MAP at ``k`` (binary relevance).

    Averaged over the users in ``truth``, with the definitions of
    :func:`recsys_lab.evaluation.metrics.per_user`.

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
    """Mean self-information of listed items, as :func:`recsys_lab.evaluation.metrics.novelty`."""
    from pyspark.sql import functions as F

    listed = recs if k is None else _top_k(recs, k)
    n_users = train.select("user").distinct().count()
    known = train.select("user", "item").distinct().groupBy("item").agg(F.count("*").alias("n"))
    share = F.when(F.col("n").isNull(), 1.0 / (n_users + 1)).otherwise(F.col("n") / n_users)
    per_user = (
        listed.join(F.broadcast(known), "item", "left")  # one row per item: small
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
    alpha: float = 1.0,
    seed: int = 0,
) -> ALSModel:
    r"""Fit ``pyspark.ml.recommendation.ALS`` on ``user, item, rating``.

    With ``coldStartStrategy="drop"``: unknown users or items get no prediction
    instead of NaN. ``rank`` is the number of factors, ``reg`` the L2 penalty,
    ``implicit=True`` the implicit-feedback variant (Hu, Koren & Volinsky, 2008): the
    ``rating`` column is then an interaction's strength :math:`r`, its confidence
    :math:`1 + \alpha r` (``alpha``), and the model predicts a preference, not a rating.
    """
    from pyspark.ml.recommendation import ALS

    als = ALS(
        rank=check_positive_int(rank, "rank"),
        regParam=reg,
        maxIter=max_iter,
        implicitPrefs=implicit,
        alpha=alpha,
        userCol="user",
        itemCol="item",
        ratingCol="rating",
        coldStartStrategy="drop",
        seed=seed,
        nonnegative=False,
    )
    return als.fit(train)


def _ranked(recs: DataFrame, n: int) -> DataFrame:
    """``user, item, score`` → the ``n`` best per user with ``rank``; ties by item id."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    order = Window.partitionBy("user").orderBy(F.desc("score"), "item")
    ranked = recs.withColumn("rank", F.row_number().over(order))
    return ranked.where(F.col("rank") <= n).select("user", "item", "score", "rank")


def top_n(model: ALSModel, seen: DataFrame, n: int = 10) -> DataFrame:
    """Each user's ``n`` best items they have not interacted with: ``user, item, score, rank``.

    Like every recommender of :mod:`recsys_lab.models`, the lists leave out the items in
    ``seen`` (the training interactions, ``user, item``), for every user of ``seen``;
    equal scores rank by item id. Spark's ``recommendForAllUsers`` cannot leave items
    out, so it is asked for more: the 90 % of users who have seen the fewest items get
    ``n`` + the 90th percentile of that count, the others ``n`` + the most any user has
    seen — enough to keep ``n`` after the seen ones are dropped, in two jobs
    (``recommendForUserSubset``), without scoring every user against ``n`` + the maximum.
    """
    from pyspark.sql import functions as F

    n = check_positive_int(n, "n")
    pairs = seen.select("user", "item").distinct()
    counts = pairs.groupBy("user").agg(F.count("*").alias("n_seen")).cache()
    cut, most = counts.agg(F.percentile_approx("n_seen", 0.9), F.max("n_seen")).first() or (0, 0)
    if most is None:
        raise ValueError("seen is empty: it must hold the users' training interactions.")
    lists = [
        model.recommendForUserSubset(counts.where(where).select("user"), n + extra)
        for where, extra in ((F.col("n_seen") <= cut, cut), (F.col("n_seen") > cut, most))
    ]
    exploded = (
        lists[0].unionByName(lists[1]).select("user", F.explode("recommendations").alias("rec"))
    )
    recs = exploded.select(
        "user", F.col("rec.item").alias("item"), F.col("rec.rating").alias("score")
    )
    return _ranked(recs.join(pairs, ["user", "item"], "left_anti"), n)


def popularity_top_n(train: DataFrame, n: int = 10) -> DataFrame:
    """The popularity baseline: each user's ``n`` most popular items they have not seen.

    Popularity is the number of users who interacted with an item in ``train``
    (``user, item``); ties rank by item id. Returns ``user, item, score, rank`` with
    the count as ``score``, for every user of ``train``. The ranked catalogue head
    (``n`` + the most items one user has seen) travels to the executors inside the
    query plan, and each user's list is that array minus their own items — no join
    of users with items.
    """
    from pyspark.sql import functions as F

    n = check_positive_int(n, "n")
    pairs = train.select("user", "item").distinct()
    per_user = pairs.groupBy("user").agg(F.collect_set("item").alias("seen"))
    longest = per_user.agg(F.max(F.size("seen"))).first()
    if longest is None or longest[0] is None:
        raise ValueError("train is empty: popularity needs interactions to count.")
    counts = pairs.groupBy("item").agg(F.count("*").alias("score"))
    head = counts.orderBy(F.desc("score"), "item").limit(n + longest[0]).collect()
    ranked = F.array(*[F.lit(row["item"]) for row in head])
    lists = per_user.select(
        "user", F.posexplode(F.slice(F.array_except(ranked, "seen"), 1, n)).alias("pos", "item")
    )
    scores = F.broadcast(counts.where(F.col("item").isin([row["item"] for row in head])))
    return lists.join(scores, "item").select(
        "user", "item", "score", (F.col("pos") + 1).alias("rank")
    )


def _item_vectors(model: ALSModel) -> DataFrame:
    from pyspark.ml.functions import array_to_vector
    from pyspark.sql import functions as F

    return model.itemFactors.select(
        F.col("id").alias("item"), array_to_vector(F.col("features")).alias("v")
    )


def _lsh_pairs(model: ALSModel, bucket_length: float, hash_tables: int, seed: int) -> DataFrame:
    """Every pair of distinct items that LSH compares: ``item, neighbour, distance``."""
    from pyspark.ml.feature import BucketedRandomProjectionLSH
    from pyspark.sql import functions as F

    if not np.isfinite(bucket_length) or bucket_length <= 0:
        raise ValueError(f"bucket_length must be a positive number, got {bucket_length}.")
    factors = _item_vectors(model)
    lsh = BucketedRandomProjectionLSH(
        inputCol="v",
        outputCol="hashes",
        bucketLength=float(bucket_length),
        numHashTables=check_positive_int(hash_tables, "hash_tables"),
        seed=seed,
    ).fit(factors)
    pairs = lsh.approxSimilarityJoin(factors, factors, threshold=float("inf"), distCol="distance")
    return pairs.select(
        F.col("datasetA.item").alias("item"),
        F.col("datasetB.item").alias("neighbour"),
        "distance",
    ).where(F.col("item") != F.col("neighbour"))


def item_neighbours(
    model: ALSModel,
    n: int = 5,
    bucket_length: float = 1.0,
    hash_tables: int = 3,
    seed: int = 0,
) -> DataFrame:
    """Approximate nearest items by Euclidean distance of ALS item factors (LSH).

    ``BucketedRandomProjectionLSH`` hashes each item's factors ``hash_tables`` times
    (random projections cut into buckets of width ``bucket_length``); only items that
    share a bucket in some table are compared. Returns ``item, neighbour, distance``
    with up to ``n`` neighbours per item — "more like this" without an items × items
    matrix. :func:`lsh_recall` measures what the settings miss.
    """
    n = check_positive_int(n, "n")
    return _nearest(_lsh_pairs(model, bucket_length, hash_tables, seed), n)


def _nearest(pairs: DataFrame, n: int) -> DataFrame:
    """Each item's ``n`` nearest among ``pairs`` (``item, neighbour, distance``)."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    w = Window.partitionBy("item").orderBy("distance", "neighbour")
    return pairs.withColumn("r", F.row_number().over(w)).where(F.col("r") <= n).drop("r")


def exact_item_neighbours(model: ALSModel, n: int = 5) -> pd.DataFrame:
    """The exact ``n`` nearest items of every item (Euclidean, ALS factors), in pandas.

    Every pair is compared, on the driver: for checking LSH on a catalogue that fits in
    memory. Ties by item id. Columns ``item, neighbour, distance``.
    """
    n = check_positive_int(n, "n")
    from scipy.spatial.distance import cdist

    factors = model.itemFactors.toPandas().sort_values("id")
    items, vectors = factors["id"].to_numpy(), np.vstack(factors["features"].to_numpy())
    dist = cdist(vectors.astype(float), vectors.astype(float))  # from differences, as Spark
    np.fill_diagonal(dist, np.inf)
    order = np.argsort(dist, axis=1, kind="stable")[:, :n]
    return pd.DataFrame(
        {
            "item": np.repeat(items, order.shape[1]),
            "neighbour": items[order].ravel(),
            "distance": np.take_along_axis(dist, order, axis=1).ravel(),
        }
    )


def neighbour_recall(found: pd.DataFrame, exact: pd.DataFrame) -> float:
    """The share of the true neighbour pairs that an approximate search found.

    Both frames have columns ``item, neighbour`` (one row per pair); ``exact`` holds
    every item's true nearest neighbours, ``found`` what the approximate search
    returned. 1.0 when ``exact`` is empty (nothing to find).

    >>> exact = pd.DataFrame({"item": [1, 1, 2, 2], "neighbour": [2, 3, 1, 3]})
    >>> neighbour_recall(pd.DataFrame({"item": [1, 2], "neighbour": [3, 4]}), exact)
    0.25
    """
    if len(exact) == 0:
        return 1.0
    truth = set(zip(exact["item"], exact["neighbour"], strict=True))
    hits = len(truth & set(zip(found["item"], found["neighbour"], strict=True)))
    return hits / len(truth)


def lsh_recall(
    model: ALSModel,
    n: int = 5,
    bucket_lengths: Iterable[float] = (0.5, 1.0, 2.0),
    hash_tables: Iterable[int] = (1, 3),
    seed: int = 0,
) -> pd.DataFrame:
    """How well LSH settings find the exact nearest items, and what they cost.

    For each pair of settings: ``recall`` — the share of every item's ``n`` true nearest
    neighbours (:func:`exact_item_neighbours`) that :func:`item_neighbours` returns —
    and ``pairs_compared``, the ordered pairs of distinct items LSH put in a common
    bucket, also as a share of all :math:`m(m-1)` pairs. Wider buckets and more tables
    find more and compare more.
    """
    from pyspark.sql import functions as F

    exact = exact_item_neighbours(model, n)
    m = exact["item"].nunique()
    rows = []
    for length in bucket_lengths:
        for tables in hash_tables:
            pairs = _lsh_pairs(model, length, tables, seed).cache()
            compared = pairs.select(F.count("*")).first()[0]  # type: ignore[index]
            found = _nearest(pairs, n).toPandas()
            pairs.unpersist()
            rows.append(
                {
                    "bucket_length": length,
                    "hash_tables": tables,
                    "recall": neighbour_recall(found, exact),
                    "pairs_compared": compared,
                    "share_of_pairs": compared / (m * (m - 1)),
                }
            )
    return pd.DataFrame(rows)


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
