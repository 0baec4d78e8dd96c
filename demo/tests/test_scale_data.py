"""The scale data generator builds a valid, varied data set with bulk inserts."""

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection, models, transaction
from django.db.models import Count

from commissioning.models import (
    Bid,
    BidState,
    Commission,
    Evaluation,
    Opportunity,
    OpportunityState,
    State,
)
from councils.models import AuditEvent, Council, Membership, Role
from demo.management.commands.generate_scale_data import Command
from demo.scale_base import copy_writer
from demo.scale_data import Sizes, bench_logins, generate
from monitoring.models import Agreement, AgreementState, MonitoringReturn

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")


def test_small_preset_spreads_over_every_state_and_role():
    report = generate(Sizes(councils=2, providers=40, commissions=200, bids=600, returns=3000))

    assert report.counts["commissions"] == 200
    states = set(Commission.objects.values_list("state", flat=True))
    assert states == set(State.values)
    assert set(Membership.objects.values_list("role", flat=True)) == set(Role.values)
    assert MonitoringReturn.objects.count() == 3000
    assert set(MonitoringReturn.objects.values_list("state", flat=True)) >= {"due", "submitted", "accepted"}
    assert set(Opportunity.objects.values_list("state", flat=True)) == {
        OpportunityState.PUBLISHED,
        OpportunityState.CLOSED,
        OpportunityState.OPENED,
    }
    assert set(Bid.objects.values_list("state", flat=True)) == {BidState.DRAFT, BidState.SUBMITTED}
    assert set(Agreement.objects.values_list("state", flat=True)) == {
        AgreementState.DRAFT,
        AgreementState.LIVE,
        AgreementState.ENDED,
    }
    assert Evaluation.objects.exists()
    # As many bids as asked for, one per organisation per opportunity, as the constraint demands.
    assert Bid.objects.count() == report.counts["bids"] == 600
    assert not Bid.objects.values("opportunity", "organisation").annotate(n=Count("id")).filter(n__gt=1).exists()
    # Every agreement is with the bidder whose bid it names.
    assert not Agreement.objects.exclude(provider=models.F("bid__organisation")).exists()


def test_bench_logins_name_a_person_for_every_page():
    generate(Sizes.small())
    logins = bench_logins()
    assert {"commissioning_officer", "lead_commissioner", "portfolio_holder", "scrutiny_member", "provider"} <= set(
        logins
    )


def test_refuses_to_load_twice(capsys):
    call_command("generate_scale_data", "--small")
    assert "Generated in" in capsys.readouterr().out
    with pytest.raises(CommandError, match="already loaded"):
        call_command("generate_scale_data", "--small")


def sizes_for(*args: str) -> Sizes:
    command = Command()
    options = vars(command.create_parser("manage.py", "generate_scale_data").parse_args(list(args)))
    return command.sizes(options)


def test_national_parses_to_the_national_sizes_and_the_default_stays_council_scale():
    assert sizes_for("--national") == Sizes.national()
    assert Sizes.national() == Sizes(councils=400, providers=50000, commissions=100000, bids=1000000, returns=2000000)
    assert sizes_for() == Sizes() == Sizes(councils=50, providers=5000, commissions=20000, bids=100000, returns=500000)
    assert sizes_for("--small") == Sizes.small()
    with pytest.raises(CommandError, match="not allowed"):
        sizes_for("--small", "--national")
    assert not Council.objects.exists()  # parsing generates nothing


class Rollback(Exception):
    pass


def generated(copy: bool) -> dict:
    """What one generation wrote, with everything that differs between two runs of the same seed left out: the
    primary and foreign keys (the sequences move on, and audit events name their object by key), the times of
    the run and the password salts. Foreign keys are compared through natural keys below."""
    models_written = [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in {"councils", "providers", "commissioning", "monitoring"}
    ]
    snapshot = {}
    try:
        with transaction.atomic():
            report = generate(Sizes(councils=2, providers=40, commissions=120, bids=400, returns=1500), copy=copy)
            for model in models_written:
                fields = [
                    f.attname
                    for f in model._meta.concrete_fields
                    if not (f.primary_key or f.is_relation or isinstance(f, models.DateTimeField))
                    and f.name not in ("password", "object_id")
                ]
                rows = list(model.objects.order_by(*fields).values_list(*fields)) if fields else []
                snapshot[model._meta.label] = (model.objects.count(), rows)
            snapshot["counts"] = report.counts
            snapshot["bids"] = list(
                Bid.objects.order_by("opportunity__reference", "organisation__slug").values_list(
                    "opportunity__reference", "organisation__slug", "created_by__email", "state", "submitted_at"
                )
            )
            snapshot["returns"] = list(
                MonitoringReturn.objects.order_by("agreement__reference", "period_start").values_list(
                    "agreement__reference", "period_start", "state", "submitted_at", "submitted_by__email"
                )
            )
            snapshot["agreements"] = list(
                Agreement.objects.order_by("reference").values_list(
                    "reference", "bid__organisation__slug", "provider__slug", "council_contact__email", "live_on"
                )
            )
            raise Rollback
    except Rollback:
        pass
    return snapshot


@postgresql_only
def test_copy_writes_what_bulk_create_writes():
    by_copy, by_bulk_create = generated(copy=True), generated(copy=False)

    assert by_copy["counts"] == by_bulk_create["counts"]
    assert by_copy["counts"]["bids"] == 400
    assert by_copy["counts"]["returns"] == 1500
    for key, value in by_bulk_create.items():
        assert by_copy[key] == value, key
    assert by_copy["commissioning.Commission"][0] == 120


@postgresql_only
def test_copy_escapes_what_text_format_would_misread_and_writes_json_and_defaults_as_django_does():
    council = Council.objects.create(name="Escapes", slug="escapes", short_code="ESC")
    awkward = AuditEvent(
        council=council, event_type="x", object_repr="tab\there\nline\\slash\r", extra={"a": [1, "b\tc"], "n": None}
    )
    plain = AuditEvent(council=council, event_type="y")
    copy_writer(AuditEvent).write([awkward, plain])

    assert None not in (awkward.pk, plain.pk)
    assert awkward.pk != plain.pk
    again = AuditEvent.objects.get(pk=awkward.pk)
    assert again.object_repr == "tab\there\nline\\slash\r"
    assert again.extra == {"a": [1, "b\tc"], "n": None}
    assert again.created_at == awkward.created_at
    defaults = AuditEvent.objects.get(pk=plain.pk)
    assert (defaults.extra, defaults.reason, defaults.from_state) == ({}, "", "")
    # The sequence moved past the reserved keys: the next ordinary insert does not collide.
    assert AuditEvent.objects.create(council=council, event_type="z").pk > plain.pk
