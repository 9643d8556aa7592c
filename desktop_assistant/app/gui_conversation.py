"""The window's conversation controller: one ``Assistant`` per run, over the chosen backend.

An ``Assistant`` serves one conversation and ends with it, so every Start builds a new one (a new
session, the devices opened afresh) and relays its events to the window's one subscription. A
settings change that needs a new connection restarts it with the transcript so far as history
(what earlier restarts carried included), which the new session tells its first connection.
Failures to start become ``SessionErrored`` events, in plain words: the window shows them in its
banner and stays up. Device errors go into the running assistant's stream (``report``), or
straight to the window while no conversation runs.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

from pydantic import ValidationError

from desktop_assistant.app.gui_backend import BackendUnavailable
from desktop_assistant.config.capabilities import SettingsRefused
from desktop_assistant.core.assistant import Assistant
from desktop_assistant.core.events import ErrorAction, SessionErrored
from desktop_assistant.core.observers import EventHub
from desktop_assistant.core.ports import HistoryTurn
from desktop_assistant.ui.controllers import ConversationEnded, EventListener

log = logging.getLogger(__name__)

AssistantFactory = Callable[[Sequence[HistoryTurn]], Awaitable[Assistant]]


class AssistantConversation:
    """``ui.controllers.ConversationController`` over ``core.Assistant``."""

    def __init__(self, make_assistant: AssistantFactory) -> None:
        self._make = make_assistant
        self._hub: EventHub[object] = EventHub()
        self.assistant: Assistant | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._watch: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()
        self._carried: tuple[HistoryTurn, ...] = ()
        """The history the running assistant was started with (it knows only what followed)."""
        self.muted = False

    @property
    def running(self) -> bool:
        return self.assistant is not None and self.assistant.running

    def subscribe(self, listener: EventListener) -> Callable[[], None]:
        return self._hub.subscribe(listener)

    def publish(self, event: object) -> None:
        """Events from outside the assistant (device errors, for one), into the window.

        Through the running assistant, in order with its own events; straight to the window
        while none runs.
        """
        assistant = self.assistant
        if assistant is not None and assistant.running:
            assistant.report(event)
        else:
            self._hub.publish(event)

    def history(self) -> list[HistoryTurn]:
        """The conversation so far, across restarts, as the user experienced it."""
        spoken = self.assistant.conversation.history() if self.assistant is not None else []
        return [*self._carried, *spoken]

    # ------------------------------------------------------------------------- lifecycle

    async def start(self, history: Sequence[HistoryTurn] = ()) -> None:
        async with self._lock:
            if self.running:
                return
            try:
                assistant = await self._make(history)
            except BackendUnavailable as error:
                self.publish(SessionErrored(str(error), ErrorAction.ASK_FOR_KEY))
                return
            except SettingsRefused as refused:
                self.publish(SessionErrored(str(refused), ErrorAction.STOP))
                return
            except (ValidationError, OSError, ValueError) as error:
                log.warning("the conversation could not be set up", exc_info=True)
                self.publish(
                    SessionErrored(
                        f"The conversation could not be set up: {error}", ErrorAction.STOP
                    )
                )
                return
            self.assistant = assistant
            self._carried = tuple(history)
            self._unsubscribe = assistant.subscribe(self._hub.publish)
            await assistant.start()
            if self.muted:
                await assistant.set_muted(True)
            self._watch = asyncio.get_running_loop().create_task(
                self._watch_session(assistant), name="gui.session-watch"
            )

    async def _watch_session(self, assistant: Assistant) -> None:
        """A session that gives up (no reconnect left, key refused) ends the run by itself."""
        await assistant.wait_session_ended()
        if self.assistant is assistant:
            await self._stop(reason="the session ended")

    async def stop(self) -> None:
        await self._stop(reason="stopped")

    async def _stop(self, *, reason: str) -> None:
        async with self._lock:
            assistant = self.assistant
            if assistant is None:
                return
            self.assistant = None
            watch, self._watch = self._watch, None
            if watch is not None and watch is not asyncio.current_task():
                watch.cancel()
            # Streams first, then the session, then the tasks (Assistant.stop keeps the order).
            await assistant.stop()
            if self._unsubscribe is not None:
                self._unsubscribe()
                self._unsubscribe = None
        self.publish(ConversationEnded(reason))

    async def restart(self) -> None:
        """A new connection with the settings now in force; what was said goes along."""
        if self.assistant is None:
            return
        history = self.history()
        await self.stop()
        await self.start(history)

    # ------------------------------------------------------------------------- intents

    async def set_muted(self, muted: bool) -> None:
        self.muted = muted
        if self.assistant is not None:
            await self.assistant.set_muted(muted)

    async def push_to_talk(self, pressed: bool) -> None:
        if self.assistant is not None:
            await self.assistant.push_to_talk(pressed)

    async def send_text(self, text: str) -> None:
        if self.assistant is not None:
            await self.assistant.send_text(text)

    async def resolve_tool_call(self, call_id: str, approved: bool) -> None:
        if self.assistant is not None:
            await self.assistant.resolve_tool_call(call_id, approved)
