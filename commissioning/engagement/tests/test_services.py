"""Early engagement services: opening drafts for comment (and every refusal), the snapshot, comments
from providers and the public within the period only, answers, the engagement log, audit and the
officers' notifications."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from commissioning.cycle import services as cycle_services
from commissioning.engagement import services
from commissioning.engagement.tests.factories import SUMMARY, drafted_commission, open_consultation
from commissioning.models import (
    Consultation,
    ConsultationAudience,
    ConsultationComment,
    DraftPart,
    EngagementActivity,
    EngagementKind,
    OutcomeSought,
    State,
)
from commissioning.tests.factories import commission_in_state
from councils import subject_access
from councils.models import AuditEvent, Notification, ReminderKind, Role
from providers.models import Organisation

pytestmark = pytest.mark.django_db


def organisation_of(user):
    return Organisation.objects.get(members__user=user)


def opening(commission, by, **overrides):
    today = timezone.localdate()
    values = {
        "parts": [DraftPart.OUTCOMES, DraftPart.SPECIFICATION],
        "audience": ConsultationAudience.PUBLIC,
        "opens_on": today,
        "closes_on": today + timedelta(days=14),
        **overrides,
    }
    return services.consultation_open(by=by, commission=commission, **values)


def test_opening_publishes_a_snapshot_and_logs_the_consultation(commission, people):
    officer = people[Role.COMMISSIONING_OFFICER]
    consultation = opening(commission, officer, introduction="  Tell us about rural transport. ")
    headings = [section["heading"] for section in consultation.sections]
    assert headings[0] == "Outcome 1"
    assert "The service" in headings
    service = next(s for s in consultation.sections if s["key"] == "service")
    assert service["lines"] == [SUMMARY]
    assert any("Success measure:" in line for line in consultation.sections[0]["lines"])
    assert consultation.introduction == "Tell us about rural transport."
    log = consultation.engagement
    assert log.kind == EngagementKind.CONSULTATION
    assert log.commission == commission
    assert "0 comments" in log.what_we_heard
    assert AuditEvent.objects.filter(event_type="commission.consultation.opened", object_id=str(commission.pk)).exists()


def test_later_edits_do_not_change_what_people_comment_on(commission, people):
    consultation = opening(commission, people[Role.COMMISSIONING_OFFICER])
    before = list(consultation.sections)
    commission.summary = "Something else entirely."
    cycle_services.commission_update(by=people[Role.COMMISSIONING_OFFICER], commission=commission)
    OutcomeSought.objects.filter(commission=commission).update(description="Rewritten")
    assert Consultation.objects.get(pk=consultation.pk).sections == before


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"closes_on": -1}, "closes_on", "The closing date must be today or in the future."),
        ({"opens_on": -1}, "opens_on", "The opening date must be today or in the future."),
        ({"opens_on": 10, "closes_on": 5}, "closes_on", "The closing date must be on or after the opening date."),
        ({"closes_on": 400}, "closes_on", "A consultation can be open for a year at most."),
        ({"parts": []}, "parts", "Choose what to open for comment."),
        ({"audience": "everyone"}, "audience", "Choose who may comment."),
    ],
)
def test_bad_periods_and_choices_are_refused_and_change_nothing(commission, people, overrides, field, message):
    today = timezone.localdate()
    overrides = {k: today + timedelta(days=v) if k.endswith("_on") else v for k, v in overrides.items()}
    with pytest.raises(ValidationError) as refused:
        opening(commission, people[Role.COMMISSIONING_OFFICER], **overrides)
    assert refused.value.message_dict[field] == [message]
    assert not Consultation.objects.exists()
    assert not EngagementActivity.objects.filter(kind=EngagementKind.CONSULTATION).exists()


def test_an_empty_draft_is_refused(council, people):
    officer = people[Role.COMMISSIONING_OFFICER]
    commission = commission_in_state(council, State.PLANNING)
    with pytest.raises(ValidationError) as no_outcomes:
        opening(commission, officer, parts=[DraftPart.OUTCOMES])
    assert no_outcomes.value.message_dict["parts"] == ["The draft outcomes are empty: add the outcomes sought first."]
    with pytest.raises(ValidationError) as no_specification:
        opening(commission, officer, parts=[DraftPart.SPECIFICATION])
    assert "The draft specification is empty" in no_specification.value.message_dict["parts"][0]
    assert not Consultation.objects.exists()


def test_drafts_are_not_opened_once_out_to_market(council, people):
    commission = drafted_commission(council, state=State.SOURCING)
    with pytest.raises(ValidationError, match="only before the decision to commission"):
        opening(commission, people[Role.COMMISSIONING_OFFICER])


@pytest.mark.parametrize("visitor", [Role.SCRUTINY_MEMBER, Role.FINANCE_OFFICER, "other_council_officer", "no_role"])
def test_only_commissioners_open_drafts(commission, people, visitor):
    with pytest.raises(PermissionDenied):
        opening(commission, people[visitor])


def test_a_provider_comments_for_its_organisation_and_officers_are_told_once_a_day(commission, people):
    consultation = open_consultation(commission, audience=ConsultationAudience.PROVIDERS)
    provider = people["provider_admin"]
    first = services.consultation_comment(
        consultation=consultation,
        section="outcome-1",
        text="Forty sessions is too few.",
        by=provider,
        organisation=organisation_of(provider),
    )
    services.consultation_comment(
        consultation=consultation,
        section="general",
        text="A second thought.",
        by=provider,
        organisation=organisation_of(provider),
    )
    assert first.public_name == "Moorside Youth Trust"
    assert first.author == provider
    told = Notification.objects.filter(kind=ReminderKind.ENGAGEMENT_COMMENTED)
    # The lead officer opened it: one notification for the day, however many comments.
    assert list(told.values_list("user", flat=True)) == [commission.lead_officer_id]
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        services.consultation_comment(
            consultation=consultation,
            section="general",
            text="Next day.",
            by=provider,
            organisation=organisation_of(provider),
        )
    assert told.count() == 2
    log = EngagementActivity.objects.get(consultation=consultation)
    assert "3 comments, 0 answered" in log.what_we_heard
    assert log.number_of_participants == 1
    assert "Forty sessions" not in log.what_we_heard
    assert AuditEvent.objects.filter(event_type="commission.consultation.commented").count() == 3


def test_a_provider_comments_only_for_its_own_organisation(commission, people):
    consultation = open_consultation(commission)
    with pytest.raises(PermissionDenied):
        services.consultation_comment(
            consultation=consultation,
            section="general",
            text="Hello",
            by=people["provider_admin"],
            organisation=organisation_of(people["other_provider_admin"]),
        )
    assert not ConsultationComment.objects.exists()


def test_the_public_comments_with_a_name_and_email_on_a_public_consultation_only(commission, people):
    public = open_consultation(commission)
    comment = services.consultation_comment(
        consultation=public, section="service", text="Include weekends.", name="Ann Smith", email="ann@example.org"
    )
    assert comment.public_name == "A member of the public"
    assert comment.email == "ann@example.org"
    assert Notification.objects.filter(kind=ReminderKind.ENGAGEMENT_COMMENTED).exists()
    providers_only = open_consultation(commission, audience=ConsultationAudience.PROVIDERS)
    with pytest.raises(ValidationError, match="Only registered providers may comment"):
        services.consultation_comment(
            consultation=providers_only, section="general", text="Hi", name="Ann", email="ann@example.org"
        )


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"name": "", "email": "ann@example.org"}, "name"),
        ({"name": "Ann", "email": "not-an-email"}, "email"),
        ({"name": "Ann", "email": "ann@example.org", "text": "   "}, "text"),
        ({"name": "Ann", "email": "ann@example.org", "section": "outcome-99"}, "section"),
        ({"name": "Ann", "email": "ann@example.org", "text": "x" * 5001}, "text"),
    ],
)
def test_bad_comments_are_refused_and_change_nothing(commission, values, field):
    consultation = open_consultation(commission)
    values = {"section": "general", "text": "A comment", **values}
    with pytest.raises(ValidationError) as refused:
        services.consultation_comment(consultation=consultation, **values)
    assert field in refused.value.message_dict
    assert not ConsultationComment.objects.exists()
    assert not Notification.objects.filter(kind=ReminderKind.ENGAGEMENT_COMMENTED).exists()


def test_after_closing_nobody_can_comment(commission, people):
    consultation = open_consultation(commission, days=3)
    provider = people["provider_admin"]
    with time_machine.travel(timezone.now() + timedelta(days=4)):
        with pytest.raises(ValidationError, match="This consultation has closed"):
            services.consultation_comment(
                consultation=consultation,
                section="general",
                text="Late",
                by=provider,
                organisation=organisation_of(provider),
            )
        with pytest.raises(ValidationError, match="has closed"):
            services.consultation_comment(
                consultation=consultation, section="general", text="Late", name="Ann", email="ann@example.org"
            )
    assert not ConsultationComment.objects.exists()


def test_before_opening_nobody_can_comment(commission, people):
    today = timezone.localdate()
    consultation = opening(
        commission,
        people[Role.COMMISSIONING_OFFICER],
        opens_on=today + timedelta(days=2),
        closes_on=today + timedelta(days=9),
    )
    with pytest.raises(ValidationError, match="not open for comments yet"):
        services.consultation_comment(
            consultation=consultation, section="general", text="Early", name="Ann", email="ann@example.org"
        )


def test_the_officer_answers_a_comment(commission, people):
    consultation = open_consultation(commission)
    comment = services.consultation_comment(
        consultation=consultation, section="general", text="More evening visits.", name="Ann", email="ann@example.org"
    )
    officer = people[Role.LEAD_COMMISSIONER]
    answered = services.comment_answer(
        by=officer, comment=comment, answer=" We will ask providers. ", draft_changed_because="evenings matter."
    )
    assert answered.answer == "We will ask providers."
    assert answered.answered_by == officer
    assert answered.draft_changed_because == "evenings matter."
    assert "1 comment, 1 answered" in EngagementActivity.objects.get(consultation=consultation).what_we_heard
    assert AuditEvent.objects.filter(event_type="commission.consultation.answered").exists()


def test_answers_are_refused_without_text_or_permission(commission, people):
    consultation = open_consultation(commission)
    comment = services.consultation_comment(
        consultation=consultation, section="general", text="Hi", name="Ann", email="ann@example.org"
    )
    with pytest.raises(ValidationError) as empty:
        services.comment_answer(by=people[Role.COMMISSIONING_OFFICER], comment=comment, answer="  ")
    assert empty.value.message_dict["answer"] == ["Enter your answer."]
    for visitor in (Role.SCRUTINY_MEMBER, "other_council_officer", "provider_admin"):
        with pytest.raises(PermissionDenied):
            services.comment_answer(by=people[visitor], comment=comment, answer="Yes")
    assert ConsultationComment.objects.get().answer == ""


def test_a_comment_references_no_procurement():
    """The wall in the data: a comment names its consultation and nothing of a bid or an evaluation."""
    related = {f.related_model._meta.label for f in ConsultationComment._meta.get_fields() if f.related_model}
    assert related == {"commissioning.Consultation", "providers.Organisation", "councils.User"}


def test_a_persons_comments_are_in_their_subject_access_export(commission, people):
    provider = people["provider_admin"]
    services.consultation_comment(
        consultation=open_consultation(commission),
        section="general",
        text="Our own words.",
        by=provider,
        organisation=organisation_of(provider),
    )
    files = zipfile.ZipFile(io.BytesIO(subject_access.build_zip(provider)))
    rows = json.loads(files.read("consultation_comments.json"))
    assert [row["comment"] for row in rows] == ["Our own words."]
    assert rows[0]["for"] == "Moorside Youth Trust"
