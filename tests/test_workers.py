"""A web worker's start: what the app left behind is frozen out of the garbage collector's way."""

import gc

from config.workers import settle


def test_a_settled_worker_leaves_start_up_objects_to_no_collection():
    threshold = gc.get_threshold()
    try:
        settle()
        assert gc.get_freeze_count() > 10_000
        assert gc.get_threshold()[2] > threshold[2]  # full collections less often
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
