"""A new session that continues a conversation: its first connection is told what was said.

The script engine answers from the history the server received (``{previous_user_text}``,
``{history_len}``); the recording endpoint shows the exact frames (``clientContent`` turns with
``turnComplete: false``, and ``historyConfig`` for the models that need it). The window's own
path, a settings change that forces a new session, is driven through its real composition.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from desktop_assistant.app.wiring import GuiOptions, compose
from desktop_assistant.config.secrets import EncryptedFileKeyring, SecretStore
from desktop_assistant.config.settings import BackendKind
from desktop_assistant.core.events import (
    ConnectionState,
    ConnectionStateChanged,
    OutputTranscribed,
    Reconnected,
    SessionStarted,
    TurnCompleted,
)
from desktop_assistant.core.ports import HistoryTurn
from desktop_assistant.server import LocalLiveServer, ServerOptions
from tests.integration.session.conftest import WAIT_S, Recorder, local_settings, session_for
from tests.integration.session.recording_endpoint import RecordingEndpoint
from tests.integration.session.test_settings_on_the_wire import recorded_session

pytestmark = pytest.mark.asyncio

EARLIER = (
    HistoryTurn("user", "My name is Ada."),
    HistoryTurn("model", "Nice to meet you, Ada."),
)
RECALL = "You said {previous_user_text} and I know {history_len} messages."


def script_server(tmp_path: Path, **options: object) -> LocalLiveServer:
    path = tmp_path / "recall.json"
    path.write_text(json.dumps({"turns": [RECALL]}), encoding="utf-8")
    return LocalLiveServer(
        ServerOptions(engine=f"script:{path}", speed=50.0, espeak=None, **options)  # type: ignore[arg-type]
    )


def answers(rec: Recorder) -> list[str]:
    """The model's answers, one string per completed turn."""
    out, current = [], ""
    for event in rec.events:
        if isinstance(event, OutputTranscribed):
            current += event.text
        elif isinstance(event, TurnCompleted):
            out.append(current.strip())
            current = ""
    return out


async def test_the_first_connection_of_a_new_session_is_told_the_history(tmp_path: Path) -> None:
    async with script_server(tmp_path) as server:
        rec = Recorder(session_for(server, initial_history=EARLIER))
        await rec.session.send_text("What is my name?")
        await rec.wait_for(TurnCompleted)
        assert answers(rec) == ["You said My name is Ada. and I know 2 messages."]
        stats = rec.session.stats
        assert (stats.connects, stats.initial_seeds, stats.reseeds) == (1, 1, 0)
        assert not rec.of(Reconnected)  # a first connection, not a reconnect
        assert not rec.of(SessionStarted)[0].resumed
        await rec.close()


async def test_a_later_reseed_tells_the_history_from_before_the_session_first(
    tmp_path: Path,
) -> None:
    # Short connections without resumption: every handover re-seeds.
    async with script_server(tmp_path, connection_lifetime_s=2.0, goaway_notice_s=1.5) as server:
        settings = local_settings(session_resumption={"enabled": False})
        rec = Recorder(session_for(server, settings, initial_history=EARLIER))
        await rec.session.send_text("Remember the bike.")
        await rec.wait_for(TurnCompleted)
        reconnected = await rec.wait_for(Reconnected)
        assert reconnected.reseeded
        await rec.session.send_text("What did I say?")
        await rec.wait_for(TurnCompleted, 2)
        assert answers(rec)[-1] == "You said Remember the bike. and I know 4 messages."
        await rec.close()


@pytest.mark.parametrize(
    ("model", "needs_config"),
    [
        ("gemini-2.5-flash-native-audio-preview-12-2025", False),
        ("gemini-3.1-flash-live-preview", True),
    ],
)
async def test_history_goes_as_client_content_before_anything_else(
    tmp_path: Path, model: str, needs_config: bool
) -> None:
    async with RecordingEndpoint(tmp_path) as endpoint:
        session = recorded_session(endpoint, local_settings(model=model), initial_history=EARLIER)
        rec = Recorder(session)
        await rec.wait_for(SessionStarted)
        await session.send_text("hello")
        (capture,) = endpoint.captures
        await endpoint.wait(lambda: len(capture.frames) >= 3)
        history_config = capture.setup.get("historyConfig")
        if needs_config:
            # The SDK writes this field in proto's own (snake case) spelling, which proto JSON
            # parsers accept as well as the camel case one.
            assert history_config in (
                {"initialHistoryInClientContent": True},
                {"initial_history_in_client_content": True},
            )
        else:
            assert history_config is None
        first, second = capture.frames[1], capture.frames[2]
        # The SDK spells the message key in snake case on the wire, the fields in camel case.
        seed = first.get("clientContent") or first["client_content"]
        assert seed["turns"] == [
            {"role": "user", "parts": [{"text": "My name is Ada."}]},
            {"role": "model", "parts": [{"text": "Nice to meet you, Ada."}]},
        ]
        assert seed["turnComplete"] is False
        assert "hello" in json.dumps(second)  # the typed turn comes after the history
        await rec.close()


async def test_without_history_nothing_is_seeded(tmp_path: Path) -> None:
    async with RecordingEndpoint(tmp_path) as endpoint:
        session = recorded_session(endpoint, local_settings(), initial_history=())
        rec = Recorder(session)
        await rec.wait_for(SessionStarted)
        await session.send_text("hello")
        (capture,) = endpoint.captures
        await endpoint.wait(lambda: len(capture.frames) >= 2)
        assert "clientContent" not in capture.frames[1]
        assert session.stats.initial_seeds == 0
        await rec.close()


class WindowConversation:
    """The window's controllers (``app.wiring.compose``) without the window, on the local server."""

    def __init__(self, folder: Path, server: LocalLiveServer) -> None:
        secrets = SecretStore(EncryptedFileKeyring(folder / "secrets.enc", passphrase="tests"))
        options = GuiOptions(
            settings_path=folder / "settings.json",
            policy_path=folder / "policy.json",
            backend=BackendKind.LOCAL,
            audio=False,
        )
        self.composition = compose(options, secrets=secrets, local_server=server)
        self.events: list[object] = []
        self._changed = asyncio.Event()
        self.composition.conversation.subscribe(self._on_event)

    def _on_event(self, event: object) -> None:
        self.events.append(event)
        self._changed.set()

    async def wait(self, condition, what: str) -> None:
        try:
            async with asyncio.timeout(WAIT_S):
                while not condition():
                    self._changed.clear()
                    await self._changed.wait()
        except TimeoutError:
            raise AssertionError(f"timed out waiting for {what}") from None

    def live_count(self) -> int:
        return sum(
            1
            for e in self.events
            if isinstance(e, ConnectionStateChanged) and e.state is ConnectionState.LIVE
        )

    async def answer(self, text: str) -> str:
        turns = sum(isinstance(e, TurnCompleted) for e in self.events)
        start = len(self.events)
        await self.composition.conversation.send_text(text)
        await self.wait(
            lambda: sum(isinstance(e, TurnCompleted) for e in self.events) > turns, "an answer"
        )
        return "".join(
            e.text for e in self.events[start:] if isinstance(e, OutputTranscribed)
        ).strip()

    async def change_settings(self, instruction: str) -> None:
        """What "Apply and reconnect" does: a new session with the changed setup."""
        lives = self.live_count()
        settings = self.composition.settings
        await settings.apply(
            settings.current().updated({"system_instruction": instruction}), reconnect=True
        )
        await self.wait(lambda: self.live_count() > lives, "the new session to be live")


async def test_the_window_keeps_the_conversation_when_a_setting_needs_a_new_session(
    tmp_path: Path,
) -> None:
    async with script_server(tmp_path) as server:
        window = WindowConversation(tmp_path, server)
        await window.composition.conversation.start()
        await window.wait(lambda: window.live_count() == 1, "the conversation to be live")
        assert await window.answer("My name is Ada.") == "You said  and I know 0 messages."

        await window.change_settings("Be brief.")
        assert server.stats.sessions_started == 2
        assert not server.stats.connections[-1].resumed  # a new session, not a resumed one
        assert await window.answer("What is my name?") == (
            "You said My name is Ada. and I know 2 messages."
        )

        # A second change carries everything, also what the first new session only heard of.
        await window.change_settings("Be kind.")
        assert await window.answer("And now?") == (
            "You said What is my name? and I know 4 messages."
        )
        await window.composition.aclose()
