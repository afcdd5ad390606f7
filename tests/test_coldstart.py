import numpy as np
import pandas as pd
import pytest

from recsys_lab import coldstart
from recsys_lab.mf import ALSMatrixFactorization
from recsys_lab.simulation import bandits

TRAIN = pd.DataFrame(
    {
        "user": [1, 1, 2, 2, 3, 3, 4],
        "item": ["a", "b", "a", "c", "a", "b", "d"],
        "rating": [5, 4, 4, 2, 5, 5, 3.0],
        "timestamp": pd.to_datetime(
            [
                "2025-01-01",
                "2025-01-02",
                "2025-02-01",
                "2025-03-01",
                "2025-03-02",
                "2025-03-03",
                "2025-03-04",
            ]
        ),
    }
)
USERS = pd.DataFrame({"user": [1, 2, 3, 4], "segment": ["x", "y", "x", "y"], "region": "n"})
FEATURES = pd.DataFrame(
    {"sport": [1.0, 1.0, 0.0, 0.0], "music": [0.0, 0.2, 1.0, 0.9]}, index=list("abcd")
)


def test_popularity_family():
    assert coldstart.popularity(TRAIN, n=2) == ["a", "b"]
    assert coldstart.popularity(TRAIN, n=2, exclude=["a"]) == ["b", "c"]
    # four items once each in the window: ties keep the order they were first seen in
    assert coldstart.recent_popularity(TRAIN, "2025-03-05", window_days=10, n=2) == ["c", "a"]
    assert coldstart.segment_popularity(TRAIN, USERS, "y", n=3) == ["a", "c", "d"]
    assert coldstart.segment_popularity(TRAIN, USERS, "n", column="region", n=1) == ["a"]


def test_content_and_new_items():
    assert coldstart.content_based(FEATURES, ["a"], n=2) == ["b", "c"]  # c, d tie at 0
    assert coldstart.content_based(FEATURES, ["a", "c"], n=1, weights=[1.0, -1.0]) == ["b"]
    assert coldstart.similar_items(FEATURES, "c", n=1).index.tolist() == ["d"]
    boosted = coldstart.boost_new_items(pd.Series({"a": 4.0, "d": 3.0}), ["d"], boost=2)
    assert boosted.idxmax() == "d"


def test_no_history_gets_popularity():
    model = ALSMatrixFactorization(n_factors=2, n_iter=5).fit(TRAIN)
    empty = TRAIN.iloc[:0]
    listed = coldstart.hybrid(
        empty,
        lambda h: coldstart.popularity(TRAIN, 3),
        lambda h: coldstart.fold_in(model, h),
        n=3,
        switch_at=1,
    )
    assert listed == coldstart.popularity(TRAIN, 3)
    strategies = coldstart.newcomer_strategies(TRAIN, USERS, FEATURES, model, n=2)
    for name in ("popularity", "content", "switch at 3"):
        assert strategies[name](1, empty) == ["a", "b"]


def test_fold_in_is_one_als_step():
    model = ALSMatrixFactorization(n_factors=2, n_iter=30).fit(TRAIN)
    # folding a training user back in with their own ratings gives their learned scores
    h = TRAIN[TRAIN["user"] == 1][["item", "rating"]]
    scores = coldstart.fold_in(model, h)
    u = model.users_.get_loc(1)
    learned = model._raw(np.full(len(model.items_), u), np.arange(len(model.items_)))
    # ALS's last step solved users with the items as they were then, so allow a small gap
    assert np.abs(scores.to_numpy() - learned).max() < 0.05
    assert (
        coldstart.rank_unseen(scores, 2, h["item"])
        == [i for i in scores.sort_values(ascending=False).index if i not in set(h["item"])][:2]
    )


def test_blending_moves_from_cold_to_warm():
    cold = lambda h: ["p", "q", "r"]  # noqa: E731
    warm = lambda h: pd.Series({"p": 0.0, "q": 1.0, "r": 2.0})  # noqa: E731
    few = pd.DataFrame({"item": ["z"], "rating": [4.0]})
    many = pd.DataFrame({"item": [f"z{j}" for j in range(50)], "rating": 4.0})
    assert coldstart.hybrid(few, cold, warm, n=1, switch_at=None, blend_k0=10) == ["p"]
    assert coldstart.hybrid(many, cold, warm, n=1, switch_at=None, blend_k0=10) == ["r"]
    with pytest.raises(ValueError, match="exactly one of"):
        coldstart.hybrid(few, cold, warm, switch_at=2, blend_k0=3)


def test_elicitation():
    assert coldstart.elicitation_items(TRAIN, k=1) == ["a"]
    cats = pd.Series({"a": "s", "b": "s", "c": "m", "d": "m"})
    assert set(
        coldstart.elicitation_items(TRAIN, k=2, strategy="coverage", item_categories=cats)
    ) == {"a", "c"}
    rand = coldstart.elicitation_items(TRAIN, k=2, strategy="random", random_state=3)
    assert rand == coldstart.elicitation_items(TRAIN, k=2, strategy="random", random_state=3)


def test_history_buckets_and_switch_point():
    assert [coldstart.history_bucket(n) for n in (0, 2, 3, 10, 11)] == [
        "0",
        "1–2",
        "3–5",
        "6–10",
        ">10",
    ]
    with pytest.raises(ValueError, match=">= 0"):
        coldstart.history_bucket(-1)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda: coldstart.segment_popularity(TRAIN, USERS, "zz"),
            ValueError,
            "Unknown segment 'zz'",
        ),
        (lambda: coldstart.popularity(TRAIN, n=-1), ValueError, "n must be >= 1"),
        (
            lambda: coldstart.content_based(
                FEATURES.assign(sport=[0.0, 1, 1, 1], music=[0.0, 0, 0, 0]), ["b"]
            ),
            ValueError,
            "have no attributes",
        ),
        (lambda: coldstart.content_based(FEATURES, ["zz"]), ValueError, "have no attributes"),
        (lambda: coldstart.content_based(FEATURES, []), ValueError, "at least one touched item"),
        (
            lambda: coldstart.elicitation_items(TRAIN, strategy="ask"),
            ValueError,
            "Unknown strategy",
        ),
        (
            lambda: bandits.EpsilonGreedy(3, epsilon=1.5),
            ValueError,
            "epsilon must be between 0 and 1",
        ),
        (
            lambda: bandits.SeedServing(3, explore=-0.1),
            ValueError,
            "explore must be between 0 and 1",
        ),
        (
            lambda: bandits.simulate(bandits.UCB1(2), [0.5, 1.2], 10),
            ValueError,
            "must be in \\[0, 1\\]",
        ),
        (
            lambda: coldstart.private_counts(pd.Series([1.0]), epsilon=0),
            ValueError,
            "epsilon must be > 0",
        ),
        (
            lambda: coldstart.recent_popularity(TRAIN, "2030-01-01", 5),
            ValueError,
            "widen the window",
        ),
    ],
)
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_ninety_ten_serves_ten_percent_random():
    policy = bandits.SeedServing(5, explore=0.1, retrain_every=1000, first_model_at=1000)
    log = bandits.simulate(policy, [0.02, 0.04, 0.06, 0.08, 0.1], n_rounds=11_000, random_state=1)
    served = log[log["round"] >= 1000]  # 10,000 requests once the first model is out
    assert len(served) == 10_000 and abs(served["explored"].mean() - 0.1) <= 0.01


def test_random_until_the_first_model_and_new_offers_wait_for_arrival():
    policy = bandits.SeedServing(3, explore=0.1, retrain_every=100, first_model_at=500)
    log = bandits.simulate(
        policy, [0.1, 0.2, 0.3], n_rounds=1500, arrivals={2: 800}, random_state=0
    )
    assert log["explored"].head(500).all()
    assert (log.loc[log["round"] < 800, "arm"] != 2).all()
    assert (log.tail(300)["arm"] == 2).mean() > 0.8


def test_thompson_beats_random_and_runs_are_deterministic():
    ctr = [0.04, 0.05, 0.06, 0.08, 0.1]
    reg = bandits.compare(
        {
            "random": lambda: bandits.RandomPolicy(5),
            "thompson": lambda: bandits.ThompsonSampling(5),
        },
        ctr,
        n_rounds=3000,
        n_runs=5,
    )
    final = reg[reg["round"] == 3000].set_index("policy")["regret"]
    assert final["thompson"] < final["random"] / 2
    a = bandits.simulate(bandits.UCB1(5), ctr, 500, random_state=4)
    b = bandits.simulate(bandits.UCB1(5), ctr, 500, random_state=4)
    pd.testing.assert_frame_equal(a, b)


def test_epsilon_decay_and_drifting_rates():
    policy = bandits.EpsilonGreedy(2, epsilon=1.0, decay=0.1)
    log = bandits.simulate(
        policy, lambda t: np.array([0.9, 0.1]) if t < 200 else np.array([0.1, 0.9]), 400
    )
    assert log["explored"].head(20).mean() > log["explored"].tail(100).mean()
    assert log["regret"].diff().tail(200).max() == pytest.approx(0.8)


def test_private_counts_noise_scale():
    noisy = coldstart.private_counts(pd.Series(np.zeros(20_000)), epsilon=0.5, random_state=2)
    assert noisy.abs().mean() == pytest.approx(2.0, rel=0.05)  # mean |Laplace(b)| = b = 1/ε


def test_segment_popularity_recommender_serves_newcomers_of_known_segments():
    from recsys_lab.models import SegmentPopularityRecommender

    segments = pd.concat([USERS, pd.DataFrame({"user": [9], "segment": ["y"], "region": "n"})])
    model = SegmentPopularityRecommender(segments).fit(TRAIN)
    new = model.recommend(users=[9], n=3)  # never seen in training, segment y
    assert new["item"].tolist() == coldstart.segment_popularity(TRAIN, USERS, "y", n=3)
    assert not new["fallback"].any()
    # user 2 (segment y) has seen a and c: d (1 in y) first, then b (0 in y) fills the list
    assert model.recommend(users=[2], n=3)["item"].tolist() == ["d", "b"]
    stranger = model.recommend(users=["nobody"], n=1)
    assert stranger["item"].tolist() == ["a"] and stranger["fallback"].all()
    with pytest.raises(ValueError, match="lists user 1 twice"):
        SegmentPopularityRecommender(pd.concat([USERS, USERS])).fit(TRAIN)
    with pytest.raises(ValueError, match="columns 'user' and 'tier'"):
        SegmentPopularityRecommender(USERS, column="tier").fit(TRAIN)


def test_content_based_recommender_equals_the_function_and_reaches_new_items():
    from recsys_lab.models import ContentBasedRecommender

    one = TRAIN[TRAIN["user"] == 4]  # user 4 touched d only
    features = pd.concat([FEATURES, pd.DataFrame({"sport": [0.0], "music": [1.0]}, index=["e"])])
    model = ContentBasedRecommender(features).fit(pd.concat([TRAIN, one.assign(user=5)]))
    got = model.recommend(users=[5], n=2)["item"].tolist()
    # c and e tie at 1.0 (c first, as in the catalogue); e has no interaction at all
    assert got == coldstart.content_based(features, ["d"], n=2) == ["c", "e"]
    # profile of user 1 = mean of unit(a), unit(b); score of c by hand
    unit = features.div(np.linalg.norm(features, axis=1), axis=0)
    hand = float(unit.loc["c"] @ unit.loc[["a", "b"]].mean())
    assert model.predict([1], ["c"])[0] == pytest.approx(hand)
    with pytest.raises(ValueError, match=r"item\(s\) \['d'\] have interactions but no row"):
        ContentBasedRecommender(FEATURES.drop(index="d")).fit(TRAIN)


# ---------------------------------------------------------------- real newcomers, by time
LOG = pd.DataFrame(
    {
        "user": [1, 1, 2, 2, 2, 2, 1],
        "item": ["a", "b", "a", "b", "c", "d", "c"],
        "rating": [5.0, 4, 5, 2, 4, 5, 3],
        "timestamp": pd.to_datetime(
            [
                "2025-01-01",
                "2025-01-02",
                "2025-02-01",
                "2025-02-02",
                "2025-02-03",
                "2025-02-04",
                "2025-02-05",
            ]
        ),
    }
)


def test_newcomers_by_time_keeps_old_users_future_out():
    train, new = coldstart.newcomers_by_time(LOG, "2025-01-15")
    assert train["user"].tolist() == [1, 1]  # user 1's rating of c came later: in neither
    assert new["user"].unique().tolist() == [2] and len(new) == 4
    with pytest.raises(ValueError, match="choose a date inside the log"):
        coldstart.newcomers_by_time(LOG, "2030-01-01")
    with pytest.raises(ValueError, match="timestamp"):
        coldstart.newcomers_by_time(LOG.drop(columns="timestamp"), "2025-01-15")


def test_evaluate_by_history_scores_the_next_ratings():
    new = LOG[LOG["user"] == 2]
    calls = []

    def always_cd(user, history):
        calls.append(len(history))
        return ["c", "d"]

    # h = 0: next 2 ratings are a (5) and b (2) -> relevant {a}; list c, d -> recall 0
    # h = 2: next 2 ratings are c (4) and d (5) -> relevant {c, d}; recall 1
    table = coldstart.evaluate_by_history({"cd": always_cd}, new, lengths=(0, 2), n_truth=2, k=2)
    assert table["recall"].tolist() == [0.0, 1.0] and table["users"].tolist() == [1, 1]
    assert calls == [0, 2]
    per_user = coldstart.evaluate_by_history(
        {"cd": always_cd}, new, lengths=(1,), n_truth=1, k=2, per_user=True
    )
    # h = 1: the next rating is b, rated 2: nothing relevant, so the newcomer is left out
    assert per_user.empty
    with pytest.raises(ValueError, match="fewer than 5 ratings"):
        coldstart.evaluate_by_history({"cd": always_cd}, new, lengths=(3,), n_truth=2)


def test_summaries_and_paired_tests_by_history():
    per_user = pd.DataFrame(
        {
            "strategy": ["a"] * 4 + ["b"] * 4,
            "history": [0, 0, 0, 0] * 2,
            "user": [1, 2, 3, 4] * 2,
            "recall": [0.5, 0.5, 1.0, 0.0, 0.0, 0.5, 0.5, 0.0],
        }
    )
    summary = coldstart.summarize_by_history(per_user).set_index("strategy")
    assert summary.loc["a", "recall"] == 0.5 and summary.loc["b", "users"] == 4
    assert summary.loc["a", "low"] <= 0.5 <= summary.loc["a", "high"]
    test = coldstart.paired_by_history(per_user, "a", "b").iloc[0]
    d = np.array([0.5, 0.0, 0.5, 0.0])
    half = 3.182446305284263 * d.std(ddof=1) / 2  # t(0.975, 3) * sd / sqrt(4)
    assert test["difference"] == pytest.approx(0.25)
    assert (test["low"], test["high"]) == pytest.approx((0.25 - half, 0.25 + half))
    with pytest.raises(ValueError, match="Unknown strategy 'z'"):
        coldstart.paired_by_history(per_user, "a", "z")


def test_demographic_segments_and_candidate_floor():
    users = pd.DataFrame({"user": [1, 2, 3], "age": [7, 18, 56], "gender": ["M", "F", "F"]})
    assert coldstart.demographic_segments(users)["segment"].tolist() == [
        "under 18 M",
        "18–24 F",
        "56+ F",
    ]
    with pytest.raises(ValueError, match="lacks \\['gender'\\]"):
        coldstart.demographic_segments(users.drop(columns="gender"))
    model = ALSMatrixFactorization(n_factors=2, n_iter=5).fit(TRAIN)
    # only a and b have 2+ users: no strategy may propose c or d
    strategies = coldstart.newcomer_strategies(TRAIN, USERS, FEATURES, model, n=4, min_count=2)
    empty = TRAIN.iloc[:0]
    one = TRAIN[TRAIN["user"] == 1].head(1)
    for name, strategy in strategies.items():
        assert set(strategy(1, empty)) <= {"a", "b"}, name
        assert set(strategy(1, one)) <= {"b"}, name


def test_rank_unseen_puts_missing_scores_last():
    scores = pd.Series({"a": np.nan, "b": 1.0, "c": 2.0})
    assert coldstart.rank_unseen(scores, 3) == ["c", "b", "a"]
    assert coldstart.rank_unseen(scores, 3, exclude=["c", "zz"]) == ["b", "a"]


def test_the_readable_strategies_match_the_recommenders():
    """coldstart.content_based / segment_popularity (one user, readable) give the lists of
    ContentBasedRecommender / SegmentPopularityRecommender (every user, vectorized)."""
    from recsys_lab.models import ContentBasedRecommender, SegmentPopularityRecommender

    rng = np.random.default_rng(5)
    items = [f"i{j}" for j in range(40)]
    features = pd.DataFrame(rng.random((40, 6)), index=items)  # continuous: no ties
    ratings = pd.DataFrame(
        {"user": rng.integers(0, 30, 400), "item": rng.choice(items, 400)}
    ).drop_duplicates()
    segments = pd.DataFrame({"user": range(30), "segment": rng.choice(["a", "b", "c"], 30)})

    content = ContentBasedRecommender(features).fit(ratings)
    by_segment = SegmentPopularityRecommender(segments).fit(ratings)
    for user, seen in ratings.groupby("user")["item"]:
        history = list(seen)
        expected = content.recommend(users=[user], n=8)["item"].tolist()
        assert coldstart.content_based(features, history, n=8) == expected
        # popularity has ties: compare the counts at each rank, not the tied items' order
        segment = segments.set_index("user").loc[user, "segment"]
        listed = coldstart.segment_popularity(ratings, segments, segment, n=8, exclude=history)
        scores = by_segment.recommend(users=[user], n=8)["score"].to_numpy()
        np.testing.assert_array_equal(by_segment.predict([user] * 8, listed), scores)


@pytest.mark.parametrize("summary", ["summarize", "paired"])
def test_history_tables_name_a_missing_column(summary):
    table = pd.DataFrame({"strategy": ["a"], "history": [0], "recall": [0.5]})  # no user
    call = {
        "summarize": lambda t: coldstart.summarize_by_history(t.drop(columns="recall")),
        "paired": lambda t: coldstart.paired_by_history(t, "a", "a"),
    }[summary]
    with pytest.raises(ValueError, match="lacks column"):
        call(table)
