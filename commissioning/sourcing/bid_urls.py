"""Bids, under /bids/: the provider's side (their own bids) and the council's side (opened bids)."""

from django.urls import path

from commissioning.sourcing.views import bids as views
from commissioning.sourcing.views import council_bids as council_views
from commissioning.sourcing.views import partners as partner_views

app_name = "bids"

BID = "<int:pk>/"
COUNCIL = "council/<slug:council_slug>/<int:opportunity_pk>/"

urlpatterns = [
    path("", views.MyBidsView.as_view(), name="mine"),
    # Joint bids naming the user's organisations, for its administrators to confirm or decline.
    path("partnerships/", partner_views.PartnershipListView.as_view(), name="partnerships"),
    path("partnerships/<int:pk>/", partner_views.PartnershipView.as_view(), name="partnership"),
    path("start/<str:reference>/", views.StartBidView.as_view(), name="start"),
    path(BID, views.BidTaskListView.as_view(), name="detail"),
    path(BID + "check/", views.BidCheckView.as_view(), name="check"),
    path(BID + "receipt/", views.BidReceiptView.as_view(), name="receipt"),
    path(BID + "steps/<slug:name>/", views.BidTransitionView.as_view(), name="transition"),
    path(BID + "<slug:section>/", views.BidSectionView.as_view(), name="section"),
    path("documents/<int:pk>/", views.BidDocumentDownloadView.as_view(), name="document"),
    path(COUNCIL, council_views.CouncilBidListView.as_view(), name="council_list"),
    path(COUNCIL + "<int:bid_pk>/", council_views.CouncilBidDetailView.as_view(), name="council_detail"),
]
