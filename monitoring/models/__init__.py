"""Monitoring models: agreements (with KPIs, payments and variations); returns and reminders build on them."""

from monitoring.models.agreements import *  # noqa: F403
from monitoring.models.exports import *  # noqa: F403
from monitoring.models.notices import *  # noqa: F403
from monitoring.models.returns import *  # noqa: F403
from monitoring.models.scrutiny import *  # noqa: F403
