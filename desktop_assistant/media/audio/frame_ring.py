"""A preallocated single-producer, single-consumer ring of fixed-size audio frames.

The producer is a PortAudio callback: ``push`` copies the frame into a slot and then publishes it
by bumping an integer (one attribute store, atomic under the GIL), so the callback takes no lock
and allocates nothing. The consumer (the microphone's DSP thread) takes frames in order. If the
consumer falls more than ``slots`` behind, the oldest frames are overwritten (drop-oldest) and
counted, so latency can never grow.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt


class FrameRing:
    def __init__(self, slots: int, frame_samples: int, channels: int = 1) -> None:
        self.slots = slots
        self.frame_samples = frame_samples
        self.channels = channels
        self._frames = np.zeros((slots, frame_samples, channels), dtype=np.int16)
        self._times = np.zeros(slots, dtype=np.float64)
        self._lengths = np.zeros(slots, dtype=np.int64)
        self._head = 0  # frames published (producer)
        self._tail = 0  # frames taken (consumer)
        self.overruns = 0
        """Frames the consumer never saw because the producer lapped it."""

    def push(self, frame: npt.NDArray[np.int16], timestamp: float) -> None:
        """Producer: copy one frame in (at most ``frame_samples`` long)."""
        slot = self._head % self.slots
        n = min(frame.shape[0], self.frame_samples)
        self._frames[slot, :n].reshape(n, -1)[:] = frame[:n].reshape(n, -1)
        self._times[slot] = timestamp
        self._lengths[slot] = n
        self._head += 1

    def pending(self) -> int:
        return self._head - self._tail

    def pop_into(self, out: npt.NDArray[np.int16]) -> tuple[int, float] | None:
        """Consumer: copy the oldest frame into ``out`` ((frame_samples, channels)).

        Returns (samples, timestamp), or ``None`` when empty.
        """
        head = self._head
        if head - self._tail > self.slots:
            self.overruns += head - self._tail - self.slots
            self._tail = head - self.slots
        if self._tail >= head:
            return None
        slot = self._tail % self.slots
        n = int(self._lengths[slot])
        out[:n] = self._frames[slot, :n]
        timestamp = float(self._times[slot])
        self._tail += 1
        return n, timestamp

    def clear(self) -> None:
        self._tail = self._head
