"""Engines by name, as ``--engine`` and ``ServerOptions.engine`` give them.

``echo`` and ``script:FILE`` ship here; other engines register a factory in
:data:`ENGINE_FACTORIES` (the factory gets the text after ``name:``, or ``""``) and are imported
only when asked for, so the server starts without their dependencies.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from desktop_assistant.server.engines.base import Engine
from desktop_assistant.server.speech import SpeechSynthesizer


class EngineSpecError(ValueError):
    """An engine name the server does not know, or a bad argument for it."""


def _echo(arg: str, speech: SpeechSynthesizer) -> Engine:
    from desktop_assistant.server.engines.echo import EchoEngine

    if arg:
        raise EngineSpecError("the echo engine takes no argument")
    return EchoEngine(speech)


def _script(arg: str, speech: SpeechSynthesizer) -> Engine:
    from desktop_assistant.server.engines.script import ScriptEngine, ScriptError

    if not arg:
        raise EngineSpecError("the script engine needs a file: script:PATH")
    try:
        return ScriptEngine.from_file(Path(arg), speech)
    except ScriptError as exc:
        raise EngineSpecError(str(exc)) from exc


def _offline(arg: str, speech: SpeechSynthesizer) -> Engine:
    # Imports nothing heavy: the models load in the background when the engine starts.
    from desktop_assistant.server.engines.offline.engine import OfflineEngine

    if arg:
        raise EngineSpecError("the offline engine takes no argument")
    return OfflineEngine()


ENGINE_FACTORIES: dict[str, Callable[[str, SpeechSynthesizer], Engine]] = {
    "echo": _echo,
    "script": _script,
    "offline": _offline,
}


def create_engine(spec: str, speech: SpeechSynthesizer) -> Engine:
    """The engine ``spec`` names (``echo``, ``script:FILE``, ...).

    Raises:
        EngineSpecError: with a message for the person who typed ``spec``.
    """
    name, _, arg = spec.partition(":")
    factory = ENGINE_FACTORIES.get(name.strip())
    if factory is None:
        known = ", ".join(sorted(ENGINE_FACTORIES))
        raise EngineSpecError(f"unknown engine {name!r} (known: {known})")
    return factory(arg, speech)
