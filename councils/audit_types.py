"""The kinds of audit event that record reading (not writing), named once for the modules that treat
them differently: `councils.reading` writes them, `councils.page_cache` does not empty pages for them."""

READ_BID = "read.bid"
DOWNLOAD_BID_DOCUMENT = "download.bid_document"
EXPORT_RUN = "export.run"
# Exports that were already audited under their own names count as reads too.
READING_EVENT_TYPES = frozenset(
    {READ_BID, DOWNLOAD_BID_DOCUMENT, EXPORT_RUN, "evaluation.scores_exported", "scrutiny_report.exported"}
)
