from recsys_lab.teaching.exercises import (
    Case,
    Exercise,
    FunctionExercise,
    ____,
    salesperson_example,
    same_answer,
)

# Each notebook's questions are tested in tests/test_exercises_<notebook>.py: the reference
# solution (written there, independently) passes, typical wrong answers fail with a useful
# message, a blank is "not attempted". This file tests the machinery.


def test_wrong_types_never_raise():
    q = salesperson_example.q1
    for answer in ("400000", None, [400_000], True, {"a": 1}):
        assert q.verdict(answer).status == "incorrect"
    assert "expected a number, got a name (text)" in q.verdict("400000").message
    assert "expected a list, got a number" in salesperson_example.q2.verdict(3).message


def test_numbers_pass_within_one_percent():
    q = Exercise("share?", expected=lambda: 0.3869, hint="", solution="")
    assert q.verdict(0.39).correct and q.verdict(0.387).correct  # typed from a display
    assert not q.verdict(0.40).correct
    assert not Exercise("zero?", expected=lambda: 0.0, hint="", solution="").verdict(0.01).correct


def test_names_ignore_case_and_take_aliases_and_sets_any_order():
    q = Exercise("norm?", lambda: "chebyshev", "", "", aliases={"supremum": "chebyshev"})
    assert q.verdict(" Supremum ").correct and q.verdict("CHEBYSHEV").correct
    assert not q.verdict("euclidean").correct
    s = Exercise("who?", lambda: ["Mike", "Brandon"], "", "", unordered=True)
    assert s.verdict(["brandon", "mike"]).correct
    assert not s.verdict(["Mike"]).correct
    assert "expected 2 items, got 1" in s.verdict(["Mike"]).message


def test_same_answer():
    assert same_answer([1, 2.0000000001], (1, 2))
    assert not same_answer("ab", ["a", "b"])
    assert not same_answer([1, 2], [1, 2, 3])
    assert same_answer("x", "x") and not same_answer(1, "1")
    assert same_answer(float("nan"), float("nan")) and not same_answer(1.0, float("nan"))


def _mean_gap(a, b):
    """The package-side reference of the toy function exercise below."""
    shared = [(x, y) for x, y in zip(a, b, strict=True) if x is not None and y is not None]
    return sum(abs(x - y) for x, y in shared) / len(shared) if shared else float("nan")


TOY = FunctionExercise(
    "mean_gap",
    "Write mean_gap(a, b): the mean absolute gap over positions where both are known.",
    reference=_mean_gap,
    cases=lambda: [
        Case("two shared", ([1, 2, None], [2, 4, 3])),
        Case("no overlap", ([1, None], [None, 2])),
        Case("one value", ([5], [1])),
    ],
    hint="Skip positions where either is None.",
    solution="def mean_gap(a, b): ...",
)


def test_function_exercise_runs_hidden_cases_and_names_the_failing_one():
    def right(a, b):  # written here, independently of the reference
        pairs = [(x, y) for x, y in zip(a, b, strict=True) if None not in (x, y)]
        return float("nan") if not pairs else sum(abs(x - y) for x, y in pairs) / len(pairs)

    def no_edge_case(a, b):
        pairs = [(x, y) for x, y in zip(a, b, strict=True) if None not in (x, y)]
        return sum(abs(x - y) for x, y in pairs) / len(pairs)

    def summed(a, b):
        return float(sum(abs(x - y) for x, y in zip(a, b, strict=True) if None not in (x, y)))

    assert TOY.verdict(right).message == "Correct! Your function passes all 3 hidden cases."
    message = TOY.verdict(no_edge_case).message
    assert message.startswith("Incorrect on the case 'no overlap': mean_gap([1, None], [None, 2])")
    assert "ZeroDivisionError" in message
    assert "should give 1.5, your function gave 3.0" in TOY.verdict(summed).message
    assert TOY.verdict(____).status == "not attempted"

    def mean_gap(a, b):  # the notebook's starting point: a body still to write
        return ____

    assert TOY.verdict(mean_gap).status == "not attempted"
    assert "expected a function" in TOY.verdict(3.0).message


def test_function_exercise_cannot_spoil_its_cases():
    def mutate(a, b):
        a.clear()
        return _mean_gap([1], [1])

    assert not TOY.verdict(mutate).correct
    assert TOY.verdict(_mean_gap).correct  # the cases are intact afterwards
