"""The echo and script engines, made speculative, for tests of the session's speculation path.

They are the real engines with ``speculative = True`` and a ``discard`` that undoes what their
``respond`` counts (call numbers, calls waiting for results), which a speculative engine must do.
Each session notes what its ``respond`` calls got as far as, so a test can wait until a
speculation has really produced something before the user speaks again.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from desktop_assistant.server.engines.base import (
    EngineRequest,
    EngineSession,
    OutputItem,
    SessionConfig,
    ToolCalls,
)
from desktop_assistant.server.engines.echo import EchoEngine, EchoSession
from desktop_assistant.server.engines.script import Script, ScriptEngine, ScriptSession
from desktop_assistant.server.speech import SpeechSynthesizer


@dataclass
class Progress:
    """What the engine sessions of one engine did, for a test to wait on."""

    started: int = 0  # respond calls that began
    discarded: int = 0
    tool_calls_yielded: int = 0
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def note(self) -> None:
        self.changed.set()

    async def wait_for(self, condition: Callable[[], bool], within_s: float = 10.0) -> None:
        async with asyncio.timeout(within_s):
            while not condition():
                self.changed.clear()
                await self.changed.wait()


class _Noting:
    """Mixin: counts respond calls and tool calls, keeps what discard must restore."""

    progress: Progress

    def _noted(
        self, request: EngineRequest, items: AsyncIterator[OutputItem]
    ) -> AsyncIterator[OutputItem]:
        async def run() -> AsyncIterator[OutputItem]:
            self.progress.started += 1
            self.progress.note()
            try:
                async for item in items:
                    if isinstance(item, ToolCalls):
                        self.progress.tool_calls_yielded += 1
                        self.progress.note()
                    yield item
            finally:
                aclose = getattr(items, "aclose", None)
                if aclose is not None:
                    await aclose()

        return run()


class SpeculativeEchoSession(_Noting, EchoSession):
    def __init__(self, engine: SpeculativeEchoEngine) -> None:
        super().__init__(engine.speech)
        self.progress = engine.progress
        self._undo: tuple[EngineRequest, int] | None = None

    def respond(self, request: EngineRequest) -> AsyncIterator[OutputItem]:
        self._undo = (request, self._calls)
        return self._noted(request, super().respond(request))

    def discard(self, request: EngineRequest) -> None:
        if self._undo is not None and self._undo[0] is request:
            self._calls = self._undo[1]
            self.progress.discarded += 1
            self.progress.note()


class SpeculativeEchoEngine(EchoEngine):
    speculative = True

    def __init__(self) -> None:
        super().__init__()
        self.progress = Progress()

    @property
    def speech(self) -> SpeechSynthesizer:
        return self._speech

    def open_session(self, config: SessionConfig) -> EngineSession:
        return SpeculativeEchoSession(self)


class SpeculativeScriptSession(_Noting, ScriptSession):
    def __init__(self, engine: SpeculativeScriptEngine) -> None:
        super().__init__(engine.script, engine.speech)
        self.progress = engine.progress
        self._undo: tuple[EngineRequest, int, dict[str, Any]] | None = None

    def respond(self, request: EngineRequest) -> AsyncIterator[OutputItem]:
        self._undo = (request, self._calls, dict(self._waiting))
        return self._noted(request, super().respond(request))

    def discard(self, request: EngineRequest) -> None:
        if self._undo is not None and self._undo[0] is request:
            _, self._calls, waiting = self._undo
            self._waiting = waiting
            self.progress.discarded += 1
            self.progress.note()


class SpeculativeScriptEngine(ScriptEngine):
    speculative = True

    def __init__(self, script: Script, speech: SpeechSynthesizer | None = None) -> None:
        super().__init__(script, speech)
        self.progress = Progress()

    @property
    def speech(self) -> SpeechSynthesizer:
        return self._speech

    def open_session(self, config: SessionConfig) -> EngineSession:
        return SpeculativeScriptSession(self)
