import pytest

from recsys_lab.exercises import (
    Exercise,
    ____,
    nb01,
    nb02,
    nb03,
    nb04,
    nb05,
    nb06,
    nb07,
    nb08,
    nb09,
    same_answer,
)

RIGHT_AND_WRONG = [
    (nb01.q1, 400_000, 300_000),
    (nb01.q2, ["Mike", "Brandon", "Diego"], ["Mike", "Diego", "Brandon"]),
    (nb01.q3, 200_000, 250_000),
    (nb01.q4, "Staples", "Google"),
    (nb02.q1, 320_156.21, 450_000),
    (nb02.q2, "chebyshev", "euclidean"),
    (nb02.q3, 4, 5),
    (nb03.q1, 0.8808, 0.5),
    (nb03.q2, 2, 3),
    (nb03.q3, 242, 5),
    (nb04.q1, 361_197, 400_000),
    (nb04.q2, 0.763, 0.749),
    (nb04.q3, 2.5, 3.0),
    (nb05.q1, 0.92, 0.9),
    (nb05.q2, nb05.q2.expected(), [1, 2, 3, 4, 5]),
    (nb05.q3, 2.0, 0.5),
    (nb06.q1, 0.3869, 0.5),
    (nb06.q2, "popularity", "random"),
    (nb06.q3, 0.5, 1 / 3),
    (nb07.q1, 18 / 21, 16 / 21),
    (nb07.q2, "offer_2", "offer_1"),
    (nb07.q3, 4, 7),
    (nb08.q1, 31234, 30000),
    (nb08.q2, 0.0552, 0.041),
    (nb08.q3, 0.0355, 0.05),
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
    q = nb01.q1
    for answer in ("400000", None, [400_000], True, {"a": 1}):
        assert q.verdict(answer).status == "incorrect"
    assert "expected a number, got str" in q.verdict("400000").message
    assert "expected a list, got int" in nb01.q2.verdict(3).message


def test_tolerances():
    assert nb01.q1.verdict(400_000.4).correct  # dollars: within $1
    assert not nb01.q1.verdict(400_002).correct
    q = Exercise("pi?", expected=lambda: 3.14159265, hint="", solution="")
    assert q.verdict(3.1415926).correct and not q.verdict(3.14).correct


def test_same_answer():
    assert same_answer([1, 2.0000000001], (1, 2))
    assert not same_answer("ab", ["a", "b"])
    assert not same_answer([1, 2], [1, 2, 3])
    assert same_answer("x", "x") and not same_answer(1, "1")
