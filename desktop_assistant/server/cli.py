"""``desktop-assistant serve``: run the local Live server until Ctrl-C or SIGTERM.

Once it listens it writes one JSON object to ``--ready-file`` (atomically, readable by the owner
only): ``{"base_url": ..., "ca_file": ..., "api_key": ...}``. The key never goes to the logs.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import math
import os
import signal
import sys
import tempfile
from pathlib import Path

from desktop_assistant.server.app import LocalLiveServer, ServerConfigError, ServerOptions
from desktop_assistant.server.engines.registry import EngineSpecError
from desktop_assistant.server.faults import Fault

log = logging.getLogger("desktop_assistant.server")

API_KEY_ENV = "DESKTOP_ASSISTANT_SERVER_API_KEY"


def _fault(text: str) -> Fault:
    try:
        return Fault.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _positive(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be positive")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="desktop-assistant serve",
        description="Run a local, protocol-faithful Gemini Live server (TLS on 127.0.0.1).",
    )
    add = parser.add_argument
    add("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1; anything "
        "else needs the API key, which is always on unless --no-auth)")  # fmt: skip
    add("--port", type=int, default=0, help="port (default 0: any free port)")
    add("--engine", default="echo", help="echo (default) or script:FILE")
    add("--ready-file", type=Path, help="write {base_url, ca_file, api_key} here once ready")
    add("--api-key-file", type=Path, help=f"read the API key from this file (or set {API_KEY_ENV}); "
        "generated otherwise")  # fmt: skip
    add("--no-auth", action="store_true", help="accept any API key (loopback only)")
    add("--lifetime", type=float, default=600.0,
        help="seconds a connection lives before it is closed, after a goAway (0: forever)")  # fmt: skip
    add("--goaway-notice", type=float, default=50.0, help="seconds of notice goAway gives")
    add("--speed", type=_positive, default=1.0,
        help="model audio pace relative to real time (2 = twice as fast; 'inf' = unpaced)")  # fmt: skip
    add("--chunk-ms", type=int, default=40, help="model audio frame length, 20-100 ms")
    add("--frames", choices=("binary", "text"), default="binary",
        help="frame type for server JSON (the real service uses binary)")  # fmt: skip
    add("--fault", type=_fault, action="append", default=[], metavar="SPEC",
        help="inject a fault, e.g. close:1011@turn=1,frames=3  reset@conn=2  stall:5  malformed  "
        "oversized  unknown_fields  text_frames  bundled (repeatable)")  # fmt: skip
    add("--state-dir", type=Path, help="keep the CA and certificate here (default: a temp folder)")
    add("--espeak", default="auto", help="path to espeak-ng, or 'none' for synthetic tones")
    add("--log-level", default="INFO", choices=("DEBUG", "INFO", "WARNING", "ERROR"))
    return parser


def write_ready_file(path: Path, server: LocalLiveServer) -> None:
    """Write the connection details atomically: readers never see a half-written file."""
    payload = json.dumps(
        {"base_url": server.base_url, "ca_file": str(server.ca_file), "api_key": server.api_key}
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:  # mkstemp makes it 0600
            out.write(payload)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def options_from(args: argparse.Namespace) -> ServerOptions:
    api_key = os.environ.get(API_KEY_ENV) or None
    if args.api_key_file is not None:
        api_key = args.api_key_file.read_text(encoding="utf-8").strip() or None
    return ServerOptions(
        engine=args.engine,
        host=args.host,
        port=args.port,
        api_key=api_key,
        require_credential=not args.no_auth,
        connection_lifetime_s=args.lifetime or None,
        goaway_notice_s=args.goaway_notice,
        speed=args.speed,
        audio_chunk_ms=max(20, min(100, args.chunk_ms)),
        frame_kind=args.frames,
        faults=tuple(args.fault),
        state_dir=args.state_dir,
        espeak=None if args.espeak == "none" else args.espeak,
    )


async def serve(options: ServerOptions, ready_file: Path | None) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # Windows has no signal handlers here
            loop.add_signal_handler(signum, stop.set)
    async with LocalLiveServer(options) as server:
        if ready_file is not None:
            write_ready_file(ready_file, server)
        log.info(
            "ready: %s (CA %s); speech: %s", server.base_url, server.ca_file, server.speech_kind
        )
        await stop.wait()
        log.info("shutting down")


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=args.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if args.speed == math.inf:
        log.info("model audio is sent unpaced")
    try:
        asyncio.run(serve(options_from(args), args.ready_file))
    except (ServerConfigError, EngineSpecError, OSError) as exc:
        sys.stderr.write(f"desktop-assistant serve: {exc}\n")
        return 2
    except KeyboardInterrupt:  # a second Ctrl-C during shutdown
        return 130
    finally:
        if args.ready_file is not None:  # the details are stale once the server is gone
            with contextlib.suppress(OSError):
                args.ready_file.unlink()
    return 0
