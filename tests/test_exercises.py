import pytest

from recsys_lab.exercises import (
    Exercise,
    ____,
    beyond_accuracy_metrics,
    cold_start,
    distance_norms,
    matrix_factorization,
    nb09,
    online_evaluation,
    personalized_offers,
    salesperson_example,
    same_answer,
    weighted_voting,
)

RIGHT_AND_WRONG = [
    (salesperson_example.q1, 400_000, 300_000),
    (salesperson_example.q2, ["Mike", "Brandon", "Diego"], ["Mike", "Diego", "Brandon"]),
    (salesperson_example.q3, 200_000, 250_000),
    (salesperson_example.q4, "Staples", "Google"),
    (distance_norms.q1, 320_156.21, 450_000),
    (distance_norms.q2, "chebyshev", "euclidean"),
    (distance_norms.q3, 4, 5),
    (weighted_voting.q1, 0.8808, 0.5),
    (weighted_voting.q2, 2, 3),
    (weighted_voting.q3, 242, 5),
    (matrix_factorization.q1, 361_197, 400_000),
    (matrix_factorization.q2, 0.763, 0.749),
    (matrix_factorization.q3, 2.5, 3.0),
    (cold_start.q1, 0.92, 0.9),
    (cold_start.q2, cold_start.q2.expected(), [1, 2, 3, 4, 5]),
    (cold_start.q3, 2.0, 0.5),
    (beyond_accuracy_metrics.q1, 0.3869, 0.5),
    (beyond_accuracy_metrics.q2, "popularity", "random"),
    (beyond_accuracy_metrics.q3, 0.5, 1 / 3),
    (personalized_offers.q1, 18 / 21, 16 / 21),
    (personalized_offers.q2, "offer_2", "offer_1"),
    (personalized_offers.q3, 4, 7),
    (online_evaluation.q1, 31234, 30000),
    (online_evaluation.q2, 0.0552, 0.041),
    (online_evaluation.q3, 0.0355, 0.05),
    (nb09.q1, 80.0, 0.8),
    (nb09.q2, 4, 2),
    (nb09.q3, "nan", "drop"),
]


@pytest.mark.parametrize(("q", "right", "wrong"), RIGHT_AND_WRONG)
def test_notebook_checkers(q, right, wrong, capsys):
    assert q.verdict(right).status == "correct"
    assert q.verdict(wrong).status == "incorrect"
    assert q.verdict(____).status == "not attempted"
    q.check(____)
    assert "Not attempted" in capsys.readouterr().out
    q.hint()
    q.solution()
    out = capsys.readouterr().out
    assert out.startswith("Hint: ") and "Solution:" in out


def test_wrong_types_never_raise():
    q = salesperson_example.q1
    for answer in ("400000", None, [400_000], True, {"a": 1}):
        assert q.verdict(answer).status == "incorrect"
    assert "expected a number, got str" in q.verdict("400000").message
    assert "expected a list, got int" in salesperson_example.q2.verdict(3).message


def test_tolerances():
    assert salesperson_example.q1.verdict(400_000.4).correct  # dollars: within $1
    assert not salesperson_example.q1.verdict(400_002).correct
    q = Exercise("pi?", expected=lambda: 3.14159265, hint="", solution="")
    assert q.verdict(3.1415926).correct and not q.verdict(3.14).correct


def test_same_answer():
    assert same_answer([1, 2.0000000001], (1, 2))
    assert not same_answer("ab", ["a", "b"])
    assert not same_answer([1, 2], [1, 2, 3])
    assert same_answer("x", "x") and not same_answer(1, "1")
