"""Ready-made audio devices for the app, the headless runner and the benchmark.

::

    audio = open_audio(mic="default", speaker="default", on_error=events.append)
    await audio.start()
    ... assistant(source=audio.mic, sink=audio.speaker) ...
    await audio.stop()

``open_audio`` wires the echo canceller between the speaker and the microphone (on by default;
``headphones=True`` bypasses it). ``open_microphone`` / ``open_speaker`` make either alone.
Device names are what ``list_input_devices()`` / ``list_output_devices()`` show; ``None`` or
``"default"`` follows the system default. Nothing here opens a device: ``start()`` does, and a
missing device is reported through ``on_error`` (``MediaErrored``) instead of raising, so the
conversation can go on without it.
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop_assistant.core.ports import DOWNLINK_SAMPLE_RATE_HZ, UPLINK_SAMPLE_RATE_HZ
from desktop_assistant.media.audio.aec import EchoCanceller
from desktop_assistant.media.audio.capture import MicrophoneCapture
from desktop_assistant.media.audio.playback import OUTPUT_LATENCY_S, PERIOD_MS, SpeakerPlayback
from desktop_assistant.media.audio.stream_supervisor import ErrorSink


def open_echo_canceller(*, headphones: bool = False) -> EchoCanceller:
    """WebRTC AEC3 + noise suppression + high-pass, for a 24 kHz speaker and a 16 kHz mic."""
    return EchoCanceller(
        render_rate_hz=DOWNLINK_SAMPLE_RATE_HZ,
        capture_rate_hz=UPLINK_SAMPLE_RATE_HZ,
        bypass=headphones,
    )


def open_microphone(
    name: str | None = None,
    *,
    echo: EchoCanceller | None = None,
    on_error: ErrorSink | None = None,
    block_ms: int = 20,
    preroll_s: float = 0.3,
) -> MicrophoneCapture:
    """A microphone by name (``None``/``"default"``: the system default), not yet started."""
    return MicrophoneCapture(
        name, echo=echo, on_error=on_error, block_ms=block_ms, preroll_s=preroll_s
    )


def open_speaker(
    name: str | None = None,
    *,
    echo: EchoCanceller | None = None,
    on_error: ErrorSink | None = None,
    start_s: float = 0.04,
    period_ms: int = PERIOD_MS,
    latency_s: float = OUTPUT_LATENCY_S,
) -> SpeakerPlayback:
    """A speaker by name (``None``/``"default"``: the system default), not yet started."""
    return SpeakerPlayback(
        name, echo=echo, on_error=on_error, start_s=start_s, period_ms=period_ms, latency=latency_s
    )


@dataclass(slots=True)
class AudioDevices:
    """A microphone and a speaker sharing one echo canceller."""

    mic: MicrophoneCapture
    speaker: SpeakerPlayback
    echo: EchoCanceller

    async def start(self) -> None:
        # Speaker first: its render stream is what the canceller needs from the first frame.
        await self.speaker.start()
        await self.mic.start()

    async def stop(self) -> None:
        await self.mic.stop()
        await self.speaker.stop()

    def set_headphones(self, wearing: bool) -> None:
        self.mic.set_headphones(wearing)


def open_audio(
    mic: str | None = None,
    speaker: str | None = None,
    *,
    headphones: bool = False,
    on_error: ErrorSink | None = None,
    block_ms: int = 20,
    speaker_period_ms: int = PERIOD_MS,
    speaker_latency_s: float = OUTPUT_LATENCY_S,
) -> AudioDevices:
    """Microphone + speaker with echo cancellation between them (bypassed with headphones)."""
    echo = open_echo_canceller(headphones=headphones)
    return AudioDevices(
        mic=open_microphone(mic, echo=echo, on_error=on_error, block_ms=block_ms),
        speaker=open_speaker(
            speaker,
            echo=echo,
            on_error=on_error,
            period_ms=speaker_period_ms,
            latency_s=speaker_latency_s,
        ),
        echo=echo,
    )
