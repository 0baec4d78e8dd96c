"""Evaluation pages: the evaluations a person takes part in, one evaluation's page, its set-up and
panel, my declarations, compliance checks, my score sheet for a bid, moderation, and the ranking.

Every page resolves the opportunity of the council in the URL (404 otherwise) and the visitor's
part in its evaluation, then the page's own rule: council people without that part get 403, anyone
else 404, so an outsider never learns that an evaluation exists. Bids are only ever read through
`evaluation_selectors`, behind the sealed-bid rule, the panel and the declarations (404 otherwise).

Split by what the pages are for, so each stage of an evaluation reads on its own: `base` (the access
rule every page shares), `overview` (the list and one evaluation's page), `panel` (set-up, the panel
and declarations), `scores` (compliance, score sheets and moderation) and `summary` (the ranking and
the steps between stages).
"""
