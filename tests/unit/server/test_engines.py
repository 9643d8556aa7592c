from __future__ import annotations

import asyncio
import json
import math
from pathlib import Path
from typing import Any

import pytest

from desktop_assistant.server.engines.base import (
    AudioOut,
    EngineRequest,
    FunctionDeclaration,
    FunctionResult,
    Image,
    InputTranscript,
    Message,
    OutputItem,
    Pause,
    SessionConfig,
    TextDelta,
    ToolCalls,
    ToolResults,
    UserTurn,
)
from desktop_assistant.server.engines.echo import EchoEngine, describe_turn
from desktop_assistant.server.engines.registry import EngineSpecError, create_engine
from desktop_assistant.server.engines.script import Script, ScriptEngine, ScriptError
from desktop_assistant.server.speech import SpeechSynthesizer

TONES = SpeechSynthesizer(espeak=None)  # fast and deterministic; espeak has its own tests


def config(**kw: Any) -> SessionConfig:
    return SessionConfig(model="m", **kw)


def collect(session: Any, request: EngineRequest) -> list[OutputItem]:
    async def run() -> list[OutputItem]:
        return [item async for item in session.respond(request)]

    return asyncio.run(run())


def request(
    source: UserTurn | ToolResults, index: int = 0, history: tuple[Message, ...] = (), **kw: Any
) -> EngineRequest:
    return EngineRequest(source, history, index, config(**kw))


def text(items: list[OutputItem]) -> str:
    """What the model says, written (TextDelta) or spoken (the transcript of its AudioOut)."""
    said = [
        i.text if isinstance(i, TextDelta) else i.transcript
        for i in items
        if isinstance(i, TextDelta | AudioOut)
    ]
    return "".join(said).strip()


def test_echo_describes_what_it_got() -> None:
    assert describe_turn(UserTurn(text="hi")) == ["You said: hi"]
    assert describe_turn(UserTurn(audio=b"\0\0" * 16_000, speech_s=0.8)) == [
        "I heard 0.8 seconds of speech."
    ]
    assert describe_turn(UserTurn(audio=b"\0\0" * 8_000)) == ["I heard 0.5 seconds of speech."]
    assert describe_turn(UserTurn(images=(Image("image/jpeg", b""),) * 2)) == ["I saw 2 images."]
    assert describe_turn(UserTurn()) == ["I heard nothing."]


def test_echo_speaks_in_audio_sessions_only() -> None:
    session = EchoEngine(TONES).open_session(config())
    spoken = collect(session, request(UserTurn(text="hello")))
    assert text(spoken) == "You said: hello"
    # The words ride with the audio that speaks them, so they can be streamed along with it.
    assert [(i.transcript, bool(i.pcm)) for i in spoken if isinstance(i, AudioOut)] == [
        ("You said: hello ", True)
    ]
    assert not any(isinstance(i, TextDelta) for i in spoken)
    written = collect(session, request(UserTurn(text="hello"), response_modality="TEXT"))
    assert not any(isinstance(i, AudioOut) for i in written)
    assert text(written) == "You said: hello"
    heard = collect(session, request(UserTurn(audio=b"\0\0" * 16_000, speech_s=1.0)))
    assert heard[0] == InputTranscript("[1.0 seconds of speech]", finished=True)


def test_echo_calls_declared_functions_only() -> None:
    tools = (FunctionDeclaration("get_weather"),)
    session = EchoEngine(TONES).open_session(config(tools=tools))
    items = collect(
        session, request(UserTurn(text='call get_weather {"city": "Oslo"}'), tools=tools)
    )
    (calls,) = [i for i in items if isinstance(i, ToolCalls)]
    assert calls.calls[0].name == "get_weather"
    assert calls.calls[0].args == {"city": "Oslo"}
    undeclared = collect(session, request(UserTurn(text="call launch_rocket"), tools=tools))
    assert not any(isinstance(i, ToolCalls) for i in undeclared)
    answered = collect(
        session, request(ToolResults((FunctionResult("1", "get_weather", {"t": 3}),)), tools=tools)
    )
    assert text(answered) == 'The tool get_weather answered {"t": 3}.'


def script_session(data: dict[str, Any]) -> Any:
    return ScriptEngine(Script.from_json(data), TONES).open_session(config())


def test_script_turns_in_order_with_placeholders_and_repeat() -> None:
    session = script_session(
        {"turns": ["First {turn}.", {"say": "Second, after {previous_user_text}."}]}
    )
    history = (Message("user", "hello"),)
    assert text(collect(session, request(UserTurn(text="a"), 0))) == "First 1."
    assert text(collect(session, request(UserTurn(text="b"), 1, history))) == "Second, after hello."
    assert text(collect(session, request(UserTurn(text="c"), 5, history))) == "Second, after hello."


def test_script_after_last_echo_and_silent() -> None:
    echo = script_session({"turns": ["Only."], "after_last": "echo"})
    assert text(collect(echo, request(UserTurn(text="x"), 1))) == "You said: x"
    silent = script_session({"turns": ["Only."], "after_last": "silent"})
    assert collect(silent, request(UserTurn(text="x"), 1)) == []


def test_script_steps() -> None:
    session = script_session({"chunk_ms": 20, "pace": 2, "turns": [{
        "input_transcription": ["What is", " the weather?"],
        "steps": [{"text": "(thinking)"}, {"pause_s": 0.5}, {"tone": {"hz": 300, "seconds": 0.25}},
                  {"say": "Done."}, {"hold": True}]}]})  # fmt: skip
    items = collect(session, request(UserTurn(text="q")))
    assert items[:2] == [
        InputTranscript("What is"),
        InputTranscript(" the weather?", finished=True),
    ]
    assert items[2] == TextDelta("(thinking)")
    assert items[3] == Pause(0.5)
    tone = items[4]
    assert isinstance(tone, AudioOut)
    assert len(tone.pcm) == 2 * 6000
    assert (tone.chunk_ms, tone.pace) == (20, 2.0)
    done = items[5]
    assert isinstance(done, AudioOut)
    assert (done.transcript, done.chunk_ms, done.pace) == ("Done.", 20, 2.0)
    assert done.pcm
    assert items[-1] == Pause(math.inf)


def test_script_spoken_text_rides_with_its_audio_unless_whole() -> None:
    session = script_session({"turns": [
        {"steps": [{"say": "In words."}, {"say": "At once.", "transcript": "whole"}]},
        {"transcript": "whole", "steps": [{"say": "Turn whole."}, {"say": "Words.", "transcript": "words"}]},
    ]})  # fmt: skip
    first = collect(session, request(UserTurn(text="q"), 0))
    assert [type(i) for i in first] == [AudioOut, TextDelta, AudioOut]
    assert first[0] == AudioOut(first[0].pcm, transcript="In words.")
    # "whole": one fragment ahead of its audio, which then carries no words of its own.
    assert first[1] == TextDelta("At once.")
    assert first[2] == AudioOut(first[2].pcm)
    second = collect(session, request(UserTurn(text="q"), 1))
    assert [(type(i), text([i])) for i in second] == [
        (TextDelta, "Turn whole."),
        (AudioOut, ""),
        (AudioOut, "Words."),
    ]
    whole = script_session({"transcript": "whole", "turns": ["Script whole."]})
    assert [type(i) for i in collect(whole, request(UserTurn(text="q")))] == [TextDelta, AudioOut]
    written = collect(session, request(UserTurn(text="q"), 0, response_modality="TEXT"))
    assert written == [TextDelta("In words."), TextDelta("At once.")]


def test_script_input_transcription_string_comes_word_by_word() -> None:
    session = script_session(
        {"turns": [{"input_transcription": "What is the weather?", "say": "Sun."}]}
    )
    items = collect(session, request(UserTurn(text="q")))
    heard = [i for i in items if isinstance(i, InputTranscript)]
    assert heard == [
        InputTranscript("What"),
        InputTranscript(" is"),
        InputTranscript(" the"),
        InputTranscript(" weather?", finished=True),
    ]


def test_script_blocking_call_continues_after_the_results() -> None:
    tools = (FunctionDeclaration("lookup"),)
    session = script_session({"turns": [{"steps": [
        {"say": "Looking."}, {"tool_call": {"name": "lookup", "args": {"q": 1}, "id": "fc-9"}},
        {"say": "Found {result}."}]}]})  # fmt: skip
    first = collect(session, request(UserTurn(text="q"), tools=tools))
    assert isinstance(first[-1], ToolCalls)
    assert first[-1].calls[0].id == "fc-9"
    assert text(first) == "Looking."
    rest = collect(
        session, request(ToolResults((FunctionResult("fc-9", "lookup", {"v": 2}),)), tools=tools)
    )
    assert text(rest) == 'Found {"v": 2}.'


def test_script_non_blocking_call_keeps_talking_and_reacts_later() -> None:
    tools = (FunctionDeclaration("lookup", non_blocking=True),)
    session = script_session({"turns": [{"steps": [
        {"tool_call": {"name": "lookup", "on_result": [{"text": "Got {result}"}]}},
        {"text": "Meanwhile."}]}]})  # fmt: skip
    items = collect(session, request(UserTurn(text="q"), tools=tools))
    assert isinstance(items[0], ToolCalls)
    assert text(items) == "Meanwhile."
    call_id = items[0].calls[0].id
    later = collect(
        session, request(ToolResults((FunctionResult(call_id, "lookup", {}),)), tools=tools)
    )
    assert text(later) == "Got {}"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "'turns' must be a non-empty list"),
        ({"turns": []}, "non-empty"),
        ({"turns": [{"steps": [{"sing": "la"}]}]}, "unknown step 'sing'"),
        ({"turns": [{"steps": [{"say": 1}]}]}, "'say' takes a string"),
        ({"turns": ["ok"], "chunk_ms": 500}, "between 20 and 100"),
        ({"turns": [{"bogus": 1}]}, "turns[0]: unknown key 'bogus'"),
        ({"turns": [{"steps": [{"tool_call": {}}]}]}, "needs a 'name'"),
        ({"turns": ["ok"], "after_last": "loop"}, "after_last"),
        ({"turns": ["ok"], "transcript": "letters"}, "'transcript' must be words or whole"),
        ({"turns": [{"steps": [{"say": "x", "pace": 1}]}]}, "exactly one key"),
        ({"turns": [{"steps": [{"text": "x", "transcript": "whole"}]}]}, "exactly one key"),
    ],
)
def test_script_errors_say_where(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ScriptError, match=__import__("re").escape(message)):
        Script.from_json(data)


def test_script_files_and_registry(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"turns": ["Hi."]}))
    assert create_engine(f"script:{path}", TONES).name == "script"
    assert create_engine("echo", TONES).name == "echo"
    (tmp_path / "bad.json").write_text("{not json")
    for spec, message in (("nope", "unknown engine"), ("script:", "needs a file"),
                          (f"script:{tmp_path / 'bad.json'}", "not valid JSON"),
                          (f"script:{tmp_path / 'missing.json'}", "cannot read"), ("echo:x", "no argument")):  # fmt: skip
        with pytest.raises(EngineSpecError, match=message):
            create_engine(spec, TONES)
