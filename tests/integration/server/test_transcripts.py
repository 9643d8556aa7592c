"""Transcripts as a caption shows them: small fragments that grow along with the speech."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from google.genai import types

from desktop_assistant.server import LocalLiveServer, ServerOptions
from tests.integration.server.live import WAIT_S, Turn, live, receive_turn

pytestmark = pytest.mark.asyncio

LONG = (
    "Once upon a time there was a small lighthouse on a rocky island, "
    "and every night its keeper climbed the stairs to light the lamp."
)


def fragments(turn: Turn) -> list[str]:
    return [c.output_transcription.text or "" for c in turn.content() if c.output_transcription]


def captions_at_each_audio_chunk(turn: Turn) -> list[str]:
    """What a caption built from the fragments shows when each audio chunk arrives."""
    shown, caption = [], ""
    for message in turn.messages:
        content = message.server_content
        if content and content.output_transcription:
            caption += content.output_transcription.text or ""
        if message.data:
            shown.append(caption)
    return shown


def index_of_last(turn: Turn, found: Any) -> int:
    return max(i for i, m in enumerate(turn.messages) if found(m))


async def scripted(tmp_path: Path, turns: list[Any], speed: float = 50.0) -> LocalLiveServer:
    path = tmp_path / "script.json"
    path.write_text(json.dumps({"turns": turns}))
    return LocalLiveServer(ServerOptions(engine=f"script:{path}", speed=speed))


async def test_the_caption_grows_word_by_word_with_the_speech(server: LocalLiveServer) -> None:
    async with live(server) as session:
        await session.send_realtime_input(text="the weather in Paris is sunny today")
        turn = await receive_turn(session)
    said = "You said: the weather in Paris is sunny today "
    parts = fragments(turn)
    assert "".join(parts) == said  # nothing lost, nothing doubled, spaces included
    assert len(parts) >= 5  # a word or so at a time, not one fragment per sentence
    shown = captions_at_each_audio_chunk(turn)
    # The caption firms up while the audio plays: partial at some chunks, complete before the end.
    assert shown[0].startswith("You")
    assert any(0 < len(caption) < len(said) for caption in shown)
    assert all(said.startswith(caption) for caption in shown)
    last_fragment = index_of_last(
        turn, lambda m: m.server_content and m.server_content.output_transcription
    )
    assert last_fragment < index_of_last(turn, lambda m: m.data)
    assert last_fragment < index_of_last(
        turn, lambda m: m.server_content and m.server_content.turn_complete
    )


async def test_each_sentence_is_spread_over_its_own_audio(server: LocalLiveServer) -> None:
    """Echo's second sentence ("I saw 1 image.") starts only once the first one is spoken."""
    async with live(server) as session:
        jpeg = b"\xff\xd8\xff\xd9"
        await session.send_realtime_input(video=types.Blob(data=jpeg, mime_type="image/jpeg"))
        await session.send_realtime_input(text="a picture")
        turn = await receive_turn(session)
    said = "You said: a picture I saw 1 image. "
    assert "".join(fragments(turn)) == said
    shown = captions_at_each_audio_chunk(turn)
    first_sentence = "You said: a picture "
    assert first_sentence in shown  # some audio of the first sentence plays with it complete...
    assert shown.index(first_sentence) > 0  # ...after chunks that showed only part of it


async def test_script_words_whole_steps_and_input_fragments(tmp_path: Path) -> None:
    turn_script = {
        "input_transcription": "What is the weather like?",
        "steps": [
            {"say": "It is sunny in Paris today."},
            {"say": "Anything else?", "transcript": "whole"},
        ],
    }
    async with await scripted(tmp_path, [turn_script]) as server, live(server) as session:
        await session.send_realtime_input(text="weather")
        turn = await receive_turn(session)
    heard = [c.input_transcription for c in turn.content() if c.input_transcription]
    assert [t.text for t in heard] == ["What", " is", " the", " weather", " like?"]
    assert [bool(t.finished) for t in heard] == [False] * 4 + [True]
    parts = fragments(turn)
    assert "".join(parts) == "It is sunny in Paris today.Anything else?"
    assert parts[-1] == "Anything else?"  # the "whole" step: one fragment...
    whole_at = next(
        i
        for i, m in enumerate(turn.messages)
        if m.server_content
        and m.server_content.output_transcription
        and m.server_content.output_transcription.text == "Anything else?"
    )
    # ...sent ahead of its audio, while the first sentence was cut into words.
    assert any(m.data for m in turn.messages[whole_at + 1 :])
    assert len(parts) >= 7


async def test_barge_in_leaves_the_caption_where_the_speech_stopped(tmp_path: Path) -> None:
    holding = {"steps": [{"say": LONG}, {"hold": True}]}
    async with (
        await scripted(tmp_path, [holding, "Yes?"], speed=1.0) as server,
        live(server) as session,
    ):
        await session.send_realtime_input(text="tell me a story")
        started = Turn()
        async with asyncio.timeout(WAIT_S):
            async for message in session.receive():
                started.messages.append(message)
                if len(fragments(started)) == 3:
                    break
        await session.send_realtime_input(text="stop")  # realtime text barges in
        cut = await receive_turn(session)
        answer = await receive_turn(session)
    caption = "".join(fragments(started) + fragments(cut))
    assert cut.has("interrupted")
    assert LONG.startswith(caption)
    assert len(caption) < len(LONG)  # the rest of the story was never said, nor captioned
    assert "".join(fragments(answer)) == "Yes?"
