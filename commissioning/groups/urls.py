"""URLs of member working groups, included in `commissioning.urls`: a commission's group, a review's
group (the same views, told which), and the groups a person sits on."""

from django.urls import path

from commissioning.groups import views

C = "<slug:council_slug>/"


def group_urls(prefix: str, kind: str, name: str) -> list:
    return [
        path(prefix, views.WorkingGroupView.as_view(kind=kind), name=name),
        path(prefix + "name/", views.NameMemberView.as_view(kind=kind), name=f"{name}_name"),
        path(
            prefix + "members/<int:member_pk>/remove/",
            views.RemoveMemberView.as_view(kind=kind),
            name=f"{name}_remove",
        ),
        path(prefix + "comment/", views.CommentView.as_view(kind=kind), name=f"{name}_comment"),
    ]


urlpatterns = [
    *group_urls(C + "<int:pk>/working-group/", "commission", "working_group"),
    *group_urls(C + "reviews/<int:pk>/working-group/", "review", "review_working_group"),
]

# Before the council pages: "working-groups" would otherwise be read as a council's slug.
top_urlpatterns = [
    path("working-groups/", views.MyWorkingGroupsView.as_view(), name="my_working_groups"),
]
