import math
from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest

from recsys_lab import data as datasets
from recsys_lab import simulation as offers
from recsys_lab.evaluation import abtest, ope

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
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def _toy_accuracy(model):
    toy = datasets.load_offers()
    ranker = offers.OfferRanker(model, context=("feature_1", "feature_2")).fit(toy)
    p = np.array([ranker.predict_proba(toy.iloc[[k]], o)[0] for k, o in enumerate(toy["offer"])])
    return ((p > 0.5) == toy["response"].to_numpy()).mean()


def test_crossed_model_learns_the_toy_pattern_and_plain_does_not():
    assert _toy_accuracy("crossed") > _toy_accuracy("plain")
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


# --- rankers: crosses, one design for all offers, the segment rule ---------------------------


def test_crossed_model_has_the_worlds_three_way_terms():
    world = offers.OfferWorld(n_offers=3, n_segments=2, seed=0)
    log = world.log(3000)
    full = offers.OfferRanker("crossed").fit(log)
    names = list(full.columns_)
    assert any(n.startswith("offer_1×channel,device=web,mobile") for n in names)
    assert any(n.startswith("offer_1×feature_1,feature_2=0,1") for n in names)
    two_way = offers.OfferRanker("crossed", crosses=()).fit(log)
    assert not any("," in n for n in two_way.columns_)
    toy = offers.OfferRanker("crossed", context=("feature_1", "feature_2")).fit(
        datasets.load_offers()
    )
    assert any("feature_1,feature_2" in n for n in toy.columns_)  # only the crosses it can form
    assert offers.OfferRanker("plain").fit(log).columns_.size < two_way.columns_.size
    with pytest.raises(ValueError, match=r"crosses name column\(s\) \['colour'\]"):
        offers.OfferRanker("crossed", crosses=[("colour", "device")]).fit(log)


def test_rank_scores_every_offer_as_predict_proba_does():
    world = offers.OfferWorld(n_offers=3, n_segments=2, seed=0)
    for model in ("plain", "crossed", "boosting"):
        ranker = offers.OfferRanker(model).fit(world.log(2000))
        requests = world.sample_contexts(7, np.random.default_rng(1))
        table = ranker.rank(requests)
        for offer in world.offers:
            np.testing.assert_allclose(table[offer], ranker.predict_proba(requests, offer))
    with pytest.raises(ValueError, match="Unknown offer"):
        ranker.rank(requests, ["offer_9"])


def test_a_plain_model_ranks_the_offers_the_same_way_for_every_request():
    world = offers.OfferWorld(seed=0)
    ranker = offers.OfferRanker("plain").fit(world.log(5000))
    assert ranker.rank(world.context_grid()).idxmax(axis=1).nunique() == 1


def test_segment_rule_by_hand():
    log = pd.DataFrame(
        {
            "segment": ["a", "a", "a", "b", "b", "b", "a"],
            "offer": ["x", "x", "y", "x", "y", "y", "y"],
            "response": [1, 1, 0, 0, 1, 0, 1],
            "explored": [True, True, True, True, True, True, False],  # the last is not used
        }
    )
    rule = offers.SegmentRule().fit(log)
    scores = rule.rank(pd.DataFrame({"segment": ["a", "b", "c"]}))
    # a: x 2/2, y 0/1; b: x 0/1, y 1/2; c (unknown): the overall rates x 2/3, y 1/3
    np.testing.assert_allclose(scores.to_numpy(), [[1, 0], [0, 0.5], [2 / 3, 1 / 3]])
    everything = offers.SegmentRule(explored_only=False).fit(log)
    assert everything.rank(pd.DataFrame({"segment": ["a"]}))["y"].iloc[0] == 0.5
    policy = ope.Policy(rule, ["x", "y"])
    np.testing.assert_allclose(policy(pd.DataFrame({"segment": ["a", "b"]})), [[1, 0], [0, 1]])
    with pytest.raises(ValueError, match="explored"):
        offers.SegmentRule().fit(log.drop(columns="explored"))
    with pytest.raises(RuntimeError, match="not fitted"):
        offers.SegmentRule().rank(log)


# --- serving: training cost and replicated runs ---------------------------------------------


def test_training_rows_count_the_fits_and_their_windows():
    world = offers.OfferWorld(n_offers=3, n_segments=2, seed=0)
    kwargs = {"n_days": 10, "requests_per_day": 100, "first_model_day": 3, "model": "plain"}
    weekly = offers.simulate_serving(world, retrain_every=7, window_days=7, **kwargs)
    daily = offers.simulate_serving(world, retrain_every=1, window_days=2, **kwargs)
    # weekly: days 3 (3 days of history) and 10 (not reached) -> one fit on 300 rows
    assert weekly["train_rows"].tolist() == [0, 0, 0, 300] + [0] * 6
    # daily on the last 2 days: days 3..9 -> 7 fits of 200 rows
    assert daily["train_rows"].tolist() == [0, 0, 0] + [200] * 7
    assert (daily["model_day"] == [-1, -1, -1, 3, 4, 5, 6, 7, 8, 9]).all()


def test_replicated_serving_is_simulate_serving_per_config_and_seed():
    world = offers.OfferWorld(n_offers=3, n_segments=2, seed=0)
    common = {"n_days": 4, "requests_per_day": 100, "first_model_day": 2, "model": "plain"}
    runs = offers.replicate_serving(
        world, {"a": {"explore": 0.1}, "b": {"explore": 0.3}}, seeds=[0, 5], **common
    )
    one = offers.simulate_serving(world, explore=0.3, random_state=5, **common)
    got = runs[(runs["config"] == "b") & (runs["seed"] == 5)].drop(columns=["config", "seed"])
    pd.testing.assert_frame_equal(got.reset_index(drop=True), one)
    with pytest.raises(ValueError, match="at least one run"):
        offers.replicate_serving(world, {}, seeds=[0], **common)


# --- A/B logs -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ab_world():
    world = offers.OfferWorld(n_offers=3, n_segments=3, seed=1)
    return world, offers.OfferRanker("crossed").fit(world.log(5000))


def test_each_arm_clicks_at_its_policys_true_value(ab_world):
    world, ranker = ab_world
    uniform = lambda ctx: np.full((len(ctx), 3), 1 / 3)  # noqa: E731
    log = offers.ab_log(world, ranker, uniform, n_users=60_000, random_state=0)
    assert (log.groupby("user").size() == 1).all() and (log["period"] == "test").all()
    greedy = ope.Policy(ranker, world.offers)
    for group, policy in (("control", uniform), ("treatment", greedy)):
        clicks = log.loc[log["group"] == group, "clicked"]
        low, high = abtest.wilson_interval(int(clicks.sum()), len(clicks), confidence=0.999)
        assert low < world.policy_value(policy) < high
    # the default control: one offer for everybody, the best on average
    default = offers.ab_log(world, ranker, n_users=2000, random_state=0)
    shown = default.loc[default["group"] == "control", "offer"].unique()
    grid = world.context_grid()
    assert list(shown) == [
        world.offers[int((grid["probability"] @ world.click_probability(grid)).argmax())]
    ]


def test_visits_pre_period_and_user_heterogeneity(ab_world):
    world, ranker = ab_world
    log = offers.ab_log(
        world, ranker, n_users=8000, visits=4, pre_visits=2, user_sd=1.0, random_state=2
    )
    test, pre = log[log["period"] == "test"], log[log["period"] == "pre"]
    per_user = test.groupby("user").size()
    assert per_user.min() >= 1 and per_user.mean() == pytest.approx(4, abs=0.1)
    assert len(pre) / 8000 == pytest.approx(2, abs=0.1)
    # a user keeps segment, channel and device over all visits
    assert (log.groupby("user")[["segment", "channel", "device"]].nunique() == 1).all().all()
    # before the test everyone gets the control offer
    assert pre["offer"].nunique() == 1
    # users' clicks before and during the test are correlated (activity, personal taste)
    clicks = pd.DataFrame(
        {"test": test.groupby("user")["clicked"].sum(), "pre": pre.groupby("user")["clicked"].sum()}
    ).fillna(0)
    assert clicks.corr().iloc[0, 1] > 0.2


def test_opted_out_users_are_served_like_control(ab_world):
    world, ranker = ab_world
    log = offers.ab_log(world, ranker, n_users=6000, opt_out_share=0.5, random_state=3)
    treated = log[log["group"] == "treatment"]
    assert treated["opted_out"].mean() == pytest.approx(0.5, abs=0.03)
    assert not log.loc[log["group"] == "control", "opted_out"].any()
    control_offer = log.loc[log["group"] == "control", "offer"].iloc[0]
    assert (treated.loc[treated["opted_out"], "offer"] == control_offer).all()
    assert log["revenue"].ge(0).all() and (log["revenue"] > 0).eq(log["purchased"] == 1).all()


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"visits": 0.5}, ValueError, "visits must be >= 1"),
        ({"opt_out_share": 1.5}, ValueError, "opt_out_share must be between 0 and 1"),
        ({"control": 3}, TypeError, "a policy must be a fitted OfferRanker"),
        ({"control": lambda ctx: np.ones((len(ctx), 3))}, ValueError, "summing to 1"),
    ],
)
def test_ab_log_bad_input(ab_world, kwargs, error, match):
    world, ranker = ab_world
    with pytest.raises(error, match=match):
        offers.ab_log(world, ranker, n_users=10, **kwargs)
