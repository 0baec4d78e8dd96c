"""Commissioning models: the cycle (`cycle.py`) and sourcing — opportunities and sealed bids (`sourcing.py`)."""

from .cycle import *  # noqa: F403
from .evaluation import *  # noqa: F403
from .sourcing import *  # noqa: F403
