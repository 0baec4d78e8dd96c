"""The state diagrams in docs/state-machines/ are generated from the code (`make diagram`); these fail when
the drawings and the state machines drift apart, or when a state machine is left out. No Graphviz needed:
they read the .dot text django-fsm's `graph_transitions` writes."""

import re
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django_fsm import FSMFieldMixin
from django_fsm.management.commands.graph_transitions import node_name
from graphviz.quoting import quote

ROOT = Path(__file__).resolve().parents[2]
DIAGRAMS = ROOT / "docs" / "state-machines"

# <file name in docs/state-machines/> -> <app>.<Model>, as the Makefile's STATE_MACHINES lists them.
MACHINES = {
    "commission": "commissioning.Commission",
    "opportunity": "commissioning.Opportunity",
    "bid": "commissioning.Bid",
    "evaluation": "commissioning.Evaluation",
    "award": "commissioning.Award",
    "agreement": "monitoring.Agreement",
    "monitoring-return": "monitoring.MonitoringReturn",
    "notice": "monitoring.Notice",
    "programme": "commissioning.Programme",
    "review": "commissioning.Review",
    "deliverable": "monitoring.Deliverable",
}


def graph_transitions(*machines):
    out = StringIO()
    call_command("graph_transitions", *(f"{machine}.state" for machine in machines), stdout=out)
    return out.getvalue()


def lines(dot):
    """The .dot's lines, sorted: graph_transitions writes nodes and edges in set order."""
    return sorted(line.strip() for line in dot.splitlines() if line.strip())


def test_the_makefile_draws_every_state_machine():
    fsm_models = {
        model._meta.label
        for model in apps.get_models()
        if any(isinstance(field, FSMFieldMixin) for field in model._meta.get_fields())
    }
    assert fsm_models == set(MACHINES.values()), "add the state machine to MACHINES here and in the Makefile"
    makefile = (ROOT / "Makefile").read_text()
    listed = re.search(r"^STATE_MACHINES := ((?:.*\\\n)*.*)$", makefile, re.MULTILINE).group(1)
    assert dict(entry.split(":") for entry in listed.replace("\\", " ").split()) == MACHINES


@pytest.mark.parametrize(("name", "machine"), MACHINES.items())
def test_each_state_machine_is_drawn_with_all_its_states(name, machine):
    dot = graph_transitions(machine)
    model = apps.get_model(machine)
    field = model._meta.get_field("state")
    assert dot.startswith("digraph {")
    assert f"subgraph cluster_{machine.replace('.', '_')}_state" in dot
    for state, label in field.choices:
        drawn = f'"{node_name(field, state)}" [label={quote(str(label))} '
        assert drawn in dot, f"{machine}: the state {state!r} is not drawn"
    committed = DIAGRAMS / f"{name}.dot"
    assert committed.exists(), f"run `make diagram` and commit docs/state-machines/{name}.*"
    assert lines(dot) == lines(committed.read_text()), f"run `make diagram` and commit docs/state-machines/{name}.*"
    assert (DIAGRAMS / f"{name}.svg").exists()


def test_the_overview_draws_all_the_state_machines_together():
    dot = graph_transitions(*MACHINES.values())
    assert dot.count("subgraph cluster_") == len(MACHINES)
    committed = (DIAGRAMS / "overview.dot").read_text()
    assert lines(dot) == lines(committed), "run `make diagram` and commit docs/state-machines/overview.*"
    assert (DIAGRAMS / "overview.svg").exists()
    assert {path.stem for path in DIAGRAMS.glob("*.dot")} == {*MACHINES, "overview"}
