"""Monitoring models: agreements (with KPIs, payments, invoices, variations and savings realised);
returns, reminders and notices build on them; the agreements a review of existing services covers (`reviews.py`)."""

from monitoring.models.agreements import *  # noqa: F403
from monitoring.models.continuity import *  # noqa: F403
from monitoring.models.exports import *  # noqa: F403
from monitoring.models.notices import *  # noqa: F403
from monitoring.models.payments import *  # noqa: F403
from monitoring.models.returns import *  # noqa: F403
from monitoring.models.reviews import *  # noqa: F403
from monitoring.models.savings import *  # noqa: F403
from monitoring.models.scrutiny import *  # noqa: F403
