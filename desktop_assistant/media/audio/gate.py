"""Mute and push-to-talk: which captured blocks go up to the model, with a pre-roll.

The gate only decides; the caller (the Assistant) speaks the protocol. The verbs return what the
caller needs to keep the wire in order:

Mute (automatic activity detection)::

    if mic.gate.mute():                       # True when it was not muted yet
        await session.send_audio_stream_end() # the service flushes what it buffered
    ...
    mic.gate.unmute()

Push-to-talk (manual activity detection)::

    mic.gate.set_push_to_talk(True)
    # key down
    preroll = mic.gate.press()                # None if ignored (muted, not in PTT, already held)
    if preroll is not None:
        await session.send_activity_start()
        for block in preroll:                 # the last ~300 ms before the key: first syllable
            await session.send_audio(block)
    # ... the uplink pump keeps sending what ``mic.read()`` returns while the key is held ...
    # key up
    pending = mic.gate.release()              # blocks captured while held but not read yet
    if pending is not None:
        for block in pending:
            await session.send_audio(block)
        await session.send_activity_end()     # always, so the turn never hangs open

While the gate is closed the microphone keeps running (meters, echo canceller state and the
pre-roll stay warm), its blocks just do not reach ``read()``. Loop thread only.
"""

from __future__ import annotations

import collections
import enum
from collections.abc import Callable
from dataclasses import dataclass

from desktop_assistant.core.ports import AudioBlock
from desktop_assistant.media.audio.uplink import DropOldestQueue

DEFAULT_PREROLL_S = 0.3


class GateMode(enum.Enum):
    OPEN = "open"  # hands-free: every block goes up
    PUSH_TO_TALK = "push_to_talk"  # blocks go up only while the key is held


@dataclass(frozen=True, slots=True)
class GateState:
    mode: GateMode
    muted: bool
    talking: bool  # push-to-talk key held (always False in OPEN mode)

    @property
    def sending(self) -> bool:
        """Whether captured audio reaches the model right now."""
        if self.muted:
            return False
        return self.mode is GateMode.OPEN or self.talking


class MicGate:
    """Admits or holds back blocks; keeps the last ``preroll_s`` of held-back audio."""

    def __init__(
        self,
        *,
        preroll_s: float = DEFAULT_PREROLL_S,
        block_s: float = 0.02,
        uplink: DropOldestQueue[AudioBlock] | None = None,
    ) -> None:
        self._preroll: collections.deque[AudioBlock] = collections.deque(
            maxlen=max(1, round(preroll_s / block_s))
        )
        self._uplink = uplink
        self._mode = GateMode.OPEN
        self._muted = False
        self._talking = False
        self._listeners: list[Callable[[GateState], None]] = []

    # ---------------------------------------------------------------------- state

    @property
    def state(self) -> GateState:
        return GateState(self._mode, self._muted, self._talking)

    def add_listener(self, listener: Callable[[GateState], None]) -> None:
        """Call ``listener(state)`` after every change (for the UI's mic button)."""
        self._listeners.append(listener)

    def remove_listener(self, listener: Callable[[GateState], None]) -> None:
        self._listeners.remove(listener)

    def _changed(self) -> None:
        state = self.state
        for listener in list(self._listeners):
            listener(state)

    # ---------------------------------------------------------------------- verbs

    def mute(self) -> bool:
        """Stop sending. Returns True if this muted it (send ``audioStreamEnd`` then)."""
        if self._muted:
            return False
        self._muted = True
        self._talking = False
        self._preroll.clear()
        self._changed()
        return True

    def unmute(self) -> bool:
        """Resume sending. Returns True if it was muted."""
        if not self._muted:
            return False
        self._muted = False
        self._changed()
        return True

    def set_push_to_talk(self, enabled: bool) -> None:
        """Switch between hands-free and push-to-talk; leaving PTT lets go of the key."""
        mode = GateMode.PUSH_TO_TALK if enabled else GateMode.OPEN
        if mode is self._mode:
            return
        self._mode = mode
        self._talking = False
        self._preroll.clear()
        self._changed()

    def press(self) -> list[AudioBlock] | None:
        """The push-to-talk key went down: open, and hand back the pre-roll (oldest first).

        Returns ``None`` (and changes nothing) when muted, not in push-to-talk mode, or already
        held; the caller then sends no ``activityStart``.
        """
        if self._muted or self._mode is not GateMode.PUSH_TO_TALK or self._talking:
            return None
        self._talking = True
        preroll = list(self._preroll)
        self._preroll.clear()
        self._changed()
        return preroll

    def release(self) -> list[AudioBlock] | None:
        """The key went up: close, and hand back what was captured while held but not read yet.

        Returns ``None`` when the key was not held (no ``activityEnd`` is due then).
        """
        if not self._talking:
            return None
        self._talking = False
        pending = self._uplink.drain() if self._uplink is not None else []
        self._changed()
        return pending

    # ---------------------------------------------------------------------- data path

    def admit(self, block: AudioBlock) -> bool:
        """Whether ``block`` goes up now; a held-back block feeds the pre-roll instead."""
        if self._muted:
            return False
        if self._mode is GateMode.OPEN or self._talking:
            return True
        self._preroll.append(block)
        return False
