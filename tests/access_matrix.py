"""The expected answer of every URL for every kind of visitor. Later features add their rows here.

Each `Route` names a URL pattern, how to build its arguments from the test world, and which
visitors get a 200. Everyone else signed in gets `denied` (403 by default) and anonymous visitors
are sent to sign in (302), unless the route says otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from commissioning.engagement.tests.factories import (
    matrix_consultation_kwargs,
    public_consultation_kwargs,
)
from commissioning.groups import services as group_services
from commissioning.models import BidPartner, ConsultationAudience
from commissioning.programme.tests.factories import programme_kwargs
from commissioning.savings.tests.factories import matrix_review_saving_kwargs, matrix_saving_kwargs
from commissioning.sourcing.services import bids as bid_services
from commissioning.tests.award_factories import (
    award_kwargs,
    forward_plan_kwargs,
    provider_summary_kwargs,
)
from commissioning.tests.evaluation_factories import evaluation_kwargs
from commissioning.tests.review_factories import matrix_review, review_kwargs
from councils.models import Notification, ReminderKind, Role
from councils.services import publication_set
from monitoring.continuity.tests.factories import matrix_continuity_kwargs
from monitoring.delivery.tests.factories import matrix_delivery_kwargs
from monitoring.invoices.tests.factories import matrix_invoice_kwargs
from monitoring.remedies.tests.factories import matrix_plan_kwargs, matrix_remedy_kwargs, matrix_respond_kwargs
from monitoring.savings.tests.factories import matrix_live_kwargs
from monitoring.terms.tests.factories import matrix_terms_kwargs
from monitoring.tests.factories import matrix_agreements, matrix_kwargs
from monitoring.tests.notice_factories import notice_kwargs
from monitoring.tests.returns_factories import matrix_assessment_kwargs, matrix_return_kwargs
from providers import invitation_services
from providers.models import Organisation, ProviderRole

# Provider staff: an administrator of one provider organisation, and of another (for isolation).
PROVIDER_VISITORS = ("provider_admin", "other_provider_admin")
# Two councillors who hold no other seat (Role.COUNCILLOR): "working_group_member" sits on the member
# working group of the world's commission, and the "councillor" visitor on the group of another one (the
# world's opportunity's, whose bid is sealed). Each reads its own group's pages and nothing else of the
# council's commissioning: another group's commission answers 404, like every commission they cannot read.
VISITORS = [
    *Role.values,
    "working_group_member",
    "other_council_officer",
    "no_role",
    *PROVIDER_VISITORS,
    "anonymous",
]
EVERYONE_SIGNED_IN = frozenset(v for v in VISITORS if v != "anonymous")
COUNCILLORS_WITHOUT_SEAT = frozenset({Role.COUNCILLOR, "working_group_member"})
# Everyone with a role in the council: its overview, framework and their dashboard.
COUNCIL_MEMBERS = frozenset(Role.values) | COUNCILLORS_WITHOUT_SEAT
# Who opens the council's commissioning lists: every role but a councillor without a seat (403).
COMMISSIONING_READERS = COUNCIL_MEMBERS - COUNCILLORS_WITHOUT_SEAT


def council_kwargs(world) -> dict:
    return {"council_slug": world["council"].slug}


def published_kwargs(world) -> dict:
    """The world's council, with its framework and commissioning plan published."""
    council = world["council"]
    admin = council.memberships.filter(role=Role.COUNCIL_ADMIN).first().user
    for part in ("framework", "plan"):
        publication_set(by=admin, council=council, part=part, publish=True)
    return {"council_slug": council.slug}


def framework_kwargs(kind: str, key: str | None = None) -> Callable[[dict], dict]:
    def build(world) -> dict:
        kwargs = {"council_slug": world["council"].slug, "kind": kind}
        if key:
            kwargs["pk"] = world[key].pk
        return kwargs

    return build


@dataclass(frozen=True)
class Route:
    name: str
    kwargs: Callable[[dict], dict] = lambda world: {}
    ok: frozenset[str] = frozenset()
    denied: int = 403
    anonymous: int = 302
    method: str = "get"
    overrides: dict[str, int] = field(default_factory=dict)

    def expected(self, visitor: str) -> int:
        if visitor in self.overrides:
            return self.overrides[visitor]
        if visitor in self.ok:
            return 200
        if visitor == "anonymous":
            return self.anonymous
        return self.denied


FRAMEWORK_EDITORS = frozenset({Role.LEAD_COMMISSIONER, Role.COMMISSIONING_OFFICER, Role.COUNCIL_ADMIN})
PRIORITISATION_SETTERS = frozenset({Role.LEAD_COMMISSIONER, Role.COUNCIL_ADMIN})
COMMISSIONERS = frozenset({Role.LEAD_COMMISSIONER, Role.COMMISSIONING_OFFICER})
FUNDING_MANAGERS = frozenset({Role.LEAD_COMMISSIONER, Role.FINANCE_OFFICER})
# Everyone in the council but a portfolio holder reads every commission; the matrix's commission
# is in nobody's portfolio, so its holder (like outsiders) gets a 404, never a hint it exists.
COMMISSION_READERS = COMMISSIONING_READERS - {Role.PORTFOLIO_HOLDER}
CANNOT_SEE_COMMISSION = {
    "portfolio_holder": 404,
    **dict.fromkeys(COUNCILLORS_WITHOUT_SEAT, 404),
    "other_council_officer": 404,
    "no_role": 404,
    **dict.fromkeys(PROVIDER_VISITORS, 404),
}


def commission_kwargs(world) -> dict:
    return {"council_slug": world["council"].slug, "pk": world["commission"].pk}


def commission_step_kwargs(name: str) -> Callable[[dict], dict]:
    return lambda world: {**commission_kwargs(world), "name": name}


ADMIN = frozenset({Role.COUNCIL_ADMIN})
OFFICERS = frozenset(
    {
        Role.LEAD_COMMISSIONER,
        Role.COMMISSIONING_OFFICER,
        Role.PROCUREMENT_OFFICER,
        Role.LEGAL_OFFICER,
        Role.FINANCE_OFFICER,
    }
)
# The procurement record (s.98): officers and scrutiny members read it; administrators are told no (403).
PROCUREMENT_RECORD_READERS = OFFICERS | {Role.SCRUTINY_MEMBER}
INVOICE_READERS = OFFICERS
INVOICE_RECORDERS = COMMISSIONERS | {Role.FINANCE_OFFICER}
# Savings: commissioners and finance officers record them; finance officers confirm what is realised.
SAVINGS_RECORDERS = COMMISSIONERS | {Role.FINANCE_OFFICER}
SAVINGS_CONFIRMERS = frozenset({Role.FINANCE_OFFICER})
# Reporting by outcome: the lead commissioner and scrutiny read every outcome; a portfolio holder gets
# the index (of the outcomes in their portfolios: the matrix's outcome is in nobody's) but not the page.
OUTCOME_REPORT_READERS = frozenset({Role.LEAD_COMMISSIONER, Role.SCRUTINY_MEMBER})
NOTICE_READERS = OFFICERS | {Role.SCRUTINY_MEMBER, Role.COUNCIL_ADMIN}
CONTINUITY_READERS = OFFICERS | {Role.PORTFOLIO_HOLDER, Role.SCRUTINY_MEMBER, Role.COUNCIL_ADMIN}
THRESHOLD_READERS = frozenset(
    {
        Role.LEAD_COMMISSIONER,
        Role.COMMISSIONING_OFFICER,
        Role.PROCUREMENT_OFFICER,
        Role.LEGAL_OFFICER,
        Role.FINANCE_OFFICER,
        Role.COUNCIL_ADMIN,
    }
)


# Provider organisations. An organisation's pages answer 404 to everyone who does not act for it —
# other providers and council staff alike — so they never reveal that it exists; council officers
# see organisations through their council's provider directory instead (403 for everyone else).
PUBLIC = EVERYONE_SIGNED_IN | {"anonymous"}
OWN_ORGANISATION = frozenset({"provider_admin"})
PROVIDER_DIRECTORY_READERS = frozenset(
    {
        Role.LEAD_COMMISSIONER,
        Role.COMMISSIONING_OFFICER,
        Role.PROCUREMENT_OFFICER,
        Role.LEGAL_OFFICER,
        Role.FINANCE_OFFICER,
    }
)


def organisation_kwargs(**objects: str) -> Callable[[dict], dict]:
    """The world's organisation (the provider administrator's), plus e.g. member_pk="member"."""

    def build(world) -> dict:
        return {"pk": world["organisation"].pk, **{kwarg: world[key].pk for kwarg, key in objects.items()}}

    return build


def officer_organisation_kwargs(**objects: str) -> Callable[[dict], dict]:
    return lambda world: {**council_kwargs(world), **organisation_kwargs(**objects)(world)}


BAD_LINK = {"uidb64": "MA", "token": "not-a-real-token"}


def invitation_kwargs(world) -> dict:
    """A pending invitation to the world's organisation, sent on first use and kept in the world."""
    if "invitation" not in world:
        world["invitation"] = invitation_services.invitation_send(
            by=world["people"]["provider_admin"],
            organisation=world["organisation"],
            email="invitee@example.org",
            full_name="Ivy Invitee",
            role=ProviderRole.BID_WRITER,
            build_url=str,
        )
    return {"pk": world["organisation"].pk, "invitation_pk": world["invitation"].pk}


def partnership_kwargs(world) -> dict:
    """The other provider's organisation named as a partner in the world's bid (made on first use):
    only its administrator answers."""
    if "partnership" not in world:
        other = Organisation.objects.get(members__user=world["people"]["other_provider_admin"])
        [world["partnership"]] = bid_services.bid_save_rows(
            by=world["people"]["provider_admin"],
            bid=world["bid"],
            model=BidPartner,
            rows=[{"organisation": other, "role": "Runs the sessions"}],
        )
    return {"pk": world["partnership"].pk}


# Opportunities. Officers' pages answer 404 to anyone who cannot read the commission (as its pages
# do); the world's opportunity is published, so its lots and details are fixed (302 back to it).
SOURCING_OFFICERS = frozenset({Role.LEAD_COMMISSIONER, Role.COMMISSIONING_OFFICER, Role.PROCUREMENT_OFFICER})
OPENING_OFFICERS = frozenset({Role.LEAD_COMMISSIONER, Role.PROCUREMENT_OFFICER, Role.LEGAL_OFFICER})
# The conflicts assessment (s.83) is prepared and reviewed by the sourcing officers.
CONFLICTS_ASSESSORS = frozenset({Role.LEAD_COMMISSIONER, Role.COMMISSIONING_OFFICER, Role.PROCUREMENT_OFFICER})
SOURCING_OFFICERS_SENT_BACK = {**CANNOT_SEE_COMMISSION, **dict.fromkeys(SOURCING_OFFICERS, 302)}


def opportunity_kwargs(*, values: dict | None = None, **objects: str) -> Callable[[dict], dict]:
    """The world's published opportunity in its council, plus e.g. record_pk="lot" and fixed values."""

    def build(world) -> dict:
        kwargs = {**council_kwargs(world), "opportunity_pk": world["opportunity"].pk, **(values or {})}
        return {**kwargs, **{kwarg: world[key].pk for kwarg, key in objects.items()}}

    return build


def public_opportunity_kwargs(**objects: str) -> Callable[[dict], dict]:
    return lambda world: {
        "reference": world["opportunity"].reference,
        **{kwarg: world[key].pk for kwarg, key in objects.items()},
    }


# Bids. A bid's own pages answer only to its organisation's staff: everyone else signed in (other
# providers and every council user) gets 404, never a hint that the bid exists. The council's bid
# pages need an officer role in the council (403 for anyone else); the world's bid is sealed (its
# opportunity is open), so the list shows no bids (200) and a bid's council page is 404 even to
# officers. Starting a bid needs a provider role (403 for people who act for no organisation).
# Evaluation (rows at the end).
EVALUATION_OFFICERS = frozenset(
    {
        Role.LEAD_COMMISSIONER,
        Role.COMMISSIONING_OFFICER,
        Role.PROCUREMENT_OFFICER,
        Role.LEGAL_OFFICER,
        Role.FINANCE_OFFICER,
    }
)
EVALUATION_LEAD = frozenset({Role.LEAD_COMMISSIONER})
EVALUATION_PANEL = frozenset({Role.COMMISSIONING_OFFICER, Role.PROCUREMENT_OFFICER})
EVALUATION_TEAM = EVALUATION_LEAD | EVALUATION_PANEL
OUTSIDE_EVALUATION = dict.fromkeys(("other_council_officer", "no_role", *PROVIDER_VISITORS), 404)
AWARD_READERS = COMMISSIONING_READERS - {Role.COUNCIL_ADMIN}

OWN_BID = frozenset({"provider_admin"})
BID_OFFICERS = frozenset(
    {
        Role.LEAD_COMMISSIONER,
        Role.COMMISSIONING_OFFICER,
        Role.PROCUREMENT_OFFICER,
        Role.LEGAL_OFFICER,
        Role.FINANCE_OFFICER,
    }
)


def bid_kwargs(**values: str) -> Callable[[dict], dict]:
    return lambda world: {"pk": world["bid"].pk, **values}


def council_bids_kwargs(**objects: str) -> Callable[[dict], dict]:
    return lambda world: {
        **council_kwargs(world),
        "opportunity_pk": world["opportunity"].pk,
        **{kwarg: world[key].pk for kwarg, key in objects.items()},
    }


def export_kwargs(kind: str) -> Callable[[dict], dict]:
    return lambda world: {**council_kwargs(world), "kind": kind, "fmt": "csv"}


def export_job_kwargs(world) -> dict:
    """The lead commissioner's finished export (made on first use): nobody else may see it."""
    from django.core.files.base import ContentFile

    from monitoring.models import ExportJob, ExportState

    job = ExportJob.objects.filter(council=world["council"]).first()
    if job is None:
        job = ExportJob(
            requested_by=world["people"][Role.LEAD_COMMISSIONER],
            council=world["council"],
            kind="commissions",
            file_format="csv",
            state=ExportState.DONE,
            rows_total=1,
            rows_done=1,
        )
        job.file.save("commissions.csv", ContentFile(b"Reference\r\nTCC-1\r\n"), save=False)
        job.save()
    return {**council_kwargs(world), "pk": job.pk}


ROUTES = [
    Route("commissioning:list", council_kwargs, ok=COMMISSIONING_READERS),
    Route("commissioning:plan", council_kwargs, ok=COMMISSIONING_READERS),
    Route("commissioning:create", council_kwargs, ok=COMMISSIONERS),
    Route("commissioning:detail", commission_kwargs, ok=COMMISSION_READERS, overrides=CANNOT_SEE_COMMISSION),
    Route("commissioning:audit", commission_kwargs, ok=COMMISSION_READERS, overrides=CANNOT_SEE_COMMISSION),
    # A commission's savings identified: its readers see them; commissioners and finance officers record.
    Route("commissioning:savings", commission_kwargs, ok=COMMISSION_READERS, overrides=CANNOT_SEE_COMMISSION),
    Route("commissioning:savings_record", commission_kwargs, ok=SAVINGS_RECORDERS, overrides=CANNOT_SEE_COMMISSION),
    Route("commissioning:savings_remove", matrix_saving_kwargs, ok=SAVINGS_RECORDERS, overrides=CANNOT_SEE_COMMISSION),
    Route(
        "commissioning:transition",
        commission_step_kwargs("return_to_understand"),
        ok=COMMISSIONERS,
        overrides=CANNOT_SEE_COMMISSION,
    ),
    # Reviews of existing services: every council member sees the list (scoped), the lead commissioner
    # opens and concludes them; the matrix's review is in nobody's portfolio, as its commission is.
    Route("commissioning:reviews", council_kwargs, ok=COMMISSIONING_READERS),
    Route("commissioning:review_open", council_kwargs, ok=frozenset({Role.LEAD_COMMISSIONER})),
    Route("commissioning:review", review_kwargs(), ok=COMMISSION_READERS, overrides=CANNOT_SEE_COMMISSION),
    # A review's savings identified: its readers see them; commissioners and finance officers record.
    Route("commissioning:review_savings", review_kwargs(), ok=COMMISSION_READERS, overrides=CANNOT_SEE_COMMISSION),
    Route(
        "commissioning:review_savings_record", review_kwargs(), ok=SAVINGS_RECORDERS, overrides=CANNOT_SEE_COMMISSION
    ),
    Route(
        "commissioning:review_savings_remove",
        matrix_review_saving_kwargs,
        ok=SAVINGS_RECORDERS,
        overrides=CANNOT_SEE_COMMISSION,
    ),
    Route("commissioning:review_edit", review_kwargs(), ok=COMMISSIONERS, overrides=CANNOT_SEE_COMMISSION),
    Route("commissioning:review_evidence_add", review_kwargs(), ok=COMMISSIONERS, overrides=CANNOT_SEE_COMMISSION),
    Route(
        "commissioning:review_evidence_download",
        review_kwargs(evidence_pk="evidence"),
        ok=COMMISSION_READERS,
        overrides=CANNOT_SEE_COMMISSION,
    ),
    Route(
        "commissioning:review_evidence_remove",
        review_kwargs(evidence_pk="evidence"),
        ok=COMMISSIONERS,
        overrides=CANNOT_SEE_COMMISSION,
    ),
    Route(
        "commissioning:review_conclude",
        review_kwargs(),
        ok=frozenset({Role.LEAD_COMMISSIONER}),
        overrides=CANNOT_SEE_COMMISSION,
    ),
    Route(
        "commissioning:review_transition",
        review_kwargs(name="withdraw"),
        ok=frozenset({Role.LEAD_COMMISSIONER}),
        overrides=CANNOT_SEE_COMMISSION,
    ),
    # The prioritised programme: everyone who reads the council's commissioning reads it (cabinet
    # decides on it; a councillor without a seat does not); the council administrator and the lead
    # commissioner set the criteria; commissioners put candidates forward,
    # score them and send the programme to cabinet; a portfolio holder records cabinet's decision.
    Route("commissioning:programmes", programme_kwargs(None), ok=COMMISSIONING_READERS),
    Route("commissioning:programme_criteria", programme_kwargs(None), ok=PRIORITISATION_SETTERS),
    Route(
        "commissioning:programme_criterion",
        programme_kwargs(None, criterion_pk="criterion"),
        ok=PRIORITISATION_SETTERS,
    ),
    Route("commissioning:programme", programme_kwargs(), ok=COMMISSIONING_READERS),
    Route("commissioning:programme_candidate_add", programme_kwargs(), ok=COMMISSIONERS),
    Route("commissioning:programme_candidate", programme_kwargs(candidate_pk="candidate"), ok=COMMISSIONERS),
    Route("commissioning:programme_step", programme_kwargs(name="submit"), ok=COMMISSIONERS),
    Route(
        "commissioning:programme_decision",
        programme_kwargs("awaiting"),
        ok=frozenset({Role.PORTFOLIO_HOLDER}),
    ),
    # Everyone signed in with one council (or only an organisation) is sent on to their dashboard.
    Route("home", ok=frozenset({"no_role", "anonymous"}), denied=302),
    Route("healthz", ok=EVERYONE_SIGNED_IN | {"anonymous"}),
    # Signed-in visitors are sent on from the sign-in page.
    Route("login", ok=frozenset({"anonymous"}), denied=302),
    Route("logout", method="post", ok=frozenset(), denied=302, anonymous=302),
    Route("password_reset", ok=EVERYONE_SIGNED_IN | {"anonymous"}),
    Route("password_reset_done", ok=EVERYONE_SIGNED_IN | {"anonymous"}),
    # An invalid link shows the "expired" page; a valid one redirects to a set-password form.
    Route(
        "password_reset_confirm",
        lambda world: {"uidb64": "MQ", "token": "not-a-token"},
        ok=EVERYONE_SIGNED_IN | {"anonymous"},
    ),
    Route("password_reset_complete", ok=EVERYONE_SIGNED_IN | {"anonymous"}),
    # A copy of your own data: anyone signed in, never anyone else's.
    Route("account:data", ok=EVERYONE_SIGNED_IN),
    Route("councils:detail", council_kwargs, ok=COUNCIL_MEMBERS),
    Route("councils:settings", council_kwargs, ok=ADMIN),
    Route("councils:framework", council_kwargs, ok=COUNCIL_MEMBERS),
    Route("councils:framework_add", framework_kwargs("outcomes"), ok=FRAMEWORK_EDITORS),
    Route("councils:framework_edit", framework_kwargs("outcomes", "outcome"), ok=FRAMEWORK_EDITORS),
    Route("councils:people", council_kwargs, ok=frozenset({Role.COUNCIL_ADMIN, Role.LEAD_COMMISSIONER})),
    Route("councils:membership_add", council_kwargs, ok=ADMIN),
    Route(
        "councils:membership_remove",
        lambda world: {"council_slug": world["council"].slug, "pk": world["membership"].pk},
        ok=ADMIN,
    ),
    Route(
        "councils:audit",
        council_kwargs,
        ok=frozenset(
            {
                Role.LEAD_COMMISSIONER,
                Role.COMMISSIONING_OFFICER,
                Role.PROCUREMENT_OFFICER,
                Role.LEGAL_OFFICER,
                Role.FINANCE_OFFICER,
                Role.SCRUTINY_MEMBER,
                Role.COUNCIL_ADMIN,
            }
        ),
    ),
    # The dated procurement thresholds: officers and administrators read them; administrators add rows.
    Route("councils:thresholds", council_kwargs, ok=THRESHOLD_READERS),
    Route("councils:threshold_add", council_kwargs, ok=ADMIN),
    # Stage work: the commission is resolved first (404 if unreadable), then edit permission (403).
    Route("commissioning:edit", commission_kwargs, ok=COMMISSIONERS, overrides=CANNOT_SEE_COMMISSION),
    Route("commissioning:cpv", commission_kwargs, ok=COMMISSIONERS, overrides=CANNOT_SEE_COMMISSION),
    Route(
        "commissioning:regime",
        commission_kwargs,
        ok=frozenset({Role.LEAD_COMMISSIONER, Role.COMMISSIONING_OFFICER, Role.PROCUREMENT_OFFICER}),
        overrides=CANNOT_SEE_COMMISSION,
    ),
    Route(
        "commissioning:procurement_record",
        commission_kwargs,
        ok=PROCUREMENT_RECORD_READERS,
        overrides=CANNOT_SEE_COMMISSION,
    ),
    Route(
        "commissioning:procurement_record_csv",
        commission_kwargs,
        ok=PROCUREMENT_RECORD_READERS,
        overrides=CANNOT_SEE_COMMISSION,
    ),
    Route(
        "commissioning:criteria_template",
        commission_kwargs,
        method="post",
        # A commissioner's POST redirects to the plan (with an error message once criteria exist).
        overrides={
            **CANNOT_SEE_COMMISSION,
            Role.LEAD_COMMISSIONER: 302,
            Role.COMMISSIONING_OFFICER: 302,
        },
    ),
    Route(
        "commissioning:record_add",
        lambda world: {**commission_kwargs(world), "kind": "risks"},
        ok=COMMISSIONERS,
        overrides=CANNOT_SEE_COMMISSION,
    ),
    Route(
        "commissioning:record_edit",
        lambda world: {**commission_kwargs(world), "kind": "risks", "record_pk": world["risk"].pk},
        ok=COMMISSIONERS,
        overrides=CANNOT_SEE_COMMISSION,
    ),
    Route(
        "commissioning:record_remove",
        lambda world: {**commission_kwargs(world), "kind": "risks", "record_pk": world["risk"].pk},
        ok=COMMISSIONERS,
        overrides=CANNOT_SEE_COMMISSION,
    ),
    Route(
        "commissioning:funding_pots",
        council_kwargs,
        ok=frozenset(
            {
                Role.LEAD_COMMISSIONER,
                Role.COMMISSIONING_OFFICER,
                Role.PROCUREMENT_OFFICER,
                Role.LEGAL_OFFICER,
                Role.FINANCE_OFFICER,
            }
        ),
    ),
    Route(
        "commissioning:funding_pot_add",
        council_kwargs,
        ok=frozenset({Role.LEAD_COMMISSIONER, Role.FINANCE_OFFICER}),
    ),
    Route(
        "commissioning:funding_pot_edit",
        lambda world: {
            **council_kwargs(world),
            "pot_pk": world["council"]
            .funding_pots.get_or_create(
                name="Access matrix pot",
                defaults={
                    "source": "council_budget",
                    "amount": 1000,
                    "starts_on": "2026-04-01",
                    "ends_on": "2027-03-31",
                },
            )[0]
            .pk,
        },
        ok=frozenset({Role.LEAD_COMMISSIONER, Role.FINANCE_OFFICER}),
    ),
    Route(
        "commissioning:funding_round_add",
        lambda world: {**council_kwargs(world), "pot_pk": world["funding_pot"].pk},
        ok=FUNDING_MANAGERS,
    ),
    Route(
        "commissioning:funding_round_edit",
        lambda world: {
            **council_kwargs(world),
            "pot_pk": world["funding_pot"].pk,
            "round_pk": world["funding_round"].pk,
        },
        ok=FUNDING_MANAGERS,
    ),
    # Provider organisations: public registration (signed-in people register under their own
    # account, so they get the form too); links with a bad token show a "does not work" page.
    Route("providers:register", ok=PUBLIC),
    Route("providers:register_done", ok=PUBLIC),
    Route("providers:resend_verification", ok=PUBLIC),
    Route("providers:verify_email", lambda world: BAD_LINK, ok=PUBLIC),
    # An invitation's link: a page for anyone (what it offers depends on who follows it).
    Route("providers:invitation", lambda world: {"token": "not-a-real-token"}, ok=PUBLIC),
    # The portal: anyone signed in (people without an organisation are offered registration).
    Route("providers:portal", ok=EVERYONE_SIGNED_IN),
    Route("providers:organisation", organisation_kwargs(), ok=OWN_ORGANISATION, denied=404),
    Route("providers:organisation_edit", organisation_kwargs(), ok=OWN_ORGANISATION, denied=404),
    Route("providers:person_invite", organisation_kwargs(), ok=OWN_ORGANISATION, denied=404),
    Route("providers:invitation_withdraw", invitation_kwargs, ok=OWN_ORGANISATION, denied=404),
    Route("providers:leave", organisation_kwargs(), ok=OWN_ORGANISATION, denied=404),
    Route("providers:person_role", organisation_kwargs(member_pk="member"), ok=OWN_ORGANISATION, denied=404),
    Route("providers:person_remove", organisation_kwargs(member_pk="member"), ok=OWN_ORGANISATION, denied=404),
    Route("providers:document_add", organisation_kwargs(), ok=OWN_ORGANISATION, denied=404),
    Route("providers:document_download", organisation_kwargs(document_pk="document"), ok=OWN_ORGANISATION, denied=404),
    Route("providers:document_remove", organisation_kwargs(document_pk="document"), ok=OWN_ORGANISATION, denied=404),
    # Council officers' provider directory, verification and approved suppliers list.
    Route("providers:directory", council_kwargs, ok=PROVIDER_DIRECTORY_READERS),
    Route("providers:approved_suppliers", council_kwargs, ok=PROVIDER_DIRECTORY_READERS),
    Route("providers:staff_memberships", council_kwargs, ok=frozenset({Role.LEAD_COMMISSIONER, Role.COUNCIL_ADMIN})),
    Route("providers:officer_organisation", officer_organisation_kwargs(), ok=PROVIDER_DIRECTORY_READERS),
    Route("providers:verify_organisation", officer_organisation_kwargs(), ok=PROVIDER_DIRECTORY_READERS),
    Route("providers:approve_supplier", officer_organisation_kwargs(), ok=PROVIDER_DIRECTORY_READERS),
    Route("providers:remove_supplier", officer_organisation_kwargs(), ok=PROVIDER_DIRECTORY_READERS),
    Route(
        "providers:officer_document_download",
        officer_organisation_kwargs(document_pk="document"),
        ok=PROVIDER_DIRECTORY_READERS,
    ),
    # Opportunities, officers' side.
    Route(
        "commissioning:opportunity_create",
        lambda world: {**council_kwargs(world), "pk": world["opportunity"].commission_id},
        ok=SOURCING_OFFICERS,
        overrides=CANNOT_SEE_COMMISSION,
    ),
    Route("commissioning:opportunity", opportunity_kwargs(), ok=COMMISSION_READERS, overrides=CANNOT_SEE_COMMISSION),
    Route("commissioning:opportunity_edit", opportunity_kwargs(), overrides=SOURCING_OFFICERS_SENT_BACK),
    Route(
        "commissioning:opportunity_dates", opportunity_kwargs(), ok=SOURCING_OFFICERS, overrides=CANNOT_SEE_COMMISSION
    ),
    Route(
        "commissioning:opportunity_transition",
        opportunity_kwargs(values={"name": "cancel"}),
        ok=SOURCING_OFFICERS,
        overrides=CANNOT_SEE_COMMISSION,
    ),
    Route(
        "commissioning:opportunity_conflicts",
        opportunity_kwargs(),
        ok=CONFLICTS_ASSESSORS,
        overrides=CANNOT_SEE_COMMISSION,
    ),
    Route(
        "commissioning:opportunity_opening", opportunity_kwargs(), ok=OPENING_OFFICERS, overrides=CANNOT_SEE_COMMISSION
    ),
    Route(
        "commissioning:opportunity_clarifications",
        opportunity_kwargs(),
        ok=SOURCING_OFFICERS,
        overrides=CANNOT_SEE_COMMISSION,
    ),
    Route(
        "commissioning:opportunity_clarification_answer",
        opportunity_kwargs(clarification_pk="clarification"),
        ok=SOURCING_OFFICERS,
        overrides=CANNOT_SEE_COMMISSION,
    ),
    Route(
        "commissioning:opportunity_document",
        opportunity_kwargs(document_pk="opportunity_document"),
        ok=COMMISSION_READERS,
        overrides=CANNOT_SEE_COMMISSION,
    ),
    Route(
        "commissioning:opportunity_record_add",
        opportunity_kwargs(values={"kind": "documents"}),
        ok=SOURCING_OFFICERS,
        overrides=CANNOT_SEE_COMMISSION,
    ),
    Route(
        "commissioning:opportunity_record_edit",
        opportunity_kwargs(values={"kind": "lots"}, record_pk="lot"),
        overrides=SOURCING_OFFICERS_SENT_BACK,
    ),
    Route(
        "commissioning:opportunity_record_remove",
        opportunity_kwargs(values={"kind": "documents"}, record_pk="opportunity_document"),
        ok=SOURCING_OFFICERS,
        overrides=CANNOT_SEE_COMMISSION,
    ),
    # Opportunities, public side: anyone reads them; provider staff follow them and ask questions.
    Route("opportunities:list", ok=PUBLIC),
    Route("opportunities:feed", ok=PUBLIC),
    Route("opportunities:detail", public_opportunity_kwargs(), ok=PUBLIC),
    Route("opportunities:document", public_opportunity_kwargs(document_pk="opportunity_document"), ok=PUBLIC),
    Route("opportunities:interest", public_opportunity_kwargs(), ok=frozenset(PROVIDER_VISITORS)),
    Route("opportunities:ask", public_opportunity_kwargs(), ok=frozenset(PROVIDER_VISITORS)),
    # Agreements. The public register answers everyone. Council pages resolve the agreement first
    # (404 for anyone who cannot read its commission), then the permission: commissioners draft and
    # vary, the legal officer may also sign. Provider staff see their organisation's signed agreements
    # only, on their own pages (404 for everyone else).
    Route("monitoring:register", ok=PUBLIC),
    Route("monitoring:agreement_list", council_kwargs, ok=COMMISSIONING_READERS),
    Route(
        "monitoring:agreement_create",
        lambda world: {**council_kwargs(world), "pk": matrix_agreements(world)["commission"].pk},
        ok=COMMISSIONERS,
        overrides=CANNOT_SEE_COMMISSION,
    ),
    Route("monitoring:agreement_detail", matrix_kwargs(), ok=COMMISSION_READERS, overrides=CANNOT_SEE_COMMISSION),
    Route(
        "monitoring:agreement_document",
        matrix_kwargs("signed"),
        ok=COMMISSION_READERS,
        overrides=CANNOT_SEE_COMMISSION,
    ),
    Route("monitoring:agreement_edit", matrix_kwargs(), ok=COMMISSIONERS, overrides=CANNOT_SEE_COMMISSION),
    Route("monitoring:agreement_instalments", matrix_kwargs(), ok=COMMISSIONERS, overrides=CANNOT_SEE_COMMISSION),
    Route("monitoring:kpi_targets", matrix_kwargs(kpi_pk="kpi"), ok=COMMISSIONERS, overrides=CANNOT_SEE_COMMISSION),
    Route("monitoring:item_add", matrix_kwargs(kind="kpis"), ok=COMMISSIONERS, overrides=CANNOT_SEE_COMMISSION),
    Route(
        "monitoring:item_edit",
        matrix_kwargs(kind="payments", item_pk="payment"),
        ok=COMMISSIONERS,
        overrides=CANNOT_SEE_COMMISSION,
    ),
    Route(
        "monitoring:item_remove",
        matrix_kwargs(kind="kpis", item_pk="kpi"),
        ok=COMMISSIONERS,
        overrides=CANNOT_SEE_COMMISSION,
    ),
    Route(
        "monitoring:agreement_action",
        matrix_kwargs(action="sign"),
        ok=COMMISSIONERS | {Role.LEGAL_OFFICER},
        overrides=CANNOT_SEE_COMMISSION,
    ),
    # Invoices under the signed agreement: officers read them (scrutiny and administrators do not);
    # finance officers and commissioners record invoices, payments and withdrawals.
    Route("monitoring:invoices", matrix_kwargs("signed"), ok=INVOICE_READERS, overrides=CANNOT_SEE_COMMISSION),
    Route("monitoring:invoice_record", matrix_kwargs("signed"), ok=INVOICE_RECORDERS, overrides=CANNOT_SEE_COMMISSION),
    Route("monitoring:invoice_pay", matrix_invoice_kwargs, ok=INVOICE_RECORDERS, overrides=CANNOT_SEE_COMMISSION),
    Route("monitoring:invoice_withdraw", matrix_invoice_kwargs, ok=INVOICE_RECORDERS, overrides=CANNOT_SEE_COMMISSION),
    # The remedies log of the signed agreement: whoever reads the agreement reads it; its editors
    # (the commissioners) record, withdraw and close out.
    Route("monitoring:remedies", matrix_kwargs("signed"), ok=COMMISSION_READERS, overrides=CANNOT_SEE_COMMISSION),
    Route(
        "monitoring:remedy_record",
        matrix_kwargs("signed", kind="deductions"),
        ok=COMMISSIONERS,
        overrides=CANNOT_SEE_COMMISSION,
    ),
    Route("monitoring:remedy_withdraw", matrix_remedy_kwargs, ok=COMMISSIONERS, overrides=CANNOT_SEE_COMMISSION),
    Route("monitoring:remedy_plan_close", matrix_plan_kwargs, ok=COMMISSIONERS, overrides=CANNOT_SEE_COMMISSION),
    # Savings realised under a live agreement: its readers see them; commissioners and finance officers
    # record; finance officers confirm a commissioner's figure.
    Route("monitoring:agreement_savings", matrix_live_kwargs(), ok=COMMISSION_READERS, overrides=CANNOT_SEE_COMMISSION),
    Route(
        "monitoring:agreement_saving_record",
        matrix_live_kwargs(),
        ok=SAVINGS_RECORDERS,
        overrides=CANNOT_SEE_COMMISSION,
    ),
    Route(
        "monitoring:agreement_saving_confirm",
        matrix_live_kwargs(saving=True),
        ok=SAVINGS_CONFIRMERS,
        overrides=CANNOT_SEE_COMMISSION,
    ),
    # An agreement's payment terms and clauses (issue 21): its readers see them; commissioners record
    # them and the payment-by-results tariff.
    Route("monitoring:agreement_terms", matrix_terms_kwargs(), ok=COMMISSION_READERS, overrides=CANNOT_SEE_COMMISSION),
    Route("monitoring:agreement_terms_edit", matrix_terms_kwargs(), ok=COMMISSIONERS, overrides=CANNOT_SEE_COMMISSION),
    Route("monitoring:agreement_result_add", matrix_terms_kwargs(), ok=COMMISSIONERS, overrides=CANNOT_SEE_COMMISSION),
    Route(
        "monitoring:agreement_result_edit",
        matrix_terms_kwargs(result=True),
        ok=COMMISSIONERS,
        overrides=CANNOT_SEE_COMMISSION,
    ),
    Route(
        "monitoring:agreement_result_remove",
        matrix_terms_kwargs(result=True),
        ok=COMMISSIONERS,
        overrides=CANNOT_SEE_COMMISSION,
    ),
    # Provider risk, failure and continuity (issue 21). Those who read the council's agreements read the
    # continuity page and interventions (a portfolio holder only an agreement's in their portfolios: the
    # matrix's is in none, so 404); commissioners keep plans, flags and interventions; the lead
    # commissioner takes the commission's next step after a failure. Providers never see any of it.
    Route("monitoring:continuity", council_kwargs, ok=CONTINUITY_READERS),
    Route("monitoring:flag_provider", council_kwargs, ok=COMMISSIONERS),
    Route("monitoring:flag_clear", matrix_continuity_kwargs("flag"), ok=COMMISSIONERS, overrides=CANNOT_SEE_COMMISSION),
    Route("monitoring:continuity_plan", matrix_kwargs("signed"), ok=COMMISSIONERS, overrides=CANNOT_SEE_COMMISSION),
    Route("monitoring:flag_agreement", matrix_kwargs("signed"), ok=COMMISSIONERS, overrides=CANNOT_SEE_COMMISSION),
    Route(
        "monitoring:after_failure",
        matrix_continuity_kwargs("failed"),
        ok=frozenset({Role.LEAD_COMMISSIONER}),
        overrides=CANNOT_SEE_COMMISSION,
    ),
    Route(
        "monitoring:intervention",
        matrix_continuity_kwargs("intervention"),
        ok=CONTINUITY_READERS - {Role.PORTFOLIO_HOLDER},
        overrides=CANNOT_SEE_COMMISSION,
    ),
    Route(
        "monitoring:intervention_edit",
        matrix_continuity_kwargs("intervention", part="action"),
        ok=COMMISSIONERS,
        overrides=CANNOT_SEE_COMMISSION,
    ),
    Route(
        "monitoring:intervention_action_done",
        matrix_continuity_kwargs("intervention", action_pk=True),
        ok=COMMISSIONERS,
        overrides=CANNOT_SEE_COMMISSION,
    ),
    # Reporting by outcome (read-only).
    Route("monitoring:outcome_index", council_kwargs, ok=OUTCOME_REPORT_READERS | {Role.PORTFOLIO_HOLDER}),
    Route(
        "monitoring:outcome_report",
        lambda world: {**council_kwargs(world), "pk": world["outcome"].pk},
        ok=OUTCOME_REPORT_READERS,
    ),
    # The quarter's payments over £30,000 as Find a Tender's upload: the council's notice readers.
    Route(
        "monitoring:payments_over_30000_csv",
        lambda world: {**council_kwargs(world), "quarter": "2026-04-01"},
        ok=NOTICE_READERS,
    ),
    Route("monitoring:provider_agreements", ok=EVERYONE_SIGNED_IN),
    Route(
        "monitoring:provider_agreement",
        lambda world: {"pk": matrix_agreements(world)["signed"].pk},
        ok=OWN_ORGANISATION,
        denied=404,
    ),
    # The provider answers an entry of its own agreement's remedies log (404 for everyone else).
    Route("monitoring:provider_remedy_respond", matrix_respond_kwargs, ok=OWN_ORGANISATION, denied=404),
    Route(
        "monitoring:provider_agreement_document",
        lambda world: {"pk": matrix_agreements(world)["signed"].pk},
        ok=OWN_ORGANISATION,
        denied=404,
    ),
    # Monitoring returns (see `matrix_returns`: a live agreement with the provider administrator's
    # organisation, one return submitted, one still due). Whoever reads the agreement reads its
    # returns (scrutiny read-only); commissioners query and accept; the council administrator and lead
    # commissioner set the rules. Provider pages answer only the organisation's own staff (404).
    Route("monitoring:return_list", council_kwargs, ok=COMMISSIONING_READERS),
    Route(
        "monitoring:return_detail",
        matrix_return_kwargs("submitted"),
        ok=COMMISSION_READERS,
        overrides=CANNOT_SEE_COMMISSION,
    ),
    Route(
        "monitoring:return_query", matrix_return_kwargs("submitted"), ok=COMMISSIONERS, overrides=CANNOT_SEE_COMMISSION
    ),
    Route(
        "monitoring:return_accept",
        matrix_return_kwargs("submitted"),
        ok=COMMISSIONERS,
        overrides=CANNOT_SEE_COMMISSION,
    ),
    Route(
        "monitoring:return_evidence",
        matrix_return_kwargs("submitted", evidence_pk="submitted_evidence"),
        ok=COMMISSION_READERS,
        overrides=CANNOT_SEE_COMMISSION,
    ),
    # Chasing the provider: commissioners only (the matrix's return is not overdue, so their POST is
    # sent back to the return with a message); scrutiny and other council members 403.
    Route(
        "monitoring:return_chase",
        matrix_return_kwargs("due"),
        method="post",
        overrides={**CANNOT_SEE_COMMISSION, **dict.fromkeys(COMMISSIONERS, 302)},
    ),
    Route("monitoring:assessment_record", matrix_assessment_kwargs, ok=COMMISSIONERS, overrides=CANNOT_SEE_COMMISSION),
    Route("monitoring:monitoring_settings", council_kwargs, ok=frozenset({Role.COUNCIL_ADMIN, Role.LEAD_COMMISSIONER})),
    Route("monitoring:provider_returns", ok=EVERYONE_SIGNED_IN),
    Route("monitoring:provider_return", matrix_return_kwargs("due", council=False), ok=OWN_ORGANISATION, denied=404),
    Route(
        "monitoring:provider_evidence_add",
        matrix_return_kwargs("due", council=False),
        ok=OWN_ORGANISATION,
        denied=404,
    ),
    Route(
        "monitoring:provider_evidence",
        matrix_return_kwargs("submitted", council=False, evidence_pk="submitted_evidence"),
        ok=OWN_ORGANISATION,
        denied=404,
    ),
    Route(
        "monitoring:provider_evidence_remove",
        matrix_return_kwargs("due", council=False, evidence_pk="due_evidence"),
        ok=OWN_ORGANISATION,
        denied=404,
    ),
    # Bids (see BID_OFFICERS above).
    Route("bids:mine", ok=EVERYONE_SIGNED_IN),
    Route("bids:partnerships", ok=EVERYONE_SIGNED_IN),
    Route("bids:partnership", partnership_kwargs, ok=frozenset({"other_provider_admin"}), denied=404),
    Route("bids:start", public_opportunity_kwargs(), ok=frozenset(PROVIDER_VISITORS)),
    Route("bids:detail", bid_kwargs(), ok=OWN_BID, denied=404),
    Route("bids:check", bid_kwargs(), ok=OWN_BID, denied=404),
    Route("bids:receipt", bid_kwargs(), ok=OWN_BID, denied=404),
    Route("bids:transition", bid_kwargs(name="submit"), ok=OWN_BID, denied=404),
    Route("bids:section", bid_kwargs(section="questions"), ok=OWN_BID, denied=404),
    Route("bids:document", lambda world: {"pk": world["bid_document"].pk}, ok=OWN_BID, denied=404),
    Route("bids:council_list", council_bids_kwargs(), ok=BID_OFFICERS),
    Route("bids:council_detail", council_bids_kwargs(bid_pk="bid"), overrides=dict.fromkeys(BID_OFFICERS, 404)),
    # Evaluation, at the scoring stage (see `matrix_evaluation`): the lead commissioner runs it, the
    # commissioning officer chairs, the procurement officer is on the panel. Other council people get
    # 403; anyone outside the council (bidders included) 404, never a hint that it exists.
    Route("commissioning:evaluations", council_kwargs, ok=EVALUATION_OFFICERS, overrides=OUTSIDE_EVALUATION),
    Route("commissioning:evaluation", evaluation_kwargs(), ok=EVALUATION_TEAM, overrides=OUTSIDE_EVALUATION),
    # The set-up is fixed once the evaluation has moved on: the lead commissioner is sent back.
    Route(
        "commissioning:evaluation_setup",
        evaluation_kwargs(),
        overrides={**OUTSIDE_EVALUATION, Role.LEAD_COMMISSIONER: 302},
    ),
    Route("commissioning:evaluation_panel_add", evaluation_kwargs(), ok=EVALUATION_LEAD, overrides=OUTSIDE_EVALUATION),
    Route(
        "commissioning:evaluation_panel_replace",
        evaluation_kwargs(member_pk="panellist"),
        ok=EVALUATION_LEAD,
        overrides=OUTSIDE_EVALUATION,
    ),
    Route(
        "commissioning:evaluation_panel_chair",
        evaluation_kwargs(member_pk="panellist"),
        ok=EVALUATION_LEAD,
        overrides=OUTSIDE_EVALUATION,
    ),
    Route(
        "commissioning:evaluation_declarations", evaluation_kwargs(), ok=EVALUATION_PANEL, overrides=OUTSIDE_EVALUATION
    ),
    Route(
        "commissioning:evaluation_bid",
        evaluation_kwargs(bid_pk="bid"),
        ok=EVALUATION_PANEL,
        overrides=OUTSIDE_EVALUATION,
    ),
    Route(
        "commissioning:evaluation_compliance",
        evaluation_kwargs(bid_pk="bid"),
        ok=EVALUATION_PANEL,
        overrides=OUTSIDE_EVALUATION,
    ),
    Route(
        "commissioning:evaluation_bid_document",
        evaluation_kwargs(bid_pk="bid", document_pk="document"),
        ok=EVALUATION_PANEL,
        overrides=OUTSIDE_EVALUATION,
    ),
    # Moderation opens after scoring: the chair is sent to the moderation page.
    Route(
        "commissioning:evaluation_moderate_bid",
        evaluation_kwargs(bid_pk="bid"),
        overrides={**OUTSIDE_EVALUATION, Role.COMMISSIONING_OFFICER: 302},
    ),
    Route(
        "commissioning:evaluation_moderation",
        evaluation_kwargs(),
        ok=frozenset({Role.COMMISSIONING_OFFICER}),
        overrides=OUTSIDE_EVALUATION,
    ),
    Route("commissioning:evaluation_summary", evaluation_kwargs(), ok=EVALUATION_TEAM, overrides=OUTSIDE_EVALUATION),
    # No ranking to export before moderation: the team is sent back to the evaluation page.
    Route(
        "commissioning:evaluation_export",
        evaluation_kwargs(),
        overrides={**OUTSIDE_EVALUATION, **dict.fromkeys(EVALUATION_TEAM, 302)},
    ),
    # Scores as CSV: each panellist their own sheets; the lead commissioner (off the panel) gets the
    # spread only from moderation on, so is sent back to the evaluation page at scoring.
    Route(
        "commissioning:evaluation_scores_export",
        evaluation_kwargs(),
        ok=EVALUATION_PANEL,
        overrides={**OUTSIDE_EVALUATION, Role.LEAD_COMMISSIONER: 302},
    ),
    Route(
        "commissioning:evaluation_step",
        evaluation_kwargs(name="open_moderation"),
        ok=EVALUATION_LEAD | {Role.COMMISSIONING_OFFICER},
        overrides=OUTSIDE_EVALUATION,
    ),
    # List downloads: the list's own readers; bids only once opened (the sealed list is an empty file).
    Route("monitoring:export", export_kwargs("commissions"), ok=COMMISSIONING_READERS),
    Route("monitoring:export", export_kwargs("agreements"), ok=COMMISSIONING_READERS),
    Route("monitoring:export", export_kwargs("opportunities"), ok=COMMISSIONING_READERS),
    Route("monitoring:export", export_kwargs("returns"), ok=COMMISSIONING_READERS),
    Route(
        "monitoring:export_opportunity",
        lambda world: {**council_bids_kwargs()(world), "kind": "bids", "fmt": "csv"},
        ok=BID_OFFICERS,
    ),
    Route("monitoring:export_job", export_job_kwargs, ok={Role.LEAD_COMMISSIONER}, denied=404),
    Route("monitoring:export_download", export_job_kwargs, ok={Role.LEAD_COMMISSIONER}, denied=404),
    # The award (see `matrix_award`: a grant below the key-decision threshold, so the lead commissioner
    # decides). Officers and scrutiny members read it, and the portfolio holder who would decide it
    # (its portfolio has no holder named); council administrators get 403 and anyone outside the
    # council 404, the bidders included. The lead commissioner and commissioning officer prepare it.
    Route("commissioning:awards", council_kwargs, ok=AWARD_READERS),
    Route("commissioning:award_detail", award_kwargs("sent"), ok=AWARD_READERS, overrides=OUTSIDE_EVALUATION),
    # Started already: the officers are sent back to it.
    Route(
        "commissioning:award_start",
        award_kwargs("sent"),
        overrides={**OUTSIDE_EVALUATION, **dict.fromkeys(COMMISSIONERS, 302)},
    ),
    Route("commissioning:award_items", award_kwargs("draft"), ok=COMMISSIONERS, overrides=OUTSIDE_EVALUATION),
    Route(
        "commissioning:award_decision",
        award_kwargs("awaiting"),
        ok=frozenset({Role.LEAD_COMMISSIONER}),
        overrides=OUTSIDE_EVALUATION,
    ),
    Route(
        "commissioning:award_step",
        award_kwargs("awaiting", name="refer_back"),
        ok=frozenset({Role.LEAD_COMMISSIONER}),
        overrides=OUTSIDE_EVALUATION,
    ),
    # Asking to call a decision in, and withdrawing the request: scrutiny members only. The matrix's
    # award is an officer decision, which cannot be called in, so they are sent back to the award.
    Route(
        "commissioning:award_call_in",
        award_kwargs("approved"),
        overrides={**OUTSIDE_EVALUATION, Role.SCRUTINY_MEMBER: 302},
    ),
    Route(
        "commissioning:award_call_in_withdraw",
        award_kwargs("approved"),
        overrides={**OUTSIDE_EVALUATION, Role.SCRUTINY_MEMBER: 302},
    ),
    # The assessment summaries: the award's readers read them (drafts too), commissioners prepare,
    # correct and send them. The standstill page is a light-touch contract's ("voluntary" in
    # `matrix_award`), where commissioners choose whether to observe one.
    Route("commissioning:award_summaries", award_kwargs("prepared"), ok=AWARD_READERS, overrides=OUTSIDE_EVALUATION),
    Route(
        "commissioning:award_summaries_send",
        award_kwargs("prepared"),
        ok=COMMISSIONERS,
        overrides=OUTSIDE_EVALUATION,
    ),
    Route(
        "commissioning:award_summary",
        award_kwargs("prepared", summary_pk="other"),
        ok=AWARD_READERS,
        overrides=OUTSIDE_EVALUATION,
    ),
    # The preview of a draft as the bidder will read it: the people who send the summaries only.
    Route(
        "commissioning:award_summary_preview",
        award_kwargs("prepared", summary_pk="other"),
        ok=COMMISSIONERS,
        overrides=OUTSIDE_EVALUATION,
    ),
    Route(
        "commissioning:award_summary_pdf",
        award_kwargs("sent", summary_pk="other"),
        ok=AWARD_READERS,
        overrides=OUTSIDE_EVALUATION,
    ),
    Route("commissioning:award_standstill", award_kwargs("voluntary"), ok=COMMISSIONERS, overrides=OUTSIDE_EVALUATION),
    # The forward plan: every council member reads it, commissioners publish and withdraw; the public
    # page answers everyone. A provider reads only their own organisation's assessment summary, once
    # sent (404 otherwise).
    Route("commissioning:forward_plan", council_kwargs, ok=COUNCIL_MEMBERS),
    Route("commissioning:forward_plan_add", council_kwargs, ok=COMMISSIONERS),
    Route("commissioning:forward_plan_withdraw", forward_plan_kwargs, ok=COMMISSIONERS),
    Route("opportunities:forward_plan", ok=PUBLIC),
    # A council's framework and commissioning plan: everyone reads them once its administrator has
    # published them (tests/test_public_plan.py checks the 404 before and after).
    Route("opportunities:framework", published_kwargs, ok=PUBLIC),
    Route("opportunities:plan", published_kwargs, ok=PUBLIC),
    # Publishing them is the council administrator's (GET shows what is public).
    Route("councils:publication", council_kwargs, ok=ADMIN),
    # The accessibility statement and privacy notice: public, the service's and each council's.
    Route("accessibility", ok=PUBLIC),
    Route("privacy", ok=PUBLIC),
    Route("councils:accessibility", council_kwargs, ok=PUBLIC),
    Route("councils:privacy", council_kwargs, ok=PUBLIC),
    Route("opportunities:assessment_summary", provider_summary_kwargs, ok=OWN_ORGANISATION, denied=404),
]


# Notifications: everyone signed in has their own list and email preference; another person's
# notification is a 404, never a hint that it exists. A council's reminder rules are changed by its
# council administrator and lead commissioner (403 for everyone else).
REMINDER_RULE_EDITORS = frozenset({Role.COUNCIL_ADMIN, Role.LEAD_COMMISSIONER})
OWN_NOTIFICATION = {"provider_admin": 302}  # opened or marked read, then sent on


def notification_kwargs(world) -> dict:
    """The provider administrator's notification, made on first use and kept in the world."""
    if "notification" not in world:
        world["notification"] = Notification.objects.create(
            user=world["people"]["provider_admin"],
            kind=ReminderKind.RETURN_DUE_SOON,
            title="Monitoring return due soon",
            url="/monitoring/provider/agreements/",
        )
    return {"pk": world["notification"].pk}


ROUTES += [
    Route("councils:notifications", ok=EVERYONE_SIGNED_IN),
    Route("councils:notification_preferences", ok=EVERYONE_SIGNED_IN),
    Route("councils:notifications_read_all", method="post", denied=302),
    Route("councils:notification_open", notification_kwargs, overrides=OWN_NOTIFICATION, denied=404),
    Route("councils:notification_read", notification_kwargs, method="post", overrides=OWN_NOTIFICATION, denied=404),
    Route("councils:reminder_rules", council_kwargs, ok=REMINDER_RULE_EDITORS),
    Route(
        "councils:reminder_rule_edit",
        lambda world: {**council_kwargs(world), "kind": ReminderKind.RETURN_OVERDUE.value},
        ok=REMINDER_RULE_EDITORS,
    ),
]


# Open data: public pages and files, the same for everyone signed in or not. The world's council has a
# published commission (its opportunity's) and, built on first use, a grant on its register, so that its
# OCDS and 360Giving packages are not empty (an empty package is a 404: the standards need one item).
def open_data_kwargs(world) -> dict:
    if "open_data_grant" not in world:
        from commissioning.models import DeliveryRoute, State
        from commissioning.tests.factories import commission_in_state
        from monitoring.tests.factories import live_agreement

        council = world["council"]
        commission = commission_in_state(council, State.DELIVERING, route=DeliveryRoute.GRANT)
        world["open_data_grant"] = live_agreement(council, commission=commission)
    return council_kwargs(world)


ROUTES += [
    Route("open_data:home", ok=PUBLIC),
    Route("open_data:council", council_kwargs, ok=PUBLIC),
    Route("open_data:awards", council_kwargs, ok=PUBLIC),
    Route("open_data:grants", open_data_kwargs, ok=PUBLIC),
    Route("open_data:ocds", council_kwargs, ok=PUBLIC),
    Route(
        "open_data:ocds_commission",
        lambda world: {**council_kwargs(world), "key": world["opportunity"].commission.reference},
        ok=PUBLIC,
    ),
    Route("open_data:360giving_json", open_data_kwargs, ok=PUBLIC),
    Route("open_data:360giving_csv", open_data_kwargs, ok=PUBLIC),
    Route("open_data:transparency", lambda world: {**council_kwargs(world), "kind": "contracts"}, ok=PUBLIC),
]


# Dashboards: every council member has one (its content follows their role) and may make a meeting
# pack of the commissions they can read (the PDF without a choice goes back to the chooser). Only a
# scrutiny member writes a note or flags a commission; the matrix's commission is in nobody's
# portfolio, so its portfolio holder gets a 404. Anyone signed in has a provider dashboard (empty
# unless they act for an organisation).
SCRUTINY_REPORT_READERS = frozenset({Role.SCRUTINY_MEMBER, Role.LEAD_COMMISSIONER})
ROUTES += [
    Route("monitoring:dashboard", council_kwargs, ok=COUNCIL_MEMBERS),
    Route("monitoring:meeting_pack", council_kwargs, ok=COMMISSIONING_READERS),
    Route("monitoring:meeting_pack_pdf", council_kwargs, overrides=dict.fromkeys(COMMISSIONING_READERS, 302)),
    # The scrutiny progress report (page, PDF, workbook): scrutiny members and the lead commissioner.
    Route("monitoring:scrutiny_report", council_kwargs, ok=SCRUTINY_REPORT_READERS),
    Route("monitoring:scrutiny_report_pdf", council_kwargs, ok=SCRUTINY_REPORT_READERS),
    Route("monitoring:scrutiny_report_xlsx", council_kwargs, ok=SCRUTINY_REPORT_READERS),
    Route(
        "monitoring:scrutiny_note_add",
        commission_kwargs,
        ok=frozenset({Role.SCRUTINY_MEMBER}),
        overrides=CANNOT_SEE_COMMISSION,
    ),
    Route(
        "monitoring:agenda_flag",
        commission_kwargs,
        ok=frozenset({Role.SCRUTINY_MEMBER}),
        overrides=CANNOT_SEE_COMMISSION,
    ),
    Route("monitoring:provider_dashboard", ok=EVERYONE_SIGNED_IN),
    # One's own evaluation panels, in every council (empty for someone on none).
    Route("commissioning:my_panels", ok=EVERYONE_SIGNED_IN),
]


# Procurement Act notices (see `matrix_notice`: the tender notice of the world's advertised opportunity,
# its regime confirmed). The notice readers (officers, scrutiny, the council administrator) read them;
# anyone else gets a 404 for one notice (never a hint that it exists) and a 403 for the council's list.
# The notice officers take its steps and record its publication (403 for the other readers). Sending it
# to Find a Tender needs the council's API key, which the world's council has not: officers are sent
# back to the notice.
NOTICE_READERS = frozenset(
    {
        Role.LEAD_COMMISSIONER,
        Role.COMMISSIONING_OFFICER,
        Role.PROCUREMENT_OFFICER,
        Role.LEGAL_OFFICER,
        Role.FINANCE_OFFICER,
        Role.SCRUTINY_MEMBER,
        Role.COUNCIL_ADMIN,
    }
)
NOTICE_OFFICERS = frozenset(
    {Role.LEAD_COMMISSIONER, Role.COMMISSIONING_OFFICER, Role.PROCUREMENT_OFFICER, Role.LEGAL_OFFICER}
)
NOT_A_NOTICE_READER = dict.fromkeys(EVERYONE_SIGNED_IN - NOTICE_READERS, 404)

ROUTES += [
    Route("monitoring:notice_list", council_kwargs, ok=NOTICE_READERS),
    Route("monitoring:notice_detail", notice_kwargs(), ok=NOTICE_READERS, overrides=NOT_A_NOTICE_READER),
    Route("monitoring:notice_download", notice_kwargs(), ok=NOTICE_READERS, overrides=NOT_A_NOTICE_READER),
    Route(
        "monitoring:notice_step",
        notice_kwargs(name="mark-ready"),
        ok=NOTICE_OFFICERS,
        overrides=NOT_A_NOTICE_READER,
    ),
    Route(
        "monitoring:notice_publish",
        notice_kwargs(ready_to_publish=True),
        ok=NOTICE_OFFICERS,
        overrides=NOT_A_NOTICE_READER,
    ),
    Route(
        "monitoring:notice_send",
        notice_kwargs(ready_to_publish=True),
        overrides={**NOT_A_NOTICE_READER, **dict.fromkeys(NOTICE_OFFICERS, 302)},
    ),
]


# One's own account: anyone signed in. Nobody in the world has an authenticator app and its council
# does not require one, so the code and recovery-code pages send them to set it up, and there is
# nothing to turn off (back to the account page).
ROUTES += [
    Route("account:account", ok=EVERYONE_SIGNED_IN),
    Route("account:two_factor_setup", ok=EVERYONE_SIGNED_IN),
    Route("account:two_factor_verify", denied=302),
    Route("account:recovery_codes", denied=302),
    Route("account:two_factor_turn_off", denied=302),
    Route("account:sign_out_everywhere", ok=EVERYONE_SIGNED_IN),
]


# The technical admin is the system administrator's alone (active superusers; `tests/test_admin.py`
# walks all of it as one, and as another council's officer with `is_staff` and every view
# permission). Every visitor here, whatever their council role, is sent to its sign-in page. The
# matrix samples it: the index, a changelist and a change page.
def admin_agreement_kwargs(world) -> dict:
    return {"object_id": matrix_agreements(world)["signed"].pk}


ROUTES += [
    Route("admin:index", denied=302),
    Route("admin:monitoring_monitoringreturn_changelist", denied=302),
    Route("admin:monitoring_agreement_change", admin_agreement_kwargs, denied=302),
]


# Member working groups (see VISITORS). A group's page answers its commission's readers and its own
# members, and 404 to everyone else, members of other groups included; behind it nothing of the
# procurement is shown. The holder of the commission's portfolio names and removes members (the
# world's commission is in nobody's portfolio, so the lead commissioner does); only members comment.
CANNOT_SEE_GROUP = {
    visitor: code for visitor, code in CANNOT_SEE_COMMISSION.items() if visitor != "working_group_member"
}
OTHER_GROUP = {visitor: code for visitor, code in CANNOT_SEE_COMMISSION.items() if visitor != Role.COUNCILLOR}


def group_kwargs(world) -> dict:
    return commission_kwargs(world)


def other_group_kwargs(world) -> dict:
    return {**council_kwargs(world), "pk": world["opportunity"].commission_id}


def group_member_kwargs(world) -> dict:
    return {**commission_kwargs(world), "member_pk": world["group_member"].pk}


def review_group_kwargs(**objects: str) -> Callable[[dict], dict]:
    """The matrix's review, its working group (made on first use) with the group member on it."""

    def build(world) -> dict:
        review = matrix_review(world)["review"]
        if "review_group_member" not in world:
            world["review_group_member"] = group_services.working_group_add(
                by=world["people"][Role.LEAD_COMMISSIONER], subject=review, user=world["people"]["working_group_member"]
            )
        kwargs = {**council_kwargs(world), "pk": review.pk}
        if objects.get("member_pk"):
            kwargs["member_pk"] = world["review_group_member"].pk
        return kwargs

    return build


ROUTES += [
    Route(
        "commissioning:working_group",
        group_kwargs,
        ok=COMMISSION_READERS | {"working_group_member"},
        overrides=CANNOT_SEE_GROUP,
    ),
    Route(
        "commissioning:working_group",
        other_group_kwargs,
        ok=COMMISSION_READERS | {Role.COUNCILLOR},
        overrides=OTHER_GROUP,
    ),
    Route(
        "commissioning:working_group_name",
        group_kwargs,
        ok=frozenset({Role.LEAD_COMMISSIONER}),
        overrides=CANNOT_SEE_GROUP,
    ),
    Route(
        "commissioning:working_group_name",
        group_kwargs,
        method="post",
        ok=frozenset({Role.LEAD_COMMISSIONER}),
        overrides=CANNOT_SEE_GROUP,
    ),
    Route(
        "commissioning:working_group_remove",
        group_member_kwargs,
        ok=frozenset({Role.LEAD_COMMISSIONER}),
        overrides=CANNOT_SEE_GROUP,
    ),
    Route(
        "commissioning:working_group_comment",
        group_kwargs,
        ok=frozenset({"working_group_member"}),
        overrides=CANNOT_SEE_GROUP,
    ),
    Route(
        "commissioning:working_group_comment",
        group_kwargs,
        method="post",
        ok=frozenset({"working_group_member"}),
        overrides=CANNOT_SEE_GROUP,
    ),
    Route(
        "commissioning:working_group_comment",
        other_group_kwargs,
        ok=frozenset({Role.COUNCILLOR}),
        overrides=OTHER_GROUP,
    ),
    # A review's group: the same rules (the matrix's review is in nobody's portfolio either).
    Route(
        "commissioning:review_working_group",
        review_group_kwargs(),
        ok=COMMISSION_READERS | {"working_group_member"},
        overrides=CANNOT_SEE_GROUP,
    ),
    Route(
        "commissioning:review_working_group_name",
        review_group_kwargs(),
        ok=frozenset({Role.LEAD_COMMISSIONER}),
        overrides=CANNOT_SEE_GROUP,
    ),
    Route(
        "commissioning:review_working_group_remove",
        review_group_kwargs(member_pk="member"),
        ok=frozenset({Role.LEAD_COMMISSIONER}),
        overrides=CANNOT_SEE_GROUP,
    ),
    Route(
        "commissioning:review_working_group_comment",
        review_group_kwargs(),
        ok=frozenset({"working_group_member"}),
        overrides=CANNOT_SEE_GROUP,
    ),
    Route(
        "commissioning:review_working_group_comment",
        review_group_kwargs(),
        method="post",
        ok=frozenset({"working_group_member"}),
        overrides=CANNOT_SEE_GROUP,
    ),
    # One's own working groups, in every council (empty for someone on none).
    Route("commissioning:my_working_groups", ok=EVERYONE_SIGNED_IN),
]

# Early engagement on drafts (issue 21). The officers' pages are the commission's: its readers read
# its consultations and who commented; commissioners open drafts for comment and answer. On the
# public site anyone reads the listings and a public consultation and may comment on it (an empty
# form is shown again); a providers-only consultation is a 404 for anyone who acts for no provider.
PROVIDERS_ONLY = ConsultationAudience.PROVIDERS
ROUTES += [
    Route("commissioning:consultations", commission_kwargs, ok=COMMISSION_READERS, overrides=CANNOT_SEE_COMMISSION),
    Route("commissioning:consultation_open", commission_kwargs, ok=COMMISSIONERS, overrides=CANNOT_SEE_COMMISSION),
    Route(
        "commissioning:consultation_open",
        commission_kwargs,
        method="post",
        ok=COMMISSIONERS,
        overrides=CANNOT_SEE_COMMISSION,
    ),
    Route(
        "commissioning:consultation",
        matrix_consultation_kwargs(),
        ok=COMMISSION_READERS,
        overrides=CANNOT_SEE_COMMISSION,
    ),
    Route(
        "commissioning:consultation_answer",
        matrix_consultation_kwargs(comment=True),
        ok=COMMISSIONERS,
        overrides=CANNOT_SEE_COMMISSION,
    ),
    Route(
        "commissioning:consultation_answer",
        matrix_consultation_kwargs(comment=True),
        method="post",
        ok=COMMISSIONERS,
        overrides=CANNOT_SEE_COMMISSION,
    ),
    Route("opportunities:consultations", ok=PUBLIC),
    Route("opportunities:council_consultations", council_kwargs, ok=PUBLIC),
    Route("opportunities:consultation", public_consultation_kwargs(), ok=PUBLIC),
    Route(
        "opportunities:consultation",
        public_consultation_kwargs(PROVIDERS_ONLY),
        ok=frozenset(PROVIDER_VISITORS),
        denied=404,
        anonymous=404,
    ),
    Route("opportunities:consultation_comment", public_consultation_kwargs(), ok=PUBLIC),
    Route("opportunities:consultation_comment", public_consultation_kwargs(), method="post", ok=PUBLIC),
    Route(
        "opportunities:consultation_comment",
        public_consultation_kwargs(PROVIDERS_ONLY),
        ok=frozenset(PROVIDER_VISITORS),
        denied=404,
        anonymous=404,
    ),
]


# Deliverables and the agreement risk register (see `matrix_delivery`: a live agreement with the
# provider administrator's organisation, in nobody's portfolio, with a deliverable reported in its
# submitted first return and one still due, and a risk). Whoever reads the agreement reads both;
# commissioners set deliverables, decide on them in review and keep the register. Provider staff
# read their own organisation's deliverables and report them in a return (404 for anyone else);
# the council's risk register is a council page (404 for them, as for every council agreement page).
ROUTES += [
    Route(
        "monitoring:agreement_deliverables",
        matrix_delivery_kwargs(),
        ok=COMMISSION_READERS,
        overrides=CANNOT_SEE_COMMISSION,
    ),
    Route("monitoring:deliverable_add", matrix_delivery_kwargs(), ok=COMMISSIONERS, overrides=CANNOT_SEE_COMMISSION),
    Route(
        "monitoring:deliverable_edit",
        matrix_delivery_kwargs(deliverable_pk="due"),
        ok=COMMISSIONERS,
        overrides=CANNOT_SEE_COMMISSION,
    ),
    Route(
        "monitoring:deliverable_evidence",
        matrix_delivery_kwargs(deliverable_pk="reported"),
        ok=COMMISSION_READERS,
        overrides=CANNOT_SEE_COMMISSION,
    ),
    Route(
        "monitoring:deliverable_decide",
        matrix_delivery_kwargs("submitted", deliverable_pk="reported"),
        ok=COMMISSIONERS,
        overrides=CANNOT_SEE_COMMISSION,
    ),
    Route(
        "monitoring:agreement_risks", matrix_delivery_kwargs(), ok=COMMISSION_READERS, overrides=CANNOT_SEE_COMMISSION
    ),
    Route("monitoring:agreement_risk_add", matrix_delivery_kwargs(), ok=COMMISSIONERS, overrides=CANNOT_SEE_COMMISSION),
    Route(
        "monitoring:agreement_risk_edit",
        matrix_delivery_kwargs(risk_pk="risk"),
        ok=COMMISSIONERS,
        overrides=CANNOT_SEE_COMMISSION,
    ),
    Route(
        "monitoring:provider_deliverables",
        matrix_delivery_kwargs(council=False),
        ok=OWN_ORGANISATION,
        denied=404,
    ),
    Route(
        "monitoring:provider_deliverable_evidence",
        matrix_delivery_kwargs(council=False, deliverable_pk="reported"),
        ok=OWN_ORGANISATION,
        denied=404,
    ),
    Route(
        "monitoring:provider_deliverable_report",
        matrix_delivery_kwargs("due_return", council=False, deliverable_pk="due"),
        ok=OWN_ORGANISATION,
        denied=404,
    ),
]
