"""The CPV 2008 vocabulary, read once from the vendored CSV (`commissioning/data/cpv/`): labels, a word
search for the picker and the light-touch services test. The list is fixed by regulation and never
edited, so it lives in a file rather than a table every test database would have to load."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.core.exceptions import ValidationError

DATA = Path(__file__).resolve().parent / "data" / "cpv"


@dataclass(frozen=True)
class CpvCode:
    code: str
    label: str

    def __str__(self) -> str:
        return f"{self.code} {self.label}"


@cache
def vocabulary() -> dict[str, CpvCode]:
    with (DATA / "cpv-2008-en.csv").open(encoding="utf-8", newline="") as handle:
        return {row["code"]: CpvCode(row["code"], row["description"]) for row in csv.DictReader(handle)}


@cache
def light_touch_ranges() -> tuple[tuple[str, str], ...]:
    with (DATA / "light-touch-services.csv").open(encoding="utf-8", newline="") as handle:
        return tuple((row["code_from"], row["code_to"]) for row in csv.DictReader(handle))


def normalise(text: str) -> str:
    """An officer may paste a code with its check digit ("85311000-2") or spaces: keep the 8 digits."""
    return text.strip().replace(" ", "").split("-")[0]


def lookup(code: str) -> CpvCode | None:
    return vocabulary().get(normalise(code)) if code else None


def validate_cpv_code(value: str) -> None:
    if value and lookup(value) is None:
        raise ValidationError("Enter a code from the CPV 2008 list, for example 85311000.")


def search(query: str, limit: int = 50) -> list[CpvCode]:
    """Codes whose digits start with the query, or whose label holds every word of it, in code order."""
    query = query.strip()
    if not query:
        return []
    digits = normalise(query)
    if digits.isdigit():
        return [entry for code, entry in vocabulary().items() if code.startswith(digits)][:limit]
    words = query.casefold().split()
    found = (entry for entry in vocabulary().values() if all(word in entry.label.casefold() for word in words))
    return [entry for _, entry in zip(range(limit), found, strict=False)]


def is_light_touch(code: str) -> bool:
    """Whether the code is one of the light-touch services (8-digit codes compare in numeric order)."""
    code = normalise(code or "")
    return bool(code) and any(low <= code <= high for low, high in light_touch_ranges())


@cache
def divisions_and_groups() -> dict[str, str]:
    """The divisions (85000000) and groups (85300000) of the vocabulary, code to label: what a provider
    chooses to be told about (`providers.ports.cpv`)."""
    return {code: entry.label for code, entry in vocabulary().items() if code.endswith("00000")}
