"""The prioritised programme through its services and pages: who sets the criteria, scoring with
reasons, the ranking cabinet sees fixed when sent, cabinet's decision, reopening for a new approval,
who is turned away (and how), another council's programme, and the ranked page's query count."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from commissioning.cycle.services import Decision
from commissioning.models import DecisionMaker, PrioritisationCriterion, Programme, ProgrammeState, State
from commissioning.programme import selectors, services
from commissioning.programme.tests.factories import approve, programme_in_state, set_criteria, this_year
from commissioning.tests.factories import commission_in_state, create_commission, staff
from commissioning.tests.review_factories import concluded_review, open_review, review_under_way
from councils.models import AuditEvent, Notification, ReminderKind, Role
from councils.tests.factories import PortfolioFactory
from councils.workflow import TransitionRefused
from tests.query_counts import assert_same_queries

pytestmark = pytest.mark.django_db


def page(programme, route="programme", **kwargs):
    return reverse(
        f"commissioning:{route}",
        kwargs={"council_slug": programme.council.slug, "year": programme.financial_year, **kwargs},
    )


# ---- Criteria and weights ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.COUNCIL_ADMIN, Role.LEAD_COMMISSIONER])
def test_the_administrator_and_the_lead_commissioner_set_the_criteria(council, people, role):
    criterion = services.criterion_save(by=people[role], council=council, name="Prevention", weight=3)
    services.criterion_save(by=people[role], council=council, criterion=criterion, name="Prevention", weight=5)
    assert PrioritisationCriterion.objects.get(council=council).weight == 5


@pytest.mark.parametrize(
    "role", [Role.COMMISSIONING_OFFICER, Role.PORTFOLIO_HOLDER, Role.SCRUTINY_MEMBER, Role.FINANCE_OFFICER]
)
def test_nobody_else_sets_the_criteria(council, people, role):
    with pytest.raises(PermissionDenied):
        services.criterion_save(by=people[role], council=council, name="Prevention", weight=3)
    criterion = set_criteria(council)[0]
    with pytest.raises(PermissionDenied):
        services.criterion_remove(by=people[role], criterion=criterion)


@pytest.mark.parametrize("weight", [0, -1, 101])
def test_a_weight_must_be_from_1_to_100(council, people, weight):
    with pytest.raises(ValidationError) as refused:
        services.criterion_save(by=people[Role.LEAD_COMMISSIONER], council=council, name="Risk", weight=weight)
    assert "weight" in refused.value.error_dict


def test_a_criterion_name_is_used_once_per_council(council, people, other_council):
    lead = people[Role.LEAD_COMMISSIONER]
    services.criterion_save(by=lead, council=council, name="Risk", weight=1)
    with pytest.raises(ValidationError):
        services.criterion_save(by=lead, council=council, name="risk ", weight=2)
    services.criterion_save(
        by=staff(other_council, Role.LEAD_COMMISSIONER), council=other_council, name="Risk", weight=2
    )


# ---- Scoring and the ranking ------------------------------------------------------------------------------


def test_scores_need_a_reason_and_a_score_from_0_to_5(council, people):
    programme = programme_in_state(council, scored=False)
    candidate = programme.candidates.get()
    prevention = selectors.criteria(council)[0]
    officer = people[Role.COMMISSIONING_OFFICER]
    with pytest.raises(ValidationError) as refused:
        services.candidate_score(by=officer, candidate=candidate, scores={prevention.pk: (6, " ")})
    assert set(refused.value.error_dict) == {f"score_{prevention.pk}", f"reason_{prevention.pk}"}
    with pytest.raises(PermissionDenied):
        services.candidate_score(
            by=people[Role.PORTFOLIO_HOLDER], candidate=candidate, scores={prevention.pk: (3, "Fewer falls")}
        )
    services.candidate_score(by=officer, candidate=candidate, scores={prevention.pk: (3, "Fewer falls")})
    assert candidate.scores.get().reason == "Fewer falls"


def test_the_programme_ranks_by_weighted_total_and_cannot_be_sent_half_scored(council, people):
    first, second, third = (create_commission(council, title=t) for t in ("Falls", "Carers", "Parks"))
    programme = programme_in_state(council, commissions=[first, second], scored=True)
    officer = people[Role.COMMISSIONING_OFFICER]
    prevention, roi, match = selectors.criteria(council)
    services.candidate_score(
        by=officer,
        candidate=programme.candidates.get(commission=first),
        scores={prevention.pk: (5, "a"), roi.pk: (5, "b"), match.pk: (0, "c")},
    )
    services.candidate_add(by=officer, programme=programme, commission=third)
    rows = selectors.live_ranking(programme, selectors.criteria(council))
    # (3×5 + 2×5 + 1×0) / 6 = 4.17 for the first; the third is not scored yet and comes last.
    assert [(r.reference, r.total, r.complete) for r in rows] == [
        (first.reference, "4.17", True),
        (second.reference, rows[1].total, True),
        (third.reference, "", False),
    ]
    with pytest.raises(TransitionRefused) as refused:
        services.programme_transition(by=officer, programme=programme, name="submit")
    assert refused.value.missing == [
        f"Score {third.reference} ‘Parks’ against: Prevention, Return on investment, Match funding"
    ]


def test_a_commission_that_ended_or_is_already_in_cannot_be_put_forward(council, people, other_council):
    programme = programme_in_state(council)
    officer = people[Role.COMMISSIONING_OFFICER]
    with pytest.raises(ValidationError):
        services.candidate_add(by=officer, programme=programme, commission=programme.candidates.get().commission)
    with pytest.raises(ValidationError):
        services.candidate_add(
            by=officer, programme=programme, commission=commission_in_state(council, State.CANCELLED)
        )
    with pytest.raises(PermissionDenied):
        services.candidate_add(by=officer, programme=programme, commission=create_commission(other_council))


def test_reviews_that_still_run_are_candidates_ranked_with_the_commissions(client_for, council, people):
    running = review_under_way(council, title="Review of community transport")
    opened = open_review(council, title="Review of day centres")
    concluded = concluded_review(council, title="Review of meals on wheels")
    programme = programme_in_state(council)
    officer = people[Role.COMMISSIONING_OFFICER]
    assert set(selectors.review_choices(programme)) == {running, opened}
    with pytest.raises(ValidationError):
        services.candidate_add(by=officer, programme=programme, review=concluded)
    with pytest.raises(ValidationError):
        services.candidate_add(by=officer, programme=programme, review=running, commission=create_commission(council))
    candidate = services.candidate_add(by=officer, programme=programme, review=running)
    services.candidate_score(
        by=officer, candidate=candidate, scores={c.pk: (5, "Strong") for c in selectors.criteria(council)}
    )
    rows = selectors.live_ranking(programme, selectors.criteria(council))
    assert [(r.reference, r.kind, r.total) for r in rows][0] == (running.reference, "Review", "5.00")
    assert rows[1].kind == "Commission"
    form = client_for(officer).get(page(programme, "programme_candidate_add")).content.decode()
    assert f"review-{opened.pk}" in form
    assert f"review-{running.pk}" not in form
    assert f"review-{concluded.pk}" not in form


def test_a_portfolio_holder_sees_every_candidate_but_opens_only_their_own(client_for, council, people):
    holder = people[Role.PORTFOLIO_HOLDER]
    theirs = create_commission(council, title="Carers", portfolio=PortfolioFactory(council=council, holder=holder))
    other = create_commission(council, title="Parks", portfolio=PortfolioFactory(council=council))
    programme = programme_in_state(council, ProgrammeState.AWAITING_APPROVAL, commissions=[theirs, other])
    body = client_for(holder).get(page(programme)).content.decode()
    assert other.reference in body
    assert theirs.get_absolute_url() in body
    assert other.get_absolute_url() not in body
    assert other.get_absolute_url() in client_for(people[Role.SCRUTINY_MEMBER]).get(page(programme)).content.decode()


def test_one_programme_per_year_and_only_near_years(council, people):
    officer = people[Role.COMMISSIONING_OFFICER]
    services.programme_start(by=officer, council=council, financial_year=this_year())
    with pytest.raises(ValidationError):
        services.programme_start(by=officer, council=council, financial_year=this_year())
    with pytest.raises(ValidationError):
        services.programme_start(by=officer, council=council, financial_year=this_year() + 10)
    with pytest.raises(PermissionDenied):
        services.programme_start(by=people[Role.SCRUTINY_MEMBER], council=council, financial_year=this_year() + 1)


# ---- Sent, approved, fixed, reopened -------------------------------------------------------------------------


def test_the_ranking_sent_to_cabinet_is_fixed_whatever_happens_to_the_criteria(council, people):
    programme = programme_in_state(council, ProgrammeState.AWAITING_APPROVAL)
    before = selectors.programme_page(programme)
    lead = people[Role.LEAD_COMMISSIONER]
    prevention = selectors.criteria(council)[0]
    services.criterion_save(by=lead, council=council, criterion=prevention, name="Early help", weight=100)
    services.criterion_remove(by=lead, criterion=selectors.criteria(council)[-1])
    after = selectors.programme_page(Programme.objects.get(pk=programme.pk))
    assert after == before
    assert [c["name"] for c in after["criteria"]] == ["Prevention", "Return on investment", "Match funding"]
    with pytest.raises(ValidationError, match="fixed"):
        services.candidate_score(by=people[Role.COMMISSIONING_OFFICER], candidate=programme.candidates.get(), scores={})
    with pytest.raises(ValidationError, match="fixed"):
        services.candidate_add(by=lead, programme=programme, commission=create_commission(council, title="New"))


def test_cabinet_approves_and_the_decision_is_recorded(council, people):
    programme = programme_in_state(council, ProgrammeState.AWAITING_APPROVAL)
    decision = Decision(
        decision_maker=DecisionMaker.CABINET,
        reference="CAB/2026/012",
        decided_on=timezone.localdate(),
        minute_url="https://example.org/minutes",
    )
    for role in (Role.LEAD_COMMISSIONER, Role.COMMISSIONING_OFFICER, Role.SCRUTINY_MEMBER):
        with pytest.raises(PermissionDenied):
            services.programme_transition(by=people[role], programme=programme, name="approve", decision=decision)
    holder = people[Role.PORTFOLIO_HOLDER]
    with pytest.raises(ValidationError) as refused:
        services.programme_transition(
            by=holder, programme=programme, name="approve", decision=Decision(decided_on=timezone.localdate())
        )
    assert {"decision_maker", "reference", "minute_url"} <= set(refused.value.error_dict)
    services.programme_transition(by=holder, programme=programme, name="approve", decision=decision, reason="Agreed")
    programme.refresh_from_db()
    assert programme.state == ProgrammeState.APPROVED
    assert (programme.decided_by, programme.decided_on, programme.decision_reference) == (
        holder,
        timezone.localdate(),
        "CAB/2026/012",
    )
    event = AuditEvent.objects.get(event_type="programme.approve")
    assert event.extra["decision"]["reference"] == "CAB/2026/012"


def test_cabinet_is_told_when_the_programme_is_sent_and_the_sender_when_it_is_decided(council, people):
    programme = programme_in_state(council, ProgrammeState.AWAITING_APPROVAL)
    told = Notification.objects.get(kind=ReminderKind.PLAN_TO_APPROVE)
    assert (told.user, told.url) == (people[Role.PORTFOLIO_HOLDER], programme.get_absolute_url())
    approve(programme)
    decided = set(Notification.objects.filter(kind=ReminderKind.PLAN_DECIDED).values_list("user", flat=True))
    assert decided == {people[Role.COMMISSIONING_OFFICER].pk, people[Role.LEAD_COMMISSIONER].pk}


def test_changing_an_approved_programme_needs_a_reason_and_a_new_approval(council, people):
    programme = programme_in_state(council, ProgrammeState.APPROVED)
    with pytest.raises(PermissionDenied):
        services.programme_transition(
            by=people[Role.COMMISSIONING_OFFICER], programme=programme, name="reopen", reason="x"
        )
    with pytest.raises(ValidationError):
        services.programme_transition(by=people[Role.LEAD_COMMISSIONER], programme=programme, name="reopen")
    services.programme_transition(
        by=people[Role.LEAD_COMMISSIONER], programme=programme, name="reopen", reason="A new grant arrived"
    )
    programme.refresh_from_db()
    assert (programme.state, programme.decision_reference, programme.ranking) == (ProgrammeState.DRAFT, "", {})
    event = AuditEvent.objects.get(event_type="programme.reopen")
    assert event.extra["previous_decision"]["reference"] == "CAB/2026/012"
    officer = people[Role.COMMISSIONING_OFFICER]
    more = services.candidate_add(by=officer, programme=programme, commission=create_commission(council, title="More"))
    services.candidate_score(
        by=officer, candidate=more, scores={c.pk: (2, "Some") for c in selectors.criteria(council)}
    )
    services.programme_transition(by=officer, programme=programme, name="submit")
    approve(programme, reference="CAB/2026/020")
    assert Programme.objects.get(pk=programme.pk).decision_reference == "CAB/2026/020"


# ---- Pages ------------------------------------------------------------------------------------------------


def test_the_whole_journey_through_the_pages(client_for, council, people):
    commission = create_commission(council, title="Falls prevention")
    lead = client_for(people[Role.LEAD_COMMISSIONER])
    criteria_url = reverse("commissioning:programme_criteria", args=[council.slug])
    response = lead.post(criteria_url, {"name": "Prevention", "weight": "2", "description": ""})
    assert response.status_code == 302
    response = lead.post(reverse("commissioning:programmes", args=[council.slug]), {"financial_year": this_year()})
    programme = Programme.objects.get(council=council)
    assert response["Location"] == programme.get_absolute_url()
    response = lead.post(page(programme, "programme_candidate_add"), {"subject": f"commission-{commission.pk}"})
    candidate = programme.candidates.get()
    assert response["Location"] == page(programme, "programme_candidate", candidate_pk=candidate.pk)
    criterion = PrioritisationCriterion.objects.get(council=council)
    response = lead.post(
        response["Location"], {f"score_{criterion.pk}": "4", f"reason_{criterion.pk}": "Keeps people home"}
    )
    assert response.status_code == 302
    body = lead.get(page(programme)).content.decode()
    assert "Keeps people home" in body
    assert "4.00" in body
    assert page(programme, "programme_step", name="submit") in body
    lead.post(page(programme, "programme_step", name="submit"), {"from_state": "draft"})
    holder = client_for(people[Role.PORTFOLIO_HOLDER])
    assert page(programme, "programme_decision") in holder.get(page(programme)).content.decode()
    response = holder.post(
        page(programme, "programme_decision"),
        {
            "from_state": "awaiting_approval",
            "decision_maker": DecisionMaker.CABINET,
            "reference": "CAB/2026/099",
            "decided_on": timezone.localdate().strftime("%d/%m/%Y"),
            "minute_url": "https://example.org/m",
        },
    )
    assert response.status_code == 302, response.content.decode()
    body = holder.get(page(programme)).content.decode()
    assert "CAB/2026/099" in body
    assert "Approved by cabinet" in body


def test_the_pages_turn_away_who_may_not(client_for, council, people):
    draft = programme_in_state(council)
    approved = programme_in_state(council, ProgrammeState.APPROVED, year=this_year() + 1)
    criterion = selectors.criteria(council)[0]
    candidate = draft.candidates.get()
    criteria_url = reverse("commissioning:programme_criteria", args=[council.slug])
    edit_url = reverse("commissioning:programme_criterion", args=[council.slug, criterion.pk])
    for role in (Role.COMMISSIONING_OFFICER, Role.SCRUTINY_MEMBER, Role.PORTFOLIO_HOLDER):
        client = client_for(people[role])
        assert client.get(criteria_url).status_code == 403
        assert client.post(criteria_url, {"name": "X", "weight": "1"}).status_code == 403
        assert client.post(edit_url, {"remove": "1"}).status_code == 403
    assert PrioritisationCriterion.objects.filter(pk=criterion.pk).exists()
    for role in (Role.SCRUTINY_MEMBER, Role.PORTFOLIO_HOLDER, Role.COUNCIL_ADMIN):
        client = client_for(people[role])
        assert client.get(page(draft)).status_code == 200
        assert (
            client.post(page(draft, "programme_candidate", candidate_pk=candidate.pk), {"remove": "1"}).status_code
            == 403
        )
        assert client.post(page(draft, "programme_step", name="submit"), {"from_state": "draft"}).status_code == 403
    assert draft.candidates.exists()
    officer = client_for(people[Role.COMMISSIONING_OFFICER])
    assert officer.get(page(approved, "programme_candidate_add")).status_code == 302
    assert officer.get(page(approved, "programme_step", name="reopen")).status_code == 403
    assert officer.get(page(approved, "programme_step", name="approve")).status_code == 404
    assert client_for(people["no_role"]).get(page(draft)).status_code == 403
    assert client_for(people["provider_admin"]).get(page(draft)).status_code == 403


def test_another_councils_programme_answers_404(client_for, council, people, other_council):
    mine = programme_in_state(council)
    theirs = programme_in_state(other_council)
    outsider = client_for(people["other_council_officer"])
    slug = other_council.slug
    assert outsider.get(page(theirs)).status_code == 200
    candidate = mine.candidates.get()
    assert (
        outsider.get(
            reverse("commissioning:programme_candidate", args=[slug, theirs.financial_year, candidate.pk])
        ).status_code
        == 404
    )
    criterion = selectors.criteria(council)[0]
    assert outsider.get(reverse("commissioning:programme_criterion", args=[slug, criterion.pk])).status_code == 404
    assert outsider.get(reverse("commissioning:programme", args=[slug, this_year() + 1])).status_code == 404


def test_the_ranked_programme_runs_in_a_fixed_number_of_queries(client_for, council, people):
    programme = programme_in_state(council)
    client = client_for(people[Role.LEAD_COMMISSIONER])

    def add_rows(count):
        officer = people[Role.COMMISSIONING_OFFICER]
        criteria = selectors.criteria(council)
        for n in range(count):
            candidate = services.candidate_add(
                by=officer, programme=programme, commission=create_commission(council, title=f"Commission {n}")
            )
            services.candidate_score(
                by=officer, candidate=candidate, scores={c.pk: (n % 6, f"Because {n}") for c in criteria}
            )

    _, response = assert_same_queries(client, page(programme), add_rows)
    assert response.body.decode().count("data-candidate=") >= 25


def test_the_lead_commissioners_navigation_and_dashboard_lead_to_the_programme(client_for, council, people):
    client = client_for(people[Role.LEAD_COMMISSIONER])
    url = reverse("commissioning:programmes", args=[council.slug])
    assert url in client.get(reverse("monitoring:dashboard", args=[council.slug])).content.decode()
    assert url in client.get(council.get_absolute_url()).content.decode()
    body = client.get(url).content.decode()
    assert reverse("commissioning:programme_criteria", args=[council.slug]) in body
