"""The prioritised programme: the council's prioritisation criteria and weights, candidates scored
against them, the ranked programme for a financial year and cabinet's decision on it."""
