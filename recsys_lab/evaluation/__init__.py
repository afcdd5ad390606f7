"""Evaluation: how good a recommender is, with its uncertainty.

* :mod:`.metrics` — accuracy, ranking, beyond-accuracy, business and fairness metrics,
  and :func:`~.metrics.evaluate`, which reports them with intervals;
* :mod:`.model_selection` — cross-validation and tuning of any recommender on
  validation data (the splits themselves are :mod:`recsys_lab.data.splits`);
* :mod:`.rating_errors` — RMSE with the user as the unit: intervals and paired tests;
* :mod:`.stats` — bootstrap intervals, paired tests, p-value corrections, power;
* :mod:`.ope` — off-policy estimators (IPS, SNIPS, DM, DR) from logged propensities;
* :mod:`.abtest` — A/B analysis: SRM, CUPED, Welch, the delta method, sequential tests;
* :mod:`.newcomers` — cold-start strategies compared on real newcomers.
"""
