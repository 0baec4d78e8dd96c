"""What a web worker does once the app is loaded, before its first request.

Django and the app leave about 110,000 objects behind at start-up (modules, models, URL patterns,
forms) that live as long as the worker. Python's cyclic garbage collector would otherwise walk them
in every full collection, and a full collection lands on whichever request happens to trigger it
(the slow twentieth request of a page). Freezing them (`gc.freeze`) leaves the collector only what
requests create, and a full collection waits for ten times as many younger ones as Python's default.
On the benchmark's page-miss pass over every page, in-process, the full collections went from five
or six (12–122 ms each) to three (21–58 ms)."""

import gc


def settle() -> None:
    gc.collect()
    gc.freeze()
    gc.set_threshold(700, 10, 100)
