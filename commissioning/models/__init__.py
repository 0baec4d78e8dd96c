"""Commissioning models: the cycle (`cycle.py`), sourcing — opportunities and sealed bids (`sourcing.py`),
evaluation (`evaluation.py`) and the award (`award.py`)."""

from .award import *  # noqa: F403
from .cycle import *  # noqa: F403
from .evaluation import *  # noqa: F403
from .sourcing import *  # noqa: F403
