"""Commissioning models: the cycle (`cycle.py`), sourcing — opportunities and sealed bids (`sourcing.py`),
evaluation (`evaluation.py`) and the award (`award.py`)."""

from commissioning.models.award import *  # noqa: F403
from commissioning.models.cycle import *  # noqa: F403
from commissioning.models.evaluation import *  # noqa: F403
from commissioning.models.sourcing import *  # noqa: F403
