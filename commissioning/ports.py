"""What the commissioning cycle needs from agreements, without importing the app that keeps them.

`monitoring` fills this port in its `AppConfig.ready()`. Commissioning asks it for the agreements of a
cycle (the gate before delivery), for what its pages show of agreements, and to draft or cancel the
agreements an award decides. A call with
nothing registered fails loudly: the cycle cannot be skipped because an app is missing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class CycleAgreements:
    """This cycle's agreements, as the gates need them."""

    live: list[str]
    pending: list[str]


class NotRegistered(RuntimeError):
    pass


class AgreementsPort:
    _names = ("of_cycle", "of_award", "page_section", "draft_for_award", "cancel_drafts_for_award")

    def __init__(self) -> None:
        self._impl: dict[str, Callable] = {}

    def register(self, **functions: Callable) -> None:
        unknown = set(functions) - set(self._names)
        if unknown:
            raise TypeError(f"Unknown agreement functions: {', '.join(sorted(unknown))}")
        self._impl.update(functions)

    def _call(self, name: str, *args, **kwargs):
        try:
            function = self._impl[name]
        except KeyError:
            raise NotRegistered(
                f"No app registered how agreements are {name.replace('_', ' ')}: is 'monitoring' installed?"
            ) from None
        return function(*args, **kwargs)

    def of_cycle(self, commission) -> CycleAgreements:
        return self._call("of_cycle", commission)

    def of_award(self, award, bid_ids) -> list:
        """The agreements made from the award's winning bids, for the award page."""
        return self._call("of_award", award, bid_ids)

    def page_section(self, commission, user) -> dict:
        """The commission page's agreements section, as the agreements app lays it out."""
        return self._call("page_section", commission, user)

    def draft_for_award(self, *, award, by) -> list:
        return self._call("draft_for_award", award=award, by=by)

    def cancel_drafts_for_award(self, *, award, by, reason: str) -> list[str]:
        return self._call("cancel_drafts_for_award", award=award, by=by, reason=reason)


agreements = AgreementsPort()
