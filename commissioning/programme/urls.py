from django.urls import path

from commissioning.programme import views

C = "<slug:council_slug>/programme/"
YEAR = C + "<int:year>/"

urlpatterns = [
    path(C, views.ProgrammeListView.as_view(), name="programmes"),
    path(C + "criteria/", views.CriteriaView.as_view(), name="programme_criteria"),
    path(C + "criteria/<int:criterion_pk>/", views.CriterionEditView.as_view(), name="programme_criterion"),
    path(YEAR, views.ProgrammeView.as_view(), name="programme"),
    path(YEAR + "candidates/new/", views.CandidateAddView.as_view(), name="programme_candidate_add"),
    path(YEAR + "candidates/<int:candidate_pk>/", views.CandidateScoreView.as_view(), name="programme_candidate"),
    path(YEAR + "decision/", views.ProgrammeDecisionView.as_view(), name="programme_decision"),
    path(YEAR + "steps/<slug:name>/", views.ProgrammeStepView.as_view(), name="programme_step"),
]
