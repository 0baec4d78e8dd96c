"""The demo's member working groups: in each council, one on a commission still being planned and one on
the review of existing services under way, each with two councillors and the councillor's comments (in
the commission's engagement log, or the review's own); the demo councillor lands on them."""

from django.core.management import call_command
from django.urls import reverse

from commissioning.models import (
    EngagementActivity,
    EngagementKind,
    ReviewState,
    WorkingGroup,
    WorkingGroupComment,
    WorkingGroupMember,
)
from councils.models import Council, Notification, ReminderKind, Role, User


def test_every_demo_council_has_working_groups_of_two_councillors_who_commented(demo_data):
    for council in Council.objects.all():
        on_commission = WorkingGroup.objects.get(council=council, commission__isnull=False)
        on_review = WorkingGroup.objects.get(council=council, review__isnull=False)
        assert on_review.review.state == ReviewState.UNDER_WAY
        for group in (on_commission, on_review):
            members = WorkingGroupMember.objects.current().filter(group=group)
            assert members.count() == 2, council
            for member in members:
                assert member.user.memberships.filter(
                    council=council, role__in=[Role.COUNCILLOR, Role.SCRUTINY_MEMBER]
                ).exists()
                assert Notification.objects.filter(user=member.user, kind=ReminderKind.WORKING_GROUP_NAMED).exists()
        comments = EngagementActivity.objects.filter(
            commission=on_commission.commission, kind=EngagementKind.WORKING_GROUP
        )
        assert comments.count() >= 1, council
        assert WorkingGroupComment.objects.filter(group=on_review).count() >= 1, council
    call_command("seed_demo", verbosity=0)
    assert WorkingGroup.objects.count() == 2 * Council.objects.count()


def test_the_demo_councillor_lands_on_their_working_group(demo_data, client_for):
    councillor = User.objects.get(email="councillor@kirkby-moor.example")
    client = client_for(councillor)
    dashboard = client.get(client.get(reverse("home")).url)
    group = WorkingGroup.objects.get(council__slug="kirkby-moor", commission__isnull=False)
    url = reverse("commissioning:working_group", args=["kirkby-moor", group.commission_id])
    assert url in dashboard.content.decode()
    page = client.get(url)
    assert page.status_code == 200
    assert "Sundays" in page.content.decode()
