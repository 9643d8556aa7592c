"""The guard against PySide6's lost singleton references, and whether it is still needed."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtWidgets import QLabel

from desktop_assistant.ui import refcount_guard


@pytest.mark.skipif(not refcount_guard.needed(), reason="singletons are immortal from 3.12")
def test_lost_references_are_replaced_before_they_run_out(qapp) -> None:
    guard = refcount_guard.SingletonGuard(reserve=sys.getrefcount(None) + 5_000)
    assert guard.top_up() > 0
    label = QLabel()
    before = sys.getrefcount(None)
    for _ in range(2_000):
        label.setText("x")  # each call costs PySide6 6.12.0 one reference to None
    lost = before - sys.getrefcount(None)
    guard.top_up()
    assert sys.getrefcount(None) >= guard.reserve
    if lost == 0:
        pytest.fail("PySide6 no longer loses references: remove ui/refcount_guard.py")
