"""URLs of member working groups, included in `commissioning.urls` under a commission."""

from django.urls import path

from commissioning.groups import views

C = "<slug:council_slug>/"
GROUP = C + "<int:pk>/working-group/"

urlpatterns = [
    path(GROUP, views.WorkingGroupView.as_view(), name="working_group"),
    path(GROUP + "name/", views.NameMemberView.as_view(), name="working_group_name"),
    path(GROUP + "members/<int:member_pk>/remove/", views.RemoveMemberView.as_view(), name="working_group_remove"),
    path(GROUP + "comment/", views.CommentView.as_view(), name="working_group_comment"),
]

# Before the council pages: "working-groups" would otherwise be read as a council's slug.
top_urlpatterns = [
    path("working-groups/", views.MyWorkingGroupsView.as_view(), name="my_working_groups"),
]
