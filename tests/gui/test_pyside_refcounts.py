"""Guard against a Qt binding that corrupts the interpreter.

PySide6-Essentials 6.12.0 returned ``None`` from wrapped void methods without taking a
reference under CPython 3.11: each call lowered ``None``'s count by one, and after a few minutes of
a conversation the interpreter aborted ("Fatal Python error: none_dealloc"). The project pins a
release without the bug; this test fails if a release with it is installed.
"""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication, QLabel


def test_void_qt_calls_do_not_lose_references_to_none_or_bools(qapp: QApplication) -> None:
    label = QLabel()
    before = (sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False))
    for _ in range(2_000):
        label.setText("x")
        label.update()
        label.setVisible(False)
        qapp.processEvents()
    after = (sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False))
    # A few references may come and go with the objects above; a leak would show thousands.
    assert all(b - a < 100 for b, a in zip(before, after, strict=True)), (before, after)
