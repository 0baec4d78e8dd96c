"""Reviews of existing services, in the council's commissioning area (included by commissioning.urls)."""

from django.urls import path

from commissioning.reviews import views

C = "<slug:council_slug>/reviews/"
ONE = C + "<int:pk>/"

urlpatterns = [
    path(C, views.ReviewListView.as_view(), name="reviews"),
    path(C + "new/", views.ReviewOpenView.as_view(), name="review_open"),
    path(ONE, views.ReviewDetailView.as_view(), name="review"),
    path(ONE + "edit/", views.ReviewEditView.as_view(), name="review_edit"),
    path(ONE + "evidence/new/", views.EvidenceAddView.as_view(), name="review_evidence_add"),
    path(
        ONE + "evidence/<int:evidence_pk>/download/",
        views.EvidenceDownloadView.as_view(),
        name="review_evidence_download",
    ),
    path(ONE + "evidence/<int:evidence_pk>/remove/", views.EvidenceRemoveView.as_view(), name="review_evidence_remove"),
    path(ONE + "conclusion/", views.ReviewConcludeView.as_view(), name="review_conclude"),
    path(ONE + "steps/<slug:name>/", views.ReviewTransitionView.as_view(), name="review_transition"),
]
