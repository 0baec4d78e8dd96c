"""Monitoring models: agreements (with KPIs, payments and variations); returns and reminders build on them."""

from .agreements import *  # noqa: F403
from .exports import *  # noqa: F403
from .returns import *  # noqa: F403
from .scrutiny import *  # noqa: F403
