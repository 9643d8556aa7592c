"""By voice, through real PortAudio streams on the virtual PulseAudio server: the user's words
stream in, the model speaks through the speaker, and speaking over it cuts it where it was."""

from __future__ import annotations

import asyncio
import wave

import pytest
from PySide6.QtCore import Qt

from desktop_assistant.core.events import TurnState
from desktop_assistant.ui.theme import colors
from desktop_assistant.ui.transcript import EntryKind
from tests.gui.helpers import wait_signal, wait_until
from tests.gui.live_app import Launch, LiveApp
from tests.support.fixtures import speech
from tests.support.pulse import VirtualAudio

pytestmark = pytest.mark.audio

STORY = [
    {"say": "Berlin is sunny today."},
    {"say": " The wind comes from the west."},
    {"say": " In the evening clouds will come."},
    {"say": " Tomorrow it will rain in the morning."},
    {"say": " The weekend looks warm and dry."},
]


async def _feed(audio: VirtualAudio, name: str) -> None:
    """Speak into the virtual microphone; the loop keeps running (a blocking wait would starve
    the app's capture and drop the very speech the test is about)."""
    with wave.open(str(speech(name).path), "rb") as w:
        pcm = w.readframes(w.getnframes())
        rate = w.getframerate()
    process = audio.feed_microphone(pcm, rate)
    await wait_until(lambda: process.poll() is not None, 30.0, f"{name} to be spoken")
    assert process.returncode == 0


def _entries(app: LiveApp, kind: EntryKind) -> list:  # type: ignore[type-arg]
    return [e for e in app.model.transcript.transcript.entries if e.kind is kind]


@pytest.mark.asyncio
async def test_speaking_streams_in_and_barging_in_greys_the_unheard_tail(
    launch: Launch, virtual_audio: VirtualAudio
) -> None:
    app = await launch(
        [
            {
                "input_transcription": ["What is the weather", " like in Berlin today?"],
                "steps": [*STORY, {"hold": True}],
            },
            {"input_transcription": ["Wait, stop."], "steps": [{"say": "Paris, then."}]},
        ],
        speed=2.0,  # audio arrives twice as fast as it plays: playback runs behind the text
        audio=True,
    )
    media = app.model.media
    await wait_until(lambda: media.mic_available, what="a microphone")
    mics = [app.window.media.mic.itemText(i) for i in range(app.window.media.mic.count())]
    assert any("VirtualMic" in name for name in mics), mics
    await app.start_conversation()

    loud = wait_signal(media.levels_updated, 10.0, check=lambda mic, _spk: mic > 0.2)
    feeding = asyncio.ensure_future(_feed(virtual_audio, "en_weather"))
    await loud  # the meter showed the voice that was sent
    await feeding
    await wait_until(lambda: bool(_entries(app, EntryKind.USER)), 20.0, "the user's words")
    user = _entries(app, EntryKind.USER)[0]
    await wait_until(lambda: user.finished, 20.0, "the user's words to firm up")
    assert user.text == "What is the weather like in Berlin today?"
    assert TurnState.USER_SPEAKING in app.states

    await wait_until(
        lambda: app.model.turns.state is TurnState.MODEL_SPEAKING, 20.0, "the model to speak"
    )
    playing = wait_signal(media.levels_updated, 10.0, check=lambda _mic, spk: spk > 0.2)
    await playing  # the speaker meter: the model's voice is being played
    await wait_until(
        lambda: len(_entries(app, EntryKind.MODEL)[0].text) > 60, 20.0, "more of the answer"
    )
    await _feed(virtual_audio, "en_interrupt")
    await wait_until(lambda: app.model.turns.interruptions == 1, 20.0, "the barge-in")
    cut = _entries(app, EntryKind.MODEL)[0]
    await wait_until(lambda: cut.heard_chars is not None, 10.0, "the playback report")
    assert cut.interrupted
    assert 0 < len(cut.heard_text) < len(cut.text)  # heard some, not all
    widget = app.window.conversation.view.entries[1]
    assert f'<span style="color:{colors().muted}">' in widget.body.text()
    assert cut.unheard_text.strip()[:20] in widget.body.text()
    assert TurnState.INTERRUPTED in app.states
    await wait_until(lambda: len(_entries(app, EntryKind.MODEL)) == 2, 30.0, "the next answer")


@pytest.mark.asyncio
async def test_push_to_talk_sends_what_is_said_while_the_key_is_held(
    launch: Launch, virtual_audio: VirtualAudio
) -> None:
    app = await launch(
        None,  # the echo engine says how much speech it heard
        speed=4.0,
        audio=True,
        settings={"activity_detection": {"automatic": False}},
    )
    await wait_until(lambda: app.model.media.mic_available, what="a microphone")
    await app.start_conversation()
    window = app.window
    assert window.ptt_button.isEnabled()
    assert "F9" in window.ptt_button.toolTip()

    app.qtbot.keyPress(window.conversation.view, Qt.Key.Key_F9)
    await wait_until(lambda: app.model.session.talking, what="push-to-talk to be held")
    assert window.ptt_button.text() == "Talking…"
    await _feed(virtual_audio, "en_time")
    app.qtbot.keyRelease(window.conversation.view, Qt.Key.Key_F9)
    await wait_until(lambda: not app.model.session.talking, what="push-to-talk to be released")

    await wait_until(
        lambda: any(
            e.finished and e.text.startswith("I heard") for e in _entries(app, EntryKind.MODEL)
        ),
        30.0,
        "the answer to the held turn",
    )
    answer = next(e for e in _entries(app, EntryKind.MODEL) if e.text.startswith("I heard"))
    seconds = float(answer.text.split()[2])
    assert seconds > 1.0  # the spoken question, not a click's worth of audio
