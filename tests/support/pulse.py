"""A private PulseAudio server with a virtual microphone and speaker, started by the tests.

Layout (the CI block of ``reference/av-stack.md``):

- ``speaker``: a null sink, the default sink. The app plays here; tests record ``speaker.monitor``.
- ``micfeed``: a null sink tests play sound into; ``virtmic`` (a remap of ``micfeed.monitor``) is
  the default source the app records from.
- two **pacer** loopbacks into a third null sink. They are required: an idle null sink renders in
  ~2 s blocks and PortAudio streams on it crawl at 0-7 % of real time without them.

The server lives in a temporary folder, is reached through ``PULSE_SERVER`` (set for this process
and handed to subprocesses), never autospawns, and is gone when ``stop()`` returns. Starting it
waits for two readiness probes: ``pactl info`` answers, then a short ``parec`` of the virtual mic
yields data (the loopbacks need ~2 s after start before capture runs in real time).

If ``pulseaudio`` or ``pactl``/``parec`` are missing, starting fails with a message that says how
to install them: the audio tier is part of CI, not an optional extra.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

SPEAKER = "speaker"
SPEAKER_MONITOR = "speaker.monitor"
MIC_FEED = "micfeed"
VIRTUAL_MIC = "virtmic"
SPEAKER_DESCRIPTION = "VirtualSpeaker"
MIC_DESCRIPTION = "VirtualMic"
SERVER_RATE_HZ = 48_000

_START_TIMEOUT_SECS = 20.0
_PROBE_BYTES = 4_000  # 0.3 s of parec at 16 kHz s16 must yield at least 125 ms of audio

_DEFAULT_PA = """\
load-module module-native-protocol-unix socket={socket} auth-anonymous=1
load-module module-null-sink sink_name=speaker rate={rate} channels=1 sink_properties=device.description=VirtualSpeaker
load-module module-null-sink sink_name=micfeed rate={rate} channels=1 sink_properties=device.description=MicFeed
load-module module-remap-source master=micfeed.monitor source_name=virtmic source_properties=device.description=VirtualMic
load-module module-null-sink sink_name=pacer rate={rate} channels=1 sink_properties=device.description=Pacer
load-module module-loopback source=speaker.monitor sink=pacer latency_msec=10 source_dont_move=true sink_dont_move=true
load-module module-loopback source=micfeed.monitor sink=pacer latency_msec=10 source_dont_move=true sink_dont_move=true
set-default-sink speaker
set-default-source virtmic
"""


class VirtualAudioError(RuntimeError):
    """The virtual audio server could not be started or driven."""


def _require(binary: str) -> str:
    path = shutil.which(binary)
    if path is None:
        raise VirtualAudioError(
            f"'{binary}' was not found on PATH. The audio tests start their own PulseAudio server; "
            "install it with `bash scripts/setup.sh --test` (apt packages pulseaudio, "
            "pulseaudio-utils)."
        )
    return path


class VirtualAudio:
    """One private PulseAudio server; ``start()`` it, use it, ``stop()`` it."""

    def __init__(self) -> None:
        self._dir: Path | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._saved_env: dict[str, str | None] = {}
        self._feeds = 0
        self.server = ""

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        pulseaudio = _require("pulseaudio")
        _require("pactl")
        _require("parec")
        _require("pacat")
        self._dir = Path(tempfile.mkdtemp(prefix="da-pulse-"))
        socket = self._dir / "native"
        (self._dir / "default.pa").write_text(
            _DEFAULT_PA.format(socket=socket, rate=SERVER_RATE_HZ), encoding="utf-8"
        )
        # Clients of this process must never autospawn a server of their own.
        (self._dir / "client.conf").write_text("autospawn = no\n", encoding="utf-8")
        # No D-Bus: a server on the session bus takes the name org.PulseAudio1, and a second one
        # (or the user's own) would then refuse to start; nothing here needs the bus.
        server_env = {
            **{k: v for k, v in os.environ.items() if k != "DBUS_SESSION_BUS_ADDRESS"},
            "HOME": str(self._dir),
            "XDG_RUNTIME_DIR": str(self._dir),
            "PULSE_RUNTIME_PATH": str(self._dir),
            "PULSE_STATE_PATH": str(self._dir),
        }
        self._proc = subprocess.Popen(
            [
                pulseaudio,
                "-n",
                "-F",
                str(self._dir / "default.pa"),
                "--exit-idle-time=-1",
                "--daemonize=no",
                "--use-pid-file=no",
                "--disallow-exit",
                f"--log-target=file:{self._dir / 'pulse.log'}",
            ],
            env=server_env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.server = f"unix:{socket}"
        for key, value in self.client_env().items():
            self._saved_env[key] = os.environ.get(key)
            os.environ[key] = value
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        for key, value in self._saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        self._saved_env.clear()
        if self._proc is not None:
            self._proc.send_signal(signal.SIGTERM)
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(timeout=5)
            self._proc = None
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    def client_env(self) -> dict[str, str]:
        """What a client process needs to reach this server (and only this one)."""
        assert self._dir is not None
        return {
            "PULSE_SERVER": self.server,
            "PULSE_CLIENTCONFIG": str(self._dir / "client.conf"),
        }

    def log_tail(self, lines: int = 40) -> str:
        if self._dir is None or not (self._dir / "pulse.log").exists():
            return "(no log)"
        text = (self._dir / "pulse.log").read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + _START_TIMEOUT_SECS
        while True:
            assert self._proc is not None
            if self._proc.poll() is not None:
                raise VirtualAudioError(
                    f"pulseaudio exited with {self._proc.returncode}:\n{self.log_tail()}"
                )
            probe = subprocess.run(
                ["pactl", "info"], capture_output=True, env=self._env(), timeout=5, check=False
            )
            if probe.returncode == 0:
                break
            if time.monotonic() > deadline:
                raise VirtualAudioError(f"pulseaudio did not answer:\n{self.log_tail()}")
            # Polling a starting daemon: there is no event to wait on but its socket answering.
            time.sleep(0.05)
        # Settling probe: the first streams after start get no data for ~1.4 s; wait until a
        # 0.3 s capture of the virtual mic really yields audio.
        while True:
            proc = subprocess.Popen(
                [
                    "parec",
                    f"--device={VIRTUAL_MIC}",
                    "--raw",
                    "--format=s16le",
                    "--rate=16000",
                    "--channels=1",
                    "--latency-msec=10",
                ],
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=self._env(),
            )
            try:
                out, _ = proc.communicate(timeout=0.3)
            except subprocess.TimeoutExpired:
                proc.kill()
                out, _ = proc.communicate()
            if len(out) >= _PROBE_BYTES:
                return
            if time.monotonic() > deadline:
                raise VirtualAudioError(
                    f"the virtual microphone never delivered audio:\n{self.log_tail()}"
                )

    def _env(self) -> dict[str, str]:
        return {**os.environ, **self.client_env()}

    # ------------------------------------------------------------------ driving it

    def pactl(self, *args: str) -> str:
        done = subprocess.run(
            ["pactl", *args], capture_output=True, text=True, env=self._env(), timeout=10
        )
        if done.returncode != 0:
            raise VirtualAudioError(f"pactl {' '.join(args)} failed: {done.stderr.strip()}")
        return done.stdout.strip()

    def load_module(self, name: str, *args: str) -> int:
        return int(self.pactl("load-module", name, *args))

    def unload_module(self, module: int) -> None:
        self.pactl("unload-module", str(module))

    @contextlib.contextmanager
    def echo_path(self, latency_ms: int = 50) -> Iterator[int]:
        """Loop the speaker back into the microphone: the app hears itself ``latency_ms`` later."""
        module = self.load_module(
            "module-loopback",
            f"source={SPEAKER_MONITOR}",
            f"sink={MIC_FEED}",
            f"latency_msec={latency_ms}",
            "source_dont_move=true",
            "sink_dont_move=true",
        )
        try:
            yield module
        finally:
            self.unload_module(module)

    def add_microphone(self, name: str, description: str) -> int:
        """A second microphone hearing the same feed as ``virtmic``; returns its module id."""
        return self.load_module(
            "module-remap-source",
            f"master={MIC_FEED}.monitor",
            f"source_name={name}",
            f"source_properties=\"device.description='{description}'\"",
        )

    def add_speaker(self, name: str, description: str) -> list[int]:
        """A second (paced) speaker; returns the module ids to unload, speaker last."""
        sink = self.load_module(
            "module-null-sink",
            f"sink_name={name}",
            f"rate={SERVER_RATE_HZ}",
            "channels=1",
            f"sink_properties=\"device.description='{description}'\"",
        )
        pacer = self.load_module(
            "module-loopback",
            f"source={name}.monitor",
            "sink=pacer",
            "latency_msec=10",
            "source_dont_move=true",
            "sink_dont_move=true",
        )
        return [pacer, sink]

    def feed_microphone(
        self, pcm: bytes, rate_hz: int, channels: int = 1
    ) -> subprocess.Popen[bytes]:
        """Start playing raw s16le ``pcm`` into the virtual mic; the caller waits on the process.

        The samples go through a file so that starting the feed never blocks the caller for the
        length of the sound (a pipe would fill up).
        """
        assert self._dir is not None
        self._feeds += 1
        path = self._dir / f"feed-{self._feeds}.raw"
        path.write_bytes(pcm)
        return subprocess.Popen(
            [
                "pacat",
                "--playback",
                f"--device={MIC_FEED}",
                "--raw",
                "--format=s16le",
                f"--rate={rate_hz}",
                f"--channels={channels}",
                # A deep buffer: a feed that underruns under CPU load would shift the sound.
                "--latency-msec=250",
                str(path),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=self._env(),
        )

    def source_outputs(self) -> list[tuple[int, int]]:
        """(stream index, source index) of every client capture stream."""
        rows = []
        for line in self.pactl("list", "short", "source-outputs").splitlines():
            cols = line.split("\t")
            if len(cols) >= 4 and cols[3].startswith("protocol-native"):
                rows.append((int(cols[0]), int(cols[1])))
        return rows

    def sink_inputs(self) -> list[tuple[int, int]]:
        """(stream index, sink index) of every client playback stream."""
        rows = []
        for line in self.pactl("list", "short", "sink-inputs").splitlines():
            cols = line.split("\t")
            if len(cols) >= 4 and cols[3].startswith("protocol-native"):
                rows.append((int(cols[0]), int(cols[1])))
        return rows
