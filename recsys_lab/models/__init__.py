"""The recommenders: one algorithm per module, all on one contract (:mod:`.base`)."""
