"""The state diagram in docs/ is generated from the code; this fails when the two drift apart."""

from io import StringIO
from pathlib import Path

from django.core.management import call_command

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_committed_state_diagram_matches_the_state_machine():
    out = StringIO()
    call_command("graph_transitions", "commissioning.Commission.state", stdout=out)
    generated = sorted(line.strip() for line in out.getvalue().splitlines() if line.strip())
    committed = sorted(
        line.strip() for line in (DOCS / "commission-states.dot").read_text().splitlines() if line.strip()
    )
    assert generated == committed, "run `make diagram` and commit docs/commission-states.*"
