"""Councils, the people who work in them and in what role, and what each council is trying to achieve.

One module per concern: the council itself (`council.py`), people and their memberships (`people.py`),
the corporate plan and its outcomes (`framework.py`), the audit trail (`audit.py`), reminders and
notifications (`notifications.py`) and the procurement thresholds (`thresholds.py`). Everything is
named from here, as `councils.models.X`.
"""

from councils.models.audit import *  # noqa: F403
from councils.models.council import *  # noqa: F403
from councils.models.council import _today as _today  # named in migrations (a field's default)
from councils.models.framework import *  # noqa: F403
from councils.models.notifications import *  # noqa: F403
from councils.models.people import *  # noqa: F403
from councils.models.thresholds import *  # noqa: F403
