"""Open data: what councils publish about their commissioning, in the open standards.

- `ocds`: each commission as an Open Contracting Data Standard 1.1 release package.
- `threesixtygiving`: grants awarded, in the 360Giving Data Standard 1.4 (JSON package and CSV).
- `transparency_code`: the Local Government Transparency Code 2015 quarterly CSV files.
- `selectors`: the one rule for what is public, fetched in a fixed number of queries.
- `views` / `urls`: the public pages and downloads under `/open-data/`, no sign-in.

Nothing drafted, nothing before its decision has effect, and no officer's name or email address
leaves through these files: the council's own contact details stand for it.
"""
