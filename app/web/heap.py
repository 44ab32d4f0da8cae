"""The garbage collector and the kept structures: freeze the heap at start-up and again once per data version.

The app keeps large structures that live until a write replaces them: the runs of every country (one object per
change: 55,000 in the generated benchmark), the counts over time, the drawings, the page cache. CPython's cyclic
collector re-scans every tracked object it has not frozen on each full collection, so with those structures kept
a full collection took 60-90 ms and fell into some request every few writes, whichever page it was.

gc.freeze() moves every tracked object to the permanent generation, which the collector never scans (CPython's
gc documentation). Frozen objects are still freed by reference counting the moment nothing refers to them: the
kept structures hold no reference cycles (frozen dataclasses, tuples, dicts, strings), so the copy a write
replaces is freed as before. What freezing can keep alive is cyclic garbage: a cycle that is frozen (or is
frozen while it is still in use by a request on another thread) and only later becomes unreachable is never
collected while it stays frozen. So:

- settle() runs gc.collect() before freezing, so the cycles already unreachable are freed first. Everything older
  is frozen, so that collection scans only what was made since the last freeze (a few ms, not 60-90 ms);
- the cycles that still slip through are bounded: settle() counts the objects it freezes (after its collection
  they are exactly generation 2's, a few thousand, so counting them is cheap; gc.get_freeze_count() walks every
  frozen object and costs as much as 50 ms). When the objects frozen since the last full collection outnumber
  FREEZE_GROWTH times those frozen by it, settle() unfreezes, collects everything and freezes again. The count
  only grows (objects freed later are not taken off), so it overestimates: garbage kept by freezing never exceeds
  about FREEZE_GROWTH times the live heap, and the full collection (60-90 ms at the benchmark's 100,000
  statements) comes about once per hundred writes instead of every few writes.

Only a served app (create_app without an engine, or freeze_heap=True) calls start(); until then settle() does
nothing, so tests and tools leave the collector alone. settle() runs after the response is sent.
"""
from __future__ import annotations

import gc
import threading

FREEZE_GROWTH = 2
MIN_FROZEN = 100_000  # below this many objects frozen since the last full collection, never collect everything

_lock = threading.Lock()
# version: the last data version settled; baseline: objects frozen by the last full collection (None: not
# started); since: objects frozen by settle() after it
_state: dict[str, int | None] = {"version": None, "baseline": None, "since": 0}


def started() -> bool:
    return _state["baseline"] is not None


def _full() -> None:
    gc.unfreeze()
    gc.collect()
    _state["baseline"] = len(gc.get_objects(2))
    _state["since"] = 0
    gc.freeze()


def start() -> None:
    """After start-up: collect, freeze, and from now on settle() freezes again once per data version."""
    with _lock:
        _full()
        _state["version"] = None


def stop() -> None:
    """Unfreeze (the app's shutdown, and tests)."""
    with _lock:
        gc.unfreeze()
        _state.update(version=None, baseline=None, since=0)


def settle(version: int) -> str | None:
    """Called after a page of data version `version` was rendered afresh (so what it keeps is built). The first
    call for a version collects what was made since the last freeze and freezes it; returns what it did
    ("freeze", "full" when the bound made it collect everything, None when there was nothing to do)."""
    if not started() or _state["version"] == version:
        return None
    with _lock:
        baseline = _state["baseline"]
        if baseline is None or _state["version"] == version:
            return None
        _state["version"] = version
        since = int(_state["since"] or 0)
        if since > max(MIN_FROZEN, FREEZE_GROWTH * baseline):
            _full()
            return "full"
        gc.collect()
        _state["since"] = since + len(gc.get_objects(2))
        gc.freeze()
        return "freeze"
