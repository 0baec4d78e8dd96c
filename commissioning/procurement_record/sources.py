"""Commissioning's part of the procurement record: the audit trail of the commission, its opportunities,
their bids, evaluations and awards, put into words, and the outcome letters sent to each bidder.

Only decisions and what passed between the council and suppliers are listed: drafting, reading and
scoring drafts are left to the full audit trail. Nothing a bid says is shown. Events about a bid are
sealed until its opportunity's bids are opened (`Procurement.events`), so before then the record
says only how many bids were submitted (as the opportunity page does). Links go only to the pages
the reader may open.
"""

from __future__ import annotations

from functools import cached_property

from django.urls import reverse
from django.utils import dateformat
from django.utils.dateparse import parse_date

from commissioning.cpv import lookup
from commissioning.models import (
    BIDS_READABLE_STATES,
    AssessmentSummary,
    Award,
    Bid,
    Clarification,
    Commission,
    DecisionMaker,
    Evaluation,
    Opportunity,
    PanelMember,
    PriceMethod,
)
from commissioning.models.regime import Procedure as RegimeProcedure
from commissioning.models.regime import Regime
from commissioning.procurement_record.registry import Category, Entry, Procurement, Subject, register
from councils.formatting import money
from councils.models import AuditEvent, Role, User
from councils.permissions import CONFLICTS_ASSESSORS, OFFICER, SOURCING_OFFICERS, roles_in

COMMISSION = Subject(Commission, "pk")
OPPORTUNITY = Subject(Opportunity, "commission")
BID = Subject(Bid, "opportunity__commission")
EVALUATION = Subject(Evaluation, "opportunity__commission")
AWARD = Subject(Award, "commission")
SUBJECTS = (COMMISSION, OPPORTUNITY, BID, EVALUATION, AWARD)

DECISION, COMMUNICATION = Category.DECISION, Category.COMMUNICATION

# The commission's own steps, in the past tense. The steps the award and the agreements take for it
# (recording the award, a call-in, going into delivery) are listed under the award and the agreements.
COMMISSION_STEPS = {
    "start_planning": "Moved to Plan",
    "return_to_understand": "Sent back to Understand",
    "submit_for_approval": "Plan sent for approval",
    "refer_back": "Plan referred back by the decision-maker",
    "approve": "Decision to commission approved",
    "withdraw_sourcing": "Withdrawn from the market to redesign",
    "start_review": "Review started",
    "begin_next_cycle": "Next cycle started",
    "extend_delivery": "Delivery extended",
    "decommission": "Decommissioned",
    "cancel": "Commission cancelled",
}
# Changes to the commission's details that change the procurement.
MATERIAL_FIELDS = {"delivery_route": "delivery route", "budget": "budget", "starts_on": "dates", "ends_on": "dates"}
EVALUATION_STEPS = {
    "open_compliance": "Compliance checks started",
    "open_scoring": "Scoring started",
    "open_moderation": "Scoring closed and moderation started",
    "sign_off": "Moderation signed off: the ranking is fixed",
}
DATE_WORDS = {
    "clarification_deadline": "deadline for clarification questions",
    "submission_deadline": "deadline for bids",
    "expected_award_on": "expected award date",
    "service_starts_on": "expected service start",
}


def day(value) -> str:
    parsed = parse_date(str(value)[:10]) if value else None
    return dateformat.format(parsed, "j F Y") if parsed else ""


def person(user: User | None) -> str:
    return str(user) if user is not None else ""


def _label(choices, value) -> str:
    try:
        return choices(value).label
    except ValueError:
        return str(value or "")


class Reader:
    """What the reader may open, worked out once."""

    def __init__(self, procurement: Procurement):
        self.user = procurement.user
        self.commission = procurement.commission
        self.roles = roles_in(self.user, self.commission.council)

    def has(self, roles) -> bool:
        return not self.roles.isdisjoint(roles)

    @cached_property
    def panels(self) -> set[int]:
        """The evaluations of this commission the reader is on the panel of now."""
        members = PanelMember.objects.filter(
            user=self.user, ended_at__isnull=True, evaluation__opportunity__commission=self.commission
        )
        return set(members.values_list("evaluation_id", flat=True))


class Trail:
    """The audit events of one procurement and the records they name, each fetched once."""

    def __init__(self, procurement: Procurement):
        self.procurement = procurement
        self.commission = procurement.commission
        self.slug = self.commission.council.slug
        self.reader = Reader(procurement)
        self.events = procurement.events(*SUBJECTS)
        # Opportunities published so far, as the events are read in order: changes after that were
        # sent to everyone following.
        self.published: set[int] = set()

    def _named(self, key: str) -> set[int]:
        return {event.extra[key] for event in self.events if isinstance(event.extra.get(key), int)}

    @cached_property
    def opportunities(self) -> dict[int, Opportunity]:
        opportunities = Opportunity.objects.filter(commission=self.commission)
        return {o.pk: o for o in opportunities}

    @cached_property
    def bids(self) -> dict[int, Bid]:
        bids = Bid.objects.filter(opportunity__commission=self.commission).select_related("organisation")
        return {bid.pk: bid for bid in bids}

    @cached_property
    def evaluations(self) -> dict[int, Evaluation]:
        evaluations = Evaluation.objects.filter(opportunity__commission=self.commission)
        return {e.pk: e for e in evaluations}

    @cached_property
    def awards(self) -> dict[int, Award]:
        return {a.pk: a for a in Award.objects.filter(commission=self.commission)}

    @cached_property
    def clarifications(self) -> dict[int, Clarification]:
        rows = Clarification.objects.filter(pk__in=self._named("clarification")).select_related("organisation")
        return {c.pk: c for c in rows}

    @cached_property
    def members(self) -> dict[int, PanelMember]:
        keys = self._named("member") | self._named("replacement")
        return {m.pk: m for m in PanelMember.objects.filter(pk__in=keys).select_related("user")}

    @cached_property
    def letters(self) -> dict[int, list[AssessmentSummary]]:
        """The assessment summaries (and outcome letters sent before them) of each award, as sent
        (winners first)."""
        found: dict[int, list[AssessmentSummary]] = {}
        letters = AssessmentSummary.objects.filter(
            award__commission=self.commission, sent_at__isnull=False
        ).select_related("bid__organisation")
        for letter in letters.order_by("-successful", "pk"):
            found.setdefault(letter.award_id, []).append(letter)
        return found

    @cached_property
    def users(self) -> dict[int, User]:
        return User.objects.in_bulk(self._named("user"))

    @cached_property
    def organisations(self) -> dict[int, str]:
        from_clarifications = {c.organisation_id: str(c.organisation) for c in self.clarifications.values()}
        return from_clarifications | {bid.organisation_id: str(bid.organisation) for bid in self.bids.values()}

    # ---- links ----

    def commission_link(self) -> tuple[str, str]:
        return self.commission.get_absolute_url(), "the commission"

    def opportunity_link(self, opportunity_id: int | None, page: str = "opportunity") -> tuple[str, str]:
        if opportunity_id is None:
            return "", ""
        labels = {
            "opportunity": "the opportunity",
            "opportunity_conflicts": "the conflicts assessment",
            "opportunity_clarifications": "the clarification questions",
        }
        url = reverse(f"commissioning:{page}", kwargs={"council_slug": self.slug, "opportunity_pk": opportunity_id})
        return url, labels[page]

    def bid_link(self, bid: Bid) -> tuple[str, str]:
        opportunity = self.opportunities.get(bid.opportunity_id)
        if opportunity is None or opportunity.state not in BIDS_READABLE_STATES or not self.reader.has(OFFICER):
            return "", ""
        kwargs = {"council_slug": self.slug, "opportunity_pk": opportunity.pk, "bid_pk": bid.pk}
        return reverse("bids:council_detail", kwargs=kwargs), "the bid"

    def evaluation_link(self, evaluation_id: int) -> tuple[str, str]:
        evaluation = self.evaluations.get(evaluation_id)
        may = self.reader.has((Role.LEAD_COMMISSIONER,)) or evaluation_id in self.reader.panels
        if evaluation is None or not may:
            return "", ""
        kwargs = {"council_slug": self.slug, "opportunity_pk": evaluation.opportunity_id}
        return reverse("commissioning:evaluation", kwargs=kwargs), "the evaluation"

    def award_link(self, opportunity_id: int) -> tuple[str, str]:
        kwargs = {"council_slug": self.slug, "pk": opportunity_id}
        return reverse("commissioning:award_detail", kwargs=kwargs), "the award"

    def reference(self, opportunity_id: int | None) -> str:
        opportunity = self.opportunities.get(opportunity_id)
        return opportunity.reference if opportunity else ""

    def entry(self, event: AuditEvent, category: str, what: str, link=("", ""), **fields) -> Entry:
        fields.setdefault("who", who(event))
        fields.setdefault("reason", event.reason)
        return Entry(at=event.created_at, category=category, what=what, link=link[0], link_label=link[1], **fields)


def who(event: AuditEvent) -> str:
    if event.actor is not None:
        return person(event.actor)
    return event.extra.get("tombstone") or "The service"


def for_organisation(event: AuditEvent, organisation: str) -> str:
    name = who(event)
    return f"{name}, for {organisation}" if event.actor is not None and organisation else name


# ---- The commission ---------------------------------------------------------------------------------


def _commission(event: AuditEvent, trail: Trail) -> Entry | None:
    name = event.event_type.removeprefix("commission.")
    cycle = event.extra.get("cycle")
    reference = f"{trail.commission.reference}, cycle {cycle}" if cycle else trail.commission.reference
    if name in COMMISSION_STEPS:
        what = COMMISSION_STEPS[name]
        decision = event.extra.get("decision") or {}
        if decision:
            what += f": {_label(DecisionMaker, decision.get('maker')).lower()}"
            what += f", {decision['reference']}" if decision.get("reference") else ""
            what += f", on {day(decision.get('decided_on'))}, value {money(decision.get('value'))}"
        return trail.entry(event, DECISION, what, trail.commission_link(), reference=reference)
    if name == "created":
        return trail.entry(event, DECISION, "Commission started", trail.commission_link(), reference=reference)
    if name == "updated":
        changed = sorted({MATERIAL_FIELDS[f] for f in event.extra.get("fields", ()) if f in MATERIAL_FIELDS})
        if not changed:
            return None
        what = f"Changed the {', '.join(changed)}"
        return trail.entry(event, DECISION, what, trail.commission_link(), reference=reference)
    if name == "cpv_code_set":
        code = lookup(event.extra.get("to", ""))
        what = f"Main CPV code set to {code.code} {code.label}" if code else "Main CPV code set"
        return trail.entry(event, DECISION, what, trail.commission_link(), reference=reference)
    if name == "regime_confirmed":
        what = f"Procurement regime confirmed: {_label(Regime, event.extra.get('regime'))}"
        if event.extra.get("procedure"):
            what += f", {_label(RegimeProcedure, event.extra['procedure']).lower()}"
        if event.extra.get("proposed") and event.extra.get("proposed") != event.extra.get("regime"):
            what += f" (proposed: {_label(Regime, event.extra['proposed'])})"
        may_open = trail.reader.has(SOURCING_OFFICERS)
        link = (reverse("commissioning:regime", args=[trail.slug, trail.commission.pk]), "the regime")
        return trail.entry(event, DECISION, what, link if may_open else trail.commission_link(), reference=reference)
    return None


def _forward_plan(event: AuditEvent, trail: Trail) -> Entry:
    reference = event.extra.get("reference", "")
    link = (reverse("commissioning:forward_plan", args=[trail.slug]), "the forward plan")
    if event.event_type == "forward_plan.published":
        what = f"Key decision published on the forward plan, expected on {day(event.extra.get('expected_on'))}"
    else:
        what = "Key decision withdrawn from the forward plan"
    return trail.entry(event, COMMUNICATION, what, link, reference=reference)


# ---- Opportunities, clarifications, the conflicts assessment, the opening -----------------------------


def _opportunity(event: AuditEvent, trail: Trail) -> Entry | None:
    opportunity_id = int(event.object_id)
    name = event.event_type.removeprefix("opportunity.")
    link, reference = trail.opportunity_link(opportunity_id), trail.reference(opportunity_id)
    extra = event.extra
    fields = {"reference": reference}
    if name == "created":
        return trail.entry(event, DECISION, "Opportunity drafted from the commission", link, **fields)
    if name == "published":
        trail.published.add(opportunity_id)
        return trail.entry(event, COMMUNICATION, "Opportunity published: open for bids", link, **fields)
    told = opportunity_id in trail.published
    if name == "dates_changed" and told:
        changed = [f"{DATE_WORDS[key]} now {day(value)}" for key, value in extra.items() if key in DATE_WORDS]
        what = "Key dates changed and everyone following told" + (f": {'; '.join(changed)}" if changed else "")
        return trail.entry(event, COMMUNICATION, what, link, **fields)
    if name.startswith("document.") and told:
        verb = {"document.added": "added", "document.changed": "changed", "document.removed": "removed"}[name]
        what = f"Document {verb} and everyone following told: {extra.get('record', '')}".rstrip(": ")
        return trail.entry(event, COMMUNICATION, what, link, **fields)
    if name == "closed":
        count = extra.get("submitted_bids")
        what = "Closed for bids at the deadline" + (f": {_bids(count)} submitted" if count is not None else "")
        return trail.entry(event, DECISION, what, link, **fields)
    if name.startswith("opening."):
        second = name == "opening.second_confirmed"
        what = "Opening of the bids confirmed" + (" by the second officer" if second else "")
        if extra.get("two_person") and not second:
            what += " by the first of two officers"
        return trail.entry(event, DECISION, what, link, **fields)
    if name == "bids_opened":
        count = extra.get("bids_opened")
        what = "Bids opened" + (f": {_bids(count)}" if count is not None else "")
        return trail.entry(event, DECISION, what, link, **fields)
    if name == "cancelled":
        what = "Opportunity cancelled"
        if event.from_state not in ("", "draft"):
            what += ": everyone following or bidding told why"
        return trail.entry(event, DECISION, what, link, **fields)
    if name.startswith("clarification."):
        return _clarification(event, trail, name.removeprefix("clarification."), fields)
    return None


def _bids(count: int) -> str:
    return f"{count} bid{'s' if count != 1 else ''}"


def _clarification(event: AuditEvent, trail: Trail, step: str, fields: dict) -> Entry | None:
    clarification = trail.clarifications.get(event.extra.get("clarification"))
    organisation = trail.organisations.get(event.extra.get("organisation"), "")
    opportunity_id = int(event.object_id)
    if trail.reader.has(SOURCING_OFFICERS):
        link = trail.opportunity_link(opportunity_id, "opportunity_clarifications")
    else:
        link = trail.opportunity_link(opportunity_id)
    if step == "asked":
        what = "Clarification question asked" + (f" by {organisation}" if organisation else "")
        return trail.entry(event, COMMUNICATION, what, link, who=for_organisation(event, organisation), **fields)
    if step == "published":
        what = "Clarification answered and published to everyone following"
        if clarification is not None and clarification.published_question:
            what += f": “{clarification.published_question}”"
        return trail.entry(event, COMMUNICATION, what, link, **fields)
    if step == "answered_privately":
        what = "Clarification answered privately" + (f" to {organisation}" if organisation else "")
        return trail.entry(event, COMMUNICATION, what, link, **fields)
    return None


def _conflicts(event: AuditEvent, trail: Trail) -> Entry:
    opportunity_id = int(event.object_id)
    revision = event.extra.get("revision")
    if trail.reader.has(CONFLICTS_ASSESSORS):
        link = trail.opportunity_link(opportunity_id, "opportunity_conflicts")
    else:
        link = trail.opportunity_link(opportunity_id)
    if event.event_type == "conflicts_assessment.reviewed":
        verb = "prepared" if revision == 1 else "reviewed"
        what = f"Conflicts assessment {verb}" + (f" (revision {revision})" if revision else "")
        people = event.extra.get("people")
        if people is not None:
            what += f": {people} {'person' if people == 1 else 'people'} assessed"
    else:
        what = "Conflicts assessment revised and waiting for review" + (f" (revision {revision})" if revision else "")
    return trail.entry(event, DECISION, what, link, reference=trail.reference(opportunity_id))


# ---- Bids (once opened), evaluation, award ----------------------------------------------------------


def _bid(event: AuditEvent, trail: Trail) -> Entry | None:
    bid = trail.bids.get(int(event.object_id))
    if bid is None:
        return None
    organisation = str(bid.organisation)
    fields = {"reference": trail.reference(bid.opportunity_id), "bid_id": bid.pk}
    who_ = for_organisation(event, organisation)
    if event.event_type == "bid.submit":
        what = f"Bid submitted by {organisation}"
        if event.extra.get("receipt"):
            what += f" (receipt {event.extra['receipt']})"
        return trail.entry(event, COMMUNICATION, what, trail.bid_link(bid), who=who_, **fields)
    if event.event_type == "bid.withdraw":
        what = f"Bid withdrawn by {organisation} before the deadline"
        return trail.entry(event, COMMUNICATION, what, trail.bid_link(bid), who=who_, **fields)
    return None


def _of_bid(trail: Trail, extra: dict) -> tuple[str, int | None]:
    bid = trail.bids.get(extra.get("bid"))
    return (f"the bid from {bid.organisation}", bid.pk) if bid is not None else ("a bid", None)


def _member(trail: Trail, key) -> str:
    member = trail.members.get(key)
    return person(member.user) if member is not None else "a panellist"


def _evaluation(event: AuditEvent, trail: Trail) -> Entry | None:
    evaluation_id = int(event.object_id)
    evaluation = trail.evaluations.get(evaluation_id)
    name = event.event_type.removeprefix("evaluation.")
    extra = event.extra
    link = trail.evaluation_link(evaluation_id)
    fields = {"reference": trail.reference(evaluation.opportunity_id if evaluation else None)}
    if name in EVALUATION_STEPS:
        what = EVALUATION_STEPS[name]
        if name == "sign_off" and extra.get("ranked") is not None:
            what += f" ({_bids(extra['ranked'])} ranked)"
        return trail.entry(event, DECISION, what, link, **fields)
    if name in ("set_up", "set_up_changed"):
        what = "Evaluation set up" if name == "set_up" else "Evaluation set-up changed"
        what += f": {_label(PriceMethod, extra.get('price_method')).split(':')[0].lower()}"
        if extra.get("compliance_checks") is not None:
            what += f", {extra['compliance_checks']} compliance checks"
        return trail.entry(event, DECISION, what, link, **fields)
    if name == "panel.appointed":
        appointed = person(trail.users.get(extra.get("user"))) or "A panellist"
        role = " as chair" if extra.get("chair") else " as independent member" if extra.get("independent") else ""
        return trail.entry(event, DECISION, f"{appointed} appointed to the panel{role}", link, **fields)
    if name == "panel.chair_named":
        return trail.entry(event, DECISION, f"{_member(trail, extra.get('member'))} named chair", link, **fields)
    if name == "panel.replaced":
        old, new = _member(trail, extra.get("member")), _member(trail, extra.get("replacement"))
        what = f"{old} replaced on the panel by {new}"
        return trail.entry(event, DECISION, what, link, **fields)
    of_bid, bid_id = _of_bid(trail, extra)
    fields["bid_id"] = bid_id
    if name in ("declaration.made", "declaration.changed"):
        found = "a conflict of interest" if extra.get("conflict") else "no conflict of interest"
        return trail.entry(event, DECISION, f"Declared {found} with {of_bid}", link, **fields)
    if name == "compliance.recorded":
        result = "passed" if extra.get("passed") else f"failed {extra.get('failed_checks', '')} check(s)"
        return trail.entry(event, DECISION, f"Compliance checks recorded for {of_bid}: {result}", link, **fields)
    if name == "scores.submitted":
        return trail.entry(event, DECISION, f"Scores submitted for {of_bid}", link, **fields)
    if name == "moderation.recorded":
        return trail.entry(event, DECISION, f"Moderated scores recorded for {of_bid}", link, **fields)
    return None


AWARD_STEPS = {
    "started": "Award recommendation started from the signed-off ranking",
    "submit": "Recommendation sent for decision",
    "refer_back": "Recommendation referred back",
    "call_in": "Award decision called in by scrutiny",
    "confirm_after_call_in": "Award decision confirmed after the call-in",
    "withdraw_decision": "Award decision withdrawn after the call-in",
}


def _award(event: AuditEvent, trail: Trail) -> Entry | list[Entry] | None:
    award = trail.awards.get(int(event.object_id))
    if award is None:
        return None
    name = event.event_type.removeprefix("award.")
    extra = event.extra
    fields = {"reference": trail.reference(award.opportunity_id)}
    link = trail.award_link(award.opportunity_id)
    if name in AWARD_STEPS:
        return trail.entry(event, DECISION, AWARD_STEPS[name], link, **fields)
    if name == "items_saved":
        what = "Recommendation changed" + (f": {money(extra['total'])} in all" if extra.get("total") else "")
        return trail.entry(event, DECISION, what, link, **fields)
    if name == "approve":
        decision = extra.get("decision") or {}
        what = "Award approved"
        if decision:
            what += f": {_label(DecisionMaker, decision.get('maker')).lower()}"
            what += f", {decision['reference']}" if decision.get("reference") else ""
            what += f", on {day(decision.get('decided_on'))}, value {money(decision.get('value'))}"
        if extra.get("call_in_ends_on"):
            what += f"; may be called in until {day(extra['call_in_ends_on'])}"
        return trail.entry(event, DECISION, what, link, **fields)
    if name in ("letters_sent", "assessment_summaries_sent"):
        count = extra.get("letters", extra.get("summaries"))
        noun = "Outcome letters" if name == "letters_sent" else "Assessment summaries"
        what = f"{noun} sent" + (f": {count}" if count is not None else "")
        if extra.get("standstill_ends_on"):
            what += f"; the standstill period runs until the end of {day(extra['standstill_ends_on'])}"
        return [trail.entry(event, DECISION, what, link, **fields), *_letters(event, trail, award)]
    if name == "award_notice_published":
        details = extra.get("extra", extra)
        what = f"{details.get('notice') or 'Contract award notice'} published on {day(details.get('published_on'))}"
        if details.get("standstill_applies") and award.standstill_ends_on:
            what += f"; the standstill runs until the end of {day(award.standstill_ends_on)}"
        return trail.entry(event, DECISION, what, link, **fields)
    return None


LETTER_KINDS = {
    # Outcome letters sent before assessment summaries replaced them.
    "award": "Award letter sent to {}",
    "summary": "Assessment summary sent to {}",
    "successful": "Assessment summary sent to {}, the successful supplier",
    "unsuccessful": "Assessment summary sent to {}, with its scores and why it did not win",
    "excluded": "Assessment summary sent to {}, with the reasons its bid was excluded",
}


def _letters(event: AuditEvent, trail: Trail, award: Award) -> list[Entry]:
    """What each supplier was told, kept as sent (the letters are sent together, in one step)."""
    entries = []
    for letter in trail.letters.get(award.pk, []):
        kind = (letter.content or {}).get("kind") or ("award" if letter.successful else "unsuccessful")
        url = reverse("commissioning:award_summary", args=[trail.slug, award.opportunity_id, letter.pk])
        what = LETTER_KINDS.get(kind, LETTER_KINDS["summary"]).format(letter.bid.organisation)
        entries.append(
            trail.entry(
                event,
                COMMUNICATION,
                what,
                (url, "the assessment summary"),
                reason="",
                reference=trail.reference(award.opportunity_id),
                bid_id=letter.bid_id,
            )
        )
    return entries


def _describe(event: AuditEvent, trail: Trail) -> Entry | list[Entry] | None:
    kind = event.event_type.split(".", 1)[0]
    if kind == "forward_plan":
        return _forward_plan(event, trail)
    if kind == "conflicts_assessment":
        return _conflicts(event, trail)
    describe = {
        "commission": _commission,
        "opportunity": _opportunity,
        "bid": _bid,
        "evaluation": _evaluation,
        "award": _award,
    }.get(kind)
    return describe(event, trail) if describe else None


def audit_trail_entries(procurement: Procurement) -> list[Entry]:
    trail = Trail(procurement)
    entries: list[Entry] = []
    for event in trail.events:
        described = _describe(event, trail)
        if isinstance(described, Entry):
            entries.append(described)
        elif described:
            entries.extend(described)
    return entries


def register_sources() -> None:
    register("audit_trail", entries=audit_trail_entries, subjects=SUBJECTS)
