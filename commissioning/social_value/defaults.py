"""The default social value themes and measures each council starts with, in the style of the
national TOMs (Themes, Outcomes, Measures) but in Commissioner's own words. Proxy values are
illustrative round figures, not the national framework's: each council sets its own.

Plain data, read by the migration that gives existing councils their list and by
`commissioning.social_value.services.install_default_measures` for new ones.
"""

from __future__ import annotations

# (theme, [(code, title, unit, proxy £ per unit or None), ...])
DEFAULT_MEASURES: tuple[tuple[str, tuple[tuple[str, str, str, str | None], ...]], ...] = (
    (
        "Jobs and skills",
        (
            ("SV1", "Local people employed on the contract (full-time equivalent)", "people", "25000.00"),
            ("SV2", "Apprenticeship weeks completed by local people", "weeks", "250.00"),
            ("SV3", "Work placements of at least one week for people far from work", "placements", "180.00"),
        ),
    ),
    (
        "Local economy",
        (
            ("SV4", "Spend with local voluntary, community and social enterprises", "£ spent", "0.20"),
            ("SV5", "Spend with local small and medium-sized businesses", "£ spent", "0.15"),
        ),
    ),
    (
        "Stronger communities",
        (
            ("SV6", "Volunteering hours given to local community groups", "hours", "16.00"),
            ("SV7", "Residents taking part in community activities run under the contract", "people", None),
        ),
    ),
    (
        "Environment",
        (("SV8", "Carbon emissions saved against the contract's baseline", "tonnes CO2e", "240.00"),),
    ),
)
