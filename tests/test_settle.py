"""The server hands its long-lived objects to the collector's permanent generation (ui/bootstrap.settle)."""

from __future__ import annotations

import gc
import sys
import types

import pytest

from ui import bootstrap


def test_settle_freezes_only_after_runs_that_loaded_modules(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bootstrap, "_modules_settled", 0)
    try:
        bootstrap.settle()
        frozen = gc.get_freeze_count()
        assert frozen > 0, "the first run's objects (the modules') are frozen"
        kept = [object() for _ in range(10)], {"a": []}  # a visitor's objects, tracked by the collector
        bootstrap.settle()
        assert gc.get_freeze_count() == frozen, "no module loaded since: nothing more is frozen"
        monkeypatch.setitem(sys.modules, "_settle_probe", types.ModuleType("_settle_probe"))
        bootstrap.settle()
        assert gc.get_freeze_count() > frozen, "a run that loaded a module freezes again"
        del kept
    finally:
        gc.unfreeze()
