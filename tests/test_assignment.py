import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recsys_lab.teaching.assignment import assign
from recsys_lab.teaching.neighbors import complete


def test_article_matrix_assignment(sales):
    plan = assign(complete(sales, k=2))
    assert plan["client"].tolist() == list(sales.columns)
    assert plan["salesperson"].is_unique
    assert plan["predicted"].sum() == 2_000_000  # 500k + 400k + 600k + 500k
    assert dict(zip(plan["client"], plan["salesperson"], strict=True))["Staples"] == "Mike"


def test_capacity_lets_one_person_take_several():
    R = pd.DataFrame({"A": [9.0, 1.0], "B": [8.0, 1.0], "C": [7.0, 6.0]}, index=["s", "t"])
    with pytest.raises(ValueError, match="3 clients need at least that many places"):
        assign(R, capacity=1)
    two = assign(R, capacity=2)
    assert two["salesperson"].tolist() == ["s", "s", "t"] and two["predicted"].sum() == 23
    assert assign(R, capacity={"s": 3})["predicted"].sum() == 24  # t gets none


def brute_force(R: np.ndarray, caps: list[int]) -> float:
    best = -np.inf
    n_people, n_clients = R.shape
    for choice in itertools.product(range(n_people), repeat=n_clients):
        if all(choice.count(s) <= caps[s] for s in range(n_people)):
            best = max(best, sum(R[s, c] for c, s in enumerate(choice)))
    return best


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 4).flatmap(
        lambda people: st.tuples(
            st.integers(1, 4),
            st.lists(st.integers(0, 3), min_size=people, max_size=people),
            st.lists(st.integers(0, 9), min_size=16, max_size=16),
        )
    )
)
def test_optimal_against_brute_force(case):
    n_clients, caps, cells = case
    n_people = len(caps)
    if sum(caps) < n_clients:
        return
    values = np.array(cells[: n_people * n_clients], dtype=float).reshape(n_people, n_clients)
    R = pd.DataFrame(values, index=[f"s{i}" for i in range(n_people)])
    plan = assign(R, capacity=dict(zip(R.index, caps, strict=True)))
    assert plan["predicted"].sum() == brute_force(values, caps)
    counts = plan["salesperson"].value_counts()
    assert all(counts.get(s, 0) <= c for s, c in zip(R.index, caps, strict=True))


def test_bad_input(sales):
    with pytest.raises(ValueError, match="complete the matrix first"):
        assign(sales)
    full = complete(sales)
    with pytest.raises(ValueError, match="capacities add up to 3"):
        assign(full, capacity={"Alyssa": 3})
    with pytest.raises(ValueError, match="unknown salespeople \\['Zoe'\\]"):
        assign(full, capacity={"Zoe": 4})
    with pytest.raises(ValueError, match="capacity must be >= 1"):
        assign(full, capacity=0)
