"""A preallocated single-producer ring of fixed-size audio frames, cheap enough for a callback.

The producer is a PortAudio callback. Every Python or NumPy operation there costs microseconds
(more on a loaded machine, where the callback runs with cold caches: measured on the virtual
devices, a 5 ms output callback doing a few NumPy calls took ~90 us), so the producer side does
as little as it can: ``push_raw`` copies the callback's raw buffer into a slot through a
precomputed ``memoryview`` (one memcpy, no NumPy call), or the producer fills ``next_slot()`` in
place; ``publish`` then makes the slot visible by bumping an integer (one attribute store, atomic
under the GIL). No lock, no allocation.

One consumer (the microphone's DSP thread, the echo canceller) takes frames in order with
``pop_into``. If it falls more than ``slots`` behind, the oldest frames are overwritten
(drop-oldest) and counted, so latency can never grow. Other readers (a level meter) may look at
the newest frames with ``recent`` without consuming them.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

_SAMPLE_BYTES = 2  # int16


class FrameRing:
    def __init__(self, slots: int, frame_samples: int, channels: int = 1) -> None:
        self.slots = slots
        self.frame_samples = frame_samples
        self.channels = channels
        self.frame_bytes = frame_samples * channels * _SAMPLE_BYTES
        self._bytes = bytearray(slots * self.frame_bytes)
        self._frames = np.frombuffer(self._bytes, dtype=np.int16).reshape(
            slots, frame_samples, channels
        )
        whole = memoryview(self._bytes)
        self._raw = [whole[i * self.frame_bytes : (i + 1) * self.frame_bytes] for i in range(slots)]
        # Mono producers fill a 1-D view; others a (frames, channels) one. Made once, here.
        self._views: list[npt.NDArray[np.int16]] = [
            self._frames[i, :, 0] if channels == 1 else self._frames[i] for i in range(slots)
        ]
        # Plain lists: storing a Python float into a list is far cheaper than into a NumPy array.
        self._times = [0.0] * slots
        self._lengths = [0] * slots
        self._head = 0  # frames published (producer)
        self._tail = 0  # frames taken (consumer)
        self.overruns = 0
        """Frames the consumer never saw because the producer lapped it."""

    # ------------------------------------------------------------------ producer

    def next_slot(self) -> npt.NDArray[np.int16]:
        """The slot the next ``publish`` makes visible, to fill in place (a reused view)."""
        return self._views[self._head % self.slots]

    def next_slot_bytes(self) -> memoryview:
        """The same slot as raw bytes (``frame_bytes`` long)."""
        return self._raw[self._head % self.slots]

    def publish(self, timestamp: float, samples: int | None = None) -> None:
        """Make the slot filled through ``next_slot`` visible (``samples`` of it; all if None)."""
        slot = self._head % self.slots
        self._times[slot] = timestamp
        self._lengths[slot] = self.frame_samples if samples is None else samples
        self._head += 1

    def push_raw(self, data: bytes | memoryview | bytearray, timestamp: float) -> None:
        """Copy one frame of raw int16 bytes in: the PortAudio callback's buffer, as it is.

        At most ``frame_bytes`` are taken, and ``data`` holds whole frames.
        """
        slot = self._head % self.slots
        nbytes = len(data)
        if nbytes == self.frame_bytes:
            self._raw[slot][:] = data
        else:
            nbytes = min(nbytes, self.frame_bytes)
            self._raw[slot][:nbytes] = memoryview(data)[:nbytes]
        self._times[slot] = timestamp
        self._lengths[slot] = nbytes // (self.channels * _SAMPLE_BYTES)
        self._head += 1

    def push(self, frame: npt.NDArray[np.int16], timestamp: float) -> None:
        """Copy one frame in (at most ``frame_samples`` long; shape (n,) or (n, channels))."""
        slot = self._head % self.slots
        n = min(frame.shape[0], self.frame_samples)
        self._frames[slot, :n].reshape(n, -1)[:] = frame[:n].reshape(n, -1)
        self._times[slot] = timestamp
        self._lengths[slot] = n
        self._head += 1

    # ------------------------------------------------------------------ consumer

    @property
    def head(self) -> int:
        """How many frames were ever published."""
        return self._head

    def pending(self) -> int:
        return self._head - self._tail

    def pop_into(self, out: npt.NDArray[np.int16]) -> tuple[int, float] | None:
        """Consumer: copy the oldest frame into ``out``.

        ``out`` is (frame_samples, channels), or (frame_samples,) for a mono ring. Returns
        (samples, timestamp), or ``None`` when empty.
        """
        head = self._head
        if head - self._tail > self.slots:
            self.overruns += head - self._tail - self.slots
            self._tail = head - self.slots
        if self._tail >= head:
            return None
        slot = self._tail % self.slots
        n = self._lengths[slot]
        out[:n] = self._views[slot][:n] if out.ndim == 1 else self._frames[slot, :n]
        timestamp = self._times[slot]
        self._tail += 1
        return n, timestamp

    def clear(self) -> None:
        self._tail = self._head

    # ------------------------------------------------------------------ other readers

    def recent(self, since: int) -> tuple[npt.NDArray[np.int16], int]:
        """A copy of the frames published from index ``since`` on, without consuming them.

        At most ``slots - 2`` (the producer may be filling the next slot meanwhile), as
        (k, frame_samples) for a mono ring, and the index to pass next time.
        """
        head = self._head
        first = max(since, head - (self.slots - 2), 0)
        if first >= head:
            return self._frames[:0, :, 0], head
        index = np.arange(first, head) % self.slots
        return self._frames[index, :, 0], head
