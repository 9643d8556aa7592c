"""A pytest plugin that makes Qt impossible to import, to prove the core works without it.

    python -m pytest -p no:pytest-qt -p tests.support.without_qt tests/unit/core

Any import of PySide6, shiboken6 or qasync raises ImportError, exactly as if they were not
installed.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from collections.abc import Sequence
from types import ModuleType

BLOCKED = ("PySide6", "shiboken6", "qasync")


class _QtBlocker(importlib.abc.MetaPathFinder):
    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname.split(".")[0] in BLOCKED:
            raise ImportError(f"{fullname} is blocked: this run proves the code works without Qt")
        return None


def pytest_configure() -> None:
    leaked = [name for name in sys.modules if name.split(".")[0] in BLOCKED]
    assert not leaked, f"Qt was imported before the blocker: {leaked}"
    sys.meta_path.insert(0, _QtBlocker())
