"""What the commissioning cycle needs from agreements and notices, without importing the app that keeps them.

`monitoring` fills these ports in its `AppConfig.ready()`. Commissioning asks it for the agreements of a
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


class NoticesPort:
    """What the commission page shows of the notices the records call for (Procurement Act 2023)."""

    def __init__(self) -> None:
        self._page_section: Callable | None = None

    def register(self, *, page_section: Callable) -> None:
        self._page_section = page_section

    def page_section(self, commission, user) -> dict:
        """The commission page's notices section, as the notices app lays it out."""
        if self._page_section is None:
            raise NotRegistered("No app registered the commission's notices: is 'monitoring' installed?")
        return self._page_section(commission, user)


notices = NoticesPort()


@dataclass(frozen=True)
class ReviewedAgreement:
    """An agreement a review covers, as the review page and the recommission need it."""

    pk: int
    reference: str
    title: str
    provider: str
    value: str
    ends_on: str
    url: str


class ReviewedAgreementsPort:
    """The agreements a review of existing services covers: `monitoring` keeps them (it knows agreements).

    - ``choices(council)``: the council's agreements a review may cover, as (id, label) pairs;
    - ``of_review(review)``: the agreements it covers, as `ReviewedAgreement`s;
    - ``cover(review, agreement_ids)``: make the review cover exactly these agreements of its council.
    """

    _names = ("choices", "of_review", "cover")

    def __init__(self) -> None:
        self._impl: dict[str, Callable] = {}

    def register(self, **functions: Callable) -> None:
        unknown = set(functions) - set(self._names)
        if unknown:
            raise TypeError(f"Unknown reviewed-agreement functions: {', '.join(sorted(unknown))}")
        self._impl.update(functions)

    def _call(self, name: str, *args, **kwargs):
        try:
            function = self._impl[name]
        except KeyError:
            raise NotRegistered(
                f"No app registered the agreements reviews cover ({name}): is 'monitoring' installed?"
            ) from None
        return function(*args, **kwargs)

    def choices(self, council) -> list[tuple[int, str]]:
        return self._call("choices", council)

    def of_review(self, review) -> list[ReviewedAgreement]:
        return self._call("of_review", review)

    def cover(self, review, agreement_ids) -> list[int]:
        return self._call("cover", review, agreement_ids)


reviewed_agreements = ReviewedAgreementsPort()
