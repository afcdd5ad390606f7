import importlib.util

import numpy as np
import pandas as pd
import pytest

from recsys_lab import data as datasets
from recsys_lab.teaching.distances import corated_distance


def test_sales_shape_and_article_cells(sales):
    assert list(sales.columns) == ["Google", "Capgemini", "ExxonMobil", "Staples"]
    assert len(sales) == 6 and {"Alyssa", "Brandon", "Mike"} <= set(sales.index)
    alyssa = sales.loc["Alyssa"]
    assert alyssa[["Google", "Capgemini", "ExxonMobil"]].tolist() == [500_000, 400_000, 400_000]
    assert np.isnan(alyssa["Staples"])
    brandon = sales.loc["Brandon"]
    assert brandon[["Google", "ExxonMobil", "Staples"]].tolist() == [500_000, 200_000, 300_000]
    assert np.isnan(brandon["Capgemini"])  # they share only Google and ExxonMobil
    assert sales.loc["Mike", "Staples"] == 500_000


def test_every_sentence_of_the_article_holds(sales):
    a = sales.loc["Alyssa"]
    dist = {name: corated_distance(a, sales.loc[name]) for name in sales.index if name != "Alyssa"}
    assert dist["Brandon"] == 200_000 and dist["Mike"] == 0
    others = {n: d for n, d in dist.items() if n not in ("Brandon", "Mike")}
    assert len(others) == 3 and all(d > 200_000 for d in others.values())
    shared = {n: int((a.notna() & sales.loc[n].notna()).sum()) for n in others}
    assert all(v >= 1 for v in shared.values())


def test_provenance_marks_the_article_cells():
    prov = datasets.load_sales_provenance()
    sales = datasets.load_sales()
    assert prov.shape == sales.shape and (prov.index == sales.index).all()
    assert set(prov.stack().unique()) <= {"article", "constrained", "reconstructed"}
    assert (prov.loc[["Alyssa", "Brandon"]] == "article").all().all()
    assert prov.loc["Mike", "Staples"] == "article"
    # Google and Capgemini are forced by Mike's distance 0; ExxonMobil is never mentioned
    assert prov.loc["Mike"].tolist() == ["constrained", "constrained", "reconstructed", "article"]


def test_offers_pattern():
    log = datasets.load_offers()
    assert list(log.columns) == ["offer", "feature_1", "feature_2", "response", "red_box"]
    o1 = log[log["offer"] == "offer_1"]
    same = o1["feature_1"] == o1["feature_2"]
    assert o1.loc[same, "response"].mean() > 0.5 > o1.loc[~same, "response"].mean()
    o2 = log[log["offer"] == "offer_2"]
    hit = (o2["feature_1"] == 0) & (o2["feature_2"] == 1)
    assert o2.loc[hit, "response"].mean() > 0.5 > o2.loc[~hit, "response"].mean()
    red = log[log["red_box"]]
    assert red[["offer", "feature_1", "feature_2", "response"]].values.tolist() == [
        ["offer_1", 0, 1, 0]
    ]


@pytest.fixture(scope="module")
def shop():
    return datasets.make_marketing()


def test_shipped_shop_is_the_default_generation(shop):
    shipped = datasets.load_marketing()
    assert shipped.params == shop.params
    for name in datasets.MarketingData.TABLES:
        pd.testing.assert_frame_equal(getattr(shipped, name), getattr(shop, name), check_exact=True)


def test_same_seed_same_shop_other_seed_other_shop():
    a = datasets.make_marketing(n_users=80, n_items=50, seed=3)
    b = datasets.make_marketing(n_users=80, n_items=50, seed=3)
    c = datasets.make_marketing(n_users=80, n_items=50, seed=4)
    pd.testing.assert_frame_equal(a.ratings, b.ratings)
    assert not a.ratings.equals(c.ratings)


def test_shop_invariants(shop):
    r, users, items = shop.ratings, shop.users, shop.items
    assert not r.duplicated(["user", "item"]).any()
    assert r["rating"].between(1, 5).all() and set(r["rating"].unique()) <= {1, 2, 3, 4, 5}
    assert set(r["user"]) <= set(users["user"]) and set(r["item"]) <= set(items["item"])
    signup = r.merge(users, on="user")["signup"]
    assert (r["timestamp"].to_numpy() >= signup.to_numpy()).all()
    assert set(shop.impressions["clicked"].unique()) <= {0, 1}
    assert shop.user_factors.shape == (len(users), 2 + shop.params["n_factors"])


def test_long_tail_and_cold_start(shop):
    counts = shop.ratings["item"].value_counts()
    top_fifth = counts.head(len(counts) // 5).sum() / counts.sum()
    assert top_fifth > 0.5  # a fifth of the items gets most of the ratings
    per_user = shop.ratings.groupby("user").size()
    assert (per_user < 5).sum() >= 30  # enough newcomers to study cold start


def test_exposure_and_ratings_follow_the_true_taste(shop):
    f = [c for c in shop.user_factors.columns if c.startswith("f")]
    P = shop.user_factors.set_index("user")[f]
    Q = shop.item_factors.set_index("item")[f]
    affinity = P.to_numpy() @ Q.to_numpy().T
    r = shop.ratings
    rated = affinity[r["user"] - 1, r["item"] - 1]
    assert rated.mean() > affinity.mean() + 0.1  # not missing at random
    assert np.corrcoef(rated, r["rating"])[0, 1] > 0.5


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_users": 1}, "n_users must be >= 2"),
        ({"n_factors": 0}, "n_factors must be >= 1"),
        ({"mean_ratings": 0.5}, "mean_ratings must be between 1"),
    ],
)
def test_bad_shop_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        datasets.make_marketing(**kwargs)


def test_save_and_load_roundtrip(tmp_path):
    shop = datasets.make_marketing(n_users=30, n_items=20, mean_ratings=5, seed=1)
    datasets.save_marketing(shop, tmp_path / "shop")
    back = datasets.load_marketing(tmp_path / "shop")
    for name in datasets.MarketingData.TABLES:
        pd.testing.assert_frame_equal(getattr(back, name), getattr(shop, name), check_exact=True)
    with pytest.raises(FileNotFoundError, match="save_marketing"):
        datasets.load_marketing(tmp_path / "nothing-here")


# ------------------------------------------------------------------ load_interactions

ORDERS = pd.DataFrame(
    {
        "customer": ["ann", "bob", "ann", "cy"],
        "sku": ["007", "007", "012", "012"],
        "stars": [4, 5, 2, 3],
        "ordered_at": [
            "2024-03-01 10:00:00+01:00",
            "2024-03-02 08:30:00+00:00",
            "2024-03-02 09:00:00+00:00",
            "2024-03-03 12:00:00-05:00",
        ],
        "channel": ["web", "app", "web", "web"],
    }
)


def test_load_interactions_from_a_frame_renames_and_converts():
    before = ORDERS.copy(deep=True)
    out = datasets.load_interactions(ORDERS, "customer", "sku", "stars", "ordered_at")
    pd.testing.assert_frame_equal(ORDERS, before)  # never mutated
    assert list(out.columns) == ["user", "item", "rating", "timestamp"]
    assert out["item"].tolist() == ["007", "007", "012", "012"]  # ids as they are
    assert out["rating"].dtype == "float64" and out["rating"].tolist() == [4.0, 5.0, 2.0, 3.0]
    # offsets converted to UTC, then stored without zone as MovieLens's timestamps are
    assert pd.api.types.is_datetime64_dtype(out["timestamp"])
    assert (
        out["timestamp"].tolist()
        == pd.to_datetime(
            ["2024-03-01 09:00", "2024-03-02 08:30", "2024-03-02 09:00", "2024-03-03 17:00"]
        ).tolist()
    )
    assert list(datasets.load_interactions(ORDERS, "customer", "sku").columns) == ["user", "item"]


def test_load_interactions_reads_csv_tsv_and_compressed_csv(tmp_path):
    expected = datasets.load_interactions(ORDERS, "customer", "sku", "stars", "ordered_at")
    ORDERS.to_csv(tmp_path / "orders.csv", index=False)
    ORDERS.to_csv(tmp_path / "orders.tsv", index=False, sep="\t")
    ORDERS.to_csv(tmp_path / "orders.csv.gz", index=False)
    ORDERS.to_csv(tmp_path / "semicolons.csv", index=False, sep=";")
    for name, kwargs in [
        ("orders.csv", {}),
        ("orders.tsv", {}),
        ("orders.csv.gz", {}),
        ("semicolons.csv", {"sep": ";"}),
    ]:
        out = datasets.load_interactions(
            tmp_path / name, "customer", "sku", "stars", "ordered_at", dtype={"sku": str}, **kwargs
        )
        pd.testing.assert_frame_equal(out, expected, check_dtype=False)
    with pytest.raises(ValueError, match=r"orders.xlsx: load_interactions reads .csv"):
        datasets.load_interactions(tmp_path / "orders.xlsx", "customer", "sku")
    with pytest.raises(FileNotFoundError, match="nothing.csv does not exist"):
        datasets.load_interactions(tmp_path / "nothing.csv", "customer", "sku")
    with pytest.raises(TypeError, match="reading options apply to files"):
        datasets.load_interactions(ORDERS, "customer", "sku", sep=";")
    with pytest.raises(TypeError, match="got list"):
        datasets.load_interactions([1, 2], "customer", "sku")


def has_parquet_engine():
    return any(importlib.util.find_spec(m) for m in ("pyarrow", "fastparquet"))


@pytest.mark.skipif(has_parquet_engine(), reason="a Parquet engine is installed")
def test_parquet_without_pyarrow_says_what_to_install(tmp_path):
    path = tmp_path / "orders.parquet"
    path.write_bytes(b"PAR1")
    with pytest.raises(ImportError, match=r"orders.parquet needs pyarrow: pip install pyarrow"):
        datasets.load_interactions(path, "customer", "sku")


@pytest.mark.skipif(not has_parquet_engine(), reason="no Parquet engine (pip install pyarrow)")
def test_parquet_roundtrip(tmp_path):
    ORDERS.to_parquet(tmp_path / "orders.parquet")
    out = datasets.load_interactions(tmp_path / "orders.parquet", "customer", "sku", "stars")
    assert out["rating"].tolist() == [4.0, 5.0, 2.0, 3.0]


def test_numeric_timestamps_take_a_unit():
    events = pd.DataFrame({"u": [1, 2], "i": [1, 1], "t": [881250949, 891717742]})
    out = datasets.load_interactions(events, "u", "i", timestamp="t")
    assert out["timestamp"].tolist() == [
        pd.Timestamp("1997-12-04 15:55:49"),
        pd.Timestamp("1998-04-04 19:22:22"),
    ]
    in_ms = events.assign(t=events["t"] * 1000)
    out_ms = datasets.load_interactions(in_ms, "u", "i", timestamp="t", timestamp_unit="ms")
    assert out_ms["timestamp"].tolist() == out["timestamp"].tolist()
    with pytest.raises(ValueError, match="out of range as 's'.*timestamp_unit"):
        datasets.load_interactions(events.assign(t=events["t"] * 10**9), "u", "i", timestamp="t")
    with pytest.raises(ValueError, match="Unknown timestamp_unit 'days'"):
        datasets.load_interactions(events, "u", "i", timestamp="t", timestamp_unit="days")


def test_timestamp_strings_in_a_given_format():
    events = pd.DataFrame({"u": [1, 2], "i": [1, 1], "t": ["05/01/2024 10:00", "31/12/2024 23:59"]})
    out = datasets.load_interactions(
        events, "u", "i", timestamp="t", timestamp_format="%d/%m/%Y %H:%M"
    )
    assert (
        out["timestamp"].tolist()
        == pd.to_datetime(["2024-01-05 10:00", "2024-12-31 23:59"]).tolist()
    )


def test_an_unparsable_timestamp_is_named():
    events = ORDERS.assign(ordered_at=["2024-03-01", "2024-03-02", "yesterday", "2024-13-45"])
    with pytest.raises(ValueError, match=r"'ordered_at' holds 'yesterday' \(row 2\), which is not"):
        datasets.load_interactions(events, "customer", "sku", timestamp="ordered_at")


def test_a_non_numeric_rating_is_named():
    events = ORDERS.assign(stars=["4", "5", "five", "3"])
    with pytest.raises(TypeError, match=r"'stars' must hold numbers, but holds 'five' \(row 2\)"):
        datasets.load_interactions(events, "customer", "sku", rating="stars")
    numeric_text = ORDERS.assign(stars=["4", "5", "2.5", "3"])
    out = datasets.load_interactions(numeric_text, "customer", "sku", rating="stars")
    assert out["rating"].tolist() == [4.0, 5.0, 2.5, 3.0]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (
            {"user": "customer_id", "item": "sku", "rating": "score"},
            ValueError,
            r"no column for user='customer_id', rating='score'; its columns are 'customer'",
        ),
        ({"user": "sku", "item": "sku"}, ValueError, "One column cannot play two roles"),
        ({"user": "customer", "item": "sku", "duplicates": "mean"}, ValueError, "Unknown dup"),
    ],
)
def test_load_interactions_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        datasets.load_interactions(ORDERS, **kwargs)


def test_missing_ids_and_values_and_no_rows():
    with pytest.raises(ValueError, match=r"1 row\(s\) have no item \(column 'sku'\), the first at"):
        datasets.load_interactions(ORDERS.assign(sku=["1", None, "2", "3"]), "customer", "sku")
    with pytest.raises(ValueError, match=r"have no rating \(column 'stars'\)"):
        datasets.load_interactions(
            ORDERS.assign(stars=[1, np.nan, 2, 3]), "customer", "sku", rating="stars"
        )
    with pytest.raises(ValueError, match="has no rows"):
        datasets.load_interactions(ORDERS.iloc[:0], "customer", "sku")


REPEATS = pd.DataFrame(
    {
        "customer": ["ann", "ann", "bob", "ann"],
        "sku": ["a", "b", "a", "a"],
        "qty": [1, 2, 5, 3],
        "at": pd.to_datetime(["2024-01-03", "2024-01-01", "2024-01-02", "2024-01-02"]),
    }
)


def test_repeated_pairs_are_an_error_by_default():
    with pytest.raises(
        ValueError,
        match=r"1 \(user, item\) pair\(s\) occur more than once, e.g. user 'ann' and item 'a' "
        r"\(2 rows.*duplicates='sum'.*duplicates='last'",
    ):
        datasets.load_interactions(REPEATS, "customer", "sku", "qty", "at")


def test_repeated_pairs_summed_or_last():
    total = datasets.load_interactions(REPEATS, "customer", "sku", "qty", "at", duplicates="sum")
    assert total.values.tolist() == [
        ["ann", "a", 4.0, pd.Timestamp("2024-01-03")],  # 1 + 3, the latest time
        ["ann", "b", 2.0, pd.Timestamp("2024-01-01")],
        ["bob", "a", 5.0, pd.Timestamp("2024-01-02")],
    ]
    last = datasets.load_interactions(REPEATS, "customer", "sku", "qty", "at", duplicates="last")
    assert last.values.tolist() == [
        ["ann", "a", 1.0, pd.Timestamp("2024-01-03")],  # the latest event, not the last row
        ["ann", "b", 2.0, pd.Timestamp("2024-01-01")],
        ["bob", "a", 5.0, pd.Timestamp("2024-01-02")],
    ]
    by_row = datasets.load_interactions(REPEATS, "customer", "sku", "qty", duplicates="last")
    assert by_row["rating"].tolist() == [2.0, 5.0, 3.0]  # no time: the last row wins
    ids = datasets.load_interactions(REPEATS, "customer", "sku", duplicates="sum")
    assert ids.values.tolist() == [["ann", "a"], ["ann", "b"], ["bob", "a"]]
    assert list(ids.index) == [0, 1, 2]


def test_the_readme_pipeline_runs_on_your_own_csv(tmp_path, monkeypatch, capsys):
    from recsys_lab.evaluation import metrics, model_selection
    from recsys_lab.teaching import neighbors

    shop = datasets.make_marketing(n_users=60, n_items=40, mean_ratings=12, seed=5).ratings
    names = {"user": "customer_id", "item": "sku", "rating": "stars", "timestamp": "ordered_at"}
    shop.rename(columns=names).to_csv(tmp_path / "orders.csv", index=False)
    monkeypatch.chdir(tmp_path)
    # the three lines of the README's "Bring your own data", verbatim
    events = datasets.load_interactions(
        "orders.csv", user="customer_id", item="sku", rating="stars", timestamp="ordered_at"
    )
    train, test = model_selection.split_by_time(events, test_fraction=0.2)
    print(
        metrics.evaluate(
            neighbors.KNNRecommender(k=40).fit(train).recommend(n=10), test, train=train
        ).table()
    )
    pd.testing.assert_frame_equal(events, shop, check_dtype=False)
    assert len(test) > 0 and "precision@10" in capsys.readouterr().out
