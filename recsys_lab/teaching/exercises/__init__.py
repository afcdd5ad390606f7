"""Self-check exercises: ``q.check(answer)``, ``q.hint()``, ``q.solution()``.

Two kinds of question:

* :class:`Exercise` asks for a value — a number, a name, a list. Numbers pass within 1 %
  (so a value typed from a display rounded to three digits is right), names are
  compared without case and with the aliases the package accepts, and ``unordered``
  questions take the items in any order.
* :class:`FunctionExercise` asks the learner to *write a function*; ``q.check(fn)`` runs
  it on hidden cases, edge cases included (no overlap, ties, an empty list, a single
  rating …), against the package's own implementation, and names the first case that
  fails.

A notebook cell leaves the answer blank as ``____``; checking a blank says
"not attempted" and never raises, so "Run all" always gets to the end. Solutions are
printed only on request, by ``q.solution()``. Each notebook's exercises live in a module
named after the notebook's topic (``salesperson_example``, ``distance_norms``, …), never
its number, so reordering the notebooks costs nothing.

>>> from recsys_lab.teaching.exercises import Exercise, ____
>>> q = Exercise("What is 6 × 7?", expected=lambda: 42, hint="Count by sevens.", solution="6 * 7")
>>> q.verdict(____).status, q.verdict(42).status, q.verdict(41).status
('not attempted', 'correct', 'incorrect')
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np


class _Blank:
    """The placeholder a learner replaces with an answer."""

    def __repr__(self) -> str:
        return "____"


____ = _Blank()

REL_TOL = 0.01
"""Numbers within 1 % of the expected value are right."""


@dataclass(frozen=True)
class Verdict:
    """The outcome of one check: ``status`` and a message for the learner."""

    status: str  # "correct", "incorrect" or "not attempted"
    message: str

    @property
    def correct(self) -> bool:
        """Whether the answer was right."""
        return self.status == "correct"


def _is_number(x: object) -> bool:
    return isinstance(x, numbers.Number) and not isinstance(x, bool)


def _is_list(x: object) -> bool:
    return isinstance(x, Sequence | np.ndarray | set | frozenset) and not isinstance(x, str)


def same_answer(
    answer: object,
    expected: object,
    rel_tol: float = REL_TOL,
    abs_tol: float = 1e-9,
    aliases: Mapping[str, str] | None = None,
    unordered: bool = False,
) -> bool:
    """Whether ``answer`` matches ``expected``.

    Numbers: within ``rel_tol`` (relative) or ``abs_tol``; NaN matches NaN. Strings:
    ignoring case and surrounding spaces, after mapping ``aliases`` (lower-case alias →
    canonical name). Sequences: element by element, or in any order if ``unordered``.

    >>> same_answer(0.39, 0.387)
    True
    >>> same_answer("Supremum", "chebyshev", aliases={"supremum": "chebyshev"})
    True
    >>> same_answer(["b", "a"], ["a", "b"]), same_answer(["b", "a"], ["a", "b"], unordered=True)
    (False, True)
    """
    if _is_number(expected):
        if not _is_number(answer):
            return False
        a, e = float(answer), float(expected)  # type: ignore[arg-type]
        if math.isnan(e) or math.isnan(a):
            return math.isnan(e) and math.isnan(a)
        return math.isclose(a, e, rel_tol=rel_tol, abs_tol=abs_tol)
    if isinstance(expected, str):
        if not isinstance(answer, str):
            return False
        names = {k.lower(): v.lower() for k, v in (aliases or {}).items()}
        a_str, e_str = answer.strip().lower(), expected.strip().lower()
        return names.get(a_str, a_str) == names.get(e_str, e_str)
    if _is_list(expected):
        if not _is_list(answer):
            return False
        got, want = list(answer), list(expected)  # type: ignore[call-overload]
        if len(got) != len(want):
            return False
        if unordered:
            remaining = list(want)
            for a in got:
                match = next(
                    (
                        j
                        for j, e in enumerate(remaining)
                        if same_answer(a, e, rel_tol, abs_tol, aliases)
                    ),
                    None,
                )
                if match is None:
                    return False
                remaining.pop(match)
            return True
        return all(
            same_answer(a, e, rel_tol, abs_tol, aliases) for a, e in zip(got, want, strict=True)
        )
    return bool(answer == expected)


def _kind(x: object) -> str:
    if _is_number(x):
        return "a number"
    if isinstance(x, str):
        return "a name (text)"
    if _is_list(x):
        return "a list"
    return type(x).__name__


@dataclass
class _Question:
    """What every question has: a prompt, a hint and a solution printed on request."""

    prompt: str
    hint_text: str
    solution_text: str

    def __repr__(self) -> str:
        return f"Exercise: {self.prompt}"

    def hint(self) -> None:
        """Print the hint."""
        print(f"Hint: {self.hint_text}")

    def solution(self) -> None:
        """Print a worked solution."""
        print(f"Solution:\n{self.solution_text}")

    def verdict(self, answer: object) -> Verdict:
        """Judge ``answer`` without printing anything."""
        raise NotImplementedError

    def check(self, answer: object) -> None:
        """Print whether ``answer`` is right. Never raises, whatever ``answer`` is."""
        print(self.verdict(answer).message)


class Exercise(_Question):
    """A question whose answer is a value, computed by the package when checked.

    Parameters
    ----------
    prompt : str
        The question, as shown by ``repr(q)``.
    expected : callable
        Computes the right answer from ``recsys_lab`` (never a hard-coded number that
        could drift from the code).
    hint, solution : str
        Printed by :meth:`hint` and :meth:`solution`.
    tolerance : float, default 1e-9
        Absolute tolerance for numbers, on top of the 1 % relative one.
    aliases : mapping, optional
        Other accepted names, e.g. ``{"supremum": "chebyshev"}``.
    unordered : bool, default False
        Accept a list's items in any order.
    """

    def __init__(
        self,
        prompt: str,
        expected: Callable[[], object],
        hint: str,
        solution: str,
        tolerance: float = 1e-9,
        aliases: Mapping[str, str] | None = None,
        unordered: bool = False,
    ) -> None:
        super().__init__(prompt, hint, solution)
        self.expected = expected
        self.tolerance = tolerance
        self.aliases = dict(aliases or {})
        self.unordered = unordered

    def verdict(self, answer: object) -> Verdict:
        """Judge ``answer`` without printing anything."""
        if answer is ____ or answer is Ellipsis:
            return Verdict("not attempted", "Not attempted yet: replace ____ with your answer.")
        expected = self.expected()
        if same_answer(
            answer, expected, abs_tol=self.tolerance, aliases=self.aliases, unordered=self.unordered
        ):
            return Verdict("correct", "Correct!")
        if _kind(answer) != _kind(expected):
            why = f"expected {_kind(expected)}, got {_kind(answer)}"
        elif _is_list(expected) and len(list(answer)) != len(list(expected)):  # type: ignore[call-overload]
            why = f"expected {len(list(expected))} items, got {len(list(answer))}"  # type: ignore[call-overload]
        else:
            why = "not quite"
        return Verdict("incorrect", f"Incorrect: {why}. Try again, or call .hint().")


@dataclass(frozen=True)
class Case:
    """One hidden test case of a :class:`FunctionExercise`: a name and the arguments."""

    name: str
    args: tuple = ()
    kwargs: Mapping[str, object] = field(default_factory=dict)

    def call(self, fn: Callable[..., object]) -> object:
        """``fn`` applied to this case's arguments (copies, so ``fn`` cannot spoil them)."""
        args = tuple(_copy(a) for a in self.args)
        return fn(*args, **{k: _copy(v) for k, v in self.kwargs.items()})

    def show(self) -> str:
        """The call, as the learner would write it."""
        parts = [_short(a) for a in self.args] + [
            f"{k}={_short(v)}" for k, v in self.kwargs.items()
        ]
        return f"({', '.join(parts)})"


def _copy(x: object) -> object:
    copy = getattr(x, "copy", None)
    return copy() if callable(copy) else x


def _short(x: object, limit: int = 60) -> str:
    text = repr(x).replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


class FunctionExercise(_Question):
    """A question answered by writing a function, checked on hidden cases.

    Parameters
    ----------
    name : str
        The function's name, as the prompt asks for it (used in messages).
    prompt : str
        What the function must do, with its signature.
    reference : callable
        The package's implementation; the expected outputs come from it.
    cases : callable
        Returns the hidden :class:`Case` list (edge cases included).
    hint, solution : str
        Printed by :meth:`hint` and :meth:`solution`.
    rel_tol, tolerance : float
        Relative and absolute tolerance for numeric outputs.
    unordered : bool, default False
        Accept list outputs in any order.

    Examples
    --------
    >>> q = FunctionExercise("double", "Write double(x).", reference=lambda x: 2 * x,
    ...                      cases=lambda: [Case("zero", (0,)), Case("negative", (-3,))],
    ...                      hint="", solution="def double(x): return 2 * x")
    >>> q.verdict(lambda x: 2 * x).status
    'correct'
    >>> print(q.verdict(lambda x: x + x if x else 1).message)
    Incorrect on the case 'zero': double(0) should give 0, your function gave 1.
    """

    def __init__(
        self,
        name: str,
        prompt: str,
        reference: Callable[..., object],
        cases: Callable[[], list[Case]],
        hint: str,
        solution: str,
        rel_tol: float = 1e-6,
        tolerance: float = 1e-9,
        unordered: bool = False,
    ) -> None:
        super().__init__(prompt, hint, solution)
        self.name = name
        self.reference = reference
        self.cases = cases
        self.rel_tol = rel_tol
        self.tolerance = tolerance
        self.unordered = unordered

    def verdict(self, answer: object) -> Verdict:
        """Run ``answer`` on every hidden case; the first failure is named."""
        if answer is ____ or answer is Ellipsis:
            return Verdict("not attempted", "Not attempted yet: write the function, then check it.")
        if not callable(answer):
            return Verdict(
                "incorrect", f"Incorrect: expected a function, got {_kind(answer)}; pass its name."
            )
        name = self.name
        cases = self.cases()
        for case in cases:
            want = case.call(self.reference)
            try:
                got = case.call(answer)
            except Exception as error:  # the learner's code: report, never raise
                return Verdict(
                    "incorrect",
                    f"Incorrect on the case '{case.name}': {name}{case.show()} raised "
                    f"{type(error).__name__}: {error}",
                )
            if got is ____:
                return Verdict(
                    "not attempted", "Not attempted yet: replace ____ in your function's body."
                )
            if not same_answer(got, want, self.rel_tol, self.tolerance, unordered=self.unordered):
                return Verdict(
                    "incorrect",
                    f"Incorrect on the case '{case.name}': {name}{case.show()} should give "
                    f"{_short(want)}, your function gave {_short(got)}.",
                )
        return Verdict("correct", f"Correct! Your function passes all {len(cases)} hidden cases.")
