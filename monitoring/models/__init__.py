"""Monitoring models: agreements (`agreements.py`), with their KPIs (`kpis.py`), payment schedule
(`payment_schedule.py`), variations (`variations.py`), invoices and savings realised; returns, reminders
and notices build on them; the remedies log (`remedies.py`); the agreements a review of existing
services covers (`reviews.py`); an agreement's payment model and clauses (`terms.py`)."""

from monitoring.models.agreement_risks import *  # noqa: F403
from monitoring.models.agreements import *  # noqa: F403
from monitoring.models.continuity import *  # noqa: F403
from monitoring.models.deliverables import *  # noqa: F403
from monitoring.models.exports import *  # noqa: F403
from monitoring.models.kpis import *  # noqa: F403
from monitoring.models.notices import *  # noqa: F403
from monitoring.models.payment_schedule import *  # noqa: F403
from monitoring.models.payments import *  # noqa: F403
from monitoring.models.remedies import *  # noqa: F403
from monitoring.models.returns import *  # noqa: F403
from monitoring.models.reviews import *  # noqa: F403
from monitoring.models.savings import *  # noqa: F403
from monitoring.models.scrutiny import *  # noqa: F403
from monitoring.models.terms import *  # noqa: F403
from monitoring.models.variations import *  # noqa: F403
