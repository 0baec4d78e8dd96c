"""Who may do what in which council: roles are data (Membership rows), looked up once per request."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from councils import local_kept, page_cache
from councils.models import Council, Membership, Role

_CACHE_ATTR = "_commissioner_council_roles"


def council_of(obj) -> Council | None:
    """The council an object belongs to (the object itself when it is a council)."""
    if obj is None:
        return None
    if isinstance(obj, Council):
        return obj
    council = getattr(obj, "council", None)
    if council is not None:
        return council
    plan = getattr(obj, "plan", None)
    if plan is not None:
        return plan.council
    priority = getattr(obj, "priority", None)
    return priority.plan.council if priority is not None else None


def roles_by_council(user) -> dict[int, frozenset[str]]:
    """All of a user's roles keyed by council id, fetched in one query and kept on the user object
    (and by the process: `kept_by_access`)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return {}
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = kept_by_access(user, "roles", lambda: _roles_by_council(user))
        setattr(user, _CACHE_ATTR, cached)
    return cached


def _roles_by_council(user) -> dict[int, frozenset[str]]:
    # No ordering: the model's (by council and person name) would join both tables on every request.
    return grouped_roles(Membership.objects.filter(user=user).order_by().values_list("council_id", "role"))


def grouped_roles(rows: Iterable[tuple[int, str]]) -> dict[int, frozenset[str]]:
    """(id, role) rows as each id's set of roles: a person's councils, or the organisations they act for."""
    grouped: dict[int, set[str]] = {}
    for pk, role in rows:
        grouped.setdefault(pk, set()).add(role)
    return {pk: frozenset(roles) for pk, roles in grouped.items()}


def kept_by_access(user, name: str, compute: Callable[[], dict]) -> dict:
    """What `compute()` works out from the rows that give the person their roles (`name`: their council
    memberships, their organisations), kept by the process (`local_kept`) under the person's
    `access_changed_at`. Every change to those rows stamps it anew (`councils.sessions.watch_roles`),
    and the person's row is read afresh on every request: the stamp in hand names what is still theirs,
    with no query for it."""
    key, seconds = _access_key(user, name), page_cache.timeout()
    if not key or not seconds:
        return compute()
    value = local_kept.get(key)
    if value is None:
        value = compute()
        local_kept.put(key, value, time.time() + seconds)
    return value


def forget_kept_by_access(user, name: str) -> None:
    """After the person's role rows change in this request: the row in hand still has the stamp from
    before the change, so what is kept under it goes."""
    if key := _access_key(user, name):
        local_kept.forget(key)


def _access_key(user, name: str) -> str:
    """The key of the person's `name` as of their stamp ("" when the stamp was not read with the row)."""
    if "access_changed_at" in user.get_deferred_fields():
        return ""
    stamp = user.access_changed_at.isoformat() if user.access_changed_at else "never"
    return f"{name}:{user.pk}:{stamp}"


def forget_roles(user) -> None:
    """Drop what is kept of the person's roles after their memberships change in this request."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)
    forget_kept_by_access(user, "roles")


def roles_in(user, council: Council | None) -> frozenset[str]:
    if council is None:
        return frozenset()
    return roles_by_council(user).get(council.pk, frozenset())


def has_any_role(user, council: Council | None, roles: Iterable[str]) -> bool:
    return not roles_in(user, council).isdisjoint(roles)


def member_council_ids(user) -> list[int]:
    return list(roles_by_council(user))


OFFICER = (
    Role.LEAD_COMMISSIONER,
    Role.COMMISSIONING_OFFICER,
    Role.PROCUREMENT_OFFICER,
    Role.LEGAL_OFFICER,
    Role.FINANCE_OFFICER,
)
# The role sets every app's permissions are made of, each named once here.
COMMISSIONERS = (Role.LEAD_COMMISSIONER, Role.COMMISSIONING_OFFICER)
# Who opens the council's commissioning lists (commissions, agreements, returns; each scoped by its
# selector): every role but a councillor without a cabinet or scrutiny seat, who reads only the
# member working groups they are named to.
COMMISSIONING_READERS = (*OFFICER, Role.PORTFOLIO_HOLDER, Role.SCRUTINY_MEMBER, Role.COUNCIL_ADMIN)
FRAMEWORK_EDITORS = (*COMMISSIONERS, Role.COUNCIL_ADMIN)
# Who reads the council's people and changes its settings and reminder rules.
ADMINISTRATORS = (Role.COUNCIL_ADMIN, Role.LEAD_COMMISSIONER)
AUDIT_READERS = (*OFFICER, Role.SCRUTINY_MEMBER, Role.COUNCIL_ADMIN)
# Who reads a procurement's record of decisions and communications with suppliers (s.98), read-only.
PROCUREMENT_RECORD_READERS = (*OFFICER, Role.SCRUTINY_MEMBER)
# Who reads the dated procurement thresholds, and who adds the council's own rows to them.
THRESHOLD_READERS = (*OFFICER, Role.COUNCIL_ADMIN)
THRESHOLD_EDITORS = (Role.COUNCIL_ADMIN,)
FUNDING_MANAGERS = (Role.LEAD_COMMISSIONER, Role.FINANCE_OFFICER)
SOURCING_OFFICERS = (*COMMISSIONERS, Role.PROCUREMENT_OFFICER)
# Who prepares and reviews a procurement's conflicts assessment (Procurement Act 2023, s.83).
CONFLICTS_ASSESSORS = SOURCING_OFFICERS
OPENING_OFFICERS = (Role.LEAD_COMMISSIONER, Role.PROCUREMENT_OFFICER, Role.LEGAL_OFFICER)
AGREEMENT_SIGNERS = (*COMMISSIONERS, Role.LEGAL_OFFICER)
# Who prepares the Procurement Act notices and records their publication on Find a Tender, and who
# reads them (scrutiny included: the notices are public once published).
NOTICE_OFFICERS = (*SOURCING_OFFICERS, Role.LEGAL_OFFICER)
NOTICE_READERS = (*OFFICER, Role.SCRUTINY_MEMBER, Role.COUNCIL_ADMIN)
# Who records invoices under an agreement and their payment (the finance team, and the commissioners
# who manage the agreement), and who reads them.
INVOICE_RECORDERS = (*COMMISSIONERS, Role.FINANCE_OFFICER)
INVOICE_READERS = OFFICER
# Who reads (and takes away) the scrutiny progress report: the committee it is written for, and the
# lead commissioner who answers to it.
SCRUTINY_REPORT_READERS = (Role.SCRUTINY_MEMBER, Role.LEAD_COMMISSIONER)
# Who may approve a variation; at or above the key-decision threshold, only a portfolio holder.
VARIATION_APPROVERS = (Role.LEAD_COMMISSIONER, Role.PORTFOLIO_HOLDER)
# Who records savings: identified on a commission, realised on the agreement that delivers them (the
# commissioners who manage it and the finance team); a realised figure counts once a finance officer
# (the section 151 officer's team) has confirmed it.
SAVINGS_RECORDERS = (*COMMISSIONERS, Role.FINANCE_OFFICER)
SAVINGS_CONFIRMERS = (Role.FINANCE_OFFICER,)
# Who reads every corporate outcome's report: the lead commissioner across all outcomes, and scrutiny
# for assurance. An outcome's accountable officer and the holder of its portfolio read their own.
OUTCOME_REPORT_READERS = (Role.LEAD_COMMISSIONER, Role.SCRUTINY_MEMBER)
# The prioritised programme: who sets the council's prioritisation criteria and weights, who puts
# candidates forward and scores them, and who takes cabinet's decision on the year's programme.
PRIORITISATION_SETTERS = (Role.COUNCIL_ADMIN, Role.LEAD_COMMISSIONER)
PROGRAMME_SCORERS = COMMISSIONERS
PROGRAMME_APPROVERS = (Role.PORTFOLIO_HOLDER,)
# Who names councillors to a commission's member working group (the holder of its portfolio, checked
# on the commission), and who may be named: every councillor, whatever their seat.
WORKING_GROUP_NAMERS = (Role.PORTFOLIO_HOLDER,)
# Issue 21, agreement terms: who records an agreement's payment model and clauses (the commissioners who
# edit the agreement; once it is live, only through a variation approved as any other).
TERMS_EDITORS = COMMISSIONERS
# Remedies log (issue 21): who records deductions, default notices and remedy plans against an
# agreement, withdraws them and closes a plan out: the commissioners who manage the agreement (its
# editors). Whoever reads the agreement reads its remedies log; the provider reads and answers its own.
REMEDY_RECORDERS = COMMISSIONERS
# Early engagement on drafts (issue 21): who opens a commission's draft outcomes and specification
# for comment and answers the comments (its readers read them, with the commenters' emails).
ENGAGEMENT_OFFICERS = COMMISSIONERS
# Deliverables and the agreement risk register (contract management): who sets an agreement's
# deliverables and accepts or refuses what the provider reports, and who keeps its risk register.
# Everyone who reads the agreement reads both; provider staff read their own deliverables only.
DELIVERABLE_MANAGERS = COMMISSIONERS
AGREEMENT_RISK_EDITORS = COMMISSIONERS
# ---- Provider risk, failure and continuity (issue 21) ----
# Who reads the continuity plans, the "at risk" and "failed" flags and their interventions: those who
# read the council's agreements (officers, scrutiny for assurance, administrators, who see the lead's
# dashboard, and portfolio holders, told of flags in their portfolios, an agreement's only when they
# read the agreement). Providers never see them, nor the reasons given.
CONTINUITY_READERS = (*OFFICER, Role.PORTFOLIO_HOLDER, Role.SCRUTINY_MEMBER, Role.COUNCIL_ADMIN)
# Who keeps the continuity plans, flags and clears, and runs the interventions.
CONTINUITY_MANAGERS = COMMISSIONERS
# Who takes the commission's next step after an agreement ends for the provider's failure.
FAILURE_DECIDERS = (Role.LEAD_COMMISSIONER,)
