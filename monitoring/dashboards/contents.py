"""Each council dashboard's contents list: its sections in page order, as (heading id, heading text).

The dashboards are long on a phone, so each starts with a GOV.UK "Contents" list linking to its
section headings (`templates/dashboards/_contents.html`). The ids are part of the page's address
(people bookmark and share `…/dashboard/#decisions`): keep them stable. A new section adds one line
here and an `<h2 id="…">` in its template; a test checks the two agree.
"""

from __future__ import annotations

CONTENTS: dict[str, list[tuple[str, str]]] = {
    "lead": [
        ("pipeline", "Pipeline"),
        ("decisions", "Decisions waiting"),
        ("provider-risk", "Providers at risk or failed"),
        ("reviews", "Reviews of existing services"),
        ("notices", "Notices due on Find a Tender"),
        ("ending", "Agreements ending soon"),
        ("overdue", "Overdue monitoring returns"),
        ("savings", "Savings identified and realised"),
    ],
    "portfolio": [
        ("key-decisions", "Key decisions awaiting you"),
        ("commissions", "Commissions in your portfolios"),
        ("investment", "Investment by outcome and priority"),
        ("performance", "Performance of live agreements"),
        ("outcomes", "Outcomes against success measures"),
        ("savings", "Savings identified and realised"),
    ],
    "scrutiny": [
        ("call-in", "Key decisions open to call-in"),
        ("forward-plan", "Forward plan of key decisions"),
        ("decisions", "Decisions taken"),
        ("performance", "Performance of commissioned services"),
        ("provider-risk", "Providers at risk or failed"),
        ("agenda", "The committee's agenda"),
    ],
    "officer": [
        ("queue", "Waiting for you"),
        ("mine", "Your commissions"),
        ("deadlines", "Coming up"),
        ("expiry", "Contract expiry pipeline"),
    ],
    "groups": [
        ("groups", "Your working groups"),
        ("to-name", "Working groups to name"),
    ],
}
