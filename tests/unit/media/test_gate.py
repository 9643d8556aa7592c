"""Mute and push-to-talk: what reaches the model, and the pre-roll that saves the first syllable."""

from __future__ import annotations

import pytest

from desktop_assistant.core.ports import AudioBlock
from desktop_assistant.media.audio.gate import GateMode, GateState, MicGate
from desktop_assistant.media.audio.uplink import DropOldestQueue


def block(i: int) -> AudioBlock:
    return AudioBlock(pcm=bytes([i % 256]) * 640, captured_at=i * 0.02)


def feed(gate: MicGate, uplink: DropOldestQueue[AudioBlock], blocks: range) -> None:
    for i in blocks:
        if gate.admit(block(i)):
            uplink.offer(block(i))


def test_open_by_default_everything_goes_up() -> None:
    uplink: DropOldestQueue[AudioBlock] = DropOldestQueue(100)
    gate = MicGate(uplink=uplink)
    feed(gate, uplink, range(5))
    assert len(uplink) == 5
    assert gate.state == GateState(GateMode.OPEN, muted=False, talking=False)
    assert gate.state.sending


def test_mute_tells_the_caller_once_to_end_the_audio_stream() -> None:
    uplink: DropOldestQueue[AudioBlock] = DropOldestQueue(100)
    gate = MicGate(uplink=uplink)
    seen: list[GateState] = []
    gate.add_listener(seen.append)
    assert gate.mute() is True
    assert gate.mute() is False  # already muted: no second audioStreamEnd
    feed(gate, uplink, range(5))
    assert len(uplink) == 0
    assert not gate.state.sending
    assert gate.unmute() is True
    assert gate.unmute() is False
    feed(gate, uplink, range(5, 7))
    assert [b.captured_at for b in uplink.drain()] == [0.1, 0.12]
    assert [s.muted for s in seen] == [True, False]


def test_push_to_talk_hands_back_the_preroll_before_the_key() -> None:
    uplink: DropOldestQueue[AudioBlock] = DropOldestQueue(100)
    gate = MicGate(preroll_s=0.1, block_s=0.02, uplink=uplink)  # 5 blocks of pre-roll
    gate.set_push_to_talk(True)
    feed(gate, uplink, range(20))
    assert len(uplink) == 0  # nothing goes up before the key
    preroll = gate.press()
    assert preroll is not None
    assert [b.captured_at for b in preroll] == pytest.approx([0.30, 0.32, 0.34, 0.36, 0.38])
    feed(gate, uplink, range(20, 23))
    assert len(uplink) == 3  # while held, blocks go up
    pending = gate.release()
    assert pending is not None
    assert [b.captured_at for b in pending] == pytest.approx([0.40, 0.42, 0.44])
    feed(gate, uplink, range(23, 25))
    assert len(uplink) == 0
    assert gate.release() is None  # not held: no activityEnd is due


def test_press_is_ignored_when_muted_or_hands_free_or_already_held() -> None:
    gate = MicGate()
    assert gate.press() is None  # hands-free mode
    gate.set_push_to_talk(True)
    gate.mute()
    assert gate.press() is None
    gate.unmute()
    assert gate.press() == []
    assert gate.press() is None  # already held
    assert gate.state.talking


def test_mute_while_talking_lets_go_of_the_key() -> None:
    gate = MicGate()
    gate.set_push_to_talk(True)
    gate.press()
    gate.mute()
    assert not gate.state.talking
    assert not gate.admit(block(1))
