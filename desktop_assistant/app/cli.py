"""The ``desktop-assistant`` command: one entry point, one sub-command per way of running.

Each sub-command owns its own argument parser in its own module and is imported lazily, so that
``desktop-assistant serve`` never loads Qt and ``--self-test`` reports import failures itself.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Sequence

from desktop_assistant import __version__

# sub-command -> (module, one-line help). Each module exposes ``main(argv: list[str]) -> int``.
_COMMANDS: dict[str, tuple[str, str]] = {
    "gui": ("desktop_assistant.app.gui", "open the window (the default)"),
    "serve": ("desktop_assistant.server.cli", "run the local Gemini Live protocol server"),
    "chat": ("desktop_assistant.app.headless", "hold a conversation without a window"),
    "demo": (
        "desktop_assistant.app.demo",
        "a short spoken exchange with the local server, saved as WAV",
    ),
    "self-test": (
        "desktop_assistant.app.self_test",
        "check that everything this install needs loads",
    ),
}

_USAGE = "usage: desktop-assistant [--version] [--self-test] [COMMAND] [ARGS...]"


def _help() -> str:
    lines = [_USAGE, "", "commands:"]
    lines += [f"  {name:<10} {text}" for name, (_, text) in _COMMANDS.items()]
    lines += ["", "Run 'desktop-assistant COMMAND --help' for a command's options."]
    return "\n".join(lines)


def _resolve(argv: Sequence[str]) -> tuple[str, list[str]]:
    """Pick the sub-command; ``--self-test`` is accepted as a flag because installers call it so."""
    args = list(argv)
    if "--self-test" in args:
        args.remove("--self-test")
        return "self-test", args
    if args and args[0] in _COMMANDS:
        return args[0], args[1:]
    return "gui", args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] in (["-h"], ["--help"]):
        print(_help())
        return 0
    if args[:1] == ["--version"]:
        print(f"desktop-assistant {__version__}")
        return 0
    command, rest = _resolve(args)
    module_name, _ = _COMMANDS[command]
    module = importlib.import_module(module_name)
    entry: Callable[[list[str]], int] = module.main
    return entry(rest)
