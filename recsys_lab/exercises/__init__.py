"""Self-check exercises: ``q.check(answer)``, ``q.hint()``, ``q.solution()``.

A notebook cell leaves the answer blank as ``____``; checking a blank says
"not attempted" and never raises, so "Run all" always gets to the end.

>>> from recsys_lab.exercises import Exercise, ____
>>> q = Exercise("What is 6 × 7?", expected=lambda: 42, hint="Count by sevens.", solution="6 * 7")
>>> q.verdict(____).status, q.verdict(42).status, q.verdict(41).status
('not attempted', 'correct', 'incorrect')
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np


class _Blank:
    """The placeholder a learner replaces with an answer."""

    def __repr__(self) -> str:
        return "____"


____ = _Blank()


@dataclass(frozen=True)
class Verdict:
    """The outcome of one check: ``status`` and a message for the learner."""

    status: str  # "correct", "incorrect" or "not attempted"
    message: str

    @property
    def correct(self) -> bool:
        """Whether the answer was right."""
        return self.status == "correct"


def same_answer(
    answer: object, expected: object, rel_tol: float = 1e-6, abs_tol: float = 1e-6
) -> bool:
    """Compare real numbers with a tolerance, sequences element-wise, anything else with ==.

    >>> same_answer(0.1 + 0.2, 0.3), same_answer([1, 2.0000000001], (1, 2)), same_answer(1, "1")
    (True, True, False)
    """
    if isinstance(expected, numbers.Real) and not isinstance(expected, bool):
        if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
            return False
        return math.isclose(float(answer), float(expected), rel_tol=rel_tol, abs_tol=abs_tol)
    if isinstance(expected, Sequence | np.ndarray) and not isinstance(expected, str):
        if isinstance(answer, str) or not isinstance(answer, Sequence | np.ndarray):
            return False
        return len(answer) == len(expected) and all(
            same_answer(a, e, rel_tol, abs_tol) for a, e in zip(answer, expected, strict=True)
        )
    return bool(answer == expected)


class Exercise:
    """One question with a checker, a hint and a worked solution.

    Parameters
    ----------
    prompt : str
        The question, as shown by ``repr(q)``.
    expected : callable
        Computes the right answer from ``recsys_lab`` (never a hard-coded number
        that could drift from the code).
    hint, solution : str
        Shown by :meth:`hint` and :meth:`solution`.
    tolerance : float
        Absolute tolerance for numeric answers (e.g. 1 for dollars).
    """

    def __init__(
        self,
        prompt: str,
        expected: Callable[[], object],
        hint: str,
        solution: str,
        tolerance: float = 1e-6,
    ) -> None:
        self.prompt = prompt
        self.expected = expected
        self.tolerance = tolerance
        self._hint = hint
        self._solution = solution

    def hint(self) -> None:
        """Print the hint."""
        print(f"Hint: {self._hint}")

    def solution(self) -> None:
        """Print the worked solution."""
        print(f"Solution:\n{self._solution}")

    def __repr__(self) -> str:
        return f"Exercise: {self.prompt}"

    def verdict(self, answer: object) -> Verdict:
        """Judge ``answer`` without printing anything."""
        if answer is ____ or answer is Ellipsis:
            return Verdict("not attempted", "Not attempted yet: replace ____ with your answer.")
        expected = self.expected()
        if same_answer(answer, expected, abs_tol=self.tolerance):
            return Verdict("correct", "Correct!")
        if isinstance(expected, numbers.Real) and not isinstance(answer, numbers.Real):
            why = f"expected a number, got {type(answer).__name__}"
        elif isinstance(expected, Sequence) and not isinstance(answer, Sequence | np.ndarray):
            why = f"expected a list, got {type(answer).__name__}"
        else:
            why = "not quite"
        return Verdict("incorrect", f"Incorrect: {why}. Try again, or call .hint().")

    def check(self, answer: object) -> None:
        """Print whether ``answer`` is right. Never raises on a blank or a wrong type."""
        print(self.verdict(answer).message)
