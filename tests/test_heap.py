"""The served app freezes the heap once per data version (app/web/heap.py): the kept runs leave the collector's
scans after a write, the pages stay right, cyclic garbage is collected before freezing, and what freezing keeps
alive is bounded by a full collection."""
from __future__ import annotations

import gc
import weakref

import pytest
from factories import add_statement

from app import editing, queries
from app.web import heap


class _Node:
    other: object = None


@pytest.fixture
def unfrozen():
    heap.stop()
    yield
    heap.stop()


def _tracked_ids() -> set[int]:
    return {id(o) for o in gc.get_objects()}  # every generation but the permanent (frozen) one


def test_the_kept_runs_are_frozen_after_the_first_page_of_a_new_version(engine, session, unfrozen):
    from fastapi.testclient import TestClient

    from app.web import create_app

    for iso2, stance in (("FR", "support"), ("DE", "undecided"), ("PL", "reject")):
        add_statement(session, iso2, stance, "2025-02-10", quote=f"{iso2} said something about troops.")
    session.commit()
    with TestClient(create_app(engine, freeze_heap=True)) as client:
        assert heap.started()
        assert "France" in client.get("/?view=chart&as_of=2025-03-01").text
        runs = next(iter(queries._runs_cache.values())).value
        run = runs[0].runs[0]
        assert gc.is_tracked(run)
        user = editing.create_user(session, "erin", "correct horse battery")
        data = editing.validate_statement(session, {"country_iso2": "AT", "stance": "reject",
                                                    "stated_on": "2025-02-20", "quote": "Austria will not."})
        editing.create_statement(session, user, data)
        page = client.get("/?view=chart&as_of=2025-03-01")
        assert page.status_code == 200 and "Austria" in page.text
        assert id(run) not in _tracked_ids()  # still alive (kept), but frozen: no collection scans it
    assert not heap.started() and gc.get_freeze_count() == 0  # shutdown unfreezes


def test_settle_does_nothing_unless_started(unfrozen):
    assert heap.settle(1) is None and gc.get_freeze_count() == 0


def test_cyclic_garbage_is_collected_before_freezing_and_the_frozen_kind_is_bounded(unfrozen, monkeypatch):
    heap.start()
    dead = _Node()
    dead.other = dead
    dead_ref = weakref.ref(dead)
    del dead  # unreachable before the freeze: the collection that precedes it frees it
    busy = _Node()
    busy.other = busy
    busy_ref = weakref.ref(busy)  # still in use (a request on another thread) when the heap is frozen
    assert heap.settle(1) == "freeze"
    assert dead_ref() is None and busy_ref() is not None
    assert heap.settle(1) is None  # once per version
    del busy  # garbage now, but frozen: the collector does not see it
    gc.collect()
    assert busy_ref() is not None
    assert heap.settle(2) == "freeze" and busy_ref() is not None
    monkeypatch.setattr(heap, "MIN_FROZEN", 0)
    monkeypatch.setattr(heap, "FREEZE_GROWTH", 0)  # the bound reached: unfreeze, collect everything, freeze
    assert heap.settle(3) == "full"
    assert busy_ref() is None and gc.get_freeze_count() > 0
