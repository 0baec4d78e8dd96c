"""An Atom feed of the opportunities open for bids, for providers' feed readers and alerting tools."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed

from commissioning.sourcing.selectors.opportunities import feed_opportunities, when


class OpenOpportunitiesFeed(Feed):
    feed_type = Atom1Feed
    title = "Open opportunities"
    subtitle = "Grants and contracts councils are inviting bids for through Commissioner."
    link = reverse_lazy("opportunities:list")

    def items(self):
        return feed_opportunities()

    def item_title(self, item) -> str:
        return f"{item.title} ({item.council.name})"

    def item_description(self, item) -> str:
        return f"{item.summary}\n\nDeadline for bids: {when(item.submission_deadline)}."

    def item_link(self, item) -> str:
        return item.get_absolute_url()

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item) -> str:
        return item.council.name
