"""Commissioning models: the commission and its funding (`cycle.py`), the work of each stage
(`records.py`), sourcing — opportunities and sealed bids (`sourcing.py`),
evaluation (`evaluation.py`), the award (`award.py`), the procurement regime (`regime.py`), reviews
of existing services (`reviews.py`), member working groups (`groups.py`), the prioritised programme
(`programme.py`), the savings identified (`savings.py`), social value (`social_value.py`): the
council's measures, the asks of an opportunity and what a bid commits to, and early engagement on
drafts (`engagement.py`)."""

from commissioning.models.award import *  # noqa: F403
from commissioning.models.conflicts import *  # noqa: F403
from commissioning.models.cycle import *  # noqa: F403
from commissioning.models.engagement import *  # noqa: F403
from commissioning.models.evaluation import *  # noqa: F403
from commissioning.models.groups import *  # noqa: F403
from commissioning.models.programme import *  # noqa: F403
from commissioning.models.records import *  # noqa: F403
from commissioning.models.regime import *  # noqa: F403
from commissioning.models.reviews import *  # noqa: F403
from commissioning.models.savings import *  # noqa: F403
from commissioning.models.social_value import *  # noqa: F403
from commissioning.models.sourcing import *  # noqa: F403
