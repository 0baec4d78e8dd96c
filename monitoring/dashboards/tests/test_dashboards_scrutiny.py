"""Scrutiny's notes and agenda flags: only a scrutiny member of the commission's council writes them,
everything is audited, officers see them on the commission page, and a scrutiny member can change
nothing else anywhere in the service."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import get_resolver, reverse
from django.utils import timezone

from commissioning.tests.factories import create_commission
from councils.models import AuditEvent, Role
from councils.tests.factories import MembershipFactory
from monitoring.dashboards import scrutiny as scrutiny_services
from monitoring.models import AgendaFlag, ScrutinyNote
from tests.access_matrix import ROUTES
from tests.test_access_matrix import named_patterns, world  # noqa: F401 (the access matrix's world fixture)

pytestmark = pytest.mark.django_db

OTHER_ROLES = [role for role in Role.values if role != Role.SCRUTINY_MEMBER]


@pytest.fixture
def commission(council, people):
    return create_commission(council, title="Youth work in the rural wards")


def events(commission, event_type):
    return AuditEvent.objects.filter(object_id=str(commission.pk), event_type=event_type)


# ---- Services ------------------------------------------------------------------------------------


def test_a_scrutiny_member_adds_a_note_and_it_is_audited(commission, people):
    member = people[Role.SCRUTINY_MEMBER]
    note = scrutiny_services.scrutiny_note_add(by=member, commission=commission, text="  Why only one bidder?  ")
    assert (note.text, note.author, note.commission) == ("Why only one bidder?", member, commission)
    event = events(commission, "scrutiny.note_added").get()
    assert (event.actor, event.extra) == (member, {"note": note.pk})


def test_nobody_else_may_add_a_note_or_flag(commission, people, other_council):
    outsiders = [people[role] for role in OTHER_ROLES]
    outsiders.append(MembershipFactory(council=other_council, role=Role.SCRUTINY_MEMBER).user)
    for user in outsiders:
        with pytest.raises(PermissionDenied):
            scrutiny_services.scrutiny_note_add(by=user, commission=commission, text="A note")
        with pytest.raises(PermissionDenied):
            scrutiny_services.agenda_flag_add(by=user, commission=commission, reason="A reason")
    flag = scrutiny_services.agenda_flag_add(by=people[Role.SCRUTINY_MEMBER], commission=commission, reason="Why?")
    for user in outsiders:
        with pytest.raises(PermissionDenied):
            scrutiny_services.agenda_flag_resolve(by=user, flag=flag, resolution="Noted")
    assert ScrutinyNote.objects.count() == 0
    assert AgendaFlag.objects.get().is_open


def test_a_note_needs_words_and_is_never_changed_or_deleted(commission, people):
    member = people[Role.SCRUTINY_MEMBER]
    with pytest.raises(ValidationError) as error:
        scrutiny_services.scrutiny_note_add(by=member, commission=commission, text="   ")
    assert error.value.message_dict == {"text": ["Enter the note."]}
    note = scrutiny_services.scrutiny_note_add(by=member, commission=commission, text="First thoughts")
    note.text = "Second thoughts"
    with pytest.raises(PermissionError):
        note.save()
    with pytest.raises(PermissionError):
        note.delete()
    assert ScrutinyNote.objects.get().text == "First thoughts"


def test_a_commission_is_flagged_once_until_the_committee_deals_with_it(commission, people):
    member = people[Role.SCRUTINY_MEMBER]
    meeting = timezone.localdate() + timedelta(days=14)
    flag = scrutiny_services.agenda_flag_add(
        by=member, commission=commission, reason="Only one bid was received.", meeting_on=meeting
    )
    assert (flag.meeting_on, flag.flagged_by, flag.is_open) == (meeting, member, True)
    with pytest.raises(ValidationError, match="already flagged"):
        scrutiny_services.agenda_flag_add(by=member, commission=commission, reason="Again")
    resolved = scrutiny_services.agenda_flag_resolve(by=member, flag=flag, resolution="Officers to report back.")
    assert (resolved.is_open, resolved.resolved_by, resolved.resolution) == (False, member, "Officers to report back.")
    with pytest.raises(ValidationError, match="already dealt with"):
        scrutiny_services.agenda_flag_resolve(by=member, flag=flag, resolution="Twice")
    scrutiny_services.agenda_flag_add(by=member, commission=commission, reason="Still one bid.")
    assert AgendaFlag.objects.filter(commission=commission, resolved_at__isnull=True).count() == 1
    assert events(commission, "scrutiny.agenda_flagged").count() == 2
    assert events(commission, "scrutiny.agenda_flag_resolved").get().reason == "Officers to report back."


def test_a_flag_cannot_be_for_a_meeting_already_held(commission, people):
    with pytest.raises(ValidationError) as error:
        scrutiny_services.agenda_flag_add(
            by=people[Role.SCRUTINY_MEMBER],
            commission=commission,
            reason="Late",
            meeting_on=timezone.localdate() - timedelta(days=1),
        )
    assert "meeting_on" in error.value.message_dict


# ---- Pages -----------------------------------------------------------------------------------------


def note_url(commission):
    return reverse("monitoring:scrutiny_note_add", args=[commission.council.slug, commission.pk])


def flag_url(commission):
    return reverse("monitoring:agenda_flag", args=[commission.council.slug, commission.pk])


def test_a_scrutiny_member_adds_a_note_that_officers_then_read_on_the_commission_page(client_for, commission, people):
    client = client_for(people[Role.SCRUTINY_MEMBER])
    page = client.get(commission.get_absolute_url()).content.decode()
    assert f'href="{note_url(commission)}"' in page
    assert f'href="{flag_url(commission)}"' in page
    empty = client.post(note_url(commission), {"text": ""})
    assert empty.status_code == 200
    assert "govuk-error-summary" in empty.content.decode()
    response = client.post(note_url(commission), {"text": "Ask for the market engagement notes."})
    assert response.status_code == 302
    assert response["Location"] == f"{commission.get_absolute_url()}#scrutiny"
    for role in (Role.LEAD_COMMISSIONER, Role.COMMISSIONING_OFFICER, Role.FINANCE_OFFICER):
        body = client_for(people[role]).get(commission.get_absolute_url()).content.decode()
        assert "Ask for the market engagement notes." in body, role
        assert note_url(commission) not in body, role  # officers read notes; only scrutiny writes them


def test_flagging_and_resolving_through_the_page(client_for, commission, people):
    client = client_for(people[Role.SCRUTINY_MEMBER])
    assert "Flag for the scrutiny committee" in client.get(flag_url(commission)).content.decode()
    past = client.post(flag_url(commission), {"reason": "Why?", "meeting_on": "01/01/2020"})
    assert "The meeting date must be today or in the future." in past.content.decode()
    response = client.post(flag_url(commission), {"reason": "Only one bid was received.", "meeting_on": ""})
    assert response.status_code == 302
    flag = AgendaFlag.objects.get()
    officer_page = client_for(people[Role.LEAD_COMMISSIONER]).get(commission.get_absolute_url()).content.decode()
    assert "Flagged for the scrutiny committee's agenda" in officer_page
    assert "Only one bid was received." in officer_page
    client = client_for(people[Role.SCRUTINY_MEMBER])  # the test client is shared: sign back in
    resolve = client.get(flag_url(commission))
    assert "Record what the committee did" in resolve.content.decode()
    client.post(flag_url(commission), {"resolve": flag.pk, "resolution": "Officers to report in March."})
    flag.refresh_from_db()
    assert flag.resolution == "Officers to report in March."
    assert "Officers to report in March." in client.get(commission.get_absolute_url()).content.decode()


def test_only_scrutiny_members_reach_the_scrutiny_pages(client_for, commission, people):
    for role in OTHER_ROLES:
        client = client_for(people[role])
        # The commission is in nobody's portfolio: its portfolio holder may not know it exists, nor
        # may a councillor who reads no commission.
        expected = 404 if role in (Role.PORTFOLIO_HOLDER, Role.COUNCILLOR) else 403
        for url in (note_url(commission), flag_url(commission)):
            assert client.get(url).status_code == expected, (role, url)
            assert client.post(url, {"text": "x", "reason": "x"}).status_code == expected, (role, url)
    assert not ScrutinyNote.objects.exists()
    assert not AgendaFlag.objects.exists()


# ---- A scrutiny member changes nothing else ------------------------------------------------------

# Scrutiny's three writes: a note, an agenda flag (and recording what the committee did about it),
# and asking for a key decision to be called in (or withdrawing the request), which ends in a step of
# the award once enough members have asked.
SCRUTINY_WRITES = {"monitoring:scrutiny_note_add", "monitoring:agenda_flag"}
CALL_IN = {"commissioning:award_call_in", "commissioning:award_call_in_withdraw"}
# A person's own account and notifications, and public registration: not the council's records.
OWN_ACCOUNT = {
    "account:account",
    "account:two_factor_setup",
    "account:two_factor_verify",
    "account:recovery_codes",
    "account:two_factor_turn_off",
    "account:sign_out_everywhere",
    "login",
    "logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "providers:register",
    "providers:register_done",
    "providers:resend_verification",
    "providers:verify_email",
    "providers:invitation",
    "councils:notifications_read_all",
    "councils:notification_read",
    "councils:notification_open",
    "councils:notification_preferences",
}


# Status pages that answer any method and change nothing.
READ_ONLY = {"healthz", "opportunities:feed"}
# Public forms anyone may send, council staff included, as members of the public: commenting on a
# public consultation (an empty form comes back with its errors and writes nothing, which the audit
# check below still covers).
PUBLIC_FORMS = {"opportunities:consultation_comment"}


def post_everywhere(client, matrix_world, routes) -> tuple[dict, list]:
    """POST to each route with the access matrix's arguments; the answers, and the routes whose
    arguments cannot be built in this world (the matrix builds one evaluation or award per world)."""
    answers, unbuilt = {}, []
    for route in routes:
        try:
            with transaction.atomic():
                kwargs = route.kwargs(matrix_world)
        except IntegrityError:
            unbuilt.append(route.name)
            continue
        if route.name in CALL_IN:
            continue
        answers[f"{route.name} {kwargs}"] = client.post(reverse(route.name, kwargs=kwargs), {}).status_code
    return answers, unbuilt


def refused(answers: dict) -> dict:
    """Answers other than 403, 404 (where the record must not be revealed) or 405 (a page scrutiny may
    only read)."""
    return {url: code for url, code in answers.items() if code not in {403, 404, 405}}


def test_a_scrutiny_member_is_refused_every_other_write(client_for, world):  # noqa: F811
    """POST to every URL pattern of the project, with the access matrix's arguments for it."""
    member = world["people"][Role.SCRUTINY_MEMBER]
    patterns = named_patterns(get_resolver())
    skip = OWN_ACCOUNT | SCRUTINY_WRITES | READ_ONLY | PUBLIC_FORMS
    routes = [r for r in ROUTES if r.name in patterns and r.name not in skip]
    answers, unbuilt = post_everywhere(client_for(member), world, routes)
    assert refused(answers) == {}
    assert len(answers) > 100
    assert sum(code == 403 for code in answers.values()) > 50
    assert set(unbuilt) <= AWARD_ROUTES  # tried, one award at a time, below
    assert not AuditEvent.objects.filter(actor=member).exists()


AWARD_ROUTES = {r.name for r in ROUTES if r.name.startswith("commissioning:award")} | {
    "opportunities:assessment_summary"
}


def test_a_scrutiny_member_is_refused_the_award_steps(client_for, world):  # noqa: F811
    """Each award route is posted to with the award at the stage its row in the matrix names (draft,
    awaiting a decision, approved, summaries prepared, sent, voluntary standstill): one award a stage."""
    member = world["people"][Role.SCRUTINY_MEMBER]
    routes = [r for r in ROUTES if r.name in AWARD_ROUTES]
    answers, unbuilt = post_everywhere(client_for(member), world, routes)
    assert unbuilt == []
    assert len(answers) == len([r for r in routes if r.name not in CALL_IN])
    assert refused(answers) == {}
    assert not AuditEvent.objects.filter(actor=member).exists()


def test_scrutiny_writes_are_open_to_the_scrutiny_member(client_for, commission, people):
    client = client_for(people[Role.SCRUTINY_MEMBER])
    assert client.post(note_url(commission), {"text": "Noted."}).status_code == 302
    assert client.post(flag_url(commission), {"reason": "For the agenda."}).status_code == 302
    assert events(commission, "scrutiny.note_added").exists()
    assert events(commission, "scrutiny.agenda_flagged").exists()
