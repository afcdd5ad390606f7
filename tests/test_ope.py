"""Off-policy estimators: a hand-computed log, unbiasedness over seeded logs, the serving
log's propensities, and what happens without exploration."""

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recsys_lab import simulation as offers
from recsys_lab.evaluation import abtest, ope
from recsys_lab.simulation import ope_study

# A five-request log, written out by hand.
#
#  i  reward  pscore  target_pscore  w = t/p  reward_hat  target_value_hat  DR term v + w(r − q)
#  1    1      0.50       1.0          2         0.6          0.6            0.6 + 2·0.4 = 1.4
#  2    0      0.25       0.5          2         0.2          0.4            0.4 − 2·0.2 = 0.0
#  3    1      0.80       0.0          0         0.5          0.3            0.3 + 0     = 0.3
#  4    0      0.10       0.2          2         0.1          0.2            0.2 − 2·0.1 = 0.0
#  5    1      0.20       0.6          3         0.3          0.5            0.5 + 3·0.7 = 2.6
#
#  IPS   = (2 + 0 + 0 + 0 + 3) / 5          = 1.0
#  SNIPS = 5 / (2 + 2 + 0 + 2 + 3)          = 5/9
#  DM    = (0.6 + 0.4 + 0.3 + 0.2 + 0.5) / 5 = 0.4
#  DR    = (1.4 + 0 + 0.3 + 0 + 2.6) / 5     = 0.86
#  clip = 2 (w5 = 3 -> 2): IPS = 4/5 = 0.8, SNIPS = 4/8 = 0.5, DR row 5 = 0.5 + 2·0.7 = 1.9,
#                          DR = 3.6/5 = 0.72
#  Kish ESS of w = 9² / (4 + 4 + 0 + 4 + 9) = 81/21
REWARD = np.array([1.0, 0, 1, 0, 1])
PSCORE = np.array([0.5, 0.25, 0.8, 0.1, 0.2])
TARGET = np.array([1.0, 0.5, 0.0, 0.2, 0.6])
REWARD_HAT = np.array([0.6, 0.2, 0.5, 0.1, 0.3])
VALUE_HAT = np.array([0.6, 0.4, 0.3, 0.2, 0.5])


def test_estimators_on_the_hand_computed_log():
    assert ope.ips(REWARD, PSCORE, TARGET) == pytest.approx(1.0)
    assert ope.snips(REWARD, PSCORE, TARGET) == pytest.approx(5 / 9)
    assert ope.direct_method(VALUE_HAT) == pytest.approx(0.4)
    dr = ope.doubly_robust(REWARD, PSCORE, TARGET, REWARD_HAT, VALUE_HAT)
    assert dr == pytest.approx(0.86)
    assert ope.importance_weights(PSCORE, TARGET).tolist() == pytest.approx([2, 2, 0, 2, 3])
    assert ope.effective_sample_size([2, 2, 0, 2, 3]) == pytest.approx(81 / 21)
    assert ope.support_deficit(PSCORE, TARGET) == 0.0


def test_clipping_on_the_hand_computed_log():
    assert ope.ips(REWARD, PSCORE, TARGET, clip=2) == pytest.approx(0.8)
    assert ope.snips(REWARD, PSCORE, TARGET, clip=2) == pytest.approx(0.5)
    dr = ope.doubly_robust(REWARD, PSCORE, TARGET, REWARD_HAT, VALUE_HAT, clip=2)
    assert dr == pytest.approx(0.72)
    # a cap at or above the largest weight changes nothing
    assert ope.ips(REWARD, PSCORE, TARGET, clip=3) == ope.ips(REWARD, PSCORE, TARGET)


def test_negative_rewards_are_allowed():
    # revenue net of a refund: row 1 earns −1 -> IPS = (−2 + 0 + 0 + 0 + 3) / 5
    reward = np.array([-1.0, 0, 1, 0, 1])
    assert ope.ips(reward, PSCORE, TARGET) == pytest.approx(0.2)


def test_snips_is_scale_free_and_stays_in_the_reward_range():
    half = ope.snips(REWARD, PSCORE, TARGET / 2)
    assert half == pytest.approx(ope.snips(REWARD, PSCORE, TARGET))
    assert ope.ips(REWARD, PSCORE, TARGET / 2) == pytest.approx(0.5)  # IPS halves
    # w = (5, 1): IPS = (5·1 + 1·0) / 2 = 2.5 leaves the 0/1 reward range, SNIPS = 5/6 does not
    assert ope.ips([1, 0], [0.2, 0.5], [1.0, 0.5]) == pytest.approx(2.5)
    assert ope.snips([1, 0], [0.2, 0.5], [1.0, 0.5]) == pytest.approx(5 / 6)


def test_inputs_are_not_mutated():
    arrays = [REWARD.copy(), PSCORE.copy(), TARGET.copy(), REWARD_HAT.copy(), VALUE_HAT.copy()]
    ope.doubly_robust(*arrays, clip=1.0)
    ope.interval(ope.snips, reward=arrays[0], pscore=arrays[1], target_pscore=arrays[2])
    for got, want in zip(arrays, [REWARD, PSCORE, TARGET, REWARD_HAT, VALUE_HAT], strict=True):
        np.testing.assert_array_equal(got, want)


def test_interval_brackets_the_estimate_reproducibly_and_matches_the_normal_width():
    rng = np.random.default_rng(3)
    n = 5000
    pscore = rng.choice([0.1, 0.5, 0.9], n)
    target = rng.uniform(0, 1, n)
    reward = rng.binomial(1, 0.3, n)
    first = ope.interval(ope.ips, reward=reward, pscore=pscore, target_pscore=target)
    again = ope.interval(ope.ips, reward=reward, pscore=pscore, target_pscore=target)
    assert first == again
    assert first.estimate == ope.ips(reward, pscore, target)
    assert first.low < first.estimate < first.high
    # for a mean of many terms the percentile bootstrap ≈ the normal interval ± 1.96 s/√n
    terms = target / pscore * reward
    half = 1.96 * terms.std(ddof=1) / np.sqrt(n)
    assert (first.high - first.low) / 2 == pytest.approx(half, rel=0.1)


# --- unbiasedness over many seeded logs ---------------------------------------------------

N_CONTEXTS, K, N_ROWS, N_LOGS = 40, 4, 300, 2000


@pytest.fixture(scope="module")
def bandit():
    """A small contextual bandit with known truth and 2000 logs of 300 requests each."""
    rng = np.random.default_rng(0)
    q = rng.uniform(0.05, 0.5, (N_CONTEXTS, K))  # true click probability
    logging = ope.epsilon_greedy(q + rng.normal(0, 0.1, q.shape), 0.3)  # a noisy model
    target = ope.softmax(q, temperature=0.05)  # close to the best action
    truth = float((target * q).sum(axis=1).mean())  # contexts are uniform
    x = rng.integers(N_CONTEXTS, size=(N_LOGS, N_ROWS))
    cdf = logging.cumsum(axis=1)[x]
    a = np.minimum((rng.random((N_LOGS, N_ROWS, 1)) > cdf).sum(axis=2), K - 1)
    r = (rng.random((N_LOGS, N_ROWS)) < q[x, a]).astype(float)
    q_wrong = np.clip(q + 0.1, 0, 1)  # a biased reward model
    return {
        "reward": r,
        "pscore": logging[x, a],
        "target_pscore": target[x, a],
        "reward_hat": q_wrong[x, a],
        "target_value_hat": (target * q_wrong).sum(axis=1)[x],
        "truth": truth,
        "logging": logging,
        "x": x,
        "a": a,
    }


ARGUMENTS = {
    ope.ips: ("reward", "pscore", "target_pscore"),
    ope.snips: ("reward", "pscore", "target_pscore"),
    ope.direct_method: ("target_value_hat",),
    ope.doubly_robust: ("reward", "pscore", "target_pscore", "reward_hat", "target_value_hat"),
}


def _per_log(bandit, estimator, **kwargs):
    """The estimator on each of the seeded logs."""
    names = ARGUMENTS[estimator]
    return np.array([estimator(*(bandit[n][i] for n in names), **kwargs) for i in range(N_LOGS)])


def test_logged_actions_follow_the_logging_policy(bandit):
    # the simulated log really draws actions with the logging probabilities
    counts = np.zeros((N_CONTEXTS, K))
    np.add.at(counts, (bandit["x"].ravel(), bandit["a"].ravel()), 1)
    share = counts / counts.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(share, bandit["logging"], atol=0.02)


def test_ips_and_dr_are_unbiased_and_dm_with_a_wrong_model_is_not(bandit):
    truth = bandit["truth"]
    for estimator in (ope.ips, ope.doubly_robust):
        values = _per_log(bandit, estimator)
        se = values.std(ddof=1) / np.sqrt(N_LOGS)
        # tolerance: 4 standard errors of the mean over 2000 logs (about ±0.002 here)
        assert abs(values.mean() - truth) < 4 * se, estimator.__name__
    dm = _per_log(bandit, ope.direct_method)
    assert dm.mean() - truth > 0.05  # the model's +0.1 shows up in DM, not in DR
    dr = _per_log(bandit, ope.doubly_robust)
    assert dr.std() < _per_log(bandit, ope.ips).std()  # the model still cuts variance


def test_snips_trades_a_small_bias_for_less_variance(bandit):
    ips = _per_log(bandit, ope.ips)
    snips = _per_log(bandit, ope.snips)
    assert snips.std() < ips.std()
    assert abs(snips.mean() - bandit["truth"]) < 0.01


def test_clipping_lowers_variance_and_biases_down(bandit):
    ips = _per_log(bandit, ope.ips)
    clipped = _per_log(bandit, ope.ips, clip=2.0)
    se = clipped.std(ddof=1) / np.sqrt(N_LOGS)
    assert clipped.std() < ips.std()
    assert clipped.mean() < bandit["truth"] - 4 * se  # rewards ≥ 0: clipping only removes


def test_interval_coverage_over_seeded_logs(bandit):
    hits = [
        (iv.low <= bandit["truth"] <= iv.high)
        for i in range(300)
        for iv in [
            ope.interval(
                ope.ips,
                reward=bandit["reward"][i],
                pscore=bandit["pscore"][i],
                target_pscore=bandit["target_pscore"][i],
                n_resamples=300,
                random_state=i,
            )
        ]
    ]
    assert 0.88 <= np.mean(hits) <= 0.99  # nominal 95 %, 300 logs: ±2.5 % is 2 s.e.


# --- target policies ------------------------------------------------------------------------


def test_policy_rules_by_hand():
    scores = np.array([[0.1, 0.3, 0.3], [0.5, 0.2, 0.1]])
    np.testing.assert_allclose(ope.greedy(scores), [[0, 0.5, 0.5], [1, 0, 0]])
    np.testing.assert_allclose(
        ope.epsilon_greedy(scores, 0.3), [[0.1, 0.45, 0.45], [0.8, 0.1, 0.1]]
    )
    e = np.exp([0.1, 0.3, 0.3])
    np.testing.assert_allclose(ope.softmax(scores)[0], e / e.sum())
    np.testing.assert_allclose(ope.softmax(scores, temperature=1e-6), ope.greedy(scores))
    np.testing.assert_allclose(ope.softmax(scores, temperature=1e6), 1 / 3, rtol=1e-6)


def test_policy_from_a_ranker_and_from_a_function():
    world = offers.OfferWorld(n_offers=3, n_segments=3, seed=1)
    ranker = offers.OfferRanker("crossed").fit(world.log(3000))
    ctx = world.sample_contexts(50, np.random.default_rng(0))
    scores = ranker.rank(ctx, world.offers).to_numpy()
    shown = np.array(world.offers)[np.arange(50) % 3]
    policy = ope.Policy(ranker, world.offers, rule="epsilon_greedy", epsilon=0.2)
    on_log = policy.on_log(ctx, shown)
    expected = ope.epsilon_greedy(scores, 0.2)
    np.testing.assert_allclose(on_log.action_dist, expected)
    np.testing.assert_allclose(on_log.target_pscore, expected[np.arange(50), np.arange(50) % 3])
    # any function of the contexts works the same way
    same = ope.Policy(lambda c: ranker.rank(c, world.offers), world.offers, "epsilon_greedy", 0.2)
    np.testing.assert_allclose(same(ctx), expected)
    # reward-model helpers: q at the logged action, and q's expectation under the policy
    q = np.arange(150, dtype=float).reshape(50, 3)
    np.testing.assert_allclose(on_log.reward_hat(q), q[np.arange(50), np.arange(50) % 3])
    np.testing.assert_allclose(on_log.target_value_hat(q), (expected * q).sum(axis=1))


# --- the serving log ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def frozen():
    world = offers.OfferWorld(n_offers=4, n_segments=3, seed=3)
    ranker = offers.OfferRanker("crossed").fit(world.log(4000, random_state=1))
    log = offers.log_serving(
        world, ranker, n_days=20, requests_per_day=1000, epsilon=0.2, random_state=5
    )
    return world, ranker, log


def test_logged_pscore_is_the_policy_actually_used(frozen):
    world, ranker, log = frozen
    k, eps = world.n_offers, 0.2
    # the model's pick, recomputed independently from the ranker's scores
    pick = ranker.rank(log, world.offers).idxmax(axis=1)
    np.testing.assert_allclose(log["pscore"], (1 - eps) * (log["offer"] == pick) + eps / k)
    assert (log.loc[~log["explored"], "offer"] == pick[~log["explored"]]).all()
    assert log["explored"].mean() == pytest.approx(eps, abs=0.01)
    # explored requests show every offer equally often (no sample-ratio mismatch)
    counts = log.loc[log["explored"], "offer"].value_counts().reindex(world.offers)
    assert abtest.srm_test(counts).pvalue > 0.001
    # 1/pscore reweights the log to "always show a": E[1{A = a} / pscore] = 1 for every a
    for offer in world.offers:
        terms = (log["offer"] == offer) / log["pscore"]
        assert terms.mean() == pytest.approx(1, abs=4 * terms.std() / np.sqrt(len(log)))


def test_a_frozen_logging_policy_is_fixed_and_reproducible(frozen):
    world, ranker, log = frozen
    again = offers.log_serving(
        world, ranker, n_days=20, requests_per_day=1000, epsilon=0.2, random_state=5
    )
    pd.testing.assert_frame_equal(log, again)
    assert log["model_version"].eq(1).all() and log["day"].max() == 19
    other = offers.log_serving(
        world, ranker, n_days=20, requests_per_day=1000, epsilon=0.2, random_state=6
    )
    assert not other["offer"].equals(log["offer"])


def test_retraining_log_marks_random_serving_and_model_versions():
    world = offers.OfferWorld(n_offers=3, n_segments=2, seed=0)
    log = offers.log_serving(
        world, "plain", n_days=9, requests_per_day=300, epsilon=0.1, first_model_day=3,
        retrain_every=3,
    )  # fmt: skip
    by_day = log.groupby("day")["model_version"].first().tolist()
    assert by_day == [0, 0, 0, 1, 1, 1, 2, 2, 2]
    random_phase = log[log["model_version"] == 0]
    assert random_phase["explored"].all() and np.allclose(random_phase["pscore"], 1 / 3)
    served = log[log["model_version"] > 0]
    assert set(served["pscore"].round(6)) == {round(0.1 / 3, 6), round(0.9 + 0.1 / 3, 6)}
    assert list(log.columns) == [
        "day", *offers.CONTEXT, "offer", "response", "pscore", "explored", "model_version"
    ]  # fmt: skip


def test_estimates_on_a_logged_season_match_the_true_value(frozen):
    world, ranker, log = frozen
    target = ope.Policy(ranker, world.offers, rule="softmax", temperature=0.05)
    truth = world.policy_value(target)
    on_log = target.on_log(log, log["offer"])
    iv = ope.interval(
        ope.snips, reward=log["response"], pscore=log["pscore"], target_pscore=on_log.target_pscore
    )
    assert iv.low <= truth <= iv.high


# --- no exploration: no support ------------------------------------------------------------


def test_without_exploration_estimators_warn_about_missing_support():
    world = offers.OfferWorld(n_offers=4, n_segments=3, seed=3)
    logger = offers.OfferRanker("plain").fit(world.log(3000, random_state=1))
    log = offers.log_serving(world, logger, n_days=5, requests_per_day=1000, epsilon=0.0)
    assert (log["pscore"] == 1).all() and not log["explored"].any()
    target = ope.Policy(offers.OfferRanker("crossed").fit(world.log(3000)), world.offers)
    grid = world.context_grid()
    on_log = target.on_log(log, log["offer"])
    # the target's probability on offers the logger never shows, from the full distributions
    logging_dist = ope.greedy(logger.rank(log, world.offers).to_numpy())
    unsupported = (on_log.action_dist * (logging_dist == 0)).sum(axis=1).mean()
    deficit = ope.support_deficit(log["pscore"], on_log.target_pscore)
    assert deficit == pytest.approx(unsupported) and deficit > 0.2
    inputs = {
        "reward": log["response"],
        "pscore": log["pscore"],
        "target_pscore": on_log.target_pscore,
    }
    for estimator in (ope.ips, ope.snips):
        with pytest.warns(ope.SupportWarning, match="never shown"):
            estimator(**inputs)
    q = np.full((len(log), 4), 0.1)
    with pytest.warns(ope.SupportWarning):
        ope.doubly_robust(
            **inputs, reward_hat=on_log.reward_hat(q), target_value_hat=on_log.target_value_hat(q)
        )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ope.direct_method(on_log.target_value_hat(q))  # a model extrapolates; no warning
    # IPS misses the unsupported share of the value
    with pytest.warns(ope.SupportWarning):
        assert ope.ips(**inputs) < world.policy_value(target) - 0.05
    assert world.policy_value(target) > 0 and len(grid) == 3 * 3 * 2 * 2 * 4


def test_with_exploration_there_is_no_support_warning(frozen):
    world, ranker, log = frozen
    target = ope.Policy(ranker, world.offers, rule="softmax", temperature=0.05)
    on_log = target.on_log(log, log["offer"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ope.ips(log["response"], log["pscore"], on_log.target_pscore)
    assert ope.support_deficit(log["pscore"], on_log.target_pscore) == 0


def test_snips_with_no_supported_action_says_so():
    with (
        pytest.raises(ValueError, match="no support"),
        pytest.warns(ope.SupportWarning),
    ):
        ope.snips([1, 0], [1.0, 1.0], [0.0, 0.0])


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: ope.ips([1, 0], [0.5, 0.0], [1, 1]), ValueError, r"pscore must be in \(0, 1\]"),
        (lambda: ope.ips([1, 0], [0.5, 1.2], [1, 1]), ValueError, r"pscore must be in \(0, 1\]"),
        (lambda: ope.ips([1, 0], [0.5, 0.5], [1, 1.5]), ValueError, "target_pscore must be"),
        (lambda: ope.ips([1, 0, 1], [0.5, 0.5], [1, 1]), ValueError, "equal lengths"),
        (lambda: ope.ips([1, np.nan], [0.5, 0.5], [1, 1]), ValueError, "reward has 1 NaN"),
        (lambda: ope.ips([], [], []), ValueError, "non-empty"),
        (lambda: ope.ips(["a", "b"], [0.5, 0.5], [1, 1]), TypeError, "reward must hold numbers"),
        (lambda: ope.ips([1, 0], [0.5, 0.5], [1, 1], clip=0), ValueError, "clip must be"),
        (lambda: ope.direct_method([0.1, np.inf]), ValueError, "NaN or infinite"),
        (lambda: ope.effective_sample_size([1, -1]), ValueError, "weights must be >= 0"),
        (lambda: ope.interval(np.mean, reward=[1]), TypeError, "estimator must be one of"),
        (lambda: ope.interval(ope.ips, reward=[1], pscore=[1]), TypeError, "ips: missing"),
        (
            lambda: ope.interval(ope.direct_method, target_value_hat=[1], confidence=1),
            ValueError,
            "confidence",
        ),
        (lambda: ope.greedy([1, 2]), ValueError, "2-D array"),
        (lambda: ope.greedy([[1, np.nan]]), ValueError, "NaN"),
        (lambda: ope.epsilon_greedy([[1, 2]], 1.5), ValueError, "epsilon must be"),
        (lambda: ope.softmax([[1, 2]], 0), ValueError, "temperature must be"),
        (lambda: ope.Policy(3, ["a"]), TypeError, "scorer must be"),
        (lambda: ope.Policy(np.ones, ["a"], rule="best"), ValueError, "Unknown rule"),
        (lambda: ope.Policy(np.ones, ["a", "a"]), ValueError, "distinct"),
        (
            lambda: ope.Policy(lambda c: np.ones((len(c), 3)), ["a", "b"])(
                pd.DataFrame({"x": [1]})
            ),
            ValueError,
            "one score per request and offer",
        ),
        (
            lambda: ope.target_probabilities([[1.0, 0.0]], ["z"], ["a", "b"]),
            ValueError,
            "Unknown offer",
        ),
        (
            lambda: ope.target_probabilities([[0.7, 0.7]], ["a"], ["a", "b"]),
            ValueError,
            "summing to 1",
        ),
        (
            lambda: ope.target_probabilities([[1.0, 0.0]], ["a"], ["a", "b"]).reward_hat([[1.0]]),
            ValueError,
            "q_hat must hold",
        ),
    ],
)
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


# --- properties -----------------------------------------------------------------------------

probability = st.floats(0.01, 1.0)
rows = st.lists(st.tuples(st.floats(-5, 5), probability, st.floats(0, 1)), min_size=1, max_size=30)


@pytest.mark.filterwarnings(
    "ignore::recsys_lab.evaluation.ope.SupportWarning"
)  # pscore = 1 is drawn too
@given(rows)
@settings(max_examples=200, deadline=None)
def test_properties_of_ips_snips_and_ess(log):
    reward, pscore, target = map(np.array, zip(*log, strict=True))
    # a target identical to the logging policy on the logged actions: IPS = the mean reward
    assert ope.ips(reward, pscore, pscore) == pytest.approx(reward.mean())
    w = target / pscore
    assert 0 <= ope.effective_sample_size(w) <= len(w) + 1e-9
    if w.sum() > 0:
        low, high = reward[w > 0].min(), reward[w > 0].max()
        assert low - 1e-9 <= ope.snips(reward, pscore, target) <= high + 1e-9
    # DR with a perfect-residual model (reward_hat = reward) is the direct method
    v = np.linspace(0, 1, len(reward))
    assert ope.doubly_robust(reward, pscore, target, reward, v) == pytest.approx(
        ope.direct_method(v)
    )


# --- differences, all four estimators at once --------------------------------------------------


def test_difference_by_hand_and_paired():
    # target (1, 0, 1, 0) vs baseline (0, 1, 0, 1), pscore 0.5: IPS terms 2r vs 2r on the
    # other half: (2 + 0 + 2 + 0)/4 − (0 + 0 + 0 + 2)/4 = 0.5
    reward, pscore = [1, 0, 1, 1], [0.5] * 4
    d = ope.difference(
        ope.ips, {"target_pscore": [1, 0, 1, 0]}, {"target_pscore": [0, 1, 0, 1]},
        reward=reward, pscore=pscore,
    )  # fmt: skip
    assert d.estimate == pytest.approx(0.5) and d.low <= d.estimate <= d.high
    # a policy against itself: exactly 0 in every resample
    same = ope.difference(
        ope.snips,
        {"target_pscore": TARGET},
        {"target_pscore": TARGET},
        reward=REWARD,
        pscore=PSCORE,
    )
    assert same == (0.0, 0.0, 0.0)


def test_difference_is_narrower_than_two_separate_intervals():
    rng = np.random.default_rng(1)
    n = 4000
    pscore = rng.choice([0.2, 0.8], n)
    base = rng.uniform(0, 1, n)
    target = np.clip(base + rng.normal(0, 0.05, n), 0, 1)  # two similar policies
    reward = rng.binomial(1, 0.3, n)
    d = ope.difference(
        ope.ips, {"target_pscore": target}, {"target_pscore": base}, reward=reward, pscore=pscore
    )
    a = ope.interval(ope.ips, reward=reward, pscore=pscore, target_pscore=target)
    b = ope.interval(ope.ips, reward=reward, pscore=pscore, target_pscore=base)
    assert d.estimate == pytest.approx(a.estimate - b.estimate)
    assert (d.high - d.low) < 0.5 * np.hypot(a.high - a.low, b.high - b.low)


def test_evaluate_policy_equals_the_four_estimators():
    on_log = ope.TargetProbabilities(np.zeros(5, int), np.c_[TARGET, 1 - TARGET], TARGET)
    q_hat = np.c_[REWARD_HAT, np.full(5, 0.1)]
    table = ope.evaluate_policy(REWARD, PSCORE, on_log, q_hat, n_resamples=200)
    v, q = on_log.target_value_hat(q_hat), on_log.reward_hat(q_hat)
    want = [
        ope.direct_method(v),
        ope.ips(REWARD, PSCORE, TARGET),
        ope.snips(REWARD, PSCORE, TARGET),
        ope.doubly_robust(REWARD, PSCORE, TARGET, q, v),
    ]
    assert list(table.index) == ["DM", "IPS", "SNIPS", "DR"]
    np.testing.assert_allclose(table["estimate"], want)
    assert (table["low"] <= table["estimate"]).all() and (table["estimate"] <= table["high"]).all()
    # each interval is the one ope.interval gives with the same seed (one shared resampling)
    ips = ope.interval(ope.ips, reward=REWARD, pscore=PSCORE, target_pscore=TARGET, n_resamples=200)
    assert (table.loc["IPS", "low"], table.loc["IPS", "high"]) == pytest.approx(ips[1:])


# --- ope_study: estimates beside the truth ---------------------------------------------------


def test_summarize_by_hand():
    # two logs of one policy (truth 0.5): estimates 0.4 and 0.7, intervals cover once
    results = pd.DataFrame(
        {
            "policy": ["p", "p"],
            "estimator": ["IPS", "IPS"],
            "estimate": [0.4, 0.7],
            "low": [0.3, 0.6],
            "high": [0.6, 0.8],
            "truth": [0.5, 0.5],
            "ess": [10.0, 20.0],
            "support_deficit": [0.0, 0.0],
        }
    )
    row = ope_study.summarize(results).loc[("p", "IPS")]
    assert row["bias"] == pytest.approx(0.05)  # (−0.1 + 0.2) / 2
    assert row["rmse"] == pytest.approx(np.sqrt((0.01 + 0.04) / 2))
    assert row["sd"] == pytest.approx(np.std([0.4, 0.7], ddof=1))
    assert row["bias_se"] == pytest.approx(row["sd"] / np.sqrt(2))
    assert row["coverage"] == 0.5 and row["ess"] == 15.0
    assert (row["rmse_low"], row["rmse_high"]) == pytest.approx((0.1, 0.2))  # √0.01, √0.04
    assert (row["coverage_low"], row["coverage_high"]) == pytest.approx(
        abtest.wilson_interval(1, 2)
    )
    with pytest.raises(ValueError, match="results lack column"):
        ope_study.summarize(results.drop(columns="truth"))


@pytest.fixture(scope="module")
def small_study():
    world = offers.OfferWorld(n_offers=3, n_segments=2, seed=1)
    train = offers.log_serving(world, "plain", n_days=6, requests_per_day=400, first_model_day=2)
    policies = ope_study.candidate_policies(train, world.offers)
    grid = world.context_grid()
    tables = {name: policy(grid) for name, policy in policies.items()}
    logger = offers.OfferRanker("plain").fit(train)
    return world, logger, tables


def test_candidate_policies_are_served_like_production(small_study):
    _world, _, tables = small_study
    assert list(tables) == ["production", "crossed", "boosting", "segment rule"]
    for table in tables.values():  # the pick with 0.9 + 0.1/3, every other offer 0.1/3
        assert np.allclose(np.sort(table, axis=1)[:, 0], 0.1 / 3)
        assert np.allclose(table.sum(axis=1), 1)


def test_repeated_logs_put_the_truth_beside_reproducible_estimates(small_study):
    world, logger, tables = small_study
    kwargs = {"epsilon": 0.2, "n_days": 2, "requests_per_day": 500, "n_resamples": 50}
    runs = ope_study.repeated_logs(world, logger, tables, seeds=[0, 1], **kwargs)
    assert len(runs) == 2 * len(tables) * 4 and list(runs.columns[:3]) == [
        "epsilon",
        "log",
        "policy",
    ]
    for name, table in tables.items():
        assert np.allclose(runs.loc[runs["policy"] == name, "truth"], world.policy_value(table))
    again = ope_study.repeated_logs(world, logger, tables, seeds=[1], **kwargs)
    pd.testing.assert_frame_equal(again, runs[runs["log"] == 1].reset_index(drop=True))
    assert not np.allclose(runs.loc[runs["log"] == 0, "estimate"], again["estimate"])
    with pytest.raises(ValueError, match="shape"):
        ope_study.repeated_logs(world, logger, {"bad": np.ones((2, 3))}, seeds=[0], **kwargs)


def test_without_exploration_the_reward_model_knows_only_the_mean_of_unseen_offers(small_study):
    world, logger, _tables = small_study
    log = offers.log_serving(world, logger, n_days=2, requests_per_day=500, epsilon=0.0)
    assert log["offer"].nunique() < world.n_offers
    unseen = next(o for o in world.offers if o not in set(log["offer"]))
    always = np.zeros((len(world.context_grid()), world.n_offers))
    always[:, world.offers.index(unseen)] = 1.0
    rows = ope_study.estimate_log(world, log, {"unseen": always}, n_resamples=20)
    dm = rows.set_index("estimator").loc["DM"]
    assert dm["estimate"] == pytest.approx(log["response"].mean())
    assert dm["support_deficit"] == pytest.approx(1.0)
    assert rows.set_index("estimator").loc["IPS", "estimate"] == 0.0  # no click ever reweighted
    assert np.isnan(rows.set_index("estimator").loc["SNIPS", "estimate"])  # 0/0, not an error
