import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recsys_lab.models.similarities import similarity, similarity_matrix
from recsys_lab.teaching.distances import corated_distance, pairwise_distances

NAN = float("nan")


def test_hand_computed_values():
    a, b = [5, 3, 1, NAN], [4, 3, 1, 2]
    assert similarity(a, b, "msd") == pytest.approx(1 / (1 / 3 + 1))
    assert similarity(a, b, "cosine") == pytest.approx(30 / (np.sqrt(35) * np.sqrt(26)))
    # centred on the co-rated means 3 and 8/3: (2, 0, -2) and (4/3, 1/3, -5/3)
    num = 2 * 4 / 3 + 0 + 2 * 5 / 3
    den = np.sqrt(8) * np.sqrt(16 / 9 + 1 / 9 + 25 / 9)
    assert similarity(a, b, "pearson") == pytest.approx(num / den)


def test_support_shrinkage_and_degenerate_cases():
    a, b = [5, 3, NAN], [4, 3, 1]
    assert similarity(a, b, "msd", min_support=3) == 0.0
    assert similarity(a, b, "msd", shrinkage=2) == pytest.approx(2 / 4 * 1 / 1.5)
    assert similarity([1, NAN], [NAN, 2], "cosine") == 0.0  # nothing shared
    assert similarity([3, 3], [1, 5], "pearson") == 0.0  # zero variance
    with pytest.raises(ValueError, match="Unknown similarity 'jaccard'"):
        similarity(a, b, "jaccard")
    with pytest.raises(ValueError, match="shrinkage must be"):
        similarity(a, b, shrinkage=-1)


def test_matrix_matches_pairwise(sales):
    R = sales / 100_000
    for metric in ("msd", "cosine", "pearson"):
        S = similarity_matrix(R, metric)
        for u in R.index:
            for v in R.index:
                if u != v:
                    assert S.loc[u, v] == pytest.approx(similarity(R.loc[u], R.loc[v], metric))
    items = similarity_matrix(R, "cosine", user_based=False)
    assert list(items.index) == list(R.columns)
    assert items.loc["Google", "Staples"] == pytest.approx(
        similarity(R["Google"], R["Staples"], "cosine")
    )


def test_pairwise_distances_match_corated(sales):
    for metric in ("sum_abs", "mean_abs", "chebyshev"):
        D = pairwise_distances(sales, metric, block=4)
        for u in sales.index:
            for v in sales.index:
                expected = 0.0 if u == v else corated_distance(sales.loc[u], sales.loc[v], metric)
                assert D.loc[u, v] == pytest.approx(expected, nan_ok=True)
    D = pairwise_distances(sales, "minkowski", p=3, user_based=False)
    assert D.shape == (4, 4) and (np.diag(D) == 0).all()


matrices = st.integers(2, 6).flatmap(
    lambda n: st.lists(
        st.lists(st.one_of(st.none(), st.integers(1, 5)), min_size=4, max_size=4),
        min_size=n,
        max_size=n,
    )
)


@settings(max_examples=50, deadline=None)
@given(matrices)
def test_similarity_matrix_properties(rows):
    R = pd.DataFrame([[NAN if v is None else float(v) for v in r] for r in rows])
    for metric in ("msd", "cosine", "pearson"):
        S = similarity_matrix(R, metric).to_numpy()
        assert np.allclose(S, S.T) and (np.diag(S) == 1).all()
        assert (S <= 1 + 1e-12).all() and (S >= -1 - 1e-12).all()
        if metric != "pearson":
            assert (S >= 0).all()
