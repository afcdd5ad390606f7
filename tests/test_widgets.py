import pandas as pd

from recsys_lab.teaching.widgets import prediction_explorer


def controls(box):
    left, right = box.children[0].children
    user, item, k = left.children
    metric, p, weighting = right.children
    return user, item, k, metric, p, weighting, box.children[1]


def test_explorer_follows_the_article(sales):
    box = prediction_explorer(sales, "Alyssa", "Staples")
    _, _, k, metric, p, weighting, result = controls(box)
    assert p.disabled
    assert "rl-prediction" in result._dom_classes
    assert "Alyssa × Staples: $400,000" in result.value
    weighting.value = "rank"
    assert "$433,333" in result.value
    k.value = 1
    assert "$500,000" in result.value  # Mike alone
    metric.value = "chebyshev"
    k.value = 2
    weighting.value = "equal"
    assert "$350,000" in result.value  # supremum norm: Mike and Chloe vote
    assert "Chloe" in box.children[2].value
    metric.value = "minkowski"
    assert not p.disabled
    p.value = 1.0  # Minkowski with p = 1 is the article's sum of absolute differences
    assert "$400,000" in result.value


def test_explorer_shows_actual_and_errors(sales):
    box = prediction_explorer(sales, "Mike", "Staples")
    *_, result = controls(box)
    assert "(actual: $500,000)" in result.value
    lonely = pd.DataFrame({"a": [1.0, None], "b": [None, 2.0]}, index=["u", "v"])
    box = prediction_explorer(lonely, "u", "b", k=1)
    assert "nobody to vote" in box.children[1].value


def test_recommendation_explorer_refits():
    from recsys_lab.data import load_marketing
    from recsys_lab.teaching.neighbors import KNNRecommender
    from recsys_lab.teaching.widgets import recommendation_explorer

    ratings = load_marketing().ratings
    box = recommendation_explorer(ratings, user=1, k=20)
    (k, weighting, _), result, table = box.children[0].children, *box.children[1:]
    expected = KNNRecommender(k=20).fit(ratings).recommend(users=[1], n=1).iloc[0]
    assert f"item {expected['item']} (score {expected['score']:.2f})" in result.value
    assert "Recommended because" in table.value
    k.value = 1
    weighting.value = "equal"
    one = KNNRecommender(k=1, weighting="equal").fit(ratings).recommend(users=[1], n=1).iloc[0]
    assert f"item {one['item']} (score {one['score']:.2f})" in result.value
