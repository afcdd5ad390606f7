"""Teaching: the salesperson example and everything the notebooks show or ask.

* :mod:`.distances`, :mod:`.voting`, :mod:`.neighbors` — the first article's
  co-rated distances, weighted votes and nearest salespeople (short paths
  ``recsys_lab.distances`` etc.); :mod:`.assignment` — clients to salespeople;
* :mod:`.vote_errors` — leave-one-out errors of those votes, cell by cell;
* :mod:`.explanations` — "because you rated …" in film titles;
* :mod:`.exercises` — the notebooks' self-checks; :mod:`.widgets`, :mod:`.plots`;
* :mod:`.experiments` — ready-made experiments the notebooks and benchmarks share.
"""
