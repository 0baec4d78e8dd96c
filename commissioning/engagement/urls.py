"""URLs of early engagement on drafts: the officers' pages (included in `commissioning.urls`) and the
public site's (included in `commissioning.public_urls`, before an opportunity's reference)."""

from django.urls import path

from commissioning.engagement import views

C = "<slug:council_slug>/"
ONE = C + "<int:pk>/consultations/"
ONE_CONSULTATION = ONE + "<int:consultation_pk>/"

urlpatterns = [
    path(ONE, views.ConsultationListView.as_view(), name="consultations"),
    path(ONE + "open/", views.ConsultationOpenView.as_view(), name="consultation_open"),
    path(ONE_CONSULTATION, views.ConsultationView.as_view(), name="consultation"),
    path(
        ONE_CONSULTATION + "comments/<int:comment_pk>/answer/",
        views.CommentAnswerView.as_view(),
        name="consultation_answer",
    ),
]

PUBLIC = "councils/<slug:council_slug>/consultations/"

public_urlpatterns = [
    path("consultations/", views.OpenConsultationsView.as_view(), name="consultations"),
    path(PUBLIC, views.OpenConsultationsView.as_view(), name="council_consultations"),
    path(PUBLIC + "<int:pk>/", views.PublicConsultationView.as_view(), name="consultation"),
    path(PUBLIC + "<int:pk>/comment/", views.CommentView.as_view(), name="consultation_comment"),
]
