"""Reads for the dashboards: each role's landing page, built from aggregate queries.

Dashboards are the most-used pages, so each is a fixed set of queries whatever the size of the
council: counts and sums come from `values().annotate()` / `aggregate()` in the database, lists
are single queries with their related rows joined in, and nothing is fetched row by row. No list
shows more than `LIST_LIMIT` rows, most urgent first, and each knows how many rows there are in all
(`Rows.total`): a window count over the whole result, so the total costs no query of its own. Every
query starts from a selector scoped to what the user may see (`commissions_visible_to`,
`agreements_visible_to`), so a portfolio holder's figures only ever cover their portfolios.

Performance comes from the monitoring returns: the RAG rating of each accepted return, the ratings of
its KPIs, and returns overdue.

The shared pieces (`rows`, `filters`, `ratings`, `shared`) are apart from the dashboards built from
them (one module per dashboard) so each role's page, and what it costs, reads on its own; import from
the module that defines a name.
"""
