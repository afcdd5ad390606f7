import numpy as np
import pandas as pd
import pytest

from recsys_lab import datasets
from recsys_lab.distances import corated_distance


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
