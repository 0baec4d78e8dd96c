"""The procurement record (Procurement Act 2023, s.98): for each commission, every material decision and
every communication with suppliers about its procurement, in time order, with when, who, what and a
link to where the reader may open it.

The record is built from *sources* (`registry.register`): commissioning registers its own (the audit
trail of the commission, its opportunities, bids, evaluations and awards, and the outcome letters);
other areas register theirs from their `AppConfig.ready()` (monitoring: the agreements). Each source
also names the records whose audit events belong to the procurement (`Subject`), which is what the
retention schedule keeps for 3 years after the contract (`monitoring.records`).
"""
