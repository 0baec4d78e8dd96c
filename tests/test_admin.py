"""The technical admin: the system administrator's alone, and blind to sealed bids.

- Only an active superuser gets in: an officer of another council holding `is_staff` and every view
  permission reads nothing of this council's (nor does this council's own staff).
- Before the opening, nothing a bid holds can be read or tested one guess at a time, superuser
  included: over every changelist, with lookups on sealed fields (direct and across relations),
  searches, orderings and preserved filters, the answer to a right guess is the answer to a wrong
  one, and never a server error; no change or history page shows a sealed value; audit events
  about the bid say only that they are sealed.
- Private files show their stored name, with no URL (the agreement page used to raise ValueError).
"""

from __future__ import annotations

import datetime
from urllib.parse import quote, quote_plus, urlencode

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.urls import NoReverseMatch, reverse
from django.utils.html import escape

from commissioning.models import (
    Bid,
    BidAnswer,
    BidPartner,
    BidReceipt,
    OpportunityState,
)
from commissioning.sourcing.sealing import BID_CONTENTS
from commissioning.sourcing.services import bids as bid_services
from commissioning.sourcing.services import opportunities as opportunity_services
from commissioning.tests.bid_factories import (
    clock,
    close_and_open,
    complete_bid,
    open_opportunity,
    pdf_upload,
    start_bid,
    submitted_bid,
)
from councils.admin_site import StoredNameFileInput
from councils.models import AuditEvent, Role
from councils.sealing import SEALED_NOTICE, unsealed
from councils.services import audit_record
from councils.tests.factories import UserFactory
from monitoring.models import Agreement
from monitoring.tests.factories import live_agreement
from monitoring.tests.returns_factories import fill, recent_live_agreement, returns_of
from providers.models import Organisation
from tests.accounts import sign_in_verified
from tests.query_counts import assert_same_queries

pytestmark = pytest.mark.django_db

SUMMARY = "Sealedsummary: our price is forty-one thousand"
CONFLICTS = "Sealedconflict: the lead officer's brother chairs our board"
ANSWER = "Sealedanswer: the Tuesday club in Upper Moor"
PARTNER = "Sealedpartner Community Interest Company"
NARRATIVE = "Draftnarrative: numbers fell because the hall flooded"
# Bid contents, and the field of each that a guess would test.
SEALED_TEXT = {Bid: "summary", BidAnswer: "text", BidPartner: "name", BidReceipt: "reference"}
BID_METADATA = {"id", "opportunity", "organisation", "state", "submitted_at", "created_at"}
WRONG = "Zzqx-no-such-text"


@pytest.fixture
def superuser(db):
    return UserFactory(email="root@example.org", is_staff=True, is_superuser=True)


@pytest.fixture
def sealed(council, people):
    """A published opportunity with a submitted bid full of sealed text (and its receipt), a draft,
    and another opportunity whose bids are opened (so the admin lists have rows)."""
    opportunity = open_opportunity(council, questions=1)
    user = people["provider_admin"]
    bid = complete_bid(start_bid(opportunity, user), user, partner=PARTNER)
    bid_services.bid_save_answers(by=user, bid=bid, answers={opportunity.questions.get().pk: ANSWER}, summary=SUMMARY)
    bid_services.bid_save_declarations(
        by=user, bid=bid, conflicts_declared=CONFLICTS, no_conflicts=False, accuracy_confirmed=True
    )
    bid_services.bid_document_add(by=user, bid=bid, title="Delivery plan", upload=pdf_upload())
    bid = bid_services.bid_transition(by=user, bid=bid, name="submit")
    draft = start_bid(opportunity, people["other_provider_admin"])
    opened = open_opportunity(council, questions=1, title="Lunch clubs")
    opened_bid = submitted_bid(opened, people["other_provider_admin"])
    with clock(opened.submission_deadline):
        close_and_open(opened)
    receipt = bid.receipts.get()
    return {
        "opportunity": opportunity,
        "bid": bid,
        "draft": draft,
        "receipt": receipt,
        "opened": opened,
        "opened_bid": opened_bid,
        # What a right guess would start with, per field.
        "secrets": {"summary": SUMMARY, "text": ANSWER, "name": PARTNER, "reference": receipt.reference},
    }


def secrets_in(page: str, world) -> list[str]:
    return [value for value in (SUMMARY, CONFLICTS, ANSWER, PARTNER, world["receipt"].reference) if value in page]


def admin_url(model, view, *args) -> str | None:
    try:
        return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)
    except NoReverseMatch:
        return None


# ---- Superusers only ----------------------------------------------------------------------------


def test_the_admin_as_a_staff_officer_of_another_council_reads_nothing_of_council_a(
    client, council, people, sealed, superuser
):
    agreement = live_agreement(council)
    monitoring_return = returns_of(recent_live_agreement(council))[0]
    fill(monitoring_return, narrative=NARRATIVE)
    outsider = people["other_council_officer"]
    outsider.is_staff = True
    outsider.save()
    outsider.user_permissions.add(*Permission.objects.filter(codename__startswith="view_"))
    own_lead = people[Role.LEAD_COMMISSIONER]
    own_lead.is_staff = True
    own_lead.save()
    own_lead.user_permissions.add(*Permission.objects.filter(codename__startswith="view_"))
    inactive_root = UserFactory(email="former-root@example.org", is_staff=True, is_superuser=True, is_active=False)

    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        urls.append(admin_url(model, "changelist"))
        for obj in model._default_manager.all()[:5]:
            urls += [admin_url(model, "change", obj.pk), admin_url(model, "history", obj.pk)]
    assert reverse("admin:monitoring_agreement_change", args=[agreement.pk]) in urls
    assert reverse("admin:monitoring_monitoringreturn_change", args=[monitoring_return.pk]) in urls
    assert len(urls) > 100
    sign_in = reverse("admin:login")
    for user in (outsider, own_lead):
        client.force_login(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 302, url
            assert response.url.startswith(sign_in), url
        page = client.get(sign_in).content.decode()
        assert "not authorized" in page
        assert agreement.reference not in page
        assert NARRATIVE not in page
    client.force_login(inactive_root)
    assert client.get(reverse("admin:index")).status_code == 302
    sign_in_verified(client, superuser)
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(reverse("admin:monitoring_monitoringreturn_changelist")).status_code == 200


def test_is_staff_says_it_opens_nothing():
    from councils.models import User

    assert "only an active superuser" in str(User._meta.get_field("is_staff").help_text)


# ---- Sealed: never listed, filtered, searched or ordered on -------------------------------------


def sealed_paths(model, depth: int = 2, prefix: str = "", seen: tuple = ()) -> list[tuple[str, type]]:
    """Every lookup path from `model` to a model holding bid text, through up to `depth` relations
    (a lookup is refused before its path is followed, so a longer path would only repeat these)."""
    found = []
    for field in model._meta.get_fields():
        related = field.related_model
        if not field.is_relation or related is None or related in seen:
            continue
        # A reverse relation's `name` is its query name (`bids`), as a lookup spells it.
        path = f"{prefix}{field.name}"
        if related in SEALED_TEXT:
            found.append((path, related))
        if depth > 1:
            found += sealed_paths(related, depth - 1, f"{path}__", (*seen, model))
    return found


def probes(model_admin, secrets: dict[str, str]) -> list[tuple[str, dict, dict]]:
    """(what, params for a right guess, params for a wrong one) for one changelist."""
    model = model_admin.model
    found = []

    def guess(lookup, value):
        found.append((lookup, {lookup: value}, {lookup: WRONG}))

    for field, text in (("summary", SUMMARY), ("conflicts_declared", CONFLICTS), ("object_repr", "Bid")):
        guess(f"{field}__startswith", text)
    guess("extra__receipt__startswith", secrets["reference"])
    for path, related in sealed_paths(model):
        field = SEALED_TEXT[related]
        guess(f"{path}__{field}__startswith", secrets[field])
        if related is Bid:
            guess(f"{path}__conflicts_declared__contains", CONFLICTS)
    # A search splits its words and wants each somewhere: one distinctive word is the sharpest guess.
    for value in (SUMMARY.split()[0], secrets["reference"]):
        found.append(("q", {"q": value}, {"q": WRONG}))
    for index in range(len(model_admin.list_display)):
        found.append((f"o={index}", {"o": str(index), "q": ANSWER.split()[0]}, {"o": str(index), "q": WRONG}))
    for value in (SUMMARY,):
        found.append(
            (
                "_changelist_filters",
                {"_changelist_filters": urlencode({"summary__startswith": value})},
                {"_changelist_filters": urlencode({"summary__startswith": WRONG})},
            )
        )
    return found


def answer(response) -> tuple:
    """What a prober learns from a response: its status and, for a list, how many rows and which."""
    if response.status_code == 200 and response.context and "cl" in response.context:
        cl = response.context["cl"]
        return 200, cl.result_count, [obj.pk for obj in cl.result_list]
    return response.status_code, response.get("Location", "")


def without_echo(response, params: dict) -> str:
    """The page less the guess itself, which a search box or a link may repeat."""
    page = response.content.decode()
    for value in params.values():
        for form in (value, escape(value), quote_plus(value), escape(quote_plus(value)), quote(value)):
            page = page.replace(form, "")
    return page


def test_no_changelist_answer_depends_on_sealed_content(client, superuser, sealed):
    sign_in_verified(client, superuser)
    tried = 0
    for model, model_admin in admin.site._registry.items():
        url = admin_url(model, "changelist")
        for what, right, wrong in probes(model_admin, sealed["secrets"]):
            right_response, wrong_response = client.get(url, right), client.get(url, wrong)
            label = f"{model._meta.label} {what}"
            assert right_response.status_code < 500, label
            assert answer(right_response) == answer(wrong_response), label
            assert secrets_in(without_echo(right_response, right), sealed) == [], label
            tried += 1
    assert tried > 400
    # A lookup nobody declared is refused whatever it asks: here on a field that is not even sealed.
    assert client.get(admin_url(Bid, "changelist"), {"state__startswith": "sub"}).status_code == 400
    # The filters an admin declares still work.
    filtered = client.get(admin_url(AuditEvent, "changelist"), {"event_type__exact": "bid.submit"})
    assert filtered.status_code == 200
    # The opened bid's submission; the sealed one's is not there to filter.
    assert [event.object_id for event in filtered.context["cl"].result_list] == [str(sealed["opened_bid"].pk)]


def test_the_autocomplete_searches_no_sealed_text(client, superuser, sealed):
    sign_in_verified(client, superuser)
    url = reverse("admin:autocomplete")
    for source in ("declaration", "awarditem", "complianceresult", "assessmentsummary"):
        query = {"app_label": "commissioning", "model_name": source, "field_name": "bid"}
        for term in (SUMMARY.split()[0], ANSWER.split()[0], sealed["receipt"].reference):
            right, wrong = client.get(url, {**query, "term": term}), client.get(url, {**query, "term": WRONG})
            assert right.status_code == wrong.status_code, source
            assert right.content == wrong.content, source


def path_touches_sealed(model, path: str) -> bool:
    for part in path.lstrip("-").split("__"):
        try:
            field = model._meta.get_field(part)
        except Exception:
            return False  # a transform or lookup: the path's fields are behind us
        if model in BID_CONTENTS or (model is Bid and field.name not in BID_METADATA):
            return True
        if not field.is_relation or field.related_model is None:
            return False
        model = field.related_model
    return model in BID_CONTENTS


def test_no_admin_declares_a_list_filter_search_ordering_or_column_on_a_sealed_field():
    for model, model_admin in admin.site._registry.items():
        filters = [item for item in model_admin.list_filter if not isinstance(item, type)]
        declared = [
            *[item if isinstance(item, str) else item[0] for item in filters],
            *[field.lstrip("^=@") for field in model_admin.search_fields],
            *[item for item in model_admin.list_display if isinstance(item, str)],
            *(model_admin.ordering or []),
            *([model_admin.date_hierarchy] if model_admin.date_hierarchy else []),
        ]
        for path in declared:
            assert not path_touches_sealed(model, path), f"{model._meta.label}: {path}"
    for model in BID_CONTENTS:
        assert not admin.site.is_registered(model), model


# ---- Sealed: no change or history page shows it --------------------------------------------------


def every_admin_page(client, world):
    for model in admin.site._registry:
        for obj in model._default_manager.all():
            for view in ("change", "history"):
                url = admin_url(model, view, obj.pk)
                response = client.get(url)
                yield url, response


def test_no_change_or_history_page_shows_a_sealed_bid(client, superuser, sealed):
    sign_in_verified(client, superuser)
    # A partner is a registered organisation: its own pages carry its name, which is public. What is
    # sealed is that it partners in the bid, so every other page must not name it.
    partner = sealed["bid"].partners.get().organisation
    partner_pages = {admin_url(Organisation, view, partner.pk) for view in ("change", "history")}
    pages = 0
    for url, response in every_admin_page(client, sealed):
        assert response.status_code < 500, url
        found = secrets_in(response.content.decode(), sealed)
        if url in partner_pages:
            found = [value for value in found if value != PARTNER]
        assert found == [], url
        pages += 1
    assert pages > 50
    for bid in (sealed["bid"], sealed["draft"]):
        for view in ("change", "history"):
            # The bid admin holds opened bids only: for any other, the admin's "doesn't exist".
            assert client.get(admin_url(Bid, view, bid.pk)).status_code == 302


def test_audit_events_about_a_sealed_bid_are_sealed_until_the_opening(client, superuser, sealed, council, people):
    sign_in_verified(client, superuser)
    bid = sealed["bid"]
    about_bid = AuditEvent.objects.filter(object_id=str(bid.pk), event_type__startswith="bid.")
    assert {event.event_type for event in about_bid} >= {"bid.started", "bid.submit"}
    listed = client.get(admin_url(AuditEvent, "changelist")).context["cl"].queryset
    assert not listed.filter(pk__in=about_bid).exists()
    for event in about_bid:
        for view in ("change", "history"):
            page = client.get(admin_url(AuditEvent, view, event.pk))
            assert page.status_code == 200
            text = page.content.decode()
            assert SEALED_NOTICE in text
            assert "Moorside" not in text  # not who
            assert sealed["receipt"].reference not in text
            assert event.event_type not in text
    # The council's own audit log leaves them out too.
    client.force_login(people[Role.COUNCIL_ADMIN])
    log = client.get(reverse("councils:audit", kwargs={"council_slug": council.slug})).content.decode()
    assert sealed["receipt"].reference not in log
    # The opening is the key: once recorded, the events read as any other in the admin.
    opportunity = sealed["opportunity"]
    with clock(opportunity.submission_deadline + datetime.timedelta(minutes=1)):
        opportunity_services.opportunities_close_due(opportunity=opportunity)
        opportunity_services.bids_open(by=people[Role.PROCUREMENT_OFFICER], opportunity=opportunity)
    opportunity.refresh_from_db()
    assert opportunity.state == OpportunityState.OPENED
    sign_in_verified(client, superuser)
    submitted = about_bid.get(event_type="bid.submit")
    page = client.get(admin_url(AuditEvent, "change", submitted.pk)).content.decode()
    assert SEALED_NOTICE not in page
    assert sealed["receipt"].reference in page
    assert unsealed(AuditEvent.objects.filter(pk=submitted.pk)).exists()
    # A draft is never opened: that its organisation started one stays between it and its bid.
    draft_events = AuditEvent.objects.filter(object_id=str(sealed["draft"].pk), event_type__startswith="bid.")
    assert draft_events.exists()
    assert not unsealed(draft_events).exists()


def test_a_bid_of_an_opportunity_cancelled_before_its_opening_stays_sealed(council, people, sealed):
    opportunity = sealed["opportunity"]
    opportunity_services.opportunity_transition(
        by=people[Role.COMMISSIONING_OFFICER], opportunity=opportunity, name="cancel", reason="Nobody can deliver it"
    )
    opportunity.refresh_from_db()
    assert opportunity.state == OpportunityState.CANCELLED
    about_bid = AuditEvent.objects.filter(object_id=str(sealed["bid"].pk), event_type__startswith="bid.")
    assert about_bid.exists()
    assert not unsealed(about_bid).exists()
    opened_events = AuditEvent.objects.filter(object_id=str(sealed["opened_bid"].pk), event_type__startswith="bid.")
    assert unsealed(opened_events).count() == opened_events.count() > 0


# ---- Private files and the superuser's council pages ----------------------------------------------


def test_the_agreement_admin_page_names_the_signed_document_without_a_url(client, superuser, council):
    agreement = live_agreement(council)
    stored = Agreement.objects.get(pk=agreement.pk).signed_document.name
    assert stored
    sign_in_verified(client, superuser)
    page = client.get(admin_url(Agreement, "change", agreement.pk))
    assert page.status_code == 200
    text = page.content.decode()
    assert stored in text
    assert f'href="{stored}' not in text
    assert "/media/" not in text


def test_the_file_widget_names_the_stored_file_and_links_to_nothing(council):
    agreement = Agreement.objects.get(pk=live_agreement(council).pk)
    html = StoredNameFileInput().render("signed_document", agreement.signed_document)
    assert agreement.signed_document.name in html
    assert "href" not in html
    assert 'type="file"' in html


def test_a_superuser_opening_a_council_dashboard_is_refused_not_a_server_error(client, superuser, council):
    sign_in_verified(client, superuser)
    url = reverse("monitoring:dashboard", kwargs={"council_slug": council.slug})
    assert client.get(url).status_code == 403
    assert client.get(url, {"view": "lead"}).status_code == 403


def test_the_audit_trail_list_runs_in_fixed_queries(client, superuser, council, people):
    """Each row names its council and the person who acted: both keys are nullable, which the admin's
    own select_related() leaves out, so they are named."""
    sign_in_verified(client, superuser)

    def add_events(count):
        for n in range(count):
            audit_record(council=council, actor=people[Role.LEAD_COMMISSIONER], event_type=f"test.event{n}")

    add_events(1)
    url = admin_url(AuditEvent, "changelist")
    client.get(url)  # the first page of a process also looks up the sealed models' content types
    assert_same_queries(client, url, add_events)


UNDECLARED_JOINS = [model_admin for model_admin in admin.site._registry.values() if not model_admin.list_select_related]


@pytest.mark.django_db
@pytest.mark.parametrize("model_admin", UNDECLARED_JOINS, ids=lambda model_admin: model_admin.model._meta.label)
def test_a_changelist_joins_only_the_foreign_keys_it_shows(model_admin, rf):
    """Left to Django, a list showing a foreign key follows every non-null foreign key all the way down
    (a performance assessment's list joined its agreement, commission, bid, opportunity and on: dozens
    of tables, minutes on PostgreSQL). A list whose admin names no joins joins at most what it shows,
    and what it sorts by."""
    superuser = UserFactory(is_superuser=True, is_staff=True)
    request = rf.get("/")
    request.user = superuser
    changelist = model_admin.get_changelist_instance(request)
    shown = [
        field
        for field in model_admin.model._meta.concrete_fields
        if field.many_to_one and field.name in changelist.list_display
    ]
    joins = str(changelist.queryset.query).count(" JOIN ")
    assert joins <= 2 * len(shown) + 2
