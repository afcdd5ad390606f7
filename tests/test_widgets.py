import pandas as pd

from recsys_lab.widgets import prediction_explorer


def controls(box):
    left, right = box.children[0].children
    user, item, k = left.children
    metric, weighting = right.children
    return user, item, k, metric, weighting, box.children[1]


def test_explorer_follows_the_article(sales):
    box = prediction_explorer(sales, "Alyssa", "Staples")
    _, _, k, metric, weighting, result = controls(box)
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


def test_explorer_shows_actual_and_errors(sales):
    box = prediction_explorer(sales, "Mike", "Staples")
    *_, result = controls(box)
    assert "(actual: $500,000)" in result.value
    lonely = pd.DataFrame({"a": [1.0, None], "b": [None, 2.0]}, index=["u", "v"])
    box = prediction_explorer(lonely, "u", "b", k=1)
    assert "nobody to vote" in box.children[1].value
