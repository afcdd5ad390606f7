import math
from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest

from recsys_lab import abtest, datasets, offers
from recsys_lab.exercises.personalized_offers import toy_accuracy

Z = NormalDist().inv_cdf(0.975)


def test_wilson_textbook_case():
    # Wilson (1927) interval, written out: n = 100, p = 0.1
    n, p = 100, 0.1
    centre = (p + Z**2 / (2 * n)) / (1 + Z**2 / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z**2 / (4 * n**2)) / (1 + Z**2 / n)
    assert abtest.wilson_interval(10, 100) == pytest.approx((centre - half, centre + half))
    low, high = abtest.wilson_interval(0, 20)
    assert low == pytest.approx(0.0, abs=1e-12) and 0 < high < 0.2  # stays inside [0, 1]


def test_two_proportion_and_lift_by_hand():
    pa, pb, n = 0.10, 0.13, 1000
    pooled = (pa + pb) / 2
    z = (pb - pa) / math.sqrt(pooled * (1 - pooled) * 2 / n)
    got_z, got_p = abtest.two_proportion_test(100, n, 130, n)
    assert got_z == pytest.approx(z) and got_p == pytest.approx(2 * (1 - NormalDist().cdf(z)))
    lift, low, high = abtest.relative_lift(100, n, 130, n)
    se = math.sqrt(1 / 100 - 1 / n + 1 / 130 - 1 / n)
    assert lift == pytest.approx(0.3)
    assert low == pytest.approx(1.3 * math.exp(-Z * se) - 1)
    assert high == pytest.approx(1.3 * math.exp(Z * se) - 1)


def test_sample_size_closed_form_and_power():
    p1, p2 = 0.05, 0.055
    mean = (p1 + p2) / 2
    zb = NormalDist().inv_cdf(0.8)
    n = (Z * math.sqrt(2 * mean * (1 - mean)) + zb * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))) ** 2
    assert abtest.sample_size(0.05, 0.10) == math.ceil(n / (p2 - p1) ** 2)
    # a simulated test of that size detects the lift about 80 % of the time
    size = abtest.sample_size(0.2, 0.2)
    rng = np.random.default_rng(0)
    hits = 0
    for _ in range(300):
        a = rng.binomial(size, 0.2)
        b = rng.binomial(size, 0.24)
        hits += abtest.two_proportion_test(a, size, b, size)[1] < 0.05
    assert 0.72 < hits / 300 < 0.88


def test_peeking_inflates_false_positives():
    out = abtest.peeking_simulation(0.1, 1000, looks=20, n_experiments=600, random_state=1)
    assert out["fixed_horizon"] < 0.09 and out["peeking"] > 0.15


def test_bootstrap_and_summaries():
    lo, hi = abtest.bootstrap_interval(np.r_[np.zeros(90), np.full(10, 50.0)], random_state=0)
    assert lo < 5 < hi
    log = pd.DataFrame({"group": list("AABB"), "clicked": [0, 1, 1, 1]})
    table = abtest.summarize(log)
    assert table["n"].tolist() == [2, 2] and table["rate"].tolist() == [0.5, 1.0]


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: abtest.wilson_interval(5, 0), "zero traffic"),
        (lambda: abtest.wilson_interval(11, 10), "between 0 and trials"),
        (lambda: abtest.sample_size(1.2, 0.1), "baseline must be a probability"),
        (lambda: abtest.sample_size(0.5, 0.0), "different probability"),
        (lambda: abtest.wilson_interval(1, 10, confidence=1.5), "confidence"),
        (lambda: abtest.summarize(pd.DataFrame({"group": ["A"], "clicked": [3]})), "must be 0/1"),
        (lambda: offers.OfferWorld(n_segments=51), "between 1 and 50"),
        (lambda: offers.OfferWorld(segment_mix=[0.5, 0.6]), "segment_mix"),
        (
            lambda: offers.OfferWorld(n_segments=2).click_probability(
                pd.DataFrame(
                    {
                        "segment": ["S99"],
                        "placement": ["home"],
                        "channel": ["web"],
                        "device": ["mobile"],
                        "feature_1": [0],
                        "feature_2": [0],
                    }
                )
            ),
            "Unknown segment 'S99'",
        ),
        (lambda: offers.OfferRanker("deep").fit(datasets.load_offers()), "Unknown model"),
        (
            lambda: offers.serve(
                None, pd.DataFrame({"a": [1]}), np.random.default_rng(0), ["x"], explore=1.5
            ),
            "explore must be between 0 and 1",
        ),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_crossed_model_learns_the_toy_pattern_and_plain_does_not():
    assert toy_accuracy("crossed") > toy_accuracy("plain")
    toy = datasets.load_offers()
    crossed = offers.OfferRanker("crossed", context=("feature_1", "feature_2")).fit(toy)
    plain = offers.OfferRanker("plain", context=("feature_1", "feature_2")).fit(toy)
    grid = pd.DataFrame({"feature_1": [0, 0, 1, 1], "feature_2": [0, 1, 0, 1]})
    c1 = crossed.rank(grid)["offer_1"].to_numpy()
    p1 = plain.rank(grid)["offer_1"].to_numpy()
    assert c1[0] > c1[1] and c1[3] > c1[2]  # high where the features agree
    assert not (p1[0] > p1[1] and p1[3] > p1[2])  # impossible without a cross
    assert crossed.rank(toy.query("red_box")).iloc[0].idxmax() == "offer_2"


def test_world_ranker_and_deterministic_serving():
    world = offers.OfferWorld(n_offers=4, n_segments=5, seed=2)
    log = world.log(8000)
    assert set(log["response"].unique()) <= {0, 1} and log["offer"].nunique() == 4
    ranker = offers.OfferRanker("crossed").fit(log)
    requests = world.sample_contexts(4000, np.random.default_rng(5))
    truth = world.click_probability(requests)
    chosen = pd.Index(world.offers).get_indexer(ranker.rank(requests).idxmax(axis=1))
    assert truth[np.arange(4000), chosen].mean() > 1.5 * truth.mean()
    a = offers.simulate_serving(
        world, n_days=10, requests_per_day=300, first_model_day=3, retrain_every=3, random_state=4
    )
    b = offers.simulate_serving(
        world, n_days=10, requests_per_day=300, first_model_day=3, retrain_every=3, random_state=4
    )
    pd.testing.assert_frame_equal(a, b)
    assert a["explored"].iloc[:3].eq(1).all() and a["model_day"].iloc[-1] == 9


def test_explanations_and_opt_out():
    world = offers.OfferWorld(n_offers=3, n_segments=3, seed=1)
    ranker = offers.OfferRanker("crossed").fit(world.log(5000))
    request = world.sample_contexts(1, np.random.default_rng(0)).iloc[0]
    why = ranker.explain(request, "offer_1", top=3)
    assert len(why) == 3 and why["contribution"].abs().is_monotonic_decreasing
    log = offers.ab_log(world, ranker, n_users=4000, opt_out_share=1.0, random_state=0)
    # everybody opted out: both arms see the same single offer
    assert log["offer"].nunique() == 1
    with pytest.raises(ValueError, match="use model='plain' or 'crossed'"):
        offers.OfferRanker("boosting").fit(world.log(3000)).explain(request, "offer_1")


def test_ranker_names_missing_context_columns():
    world = offers.OfferWorld(n_offers=3, n_segments=3, seed=1)
    ranker = offers.OfferRanker("plain").fit(world.log(2000))
    with pytest.raises(ValueError, match="contexts lack column\\(s\\) \\['device'\\]"):
        ranker.rank(world.sample_contexts(2, np.random.default_rng(0)).drop(columns="device"))


def test_context_grid_is_the_request_distribution():
    world = offers.OfferWorld(n_offers=3, n_segments=4, seed=0, segment_mix=[0.1, 0.2, 0.3, 0.4])
    grid = world.context_grid()
    assert len(grid) == 4 * 3 * 2 * 2 * 2 * 2 and grid["probability"].sum() == pytest.approx(1)
    np.testing.assert_allclose(grid.groupby("segment")["probability"].sum(), [0.1, 0.2, 0.3, 0.4])
    assert not grid[list(offers.CONTEXT)].duplicated().any()
    # context_index finds each sampled request's row of the grid
    requests = world.sample_contexts(500, np.random.default_rng(1))
    rows = grid.iloc[world.context_index(requests)][list(offers.CONTEXT)]
    pd.testing.assert_frame_equal(rows.reset_index(drop=True), requests)
    # and the grid's frequencies are what sample_contexts draws
    drawn = np.bincount(
        world.context_index(world.sample_contexts(200_000, np.random.default_rng(2))),
        minlength=len(grid),
    )
    assert abtest.srm_test(drawn, grid["probability"]).pvalue > 0.001


def test_policy_value_exact_and_on_given_contexts():
    world = offers.OfferWorld(n_offers=3, n_segments=2, seed=4)
    grid = world.context_grid()
    truth = world.click_probability(grid)
    best = lambda ctx: np.eye(3)[world.click_probability(ctx).argmax(axis=1)]  # noqa: E731
    # exact: Σ_x P(x) max_a p(x, a)
    assert world.policy_value(best) == pytest.approx(grid["probability"] @ truth.max(axis=1))
    # on given contexts: the plain average over them, from a callable or an array
    ctx = world.sample_contexts(300, np.random.default_rng(0))
    uniform = np.full((300, 3), 1 / 3)
    want = world.click_probability(ctx).mean()
    assert world.policy_value(uniform, contexts=ctx) == pytest.approx(want)
    # the exact value is the limit of averages over many sampled requests
    many = world.sample_contexts(100_000, np.random.default_rng(1))
    assert world.policy_value(best, contexts=many) == pytest.approx(
        world.policy_value(best), abs=0.002
    )
    # a different segment mix changes the exact value as it should
    mix_value = world.policy_value(best, segment_mix=[1.0, 0.0])
    first = grid["segment"] == world.segments[0]
    assert mix_value == pytest.approx(truth[first].max(axis=1).mean())


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda w: w.policy_value(np.ones((5, 3))), r"a \(192, 3\) array"),
        (lambda w: w.policy_value(lambda c: np.ones((len(c), 3))), "sum to 1"),
        (
            lambda w: w.policy_value(np.ones((2, 3)) / 3, w.context_grid().head(2), [0.5] * 4),
            "segment_mix applies only",
        ),
        (lambda w: w.context_index(w.context_grid().drop(columns="device")), "lack column"),
        (lambda w: w.context_index(w.context_grid().assign(feature_1=2)), "feature_1 must be 0"),
        (lambda w: offers.log_serving(w, epsilon=1.2), "epsilon must be between 0 and 1"),
        (lambda w: offers.log_serving(w, "deep"), "Unknown model"),
        (lambda w: offers.simulate_serving(w, "deep"), "Unknown model"),
    ],
)
def test_world_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call(offers.OfferWorld(n_offers=3, n_segments=4))


def test_logging_with_an_unfitted_ranker_says_so():
    with pytest.raises(RuntimeError, match="not fitted yet"):
        offers.log_serving(offers.OfferWorld(n_offers=3, n_segments=2), offers.OfferRanker())
