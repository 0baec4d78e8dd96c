"""Social value as data: the council's measures (with a default set), the asks an opportunity makes,
and what bids commit to."""
