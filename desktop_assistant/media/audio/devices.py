"""Audio devices: list inputs and outputs, choose one by name, or follow the system default.

A device is described by what the user sees (``name``) and by how to open it: a PortAudio device
index, plus a PulseAudio route where the name is a PulseAudio device (see ``pulse.py``). The
native format (rate, channels) is what the device itself runs at; capture opens it so and
converts (``resample.py``).

Listing is blocking (PortAudio queries, a ``pactl`` subprocess): a few milliseconds, so call it
from an executor when on the loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import sounddevice as sd

from desktop_assistant.media.audio import pulse

Kind = Literal["input", "output"]

# ALSA PCMs that are PulseAudio itself: hidden when the server's own devices are listed instead.
_PULSE_PCMS = {"pulse", "default", "sysdefault"}


class DeviceNotFoundError(LookupError):
    """No device of that name; the message lists the ones there are."""


class NoDeviceError(LookupError):
    """There is no device of this kind at all (no sound server, nothing plugged in)."""


@dataclass(frozen=True, slots=True)
class AudioDevice:
    name: str
    """What the user sees and chooses by."""
    kind: Kind
    portaudio_index: int
    """The PortAudio device to open."""
    channels: int
    """Native channel count."""
    rate_hz: int
    """Native sample rate."""
    is_default: bool
    route: str | None = None
    """The PulseAudio source/sink to route to; ``None`` follows the system default."""
    route_index: int | None = None
    """The PulseAudio index of ``route`` (to notice its removal)."""
    is_monitor: bool = False
    """A PulseAudio monitor (what a speaker plays), not a microphone."""


def refresh_devices() -> None:
    """Re-enumerate PortAudio's devices (a sound server started, a device was plugged in).

    PortAudio only enumerates at initialisation; this terminates and re-initialises it, so call
    it only while no stream is open.
    """
    sd._terminate()
    sd._initialize()


def _portaudio_devices(kind: Kind) -> list[tuple[int, dict[str, object]]]:
    key = "max_input_channels" if kind == "input" else "max_output_channels"
    found = []
    for info in sd.query_devices():
        device = dict(info)
        channels = device.get(key, 0)
        if isinstance(channels, int) and channels > 0:
            found.append((int(str(device["index"])), device))
    return found


def _portaudio_default(kind: Kind) -> int | None:
    try:
        info = sd.query_devices(kind=kind)
    except sd.PortAudioError:
        return None
    index = dict(info).get("index")
    return int(str(index)) if index is not None else None


def _pulse_pcm_index(devices: list[tuple[int, dict[str, object]]]) -> int | None:
    by_name = {str(d["name"]): i for i, d in devices}
    # "pulse" opens the server with our route; "default" is the same PCM on most systems.
    for candidate in ("pulse", "default"):
        if candidate in by_name:
            return by_name[candidate]
    return None


def list_devices(kind: Kind) -> list[AudioDevice]:
    """Every device of ``kind``: the sound server's own devices first, then PortAudio's."""
    pa_devices = _portaudio_devices(kind)
    default_index = _portaudio_default(kind)
    result: list[AudioDevice] = []
    pulse_pcm = _pulse_pcm_index(pa_devices)
    pulse_devices = pulse.list_pulse_devices(kind) if pulse_pcm is not None else None
    if pulse_pcm is not None and pulse_devices:
        for p in pulse_devices:
            result.append(
                AudioDevice(
                    name=p.description,
                    kind=kind,
                    portaudio_index=pulse_pcm,
                    channels=p.channels,
                    rate_hz=p.rate_hz,
                    is_default=p.is_default,
                    route=p.name,
                    route_index=p.index,
                    is_monitor=p.is_monitor,
                )
            )
    key = "max_input_channels" if kind == "input" else "max_output_channels"
    for index, info in pa_devices:
        name = str(info["name"])
        if pulse_devices and name in _PULSE_PCMS:
            continue
        channels = int(str(info[key]))
        result.append(
            AudioDevice(
                name=name,
                kind=kind,
                portaudio_index=index,
                # The ALSA pulse PCM claims 32 channels; nobody has a 32-channel microphone.
                channels=min(channels, 2),
                rate_hz=int(float(str(info["default_samplerate"]))),
                is_default=not pulse_devices and index == default_index,
            )
        )
    return result


def list_input_devices() -> list[AudioDevice]:
    return [d for d in list_devices("input") if not d.is_monitor]


def list_output_devices() -> list[AudioDevice]:
    return list_devices("output")


def default_device(kind: Kind) -> AudioDevice:
    """The system default, opened so that it keeps following the default."""
    devices = list_devices(kind)
    if not devices:
        raise NoDeviceError(f"no audio {kind} device is available")
    for device in devices:
        if device.is_default:
            # No route: the stream then follows the default when the user changes it.
            return AudioDevice(
                name=device.name,
                kind=kind,
                portaudio_index=device.portaudio_index,
                channels=device.channels,
                rate_hz=device.rate_hz,
                is_default=True,
            )
    return devices[0]


def find_device(kind: Kind, name: str | None) -> AudioDevice:
    """``None`` or ``"default"``: the system default. Otherwise the device called ``name``.

    An exact name (or PulseAudio name) wins; otherwise a unique case-insensitive substring.
    """
    if name is None or name.lower() == "default":
        return default_device(kind)
    devices = list_devices(kind)
    for device in devices:
        if name in (device.name, device.route):
            return device
    matches = [d for d in devices if name.lower() in d.name.lower()]
    if len(matches) == 1:
        return matches[0]
    names = ", ".join(repr(d.name) for d in devices) or "none"
    if matches:
        raise DeviceNotFoundError(f"{name!r} matches several {kind} devices: {names}")
    raise DeviceNotFoundError(f"no {kind} device called {name!r}; there are: {names}")


def still_present(device: AudioDevice) -> bool:
    """Whether ``device`` can still be found (by route for PulseAudio devices)."""
    if device.route is not None:
        found = pulse.list_pulse_devices(device.kind)
        return found is not None and any(p.name == device.route for p in found)
    try:
        info = dict(sd.query_devices(device.portaudio_index))
    except (sd.PortAudioError, ValueError):
        return False
    return str(info.get("name")) != "" and (
        device.is_default or str(info.get("name")) == device.name
    )
