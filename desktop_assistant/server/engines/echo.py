"""The echo engine: a diagnostic that says back what it understood.

Text turns are repeated ("You said: ..."); speech turns are measured ("I heard 2.4 seconds of
speech."), images counted, tool results read out. A text turn of the form ``call NAME {json}``
calls the declared function ``NAME`` with those arguments, which makes the tool paths testable
without a script.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator

from desktop_assistant.server.engines.base import (
    AudioOut,
    Engine,
    EngineRequest,
    EngineSession,
    FunctionCall,
    InputTranscript,
    OutputItem,
    SessionConfig,
    TextDelta,
    ToolCalls,
    ToolResults,
    UserTurn,
)
from desktop_assistant.server.speech import SpeechSynthesizer
from desktop_assistant.server.wire import JsonObject

_CALL = re.compile(r"^\s*call\s+(?P<name>[\w.-]+)\s*(?P<args>\{.*\})?\s*$", re.DOTALL)


def describe_turn(turn: UserTurn) -> list[str]:
    """What the echo engine says about a user turn, sentence by sentence."""
    sentences: list[str] = []
    if turn.audio:
        seconds = turn.speech_s if turn.speech_s is not None else turn.audio_s
        sentences.append(f"I heard {seconds:.1f} seconds of speech.")
    if turn.text:
        sentences.append(f"You said: {turn.text}")
    if turn.images:
        count = len(turn.images)
        sentences.append(f"I saw {count} image{'s' if count != 1 else ''}.")
    return sentences or ["I heard nothing."]


def describe_results(results: ToolResults) -> list[str]:
    return [
        f"The tool {r.name or r.id} answered {json.dumps(r.response, sort_keys=True)}."
        for r in results.results
    ]


def requested_call(text: str, config: SessionConfig, call_id: str) -> FunctionCall | None:
    """A ``call NAME {args}`` request naming a declared function, if ``text`` is one."""
    found = _CALL.match(text)
    if not found or found["name"] not in {t.name for t in config.tools}:
        return None
    args: JsonObject = {}
    if found["args"]:
        try:
            parsed = json.loads(found["args"])
        except ValueError:
            return None
        if isinstance(parsed, dict):
            args = parsed
    return FunctionCall(id=call_id, name=found["name"], args=args)


class EchoSession(EngineSession):
    def __init__(self, speech: SpeechSynthesizer) -> None:
        self._speech = speech
        self._calls = 0

    async def respond(self, request: EngineRequest) -> AsyncIterator[OutputItem]:
        config = request.config
        source = request.input
        if isinstance(source, ToolResults):
            sentences = describe_results(source)
        else:
            if source.audio:
                seconds = source.speech_s if source.speech_s is not None else source.audio_s
                yield InputTranscript(f"[{seconds:.1f} seconds of speech]", finished=True)
            self._calls += 1
            call = requested_call(source.text, config, f"echo-call-{self._calls}")
            if call is not None:
                yield TextDelta(f"Calling {call.name}.")
                yield ToolCalls((call,))
                sentences = [f"I asked {call.name}."]  # heard only if the call does not block
            else:
                sentences = describe_turn(source)
        for sentence in sentences:
            text = sentence if sentence.endswith(" ") else sentence + " "
            if config.response_modality == "AUDIO":
                pcm = await self._speech.synthesize(sentence, config.voice, config.language_code)
                yield AudioOut(pcm, transcript=text)  # its words go out along with the audio
            else:
                yield TextDelta(text)


class EchoEngine(Engine):
    name = "echo"

    def __init__(self, speech: SpeechSynthesizer | None = None) -> None:
        self._speech = speech or SpeechSynthesizer()

    def open_session(self, config: SessionConfig) -> EngineSession:
        return EchoSession(self._speech)
