"""The conflict-of-interest walls on every read path: over HTTP (the bid and score pages, moderation,
the award page's assessment summaries), in the CSV downloads (the panel's scores, the ranking), and in the Django
admin (changelists and change pages) — for a panellist who declared a conflict, and for a panellist
who has not declared yet, who sees no bid at all.

The world: two bids — Moorside Youth Trust, and Brightwork with Dale CIC as its partner and a
document. The commissioning officer chairs; the procurement officer and the legal officer sit on
the panel; the legal officer declares a conflict with Brightwork (a trustee of Dale CIC).
"""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.http import Http404
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from commissioning.award import services as award_services
from commissioning.award import summary_services
from commissioning.cycle.services import Decision
from commissioning.evaluation import selectors, services
from commissioning.evaluation.exports import export_kind
from commissioning.models import (
    AssessmentSummary,
    Award,
    AwardItem,
    CallIn,
    ComplianceResult,
    Declaration,
    Evaluation,
    EvaluationState,
    ForwardPlanEntry,
    ModeratedScore,
    PanelMember,
    Score,
    ScoreSheet,
)
from commissioning.tests.evaluation_factories import (
    bidder,
    declare_all,
    evaluation_in_state,
    moderate,
    open_compliance,
    open_scoring,
    step,
    submit_scores,
)
from councils.models import AuditEvent, Role, User
from councils.tests.factories import UserFactory
from providers.tests.factories import OrganisationMemberFactory
from tests.query_counts import queries_afresh
from tests.worlds import make_world, shared_world

pytestmark = pytest.mark.django_db

CONFLICT = "I am a trustee of Dale CIC."
WALLED_MODELS = (Declaration, ComplianceResult, ScoreSheet, Score, ModeratedScore)
AWARD_MODELS = (AwardItem, AssessmentSummary)


def url(world, route, **kwargs):
    return reverse(
        f"commissioning:{route}",
        kwargs={"council_slug": world.council.slug, "opportunity_pk": world.opportunity.pk, **kwargs},
    )


def rows(response) -> list[list[str]]:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def scores_for(world, member_index: int) -> dict:
    """Distinct scores per panellist, so a spread shows and a wrong cell cannot pass unnoticed."""
    return {c.pk: (member_index + i) % 6 for i, c in enumerate(world.criteria)}


def at_scoring(built: dict) -> dict:
    """At scoring: everyone has declared (the legal officer a conflict with Brightwork) and every bid
    has passed its compliance checks. The chair has submitted scores for both bids; the procurement
    officer has only a draft for Moorside; the legal officer has submitted Moorside's."""
    council, people = built["council"], built["people"]
    world = evaluation_in_state(
        council,
        EvaluationState.DECLARATIONS,
        bidders=[
            bidder("Moorside Youth Trust", 48000),
            bidder("Brightwork", 52000, partners=["Dale CIC"], document=True),
        ],
    )
    world.conflicted = people[Role.LEGAL_OFFICER]
    world.members["conflicted"] = services.panel_appoint(
        by=world.lead, evaluation=world.evaluation, user=world.conflicted
    )
    world.moorside, world.brightwork = world.bids
    declare_all(world, world.conflicted, conflicts={world.brightwork.pk: CONFLICT})
    open_compliance(world)
    open_scoring(world)
    for bid in world.bids:
        submit_scores(world, world.chair, bid, scores_for(world, 0))
    submit_scores(world, world.panellist, world.moorside, scores_for(world, 1), submit=False)
    submit_scores(world, world.conflicted, world.moorside, scores_for(world, 2))
    return {**built, "world": world}


shared, module_copy, council, other_council, people, world = shared_world(lambda: at_scoring(make_world()), "world")


def to_moderation(world) -> None:
    submit_scores(world, world.panellist, world.moorside, scores_for(world, 1))
    submit_scores(world, world.panellist, world.brightwork, scores_for(world, 1))
    step(world, "open_moderation")


def to_summaries(world):
    """Signed off with Brightwork ranked first; the lead commissioner's delegated decision to award it
    to Brightwork, and the assessment summaries sent to both bidders."""
    to_moderation(world)
    moderate(world, world.moorside, {c.pk: 2 for c in world.criteria})
    moderate(world, world.brightwork, {c.pk: 4 for c in world.criteria})
    step(world, "sign_off", by=world.chair)
    award = award_services.award_start(by=world.lead, opportunity=world.opportunity)
    award = award_services.award_transition(by=world.lead, award=award, name="submit")
    award = award_services.award_transition(
        by=world.lead, award=award, name="approve", decision=Decision(decided_on=timezone.localdate())
    )
    summary_services.assessment_summaries_prepare(by=world.lead, award=award)
    summary_services.assessment_summaries_send(by=world.lead, award=award)
    return award


# ---- HTTP -----------------------------------------------------------------------------------------


def test_the_conflicted_panellist_reaches_no_page_of_the_walled_bid(world, client_for):
    client = client_for(world.conflicted)
    walled = world.brightwork
    document = walled.documents.get()
    for route, kwargs in [
        ("evaluation_bid", {"bid_pk": walled.pk}),
        ("evaluation_compliance", {"bid_pk": walled.pk}),
        ("evaluation_bid_document", {"bid_pk": walled.pk, "document_pk": document.pk}),
    ]:
        assert client.get(url(world, route, **kwargs)).status_code == 404, route
    page = client.get(url(world, "evaluation_bid", bid_pk=world.moorside.pk))
    assert page.status_code == 200
    assert "Moorside Youth Trust answers question 1" in page.content.decode()
    overview = client.get(url(world, "evaluation")).content.decode()
    table = overview.split("Bids you evaluate", 1)[1].split("</table>", 1)[0]
    assert "Moorside Youth Trust" in table
    assert "Brightwork" not in table
    # The same pages answer the unconflicted panellist.
    other = client_for(world.panellist)
    assert other.get(url(world, "evaluation_bid", bid_pk=walled.pk)).status_code == 200


def test_the_council_bid_page_is_walled_off_too(world, client_for):
    client = client_for(world.conflicted)
    detail = reverse(
        "bids:council_detail",
        kwargs={
            "council_slug": world.council.slug,
            "opportunity_pk": world.opportunity.pk,
            "bid_pk": world.brightwork.pk,
        },
    )
    document = reverse("bids:document", kwargs={"pk": world.brightwork.documents.get().pk})
    assert (client.get(detail).status_code, client.get(document).status_code) == (404, 404)


def test_scores_stay_blind_on_the_score_page_until_your_own_are_in(world, client_for):
    # The chair has submitted both; the procurement officer's Moorside sheet is still a draft.
    chair_page = client_for(world.chair).get(url(world, "evaluation_bid", bid_pk=world.moorside.pk)).content.decode()
    assert f"{escape(world.conflicted)}: " in chair_page  # submitted: shown to those who have submitted
    assert f"{escape(world.panellist)}: " not in chair_page  # a draft: shown to nobody else
    draft_page = client_for(world.panellist).get(url(world, "evaluation_bid", bid_pk=world.moorside.pk))
    assert f"{escape(world.chair)}: " not in draft_page.content.decode()


def test_a_conflicted_chair_moderates_only_the_bids_they_may_read(world, client_for):
    to_moderation(world)
    services.panel_name_chair(by=world.lead, evaluation=world.refresh(), member=world.members["conflicted"])
    client = client_for(world.conflicted)
    moderation = client.get(url(world, "evaluation_moderation"))
    assert moderation.status_code == 200
    page = moderation.content.decode()
    assert "Moorside Youth Trust" in page
    assert "Brightwork" not in page
    assert client.get(url(world, "evaluation_moderate_bid", bid_pk=world.brightwork.pk)).status_code == 404
    assert client.get(url(world, "evaluation_moderate_bid", bid_pk=world.moorside.pk)).status_code == 200
    spread = rows(client.get(url(world, "evaluation_scores_export")))
    assert {row[0] for row in spread[1:]} == {"Moorside Youth Trust"}


def test_the_award_page_lists_no_summary_of_the_walled_bid(world, client_for):
    award = to_summaries(world)
    walled = AssessmentSummary.objects.get(award=award, bid=world.brightwork)
    kwargs = {"council_slug": world.council.slug, "pk": world.opportunity.pk}
    client = client_for(world.conflicted)
    page = client.get(reverse("commissioning:award_detail", kwargs=kwargs))
    assert page.status_code == 200
    summaries = page.content.decode().split('id="summaries-list"', 1)[1].split("</dl>", 1)[0]
    assert "Moorside Youth Trust" in summaries
    assert "Brightwork" not in summaries
    letter_url = reverse("commissioning:award_summary_pdf", kwargs={**kwargs, "summary_pk": walled.pk})
    assert client.get(letter_url).status_code == 404
    summaries_page = client.get(reverse("commissioning:award_summaries", kwargs=kwargs)).content.decode()
    listed_there = summaries_page.split('id="summaries-list"', 1)[1].split("</dl>", 1)[0]
    assert "Moorside Youth Trust" in listed_there
    assert "Brightwork" not in listed_there
    # The ranking's CSV leaves the walled bid out for them too.
    ranking = rows(client.get(url(world, "evaluation_export")))
    assert [row[1] for row in ranking[1:]] == ["Moorside Youth Trust"]
    # The chair, who has no conflict, reads both summaries.
    chair = client_for(world.chair)
    assert "Brightwork" in chair.get(reverse("commissioning:award_detail", kwargs=kwargs)).content.decode()
    assert chair.get(letter_url).status_code == 200
    # In the admin: the award's items and summaries of the walled bid are not there for them either.
    staff = client_for(admin_staff(world.conflicted))
    for model in AWARD_MODELS:
        shown = listed(staff, model)
        assert {obj.bid_id for obj in shown} == ({world.moorside.pk} if model is AssessmentSummary else set()), model
    assert admin_page_status(staff, AssessmentSummary, walled.pk) == 404
    assert admin_page_status(client_for(admin_staff(world.chair)), AssessmentSummary, walled.pk) == 200


# ---- The CSV download of the panel's scores ------------------------------------------------------


def test_a_panellist_downloads_only_their_own_sheets_and_never_the_walled_bid(world, client_for):
    mine = rows(client_for(world.conflicted).get(url(world, "evaluation_scores_export")))
    assert mine[0] == ["Bidder", "Criterion", "Weight (%)", "Your score", "Justification", "Status"]
    assert {row[0] for row in mine[1:]} == {"Moorside Youth Trust"}
    assert len(mine) == 1 + len(world.criteria)
    expected = scores_for(world, 2)
    for row, criterion in zip(mine[1:], world.criteria, strict=True):
        assert row[1] == criterion.title
        assert row[3] == str(expected[criterion.pk])
        assert row[5].startswith("Submitted")
    assert "Brightwork" not in "".join(",".join(row) for row in mine)


def test_while_scoring_nobody_downloads_anyone_elses_scores(world, client_for):
    # The chair has submitted everything, yet before moderation they get their own sheets only.
    chair = rows(client_for(world.chair).get(url(world, "evaluation_scores_export")))
    assert chair[0][3] == "Your score"
    assert {row[0] for row in chair[1:]} == {"Moorside Youth Trust", "Brightwork"}
    assert all(row[5].startswith("Submitted") for row in chair[1:])
    draft = rows(client_for(world.panellist).get(url(world, "evaluation_scores_export")))
    statuses = {row[0]: row[5] for row in draft[1:]}
    assert statuses == {"Moorside Youth Trust": "Draft", "Brightwork": "Not started"}
    overview = client_for(world.chair).get(url(world, "evaluation")).content.decode()
    assert "Download your scores (CSV)" in overview
    # The lead commissioner, who is not on the panel, gets nothing until moderation.
    assert "scores (CSV)" not in client_for(world.lead).get(url(world, "evaluation")).content.decode()
    lead = client_for(world.lead).get(url(world, "evaluation_scores_export"))
    assert lead.status_code == 302
    assert lead["Location"] == url(world, "evaluation")


def test_from_moderation_the_chair_and_lead_download_the_spread_the_moderation_page_shows(world, client_for):
    to_moderation(world)
    moderate(world, world.moorside, {c.pk: 3 for c in world.criteria})
    access = selectors.evaluation_access(world.chair, world.council, world.opportunity.pk)
    assert export_kind(access) == "spread"
    expected = {}
    for row in selectors.spread_table(access):
        for cell in row.cells:
            expected[(str(row.bid.organisation), cell.criterion.title)] = (
                {str(member.user): str(score) for member, score in cell.scores},
                str(cell.spread),
                "Yes" if cell.flagged else "No",
                "" if cell.moderated is None else str(cell.moderated.score),
            )
    for who in (world.chair, world.lead):
        overview = client_for(who).get(url(world, "evaluation")).content.decode()
        assert "Download the panel's scores (CSV)" in overview
        spread = rows(client_for(who).get(url(world, "evaluation_scores_export")))
        header = spread[0]
        members = header[3:-3]
        assert [name.split(" (")[0] for name in members] == [
            str(world.chair),
            str(world.panellist),
            str(world.conflicted),
        ]
        got = {}
        for row in spread[1:]:
            given = {members[i].split(" (")[0]: value for i, value in enumerate(row[3:-3]) if value != ""}
            got[(row[0], row[1])] = (given, row[-3], row[-2], row[-1])
        assert got == expected
    # The conflicted panellist has no score for Brightwork in it (they never had one).
    brightwork = [row for row in spread[1:] if row[0] == "Brightwork"]
    assert brightwork
    assert all(row[5] == "" for row in brightwork)
    assert AuditEvent.objects.filter(event_type="evaluation.scores_exported", extra__kind="spread").count() == 2


def test_the_download_is_refused_outside_the_panel(world, client_for, people):
    for role in (Role.FINANCE_OFFICER, Role.SCRUTINY_MEMBER):
        assert client_for(people[role]).get(url(world, "evaluation_scores_export")).status_code == 403, role
    for who in ("other_council_officer", "no_role"):
        assert client_for(people[who]).get(url(world, "evaluation_scores_export")).status_code == 404, who
    bidder_user = world.moorside.organisation.members.first().user
    assert client_for(bidder_user).get(url(world, "evaluation_scores_export")).status_code == 404


# ---- The admin --------------------------------------------------------------------------------------


def admin_staff(user):
    """Give a council person the admin, with permission to view every evaluation and award record."""
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    names = [f"view_{model._meta.model_name}" for model in (*WALLED_MODELS, *AWARD_MODELS)]
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="commissioning", codename__in=names))
    return user


def _admin_user(client, url) -> tuple[User, object]:
    """The client's user, and the admin's answer to them. Only a superuser may use the admin at all:
    anyone else, whatever `is_staff` and permissions they hold, is sent to the admin's sign-in."""
    user = User.objects.get(pk=client.session["_auth_user_id"])
    response = client.get(url)
    if not user.is_superuser:
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("admin:login")), url
    return user, response


def _admin_request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def listed(client, model) -> list:
    """What the model's admin lists for the client's user. Behind the admin's door (superusers
    only), each admin still scopes its rows to the person asking, should the door ever open wider."""
    user, response = _admin_user(client, reverse(f"admin:commissioning_{model._meta.model_name}_changelist"))
    if user.is_superuser:
        assert response.status_code == 200
        return list(response.context["cl"].queryset)
    return list(admin.site._registry[model].get_queryset(_admin_request(user)))


def admin_page_status(client, model, pk, view="change") -> int:
    """The change (or history) page's answer to the client's user; behind the door for anyone but a
    superuser, what the admin would answer them: 404 for a record outside their scope."""
    user, response = _admin_user(client, reverse(f"admin:commissioning_{model._meta.model_name}_{view}", args=[pk]))
    if user.is_superuser:
        return response.status_code
    try:
        admin.site._registry[model].get_object(_admin_request(user), str(pk))
    except Http404:
        return 404
    return 200


def bid_of(obj) -> int:
    return obj.sheet.bid_id if isinstance(obj, Score) else obj.bid_id


def test_the_admin_keeps_the_walled_bid_from_the_conflicted_panellist(world, client_for):
    to_moderation(world)
    moderate(world, world.moorside, {c.pk: 3 for c in world.criteria})
    moderate(world, world.brightwork, {c.pk: 2 for c in world.criteria})
    client = client_for(admin_staff(world.conflicted))
    walled = world.brightwork.pk
    for model in WALLED_MODELS:
        shown = listed(client, model)
        assert shown, model
        assert walled not in {bid_of(obj) for obj in shown if not isinstance(obj, Declaration)}, model
    declarations = listed(client, Declaration)
    # Their own declaration of the conflict stays theirs to read; nobody else's against that bid.
    assert [d.member.user for d in declarations if d.bid_id == walled] == [world.conflicted]
    for model, obj in [
        (ScoreSheet, ScoreSheet.objects.filter(bid_id=walled).first()),
        (Score, Score.objects.filter(sheet__bid_id=walled).first()),
        (ComplianceResult, ComplianceResult.objects.filter(bid_id=walled).first()),
        (ModeratedScore, ModeratedScore.objects.filter(bid_id=walled).first()),
        (Declaration, Declaration.objects.filter(bid_id=walled, member__user=world.chair).first()),
    ]:
        assert admin_page_status(client, model, obj.pk) == 404, model
        assert admin_page_status(client, model, obj.pk, "history") == 404, model
    # The unconflicted panellist sees both bids' records, and the change page answers.
    other = client_for(admin_staff(world.panellist))
    assert {sheet.bid_id for sheet in listed(other, ScoreSheet)} == {world.moorside.pk, walled}
    sheet = ScoreSheet.objects.filter(bid_id=walled).first()
    assert admin_page_status(other, ScoreSheet, sheet.pk) == 200


def test_the_admin_shows_no_draft_and_keeps_scoring_blind(world, client_for, people):
    # At scoring: the procurement officer's Moorside sheet is a draft, and they have submitted nothing.
    panellist = client_for(admin_staff(world.panellist))
    sheets = listed(panellist, ScoreSheet)
    assert [(s.member.user, s.bid_id) for s in sheets] == [(world.panellist, world.moorside.pk)]
    assert {score.sheet.member.user for score in listed(panellist, Score)} == {world.panellist}
    chair = client_for(admin_staff(world.chair))
    shown = {(s.member.user, s.bid_id) for s in listed(chair, ScoreSheet)}
    assert (world.panellist, world.moorside.pk) not in shown  # someone else's draft
    assert (world.conflicted, world.moorside.pk) in shown  # submitted, and the chair's own are in
    # Another council's officer, even with the admin, sees none of it.
    outsider = client_for(admin_staff(people["other_council_officer"]))
    for model in WALLED_MODELS:
        assert listed(outsider, model) == [], model


def test_every_evaluation_and_award_admin_renders_read_only(world, client_for, people):
    award = to_summaries(world)
    root = UserFactory(email="root@example.org", is_staff=True, is_superuser=True)
    client = client_for(root)
    objects = {
        Evaluation: world.evaluation,
        PanelMember: world.members["chair"],
        Declaration: Declaration.objects.first(),
        ComplianceResult: ComplianceResult.objects.first(),
        ScoreSheet: ScoreSheet.objects.first(),
        Score: Score.objects.first(),
        ModeratedScore: ModeratedScore.objects.first(),
        Award: award,
        AwardItem: award.items.first(),
        AssessmentSummary: award.assessment_summaries.first(),
        ForwardPlanEntry: None,
        CallIn: None,
    }
    for model, obj in objects.items():
        name = model._meta.model_name
        assert client.get(reverse(f"admin:commissioning_{name}_changelist")).status_code == 200, name
        assert client.get(reverse(f"admin:commissioning_{name}_add")).status_code == 403, name
        if obj is not None:
            change = client.get(reverse(f"admin:commissioning_{name}_change", args=[obj.pk]))
            assert change.status_code == 200, name
            assert b'type="submit" value="Save"' not in change.content, name
            assert client.get(reverse(f"admin:commissioning_{name}_delete", args=[obj.pk])).status_code == 403, name
    # The stored ranking lists every bid, walled-off ones included: the admin shows its digest only.
    page = client.get(reverse("admin:commissioning_evaluation_change", args=[world.evaluation.pk])).content.decode()
    assert world.refresh().result_digest in page
    assert "quality_points" not in page


def test_the_score_sheet_changelist_runs_in_fixed_queries(world, client_for, django_assert_max_num_queries):
    client = client_for(UserFactory(email="root@example.org", is_staff=True, is_superuser=True))
    changelist = reverse("admin:commissioning_scoresheet_changelist")

    def count() -> tuple[int, int]:
        """Rows listed, and the queries it took."""
        with queries_afresh() as queries:
            response = client.get(changelist)
        assert response.status_code == 200
        return len(response.context["cl"].result_list), len(queries)

    few_rows, few = count()
    to_moderation(world)
    many_rows, many = count()
    assert many_rows > few_rows
    assert many == few
    with django_assert_max_num_queries(few):
        client.get(changelist)


def test_someone_acting_for_a_bidder_sees_no_evaluation_record_in_the_admin(world, client_for, people):
    finance = people[Role.FINANCE_OFFICER]
    OrganisationMemberFactory(organisation=world.moorside.organisation, user=finance)
    client = client_for(admin_staff(finance))
    for model in WALLED_MODELS:
        assert listed(client, model) == [], model


# ---- A panellist who has not declared ----------------------------------------------------------


def test_a_panellist_who_has_not_declared_sees_nothing_anywhere(world, client_for, people):
    newcomer = people[Role.FINANCE_OFFICER]
    services.panel_appoint(by=world.lead, evaluation=world.refresh(), user=newcomer)
    client = client_for(admin_staff(newcomer))
    overview = client.get(url(world, "evaluation"))
    assert overview.status_code == 200
    page = overview.content.decode()
    assert "Before you can see any bid, declare your interests" in page
    assert "Bids you evaluate" not in page
    for bid in world.bids:
        for route in ("evaluation_bid", "evaluation_compliance"):
            assert client.get(url(world, route, bid_pk=bid.pk)).status_code == 404, route
    document = world.brightwork.documents.get()
    download = url(world, "evaluation_bid_document", bid_pk=world.brightwork.pk, document_pk=document.pk)
    assert client.get(download).status_code == 404
    assert client.get(url(world, "evaluation_moderation")).status_code == 403
    assert rows(client.get(url(world, "evaluation_scores_export")))[1:] == []
    for model in WALLED_MODELS:
        assert listed(client, model) == [], model
    # Once they declare, their bids and records appear.
    declare_all(world, newcomer)
    assert client.get(url(world, "evaluation_bid", bid_pk=world.moorside.pk)).status_code == 200
    assert listed(client, ComplianceResult)
