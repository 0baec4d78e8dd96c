"""The demo's member working groups: one per council, on a commission still being planned, with two
councillors and the councillor's comments in its engagement log; the demo councillor lands on it."""

from django.core.management import call_command
from django.urls import reverse

from commissioning.models import EngagementActivity, EngagementKind, WorkingGroup, WorkingGroupMember
from councils.models import Council, Notification, ReminderKind, Role, User


def test_every_demo_council_has_a_working_group_of_two_councillors_who_commented(demo_data):
    for council in Council.objects.all():
        (group,) = WorkingGroup.objects.filter(council=council)
        members = WorkingGroupMember.objects.current().filter(group=group)
        assert members.count() == 2, council
        for member in members:
            assert member.user.memberships.filter(
                council=council, role__in=[Role.COUNCILLOR, Role.SCRUTINY_MEMBER]
            ).exists()
            assert Notification.objects.filter(user=member.user, kind=ReminderKind.WORKING_GROUP_NAMED).exists()
        comments = EngagementActivity.objects.filter(commission=group.commission, kind=EngagementKind.WORKING_GROUP)
        assert comments.count() >= 1, council
    call_command("seed_demo", verbosity=0)
    assert WorkingGroup.objects.count() == Council.objects.count()


def test_the_demo_councillor_lands_on_their_working_group(demo_data, client_for):
    councillor = User.objects.get(email="councillor@kirkby-moor.example")
    client = client_for(councillor)
    dashboard = client.get(client.get(reverse("home")).url)
    group = WorkingGroup.objects.get(council__slug="kirkby-moor")
    url = reverse("commissioning:working_group", args=["kirkby-moor", group.commission_id])
    assert url in dashboard.content.decode()
    page = client.get(url)
    assert page.status_code == 200
    assert "Sundays" in page.content.decode()
