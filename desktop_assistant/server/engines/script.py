"""The script engine: a JSON file says, turn by turn, what the model does.

Format (every key optional unless noted)::

    {
      "chunk_ms": 40,                  # audio frame length for every turn (20-100)
      "pace": 1.0,                     # speed relative to real time for every turn
      "after_last": "repeat_last",     # past the last turn: "repeat_last" | "echo" | "silent"
      "transcript": "words",           # how spoken text is transcribed: "words" | "whole"
      "turns": [                       # required; one entry per user turn, in order
        "Hello!",                      # shorthand for {"steps": [{"say": "Hello!"}]}
        {
          "input_transcription": ["What is", " the weather?"],  # fragments; the last is final
          "chunk_ms": 20, "pace": 2.0, "transcript": "whole",  # this turn only
          "steps": [
            {"say": "Let me check."},                  # text and speech (espeak-ng)
            {"say": "Sure.", "transcript": "whole"},   # this step only
            {"text": "(thinking)"},                    # text only, no audio
            {"tone": {"hz": 440, "seconds": 0.5}},     # a tone, no text
            {"pause_s": 0.3},                          # silence (shortened by the speed factor)
            {"tool_call": {"name": "get_weather", "args": {"city": "Paris"}, "id": "fc-1",
                           "on_result": [{"say": "It is {result} there."}]}},
            {"say": "Anything else, {user_text}?"},
            {"hold": true}                             # keep talking time open until barge-in
          ]
        }
      ]
    }

``input_transcription`` fragments are sent as written; a single string is cut into words, each
word a fragment, as the service transcribes speech.

The text of a ``say`` goes out as ``outputTranscription`` fragments, a word at a time, spread over
the audio that speaks it (``"words"``, the default, as the service does), or as one fragment before
its audio (``"whole"``). ``text`` steps are always one fragment.

After a call to a blocking function the turn waits for the client's answer; the steps after the
call run when it arrives (or ``on_result``, when given). A non-blocking call lets the steps after
it run at once, and ``on_result`` runs when the answer comes back.

Placeholders in ``say``/``text``: ``{turn}`` (1-based), ``{user_text}``, ``{previous_user_text}``,
``{history_len}``, ``{system_instruction}``, and ``{result}`` (the JSON of the tool results, in ``on_result`` or after a call).
"""

from __future__ import annotations

import json
import math
import string
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

from desktop_assistant.server.engines.base import (
    OUTPUT_SAMPLE_RATE,
    AudioOut,
    Engine,
    EngineRequest,
    EngineSession,
    FunctionCall,
    InputTranscript,
    OutputItem,
    Pause,
    SessionConfig,
    TextDelta,
    ToolCalls,
    ToolResults,
)
from desktop_assistant.server.engines.echo import describe_turn
from desktop_assistant.server.speech import SpeechSynthesizer
from desktop_assistant.server.transcripts import word_pieces
from desktop_assistant.server.wire import JsonObject

TranscriptMode = Literal["words", "whole"]


class ScriptError(ValueError):
    """The script file is not valid; the message says where."""


@dataclass(frozen=True, slots=True)
class Say:
    text: str
    speak: bool = True
    transcript: TranscriptMode | None = None  # None: the turn's, else the script's, else words


@dataclass(frozen=True, slots=True)
class Tone:
    hz: float
    seconds: float


@dataclass(frozen=True, slots=True)
class Wait:
    seconds: float  # math.inf holds until barge-in


@dataclass(frozen=True, slots=True)
class CallTool:
    name: str
    args: JsonObject
    id: str | None
    on_result: tuple[Step, ...] | None


Step = Say | Tone | Wait | CallTool


@dataclass(frozen=True, slots=True)
class ScriptTurn:
    steps: tuple[Step, ...]
    input_transcription: tuple[str, ...] = ()
    chunk_ms: int | None = None
    pace: float | None = None
    transcript: TranscriptMode | None = None


@dataclass(frozen=True, slots=True)
class Script:
    turns: tuple[ScriptTurn, ...]
    after_last: Literal["repeat_last", "echo", "silent"] = "repeat_last"
    chunk_ms: int | None = None
    pace: float | None = None
    transcript: TranscriptMode | None = None

    @classmethod
    def load(cls, path: Path) -> Script:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ScriptError(f"cannot read script {path}: {exc.strerror}") from exc
        except ValueError as exc:
            raise ScriptError(f"script {path} is not valid JSON: {exc}") from exc
        return cls.from_json(data, str(path))

    @classmethod
    def from_json(cls, data: object, where: str = "script") -> Script:
        if not isinstance(data, dict):
            raise ScriptError(f"{where}: expected an object with 'turns'")
        _known(data, {"turns", "after_last", "chunk_ms", "pace", "transcript"}, where)
        turns = data.get("turns")
        if not isinstance(turns, list) or not turns:
            raise ScriptError(f"{where}: 'turns' must be a non-empty list")
        after_last = data.get("after_last", "repeat_last")
        if after_last not in ("repeat_last", "echo", "silent"):
            raise ScriptError(f"{where}: 'after_last' must be repeat_last, echo or silent")
        return cls(
            turns=tuple(_turn(t, f"{where}: turns[{i}]") for i, t in enumerate(turns)),
            after_last=after_last,
            chunk_ms=_chunk_ms(data, where),
            pace=_pace(data, where),
            transcript=_transcript(data, where),
        )


def _known(obj: Mapping[str, object], names: set[str], where: str) -> None:
    unknown = sorted(set(obj) - names)
    if unknown:
        raise ScriptError(
            f"{where}: unknown key {unknown[0]!r} (known: {', '.join(sorted(names))})"
        )


def _number(obj: Mapping[str, object], key: str, where: str) -> float | None:
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ScriptError(f"{where}: {key!r} must be a non-negative number")
    return float(value)


def _chunk_ms(obj: Mapping[str, object], where: str) -> int | None:
    value = _number(obj, "chunk_ms", where)
    if value is not None and not 20 <= value <= 100:
        raise ScriptError(f"{where}: 'chunk_ms' must be between 20 and 100")
    return None if value is None else int(value)


def _pace(obj: Mapping[str, object], where: str) -> float | None:
    value = _number(obj, "pace", where)
    if value is not None and value <= 0:
        raise ScriptError(f"{where}: 'pace' must be positive")
    return value


def _transcript(obj: Mapping[str, object], where: str) -> TranscriptMode | None:
    value = obj.get("transcript")
    if value is None:
        return None
    if value == "words":
        return "words"
    if value == "whole":
        return "whole"
    raise ScriptError(f"{where}: 'transcript' must be words or whole")


def _turn(raw: object, where: str) -> ScriptTurn:
    if isinstance(raw, str):
        return ScriptTurn(steps=(Say(raw),))
    if not isinstance(raw, dict):
        raise ScriptError(f"{where}: expected a string or an object")
    _known(raw, {"steps", "say", "input_transcription", "chunk_ms", "pace", "transcript"}, where)
    steps_raw = raw.get("steps", [])
    if "say" in raw:
        steps_raw = [{"say": raw["say"]}, *steps_raw] if isinstance(steps_raw, list) else steps_raw
    fragments = raw.get("input_transcription", [])
    if isinstance(fragments, str):
        fragments = word_pieces(fragments)
    if not isinstance(fragments, list) or not all(isinstance(f, str) for f in fragments):
        raise ScriptError(f"{where}: 'input_transcription' must be a string or a list of strings")
    return ScriptTurn(
        steps=_steps(steps_raw, where),
        input_transcription=tuple(fragments),
        chunk_ms=_chunk_ms(raw, where),
        pace=_pace(raw, where),
        transcript=_transcript(raw, where),
    )


def _steps(raw: object, where: str) -> tuple[Step, ...]:
    if not isinstance(raw, list):
        raise ScriptError(f"{where}: 'steps' must be a list")
    return tuple(_step(s, f"{where}.steps[{i}]") for i, s in enumerate(raw))


def _step(raw: object, where: str) -> Step:
    transcript: TranscriptMode | None = None
    if isinstance(raw, dict) and "say" in raw and "transcript" in raw:
        transcript = _transcript(raw, where)
        raw = {k: v for k, v in raw.items() if k != "transcript"}
    if not isinstance(raw, dict) or len(raw) != 1:
        raise ScriptError(
            f"{where}: a step is an object with exactly one key (a 'say' may add 'transcript')"
        )
    ((kind, value),) = raw.items()
    if kind in ("say", "text"):
        if not isinstance(value, str):
            raise ScriptError(f"{where}: {kind!r} takes a string")
        return Say(value, speak=kind == "say", transcript=transcript)
    if kind == "pause_s":
        seconds = _number(raw, "pause_s", where)
        return Wait(seconds or 0.0)
    if kind == "hold":
        if value is not True:
            raise ScriptError(f"{where}: 'hold' takes true")
        return Wait(math.inf)
    if kind == "tone":
        if not isinstance(value, dict):
            raise ScriptError(f"{where}: 'tone' takes {{'hz': ..., 'seconds': ...}}")
        _known(value, {"hz", "seconds"}, where)
        return Tone(_number(value, "hz", where) or 440.0, _number(value, "seconds", where) or 0.5)
    if kind == "tool_call":
        if not isinstance(value, dict) or not isinstance(value.get("name"), str):
            raise ScriptError(f"{where}: 'tool_call' needs a 'name'")
        _known(value, {"name", "args", "id", "on_result"}, where)
        args = value.get("args", {})
        if not isinstance(args, dict):
            raise ScriptError(f"{where}: 'args' must be an object")
        call_id = value.get("id")
        if call_id is not None and not isinstance(call_id, str):
            raise ScriptError(f"{where}: 'id' must be a string")
        on_result = value.get("on_result")
        return CallTool(
            name=value["name"],
            args=args,
            id=call_id,
            on_result=None if on_result is None else _steps(on_result, f"{where}.on_result"),
        )
    raise ScriptError(f"{where}: unknown step {kind!r} (say, text, tone, pause_s, tool_call, hold)")


class _Placeholders(dict[str, str]):
    def __missing__(self, key: str) -> str:  # unknown placeholders stay as written
        return "{" + key + "}"


def tone(hz: float, seconds: float) -> bytes:
    t = np.arange(int(seconds * OUTPUT_SAMPLE_RATE)) / OUTPUT_SAMPLE_RATE
    return (0.3 * 32767 * np.sin(2 * np.pi * hz * t)).astype("<i2").tobytes()


@dataclass
class _Continuation:
    turn: ScriptTurn
    steps: tuple[Step, ...]
    values: _Placeholders = field(default_factory=_Placeholders)


class ScriptSession(EngineSession):
    def __init__(self, script: Script, speech: SpeechSynthesizer) -> None:
        self._script = script
        self._speech = speech
        self._waiting: dict[str, _Continuation] = {}  # call id -> what runs when it is answered
        self._calls = 0

    def _turn_for(self, index: int) -> ScriptTurn | None:
        turns = self._script.turns
        if index < len(turns):
            return turns[index]
        if self._script.after_last == "repeat_last":
            return turns[-1]
        return None

    async def respond(self, request: EngineRequest) -> AsyncIterator[OutputItem]:
        source = request.input
        if isinstance(source, ToolResults):
            async for item in self._continue(request, source):
                yield item
            return
        turn = self._turn_for(request.turn_index)
        values = _Placeholders(
            turn=str(request.turn_index + 1),
            user_text=source.text,
            previous_user_text=next(
                (m.text for m in reversed(request.history) if m.role == "user" and m.text), ""
            ),
            history_len=str(len(request.history)),
            system_instruction=request.config.system_instruction,
        )
        if turn is None:
            if self._script.after_last == "echo":
                turn = ScriptTurn(steps=tuple(Say(s) for s in describe_turn(source)))
            else:
                return
        for index, fragment in enumerate(turn.input_transcription):
            yield InputTranscript(fragment, finished=index == len(turn.input_transcription) - 1)
        async for item in self._run(request, turn, turn.steps, values):
            yield item

    async def _continue(
        self, request: EngineRequest, results: ToolResults
    ) -> AsyncIterator[OutputItem]:
        for result in results.results:
            continuation = self._waiting.pop(result.id, None)
            if continuation is None:
                continue
            values = _Placeholders(continuation.values)
            values["result"] = json.dumps(result.response, sort_keys=True)
            async for item in self._run(request, continuation.turn, continuation.steps, values):
                yield item

    async def _run(
        self,
        request: EngineRequest,
        turn: ScriptTurn,
        steps: Sequence[Step],
        values: _Placeholders,
    ) -> AsyncIterator[OutputItem]:
        config = request.config
        chunk_ms = turn.chunk_ms or self._script.chunk_ms
        pace = turn.pace or self._script.pace
        blocking = {t.name for t in config.tools if not t.non_blocking}
        for index, step in enumerate(steps):
            if isinstance(step, Say):
                text = string.Formatter().vformat(step.text, (), values)
                if not step.speak or config.response_modality != "AUDIO":
                    yield TextDelta(text)
                    continue
                mode = step.transcript or turn.transcript or self._script.transcript or "words"
                if mode == "whole":
                    yield TextDelta(text)  # one fragment, ahead of the audio
                pcm = await self._speech.synthesize(text, config.voice, config.language_code)
                spoken = text if mode == "words" else ""
                yield AudioOut(pcm, chunk_ms=chunk_ms, pace=pace, transcript=spoken)
            elif isinstance(step, Tone):
                if config.response_modality == "AUDIO":
                    yield AudioOut(tone(step.hz, step.seconds), chunk_ms=chunk_ms, pace=pace)
            elif isinstance(step, Wait):
                yield Pause(step.seconds)
            else:
                self._calls += 1
                call = FunctionCall(step.id or f"script-call-{self._calls}", step.name, step.args)
                is_blocking = step.name in blocking or step.name not in {
                    t.name for t in config.tools
                }
                rest = steps[index + 1 :]
                if step.on_result is not None:
                    self._waiting[call.id] = _Continuation(turn, step.on_result, values)
                elif is_blocking:
                    self._waiting[call.id] = _Continuation(turn, tuple(rest), values)
                yield ToolCalls((call,))
                if is_blocking:
                    return  # the session stops here and comes back with the results


class ScriptEngine(Engine):
    name = "script"

    def __init__(self, script: Script, speech: SpeechSynthesizer | None = None) -> None:
        self.script = script
        self._speech = speech or SpeechSynthesizer()

    @classmethod
    def from_file(cls, path: Path, speech: SpeechSynthesizer | None = None) -> ScriptEngine:
        return cls(Script.load(path), speech)

    def open_session(self, config: SessionConfig) -> EngineSession:
        return ScriptSession(self.script, self._speech)
