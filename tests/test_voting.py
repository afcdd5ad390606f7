import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from recsys_lab.teaching import voting


def test_article_votes():
    values = [500_000, 300_000]  # Mike, Brandon
    assert voting.weighted_vote(values, voting.equal([0, 200_000])) == 400_000
    assert voting.weighted_vote(values, voting.inverse_rank([0, 200_000])) == pytest.approx(
        1 / 1.5 * (500_000 + 0.5 * 300_000)
    )


def test_hand_computed_weights():
    assert voting.inverse_rank([0, 0, 0, 0]).tolist() == [1, 1 / 2, 1 / 3, 1 / 4]
    assert voting.inverse_distance([0, 1, 3], eps=1).tolist() == [1, 0.5, 0.25]
    assert voting.gaussian([0, 2], bandwidth=2).tolist() == pytest.approx([1, np.exp(-0.5)])
    w = voting.softmax([0, np.log(2)], temperature=1)
    assert w.tolist() == pytest.approx([2 / 3, 1 / 3])
    assert voting.similarity([0.5, -1]).tolist() == [0.5, 0]


def test_softmax_temperature_limits():
    d = [0.0, 1.0, 2.0]
    assert voting.softmax(d, temperature=1e-3)[0] == pytest.approx(1)
    assert voting.softmax(d, temperature=1e6) == pytest.approx(np.full(3, 1 / 3), rel=1e-4)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: voting.weights([1.0], "nearest-wins"), "Unknown weighting 'nearest-wins'"),
        (lambda: voting.inverse_distance([1.0], eps=0), "eps must be > 0"),
        (lambda: voting.gaussian([1.0], bandwidth=-1), "bandwidth must be > 0"),
        (lambda: voting.softmax([1.0], temperature=0), "temperature must be > 0"),
        (lambda: voting.equal([-1.0]), "must be known"),
        (lambda: voting.weighted_vote([], []), "nothing to vote with"),
        (lambda: voting.weighted_vote([1.0], [0.0]), "nothing to vote with"),
        (lambda: voting.weighted_vote([1.0, 2.0], [1.0]), "equal length"),
        (lambda: voting.weighted_vote([np.nan], [1.0]), "must be known"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


distances = st.lists(st.floats(0, 1e6), min_size=1, max_size=10).map(sorted)


@given(distances, st.sampled_from(sorted(voting.WEIGHTINGS)))
def test_vote_is_within_the_neighbours_values(d, name):
    w = voting.weights(d, name)
    assert (w >= 0).all() and w.shape == (len(d),)
    values = np.linspace(1, 2, len(d))
    if w.sum() > 0:
        assert 1 - 1e-9 <= voting.weighted_vote(values, w) <= 2 + 1e-9


@given(distances)
def test_nearer_never_weighs_less(d):
    for name in ("rank", "inverse_distance", "gaussian", "softmax"):
        w = voting.weights(d, name)
        assert (np.diff(w) <= 1e-12).all()


@given(distances)
def test_by_position_weightings_ignore_the_distances(d):
    for name in voting.BY_POSITION:
        assert voting.weights(d, name).tolist() == voting.weights(np.zeros(len(d)), name).tolist()
