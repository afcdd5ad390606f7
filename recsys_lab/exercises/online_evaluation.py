"""Exercises of the notebook on online evaluation.

>>> q1.expected()
31234
"""

from __future__ import annotations

from recsys_lab import abtest
from recsys_lab.exercises import Exercise

q1 = Exercise(
    prompt="How many users per group detect a 10 % relative lift of a 5 % conversion rate "
    "(alpha 0.05, power 0.8)?",
    expected=lambda: abtest.sample_size(0.05, 0.10),
    hint="abtest.sample_size(baseline, relative_lift)",
    solution="abtest.sample_size(0.05, 0.10)",
)

q2 = Exercise(
    prompt="What is the lower end of the 95 % Wilson interval for 10 clicks in 100 impressions?",
    expected=lambda: abtest.wilson_interval(10, 100)[0],
    hint="abtest.wilson_interval(10, 100)",
    solution="abtest.wilson_interval(10, 100)[0]  # ≈ 0.055, not 0.1 − 1.96·0.03 = 0.041",
    tolerance=1e-3,
)

q3 = Exercise(
    prompt="Control: 100 clicks of 1,000; treatment: 130 of 1,000. What is the two-sided p-value?",
    expected=lambda: abtest.two_proportion_test(100, 1000, 130, 1000)[1],
    hint="abtest.two_proportion_test(100, 1000, 130, 1000) returns (z, p).",
    solution="abtest.two_proportion_test(100, 1000, 130, 1000)[1]  # ≈ 0.036",
    tolerance=1e-3,
)
