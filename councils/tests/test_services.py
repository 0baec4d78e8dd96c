"""Council services: roles, the strategic framework and the audit trail."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.utils import InternalError

from councils import services
from councils.models import AuditEvent, Membership, Outcome, Portfolio, Role
from councils.permissions import roles_in
from councils.tests.factories import CorporatePlanFactory, MembershipFactory, PriorityFactory


def test_admin_gives_a_new_person_a_role_and_it_is_audited(council, people):
    admin = people[Role.COUNCIL_ADMIN]
    membership = services.membership_grant(
        by=admin, council=council, email="New.Officer@Testshire.example", full_name="New Officer", role="legal_officer"
    )
    assert membership.user.email == "new.officer@testshire.example"
    assert not membership.user.has_usable_password()
    event = AuditEvent.objects.get(event_type="membership.granted")
    assert (event.actor, event.council, event.extra["role"]) == (admin, council, "legal_officer")


def test_a_person_can_hold_roles_in_two_councils(council, other_council, people):
    officer = people[Role.COMMISSIONING_OFFICER]
    MembershipFactory(user=officer, council=other_council, role=Role.PROCUREMENT_OFFICER)
    assert roles_in(officer, council) == {Role.COMMISSIONING_OFFICER}
    officer = type(officer).objects.get(pk=officer.pk)
    assert roles_in(officer, other_council) == {Role.PROCUREMENT_OFFICER}


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.COUNCIL_ADMIN])
def test_only_council_admins_give_roles(council, people, role):
    with pytest.raises(PermissionDenied):
        services.membership_grant(by=people[role], council=council, email="x@y.example", full_name="X", role=role)
    assert not Membership.objects.filter(user__email="x@y.example").exists()


def test_admin_of_one_council_cannot_give_roles_in_another(council, other_council, people):
    with pytest.raises(PermissionDenied):
        services.membership_grant(
            by=people[Role.COUNCIL_ADMIN],
            council=other_council,
            email="x@y.example",
            full_name="X",
            role="legal_officer",
        )


def test_the_same_role_twice_is_refused_clearly(council, people):
    with pytest.raises(ValidationError, match="already holds this role"):
        services.membership_grant(
            by=people[Role.COUNCIL_ADMIN],
            council=council,
            email=people[Role.LEGAL_OFFICER].email,
            full_name="",
            role=Role.LEGAL_OFFICER,
        )


def test_the_last_council_administrator_cannot_be_removed(council, people):
    admin_membership = Membership.objects.get(council=council, role=Role.COUNCIL_ADMIN)
    with pytest.raises(ValidationError, match="at least one council administrator"):
        services.membership_revoke(by=people[Role.COUNCIL_ADMIN], membership=admin_membership)
    assert Membership.objects.filter(pk=admin_membership.pk).exists()


def test_removing_a_cabinet_member_vacates_their_portfolios(council, people):
    holder = people[Role.PORTFOLIO_HOLDER]
    portfolio = Portfolio.objects.create(council=council, name="Housing", holder=holder)
    membership = Membership.objects.get(council=council, role=Role.PORTFOLIO_HOLDER)
    services.membership_revoke(by=people[Role.COUNCIL_ADMIN], membership=membership, reason="Left the cabinet")
    portfolio.refresh_from_db()
    assert portfolio.holder is None
    assert AuditEvent.objects.get(event_type="membership.revoked").reason == "Left the cabinet"


def test_officer_adds_an_outcome_to_the_framework(council, people):
    priority = PriorityFactory(plan__council=council)
    outcome = services.framework_record_save(
        by=people[Role.COMMISSIONING_OFFICER], council=council, instance=Outcome(priority=priority, title="Cleaner air")
    )
    assert outcome.pk
    assert AuditEvent.objects.filter(event_type="framework.outcome.created", object_id=str(outcome.pk)).exists()


@pytest.mark.parametrize(
    "role", [Role.PORTFOLIO_HOLDER, Role.SCRUTINY_MEMBER, Role.FINANCE_OFFICER, "other_council_officer", "no_role"]
)
def test_councillors_and_others_cannot_change_the_framework(council, people, role):
    priority = PriorityFactory(plan__council=council)
    with pytest.raises(PermissionDenied):
        services.framework_record_save(by=people[role], council=council, instance=Outcome(priority=priority, title="X"))
    assert not Outcome.objects.filter(title="X").exists()


def test_a_record_from_another_council_cannot_be_saved_through_this_one(council, other_council, people):
    foreign_priority = PriorityFactory(plan=CorporatePlanFactory(council=other_council))
    with pytest.raises(PermissionDenied):
        services.framework_record_save(
            by=people[Role.LEAD_COMMISSIONER], council=council, instance=Outcome(priority=foreign_priority, title="X")
        )


def test_a_portfolio_holder_must_be_a_cabinet_member_of_the_council(council, people):
    with pytest.raises(ValidationError, match="cabinet member"):
        services.framework_record_save(
            by=people[Role.LEAD_COMMISSIONER],
            council=council,
            instance=Portfolio(council=council, name="Housing", holder=people[Role.SCRUTINY_MEMBER]),
        )


def test_audit_events_cannot_be_changed_or_deleted(council, people):
    event = services.audit_record(council=council, actor=people[Role.COUNCIL_ADMIN], event_type="test.event")
    event.reason = "rewritten"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(reason="rewritten")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_the_database_itself_refuses_to_rewrite_audit_events(council, people):
    event = services.audit_record(council=council, actor=people[Role.COUNCIL_ADMIN], event_type="test.event")
    with pytest.raises(InternalError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE councils_auditevent SET reason = 'x' WHERE id = %s", [event.pk])
    with pytest.raises(InternalError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM councils_auditevent WHERE id = %s", [event.pk])
