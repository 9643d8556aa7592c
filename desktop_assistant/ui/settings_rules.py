"""What the settings panel needs to know beyond the settings model itself.

Which options a model does not honour (with the reason, from the capability table), which
changes need a new connection, and the turn-detection presets.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QCoreApplication

from desktop_assistant.config.capabilities import Architecture, ModelCapabilities, Translation
from desktop_assistant.config.settings import Sensitivity, Settings

CLIENT_SIDE_PATHS = frozenset({"video.frames_per_second", "tools.approve_side_effects"})
"""Settings the app applies to a running conversation by itself; everything else is part of the
session setup (or fixed for the life of a session) and takes a new connection."""


def _flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(_flatten(value, dotted + "."))
        else:
            out[dotted] = value
    return out


def changed_paths(old: Settings, new: Settings) -> set[str]:
    before = _flatten(old.model_dump(mode="json"))
    after = _flatten(new.model_dump(mode="json"))
    return {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}


def needs_new_connection(old: Settings, new: Settings) -> bool:
    """The Live service takes its configuration once, at setup: most changes need a reconnect."""
    return bool(changed_paths(old, new) - CLIENT_SIDE_PATHS)


def unsupported_reasons(caps: ModelCapabilities) -> dict[str, str]:
    """Setting path -> why the chosen model does not honour it (only for what it lacks)."""
    m = caps.name
    reasons: dict[str, str] = {}
    if not caps.proactive_audio:
        reasons["proactive_audio"] = QCoreApplication.translate(
            "Settings", "{0} does not support proactive audio."
        ).format(m)
    if not caps.affective_dialog:
        reasons["affective_dialog"] = QCoreApplication.translate(
            "Settings", "{0} does not support affective dialog."
        ).format(m)
    if not caps.language_code and caps.translation is not Translation.SPEECH_LANGUAGE:
        reasons["voice.language_code"] = QCoreApplication.translate(
            "Settings", "{0} picks its spoken language by itself; say it in the instruction."
        ).format(m)
    if not caps.system_instruction:
        reasons["system_instruction"] = QCoreApplication.translate(
            "Settings", "{0} takes no instructions."
        ).format(m)
    if not caps.video_input:
        reasons["video"] = QCoreApplication.translate(
            "Settings", "{0} takes audio only: no camera or screen."
        ).format(m)
    if not caps.function_calling:
        reasons["tools"] = QCoreApplication.translate("Settings", "{0} cannot call tools.").format(
            m
        )
    if not caps.text_output:
        reasons["response_modality"] = QCoreApplication.translate(
            "Settings", "{0} answers with speech only; read its replies in the transcript."
        ).format(m)
    if caps.architecture is Architecture.TRANSLATION:
        reasons["voice.name"] = QCoreApplication.translate(
            "Settings", "{0} speaks in the speaker's own voice."
        ).format(m)
        reasons["turns"] = QCoreApplication.translate(
            "Settings", "{0} translates continuously; turns do not apply."
        ).format(m)
    return reasons


@dataclass(frozen=True, slots=True)
class TurnPreset:
    key: str
    start: Sensitivity
    end: Sensitivity
    prefix_ms: int | None
    silence_ms: int | None

    def label(self) -> str:
        return {
            "default": QCoreApplication.translate("Settings", "Model default"),
            "quiet": QCoreApplication.translate("Settings", "Quiet room"),
            "noisy": QCoreApplication.translate("Settings", "Noisy room"),
            "pauses": QCoreApplication.translate("Settings", "I pause to think"),
        }[self.key]

    def changes(self) -> dict[str, Any]:
        return {
            "activity_detection": {
                "start_sensitivity": self.start.value,
                "end_sensitivity": self.end.value,
                "prefix_padding_ms": self.prefix_ms,
                "silence_duration_ms": self.silence_ms,
            }
        }


TURN_PRESETS: tuple[TurnPreset, ...] = (
    TurnPreset("default", Sensitivity.DEFAULT, Sensitivity.DEFAULT, None, None),
    # Quiet room: react to soft speech and answer quickly.
    TurnPreset("quiet", Sensitivity.HIGH, Sensitivity.HIGH, 100, 400),
    # Noise makes false starts: need clearer speech to begin, and a little more silence to end.
    TurnPreset("noisy", Sensitivity.LOW, Sensitivity.DEFAULT, 300, 800),
    # Thinking aloud: do not take the floor at the first pause.
    TurnPreset("pauses", Sensitivity.DEFAULT, Sensitivity.LOW, 200, 1500),
)


def matching_preset(settings: Settings) -> TurnPreset | None:
    a = settings.activity_detection
    for preset in TURN_PRESETS:
        if (
            a.start_sensitivity is preset.start
            and a.end_sensitivity is preset.end
            and a.prefix_padding_ms == preset.prefix_ms
            and a.silence_duration_ms == preset.silence_ms
        ):
            return preset
    return None
