"""The jitter buffer between model audio (written on the loop) and the output callback (pulls).

Model audio arrives in bursts, faster than real time; the device wants a steady period at a time.
This is a preallocated int16 ring with a small lock held only for a copy (microseconds), so the
output callback never waits on anything slow and never allocates a large buffer.

Behaviour the conversation relies on:

- **Start buffer.** After silence, playback starts once ``start_s`` of audio is queued, or once
  the first audio has waited ``start_s`` (so a short last word is never stuck), so a burst plays
  smoothly instead of stuttering on its first chunks.
- **Underruns.** When the buffer runs dry in the middle of a turn (more audio of the same turn
  arrives after the gap), that is an underrun: counted, and the gap is zero-filled. Running dry at
  the end of a turn is not one.
- **Interruption.** ``interrupt()`` returns at once; the next pull fades the audio that would have
  played next to zero over one period (a raised-cosine ramp: no click) and drops the rest. Every
  turn written so far is marked interrupted, and late audio of those turns is dropped on arrival.
- **Played-samples clock.** Samples are credited to their model turn as the callback hands them to
  the device, so the transcript can tell how much of a turn the user actually heard.
"""

from __future__ import annotations

import collections
import math
import threading

import numpy as np
import numpy.typing as npt

_TURNS_REMEMBERED = 64


class PlaybackBuffer:
    """Written on the loop thread (``write``/``interrupt``), pulled on the audio thread."""

    def __init__(
        self,
        *,
        rate_hz: int,
        period_samples: int,
        capacity_s: float = 120.0,
        start_s: float = 0.04,
        fade_s: float = 0.005,
    ) -> None:
        self.rate_hz = rate_hz
        self.period_samples = period_samples
        self._capacity = int(capacity_s * rate_hz)
        self._ring = np.zeros(self._capacity, dtype=np.int16)
        self._start_samples = max(1, int(start_s * rate_hz))
        # Raised-cosine fade from 1 to 0, within one period (5 ms by default: long enough that the
        # cut makes no click, short enough not to add to the barge-in latency), applied in float on
        # a preallocated scratch.
        self.fade_samples = max(1, min(period_samples, round(fade_s * rate_hz)))
        fade = self.fade_samples
        ramp = 0.5 * (1.0 + np.cos(np.pi * (np.arange(fade) + 1) / fade))
        self._fade = ramp.astype(np.float32)
        self._scratch = np.zeros(period_samples, dtype=np.float32)
        self._lock = threading.Lock()
        # Absolute sample positions; index into the ring modulo capacity.
        self._read = 0
        self._write = 0
        self._segments: collections.deque[list[int]] = collections.deque()  # [turn, end position]
        self._played: dict[int, int] = {}
        self._primed = False
        self._waited_samples = 0
        self._cut: int | None = None
        self._interrupted_through = -1
        self._latest_turn = -1
        self._last_turn_played: int | None = None
        self._dry_turn: int | None = None
        self.underruns = 0
        """Gaps in the middle of a turn: audio of the turn arrived after the buffer ran dry."""
        self.late_dropped_samples = 0
        """Samples of interrupted turns that arrived after the interruption and were dropped."""
        self.overflow_dropped_samples = 0
        """Samples that did not fit (more than ``capacity_s`` queued)."""
        self.interruptions = 0
        self.turn_starts: list[tuple[int, int]] = []
        """Set by each pull: (turn, offset in that pull) for turns whose first sample it played."""

    # ------------------------------------------------------------------ producer (loop thread)

    def write(self, samples: npt.NDArray[np.int16], turn: int) -> int:
        """Queue samples of model turn ``turn``; returns how many were accepted."""
        n = int(samples.size)
        with self._lock:
            if turn <= self._interrupted_through:
                self.late_dropped_samples += n
                return 0
            if turn > self._latest_turn:
                self._latest_turn = turn
                self._forget_old_turns(turn)
            if self._dry_turn is not None:
                if self._dry_turn == turn:
                    self.underruns += 1
                self._dry_turn = None
            free = self._capacity - (self._write - self._read)
            if n > free:
                self.overflow_dropped_samples += n - free
                n = free
            if n == 0:
                return 0
            start = self._write % self._capacity
            first = min(n, self._capacity - start)
            self._ring[start : start + first] = samples[:first]
            if first < n:
                self._ring[: n - first] = samples[first:n]
            self._write += n
            if self._segments and self._segments[-1][0] == turn:
                self._segments[-1][1] = self._write
            else:
                self._segments.append([turn, self._write])
            return n

    def interrupt(self) -> None:
        """Barge-in: fade out at the next pull, drop what is queued and any late audio."""
        with self._lock:
            self.interruptions += 1
            self._interrupted_through = max(self._interrupted_through, self._latest_turn)
            self._dry_turn = None
            if self._write > self._read:
                self._cut = self._write
            else:
                self._primed = False

    def clear(self) -> None:
        """Drop everything queued without fading (the stream is stopping)."""
        with self._lock:
            self._read = self._write
            self._segments.clear()
            self._cut = None
            self._primed = False
            self._waited_samples = 0
            self._dry_turn = None

    def played_samples(self, turn: int) -> int:
        with self._lock:
            return self._played.get(turn, 0)

    def queued_samples(self) -> int:
        with self._lock:
            return self._write - self._read

    @property
    def playing(self) -> bool:
        """Whether model audio is flowing to the device (primed and not dry)."""
        return self._primed

    def _forget_old_turns(self, newest: int) -> None:
        for old in [t for t in self._played if t < newest - _TURNS_REMEMBERED]:
            del self._played[old]

    # ------------------------------------------------------------------ consumer (audio thread)

    def pull_into(self, out: npt.NDArray[np.int16]) -> int:
        """Fill ``out`` (one period); returns how many samples were audio (the rest is zeros)."""
        n = int(out.size)
        if self.turn_starts:
            self.turn_starts = []
        with self._lock:
            available = self._write - self._read
            if self._cut is not None:
                return self._fade_out(out, n)
            if not self._primed:
                if available == 0:
                    self._waited_samples = 0
                    out[:] = 0
                    return 0
                self._waited_samples += n
                if available < self._start_samples and self._waited_samples < self._start_samples:
                    out[:] = 0
                    return 0
                self._primed = True
                self._waited_samples = 0
            if available >= n:
                # The usual case, kept short (this runs in the output callback): one copy, and
                # the whole pull credited to the turn playing, unless a turn ends inside it.
                start = self._read % self._capacity
                if start + n <= self._capacity:
                    out[:] = self._ring[start : start + n]
                    segment = self._segments[0]
                    end = self._read + n
                    turn = segment[0]
                    if end < segment[1] and self._last_turn_played == turn:
                        self._played[turn] = self._played.get(turn, 0) + n
                        self._read = end
                        return n
                    self._credit(n)
                    return n
            k = min(n, available)
            self._copy_out(out, k)
            out[k:] = 0
            if k < n:
                self._primed = False
                self._dry_turn = self._last_turn_played
            return k

    def _copy_out(self, out: npt.NDArray[np.int16], k: int) -> None:
        start = self._read % self._capacity
        first = min(k, self._capacity - start)
        out[:first] = self._ring[start : start + first]
        if first < k:
            out[first:k] = self._ring[: k - first]
        self._credit(k)

    def _credit(self, k: int) -> None:
        end = self._read + k
        begin = self._read
        while self._segments and k > 0:
            turn, seg_end = self._segments[0]
            take = min(end, seg_end) - self._read
            if take > 0:
                before = self._played.get(turn, 0)
                if before == 0:
                    self.turn_starts.append((turn, self._read - begin))
                self._played[turn] = before + take
                self._last_turn_played = turn
                self._read += take
            if seg_end <= end:
                self._segments.popleft()
            else:
                break
        self._read = end

    def _fade_out(self, out: npt.NDArray[np.int16], n: int) -> int:
        assert self._cut is not None
        # The fade lasts ``fade_samples`` at most; anything after it in the pull is silence.
        k = min(n, self._cut - self._read, self.fade_samples) if self._primed else 0
        if k > 0:
            self._copy_out(out, k)
            fade = self._fade if k == self.fade_samples else self._ramp(k)
            np.multiply(out[:k], fade[:k], out=self._scratch[:k], casting="unsafe")
            out[:k] = self._scratch[:k]
        out[k:] = 0
        # Everything up to the cut goes; audio written after the interruption (a new turn) stays.
        while self._segments and self._segments[0][1] <= self._cut:
            self._segments.popleft()
        self._read = max(self._read, self._cut)
        self._cut = None
        self._primed = False
        self._waited_samples = 0
        return k

    def _ramp(self, k: int) -> npt.NDArray[np.float32]:
        # A shorter fade than one period (little was left to play); rare, so computed on demand.
        ramp = 0.5 * (1.0 + np.cos(math.pi * (np.arange(k, dtype=np.float32) + 1) / k))
        return ramp.astype(np.float32)
