"""Tentative ends of speech: ``pause`` and ``resume`` around the detector's committed events."""

from __future__ import annotations

from dataclasses import replace

from desktop_assistant.server.setup import ActivityDetection
from desktop_assistant.server.vad import WINDOW, VadEvent, VadSettings, VoiceActivityDetector

VOICE, QUIET = 0.9, 0.05


class Scripted:
    """A speech model that gives, window by window, the probabilities it was given."""

    def __init__(self, probabilities: list[float]) -> None:
        self._left = list(probabilities)

    def process(self, data: memoryview) -> float:
        return self._left.pop(0)

    def reset(self) -> None:
        self._left.clear()


def run(settings: VadSettings, windows: list[float]) -> list[VadEvent]:
    detector = VoiceActivityDetector(settings, Scripted(windows))
    return detector.feed(b"\0\0" * WINDOW * len(windows))


# 64 ms to start, 600 ms (19 windows) to end, a tentative end after 224 ms (7 windows).
SPECULATIVE = VadSettings(silence_ms=600.0, pause_ms=224.0)


def test_a_short_pause_is_tentative_and_speech_resumes_the_turn() -> None:
    windows = [QUIET] * 3 + [VOICE] * 10 + [QUIET] * 8 + [VOICE] * 4 + [QUIET] * 20
    assert run(SPECULATIVE, windows) == [
        VadEvent("start", 3 * WINDOW),
        VadEvent("pause", 13 * WINDOW),  # where the silence began, as an end would say
        VadEvent("resume", 21 * WINDOW),  # the first voiced window after it
        VadEvent("pause", 25 * WINDOW),
        VadEvent("end", 25 * WINDOW),  # the same silence: the tentative end was the real one
    ]


def test_the_committed_events_are_those_of_a_detector_without_pauses() -> None:
    windows = [QUIET] * 2 + [VOICE] * 6 + [QUIET] * 10 + [VOICE] * 3 + [QUIET] * 6
    windows += [VOICE] * 5 + [QUIET] * 25
    plain = run(replace(SPECULATIVE, pause_ms=None), windows)
    both = run(SPECULATIVE, windows)
    assert [e for e in both if e.kind in ("start", "end")] == plain
    # A 6-window silence is no tentative end; the 10- and 25-window ones are.
    assert [e.kind for e in both] == ["start", "pause", "resume", "pause", "end"]


def test_no_tentative_end_unless_asked_or_before_the_real_one() -> None:
    windows = [VOICE] * 5 + [QUIET] * 25
    for settings in (
        VadSettings(silence_ms=600.0),
        VadSettings(silence_ms=200.0, pause_ms=224.0),  # the turn ends first
    ):
        assert [e.kind for e in run(settings, windows)] == ["start", "end"]


def test_a_pause_without_voice_after_it_ends_with_a_forced_end() -> None:
    detector = VoiceActivityDetector(SPECULATIVE, Scripted([VOICE] * 5 + [QUIET] * 8))
    events = detector.feed(b"\0\0" * WINDOW * 13)
    assert [e.kind for e in events] == ["start", "pause"]
    assert detector.paused
    end = detector.force_end()  # audioStreamEnd
    assert end is not None
    assert end.kind == "end"
    assert not detector.paused


def test_settings_from_the_setup_name_no_tentative_end() -> None:
    # The session adds one for a speculative engine; the client's setup has no such knob.
    assert VadSettings.from_activity(ActivityDetection()).pause_ms is None
