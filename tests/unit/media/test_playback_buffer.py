"""The playback jitter buffer: start buffer, order, underruns, barge-in fade, late audio, clock."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from desktop_assistant.media.audio.playback_buffer import PlaybackBuffer

RATE = 24_000
PERIOD = 240  # 10 ms


def make(start_s: float = 0.04, capacity_s: float = 10.0) -> PlaybackBuffer:
    return PlaybackBuffer(
        rate_hz=RATE, period_samples=PERIOD, start_s=start_s, capacity_s=capacity_s
    )


def pull(buffer: PlaybackBuffer, periods: int = 1) -> np.ndarray:
    out = []
    for _ in range(periods):
        block = np.full(PERIOD, 12345, dtype=np.int16)  # garbage: pull must overwrite all of it
        buffer.pull_into(block)
        out.append(block)
    return np.concatenate(out)


def ramp(n: int, start: int = 1) -> np.ndarray:
    return (np.arange(start, start + n) % 30_000).astype(np.int16)


def test_idle_buffer_plays_silence() -> None:
    assert not pull(make(), 3).any()


def test_a_burst_large_enough_starts_at_once_and_plays_in_order() -> None:
    buffer = make()
    audio = ramp(PERIOD * 5)
    buffer.write(audio, turn=1)
    np.testing.assert_array_equal(pull(buffer, 5), audio)
    assert buffer.played_samples(1) == audio.size


def test_a_small_first_chunk_waits_for_the_start_buffer_then_plays_anyway() -> None:
    buffer = make(start_s=0.04)  # 960 samples = 4 periods
    buffer.write(ramp(300), turn=1)
    # Not enough queued: silence while waiting, but never longer than the start buffer.
    waited = [not pull(buffer).any() for _ in range(4)]
    assert waited[:3] == [True, True, True]
    played = pull(buffer, 1) if waited[3] else np.array([1])
    assert played.any()


def test_running_dry_mid_turn_counts_an_underrun_but_a_turn_ending_does_not() -> None:
    buffer = make(start_s=0.01)
    buffer.write(ramp(PERIOD * 2), turn=1)
    pull(buffer, 3)  # plays both periods, then runs dry
    assert buffer.underruns == 0
    buffer.write(ramp(PERIOD), turn=2)  # a new turn: the previous one simply ended
    assert buffer.underruns == 0
    pull(buffer, 2)
    buffer.write(ramp(PERIOD), turn=2)  # more of turn 2 after it ran dry: a gap the user heard
    assert buffer.underruns == 1


def test_wraps_around_the_ring_without_losing_a_sample() -> None:
    buffer = make(start_s=0.0, capacity_s=0.05)  # 1200 samples
    played = []
    for i in range(20):
        buffer.write(ramp(700, start=1 + i * 700), turn=1)
        played.append(pull(buffer, 3)[:700])
    np.testing.assert_array_equal(np.concatenate(played), ramp(20 * 700))


def test_overflow_is_counted_not_blocking() -> None:
    buffer = make(capacity_s=0.05)
    assert buffer.write(ramp(2000), turn=1) == 1200
    assert buffer.overflow_dropped_samples == 800


def test_interrupt_fades_out_within_one_period_without_a_click() -> None:
    buffer = make(start_s=0.0)
    loud = np.full(PERIOD * 50, 20_000, dtype=np.int16)
    buffer.write(loud, turn=1)
    pull(buffer, 3)
    buffer.interrupt()
    faded = pull(buffer)
    # The first faded sample continues where the sound was; the envelope falls to zero within
    # the period (in 5 ms) and stays there.
    assert faded[0] > 19_000
    assert np.all(np.diff(faded.astype(np.int32)) <= 0)
    assert abs(int(faded[buffer.fade_samples - 1])) < 20
    assert not faded[buffer.fade_samples :].any()
    # The largest step is a small fraction of full scale: no click.
    assert np.max(np.abs(np.diff(faded.astype(np.int32)))) < 400
    assert not pull(buffer, 5).any()
    assert buffer.queued_samples() == 0


def test_late_audio_of_an_interrupted_turn_is_dropped_and_the_next_turn_plays() -> None:
    buffer = make(start_s=0.0)
    buffer.write(ramp(PERIOD * 10), turn=3)
    pull(buffer, 2)
    buffer.interrupt()
    assert buffer.write(ramp(PERIOD * 4), turn=3) == 0
    assert buffer.late_dropped_samples == PERIOD * 4
    pull(buffer, 2)
    nxt = ramp(PERIOD * 2, start=5000)
    buffer.write(nxt, turn=4)
    np.testing.assert_array_equal(pull(buffer, 2), nxt)


def test_audio_of_a_new_turn_written_before_the_fade_survives_it() -> None:
    buffer = make(start_s=0.0)
    buffer.write(np.full(PERIOD * 4, 10_000, np.int16), turn=1)
    pull(buffer)
    buffer.interrupt()
    fresh = ramp(PERIOD, start=100)
    buffer.write(fresh, turn=2)
    pull(buffer)  # the fade of turn 1
    np.testing.assert_array_equal(pull(buffer), fresh)


def test_played_samples_is_what_the_device_got_per_turn() -> None:
    buffer = make(start_s=0.0)
    buffer.write(ramp(PERIOD * 3 + 100), turn=1)
    buffer.write(ramp(PERIOD * 2), turn=2)
    pull(buffer, 2)
    assert buffer.played_samples(1) == PERIOD * 2
    assert buffer.played_samples(2) == 0
    pull(buffer, 2)
    assert buffer.played_samples(1) == PERIOD * 3 + 100
    assert buffer.played_samples(2) == PERIOD - 100
    buffer.interrupt()
    pull(buffer, 3)
    # The fade (5 ms) was heard, fading; the rest of turn 2 never was.
    assert buffer.fade_samples == 120
    assert buffer.played_samples(2) == PERIOD - 100 + buffer.fade_samples
    assert buffer.played_samples(7) == 0


def test_turn_starts_report_where_a_turn_begins_in_a_pull() -> None:
    buffer = make(start_s=0.0)
    buffer.write(ramp(100), turn=1)
    buffer.write(ramp(100), turn=2)
    pull(buffer)
    assert buffer.turn_starts == [(1, 0), (2, 100)]
    pull(buffer)
    assert buffer.turn_starts == []


def test_concurrent_writer_and_puller_keep_every_sample_in_order() -> None:
    buffer = make(start_s=0.0, capacity_s=1.0)
    total = PERIOD * 2000
    source = ramp(total)
    received: list[np.ndarray] = []
    done = threading.Event()

    def writer() -> None:
        for start in range(0, total, 517):
            while buffer.queued_samples() > RATE // 2:
                pass  # back-pressure for the test only: keep the ring from overflowing
            buffer.write(source[start : start + 517], turn=1)
        done.set()

    thread = threading.Thread(target=writer)
    thread.start()
    got = 0
    block = np.zeros(PERIOD, np.int16)
    while got < total:
        n = buffer.pull_into(block)
        received.append(block[:n].copy())
        got += n
        if done.is_set() and buffer.queued_samples() == 0 and got < total:
            break
    thread.join()
    np.testing.assert_array_equal(np.concatenate(received), source)
    assert buffer.overflow_dropped_samples == 0


@pytest.mark.parametrize("turn", [0, 5])
def test_clear_drops_everything_without_marking_turns(turn: int) -> None:
    buffer = make(start_s=0.0)
    buffer.write(ramp(PERIOD * 3), turn=turn)
    buffer.clear()
    assert not pull(buffer).any()
    assert buffer.write(ramp(PERIOD), turn=turn) == PERIOD
