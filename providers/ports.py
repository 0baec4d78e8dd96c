"""What providers needs to know about procurements, without importing the app that runs them.

Joining an organisation walls a council officer out of every procurement the organisation bids in
(or is a confirmed partner in). `commissioning` fills this port in its `AppConfig.ready()` so that the
invitation page can name those procurements before anyone accepts. A call with nothing registered
fails loudly: the warning cannot be skipped because an app is missing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class WalledProcurement:
    """One procurement a person would be walled out of, and why."""

    council: str
    reference: str
    title: str
    commission: str
    reason: str


class NotRegistered(RuntimeError):
    pass


class ProcurementsPort:
    def __init__(self) -> None:
        self._walled: Callable | None = None

    def register(self, *, walled_by: Callable[[int, Iterable[int]], list[WalledProcurement]]) -> None:
        self._walled = walled_by

    def walled_by(self, organisation_id: int, council_ids: Iterable[int]) -> list[WalledProcurement]:
        """The procurements of these councils that the organisation's members are walled out of."""
        if self._walled is None:
            raise NotRegistered(
                "No app registered which procurements an organisation walls: is 'commissioning' installed?"
            )
        return self._walled(organisation_id, list(council_ids))


procurements = ProcurementsPort()


class CpvPort:
    """The CPV 2008 divisions and groups an organisation may choose from, and their labels. The
    vocabulary is commissioning's (`commissioning.cpv`), which fills this port in its `ready()`."""

    def __init__(self) -> None:
        self._labels: Callable[[], dict[str, str]] | None = None

    def register(self, *, divisions_and_groups: Callable[[], dict[str, str]]) -> None:
        self._labels = divisions_and_groups

    def labels(self) -> dict[str, str]:
        """Every division and group, code to label, in code order."""
        if self._labels is None:
            raise NotRegistered("No app registered the CPV vocabulary: is 'commissioning' installed?")
        return self._labels()

    def divisions(self) -> dict[str, str]:
        return {code: label for code, label in self.labels().items() if code.endswith("000000")}

    def label(self, code: str) -> str:
        return self.labels().get(code, "")


cpv = CpvPort()
