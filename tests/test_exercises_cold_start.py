"""The cold-start notebook's exercises: right answers pass, typical wrong ones fail with a
message naming the case, blanks are "not attempted"."""

import math

import numpy as np
import pandas as pd

from recsys_lab.teaching.exercises import ____
from recsys_lab.teaching.exercises import cold_start as ex


# ------------------------------------------------------------------ q1: UCB1's index
def ucb1_by_loop(means, pulls, t):
    out = []
    for x, n in zip(means, pulls, strict=True):
        out.append(float("inf") if n == 0 else float(x) + math.sqrt(2 * math.log(t) / n))
    return out


def ucb1_zero_for_untried(means, pulls, t):
    """Wrong: an arm never pulled gets 0 instead of infinity."""
    return [
        0.0 if n == 0 else x + math.sqrt(2 * math.log(t) / n)
        for x, n in zip(means, pulls, strict=True)
    ]


def ucb1_without_the_two(means, pulls, t):
    """Wrong: sqrt(ln t / n), the bonus without its factor 2."""
    return [
        float("inf") if n == 0 else x + math.sqrt(math.log(t) / n)
        for x, n in zip(means, pulls, strict=True)
    ]


def test_q1_ucb1_index():
    assert ex.q1.verdict(ucb1_by_loop).correct
    wrong = ex.q1.verdict(ucb1_zero_for_untried)
    assert not wrong.correct and "'an arm never pulled'" in wrong.message
    wrong = ex.q1.verdict(ucb1_without_the_two)
    assert not wrong.correct and "'three arms, all pulled'" in wrong.message
    assert "ucb1_index(array(" in wrong.message  # shows the call

    def blank(means, pulls, t):
        return ____

    assert ex.q1.verdict(blank).status == "not attempted"
    assert ex.q1.verdict(____).status == "not attempted"


# ------------------------------------------------------------------ q2: clipped counts
def clipped_by_hand(ratings, max_items, items):
    order = sorted(range(len(ratings)), key=lambda j: ratings["timestamp"].iloc[j])
    kept_per_user: dict = {}
    for j in order:
        user, item = ratings["user"].iloc[j], ratings["item"].iloc[j]
        mine = kept_per_user.setdefault(user, [])
        if len(mine) < max_items and item not in mine:
            mine.append(item)
    return [sum(item in mine for mine in kept_per_user.values()) for item in items]


def clipped_in_row_order(ratings, max_items, items):
    """Wrong: keeps the first rows, not the first in time."""
    kept = ratings[ratings.groupby("user").cumcount() < max_items]
    return kept["item"].value_counts().reindex(items, fill_value=0).tolist()


def unclipped(ratings, max_items, items):
    """Wrong: forgets the bound."""
    return ratings["item"].value_counts().reindex(items, fill_value=0).tolist()


def test_q2_clipped_counts():
    assert ex.q2.verdict(clipped_by_hand).correct
    wrong = ex.q2.verdict(unclipped)
    assert not wrong.correct and "'a user with more items than the bound'" in wrong.message
    wrong = ex.q2.verdict(clipped_in_row_order)
    assert not wrong.correct and "'rows out of time order'" in wrong.message

    def no_missing_items(ratings, max_items, items):
        r = ratings.sort_values("timestamp")
        return r[r.groupby("user").cumcount() < max_items]["item"].value_counts().tolist()

    wrong = ex.q2.verdict(no_missing_items)
    assert not wrong.correct and "Incorrect on the case" in wrong.message


# ------------------------------------------------------------------ q3: switching hybrid
def switching_by_hand(history, cold, warm, n, switch_at):
    seen = set(history["item"])
    if len(history) >= switch_at:
        pairs = [(score, pos, item) for pos, (item, score) in enumerate(warm.items())]
        ranked = [item for _, _, item in sorted(pairs, key=lambda p: (-p[0], p[1]))]
        return [i for i in ranked if i not in seen][:n]
    return [i for i in cold if i not in seen][:n]


def switching_keeps_seen(history, cold, warm, n, switch_at):
    """Wrong: recommends what the newcomer already rated."""
    if len(history) >= switch_at:
        return warm.sort_values(ascending=False, kind="stable").index[:n].tolist()
    return cold[:n]


def switching_too_late(history, cold, warm, n, switch_at):
    """Wrong: switches only after more than switch_at ratings."""
    seen = set(history["item"])
    if len(history) > switch_at:
        unseen = warm[~warm.index.isin(seen)]
        return unseen.sort_values(ascending=False, kind="stable").index[:n].tolist()
    return [i for i in cold if i not in seen][:n]


def test_q3_switching_hybrid():
    assert ex.q3.verdict(switching_by_hand).correct
    wrong = ex.q3.verdict(switching_keeps_seen)
    assert not wrong.correct and "'one rating short of the switch'" in wrong.message
    wrong = ex.q3.verdict(switching_too_late)
    assert not wrong.correct and "'the switch point reached'" in wrong.message

    def crashes_on_empty(history, cold, warm, n, switch_at):
        return [history["item"].iloc[0]]

    wrong = ex.q3.verdict(crashes_on_empty)
    assert "'a newcomer with no rating'" in wrong.message and "raised" in wrong.message


# ------------------------------------------------------------------ reasoning questions
def test_q4_noise_standard_deviation():
    b = 20 / 0.5
    assert ex.q4.verdict(math.sqrt(2 * b * b)).correct
    assert ex.q4.verdict(56.6).correct  # typed from a rounded value
    assert not ex.q4.verdict(40.0).correct  # the scale, not the standard deviation
    assert not ex.q4.verdict(2.0).correct  # the scale with sensitivity 1
    assert ex.q4.verdict(____).status == "not attempted"


def test_q5_switch_point_from_the_committed_table():
    per_user = pd.read_csv(ex.RESULTS)
    wide = per_user.pivot_table(index=["history", "user"], columns="strategy", values="recall")
    below = []
    for h, g in wide.groupby(level="history"):
        d = (g["blend (k0 = 5)"] - g["segment popularity"]).to_numpy()
        half = 1.96 * d.std(ddof=1) / math.sqrt(len(d)) if d.std() > 0 else 0.0
        if d.mean() + half < 0:
            below.append(h)
    # a normal-approximation interval, written independently of the package's t-interval
    assert ex.q5.verdict(int(min(below))).correct
    assert min(below) == 5
    assert not ex.q5.verdict(3).correct and not ex.q5.verdict(10).correct
    assert ex.q5.verdict(____).status == "not attempted"
    assert np.isfinite(per_user["recall"]).all()
