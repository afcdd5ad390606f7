import numpy as np
import pandas as pd
import pytest

from recsys_lab.data import make_marketing
from recsys_lab.models import KNNRecommender, PopularityRecommender
from recsys_lab.models.knn_means import KNNWithMeans
from recsys_lab.teaching import explanations


@pytest.fixture(scope="module")
def ratings():
    return make_marketing(n_users=50, n_items=30, mean_ratings=8, seed=3).ratings


def _shared_by_hand(ratings, a, b, by):
    """How many of ``by`` (items for two users, users for two items) both have."""
    other = "item" if by == "user" else "user"
    first = set(ratings.loc[ratings[by] == a, other])
    return len(first & set(ratings.loc[ratings[by] == b, other]))


def test_titles_keep_the_year_and_move_the_article():
    items = pd.DataFrame(
        {
            "item": [1, 2, 3, 4],
            "title": ["City of Lost Children, The", "Man Who Knew Too Much, The", "Alien", "x"],
            "year": pd.array([1995, 1956, 1979, None], dtype="Int64"),
        }
    )
    names = explanations.titles(items)
    assert names.tolist() == [
        "The City of Lost Children (1995)",
        "The Man Who Knew Too Much (1956)",
        "Alien (1979)",
        "x",
    ]
    assert names.index.tolist() == [1, 2, 3, 4]
    with pytest.raises(ValueError, match="missing \\['year'\\]"):
        explanations.titles(items.drop(columns="year"))


@pytest.mark.parametrize("user_based", [True, False])
def test_shared_counts_by_brute_force(ratings, user_based):
    model = KNNRecommender(user_based=user_based).fit(ratings)
    counts = explanations.shared_counts(model)
    labels, by = (model.users_, "user") if user_based else (model.items_, "item")
    assert counts.shape == (len(labels), len(labels)) and (counts == counts.T).all()
    rng = np.random.default_rng(0)
    for a, b in rng.integers(0, len(labels), size=(25, 2)):
        assert counts[a, b] == _shared_by_hand(ratings, labels[a], labels[b], by)
    # with MSD, pairs with no shared rating have similarity 0
    assert (model.sim_[counts == 0] == 0).all()


@pytest.mark.parametrize("user_based", [True, False])
def test_neighbours_add_the_evidence(ratings, user_based):
    model = KNNRecommender(k=5, user_based=user_based).fit(ratings)
    user = ratings["user"].iloc[0]
    seen = set(ratings.loc[ratings["user"] == user, "item"])
    item = next(i for i in ratings["item"].unique() if i not in seen)
    labels = {i: f"film {i}" for i in ratings["item"].unique()}
    table = explanations.neighbours(model, user, item, labels)
    pd.testing.assert_frame_equal(
        table.drop(columns=["shared", "name"], errors="ignore"), model.explain(user, item)
    )
    by, target = ("user", user) if user_based else ("item", item)
    for neighbour, shared in zip(table["neighbour"], table["shared"], strict=True):
        assert shared == _shared_by_hand(ratings, target, neighbour, by)
    assert ("name" in table.columns) == (not user_based)
    if not user_based:
        assert table["name"].tolist() == [f"film {i}" for i in table["neighbour"]]


def _toy():
    return pd.DataFrame(
        {
            "user": [1, 1, 2, 2, 3, 3, 4, 4, 5],
            "item": ["a", "b", "a", "b", "a", "b", "a", "c", "a"],
            "rating": [5.0, 3.0, 4.0, 1.0, 5.0, 2.0, 3.0, 4.0, 5.0],
        }
    )


def test_because_user_based_cites_evidence_and_the_number_of_voters():
    model = KNNRecommender(k=3).fit(_toy())
    # user 5 rated only "a": everyone who rated "b" shares one film with them
    text = explanations.because(model, 5, "b", n=2, noun="film")
    assert text.startswith("Recommended because users with similar taste rated it: user 1 gave 3")
    assert "(similarity 1.00, 1 shared film)" in text
    assert text.endswith("the top 2 of 3 voters.")
    assert explanations.because(model, 5, "b", n=3).endswith("all 3 voters.")
    assert "shared items" not in explanations.because(model, 1, "c", noun="item")


def test_because_item_based_names_the_films_you_rated():
    model = KNNRecommender(user_based=False).fit(_toy())
    text = explanations.because(model, 4, "b", {"a": "Alien (1979)", "c": "Cars (2006)"})
    assert text.startswith("Recommended because you rated Alien (1979) 3 (similarity")
    assert "3 shared raters" in text and text.endswith("the only voter.")  # users 1, 2, 3


def test_because_without_voters_and_with_a_mean_centred_model():
    lonely = pd.DataFrame({"user": [1, 2], "item": ["a", "b"], "rating": [4.0, 2.0]})
    assert explanations.because(KNNRecommender().fit(lonely), 1, "b").startswith(
        "No neighbour voted"
    )
    text = explanations.because(KNNWithMeans(k=3).fit(_toy()), 5, "b", n=1)
    assert "user 1 gave 3 " in text  # the raw rating, not the deviation


def test_explanations_reject_other_models():
    with pytest.raises(TypeError, match="fitted KNNRecommender"):
        explanations.because(PopularityRecommender().fit(_toy()), 5, "b")
    with pytest.raises(RuntimeError, match="not fitted"):
        explanations.shared_counts(KNNRecommender())
    with pytest.raises(ValueError, match="n must be >= 1"):
        explanations.because(KNNRecommender().fit(_toy()), 5, "b", n=0)
