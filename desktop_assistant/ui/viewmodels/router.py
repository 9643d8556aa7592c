"""One subscription to the controller, fanned out to the view-models by event type.

Events arrive on the loop thread (which is the Qt thread), so handlers run synchronously and
may touch Qt directly. A handler that raises is logged and the others still run: one bad event
must never take the window down.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any, TypeVar

from desktop_assistant.ui.controllers import ConversationController

_log = logging.getLogger(__name__)

E = TypeVar("E")


class EventRouter:
    """Dispatch events to handlers registered for their exact type."""

    def __init__(self) -> None:
        self._handlers: defaultdict[type, list[Callable[[Any], None]]] = defaultdict(list)
        self._unsubscribe: Callable[[], None] | None = None

    def on(self, event_type: type[E], handler: Callable[[E], None]) -> None:
        self._handlers[event_type].append(handler)

    def attach(self, controller: ConversationController) -> None:
        self.detach()
        self._unsubscribe = controller.subscribe(self.dispatch)

    def detach(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def dispatch(self, event: object) -> None:
        for handler in self._handlers.get(type(event), ()):
            try:
                handler(event)
            except Exception:
                _log.exception("UI handler failed for %s", type(event).__name__)
