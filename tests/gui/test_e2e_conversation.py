"""End to end, through the real app and the local server: talk, barge in, close cleanly."""

from __future__ import annotations

import pytest

from desktop_assistant.core.events import TurnState
from desktop_assistant.ui.transcript import EntryKind
from tests.gui.helpers import wait_until
from tests.gui.live_app import Launch

SENTENCES = (
    "Once upon a time there was a fox.",
    " It lived in a deep forest.",
    " Every evening it told the owls a story.",
    " The story was about the river.",
    " At the end it was about the stars.",
)
LONG = "".join(SENTENCES)
STORY = [{"say": sentence} for sentence in SENTENCES]


def _model_entries(app):  # type: ignore[no-untyped-def]
    return [e for e in app.model.transcript.transcript.entries if e.kind is EntryKind.MODEL]


@pytest.mark.asyncio
async def test_a_typed_turn_streams_partial_then_final_text(launch: Launch) -> None:
    app = await launch([{"steps": STORY}], speed=3.0)
    await app.start_conversation()
    assert app.window.start_button.text() == "Stop"
    assert app.window.status.connection.text() == "Connected"
    await app.say_by_typing("Tell me a story")

    await wait_until(lambda: bool(_model_entries(app)), what="the model to start answering")
    entry = _model_entries(app)[0]
    widget = app.window.conversation.view.entries[-1]
    await wait_until(lambda: 0 < len(entry.text) < len(LONG), what="a partial transcript")
    assert not entry.finished
    assert "<i>" in widget.body.text()  # partial text shows in italics

    await wait_until(lambda: entry.finished, 30.0, "the turn to complete")
    assert entry.text.strip() == LONG
    assert "<i>" not in widget.body.text()
    assert TurnState.MODEL_SPEAKING in app.states
    assert app.states[-1] is TurnState.LISTENING
    assert app.window.status.usage.text().startswith("tokens ")
    assert app.window.status.latency.text().startswith("heard in ")


@pytest.mark.asyncio
async def test_typing_over_the_model_barges_in(launch: Launch) -> None:
    app = await launch(
        [
            {"steps": [*STORY, {"hold": True}]},
            {"steps": [{"say": "Okay, I stop."}]},
        ],
        speed=1.0,
    )
    await app.start_conversation()
    await app.say_by_typing("Tell me a story")
    await wait_until(
        lambda: app.model.turns.state is TurnState.MODEL_SPEAKING, what="the model to speak"
    )
    await app.say_by_typing("Stop, please")
    await wait_until(lambda: app.model.turns.interruptions == 1, what="the barge-in")
    cut = _model_entries(app)[0]
    assert cut.interrupted
    assert TurnState.INTERRUPTED in app.states
    assert "cut" in app.window.conversation.view.entries[1].header.text()
    assert "interrupted 1×" in app.window.turns.counts.text()  # noqa: RUF001
    await wait_until(lambda: len(_model_entries(app)) == 2, what="the answer after the cut")
    answer = _model_entries(app)[1]
    await wait_until(lambda: answer.finished, what="the answer to complete")
    assert answer.text.strip() == "Okay, I stop."
    assert not answer.interrupted


@pytest.mark.asyncio
async def test_closing_the_window_stops_everything_cleanly(launch: Launch) -> None:
    app = await launch([{"steps": [*STORY, {"hold": True}]}], speed=1.0)
    await app.start_conversation()
    await app.say_by_typing("Talk to me")
    await wait_until(lambda: app.model.turns.state is TurnState.MODEL_SPEAKING)
    assert await app.close() == 0
    assert not app.window.isVisible()
    conversation = app.gui.composition.conversation
    assert not conversation.running
    assert conversation.assistant is None
    assert app.model.tasks.pending == 0
    server = app.server
    assert server is not None
    await server.stats.wait_for(lambda: server.stats.connections_active == 0)
    assert all(c.closed for c in server.stats.connections)
