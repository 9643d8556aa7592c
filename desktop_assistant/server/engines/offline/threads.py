"""How many threads each model may use: never more than the cores that are actually free.

On a 2-core machine, a runtime that starts one thread per core while another program is busy
collapses (llama.cpp-style spin-waiting fell from ~100 to 12 tokens/s in measurements here), while
one thread per model degrades gracefully. So the plan is sized from the cores this process may
run on, less the load the rest of the machine puts on them, and each model gets at most what is
left. The stages of one turn run one after another, so they do not compete with each other,
except the voice and the language model, which overlap once speaking starts: those get one
thread each.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


def usable_cores() -> int:
    """Cores this process may run on (its affinity mask, or the CPU count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def busy_cores() -> float:
    """Cores other programs keep busy right now (the 1-minute load average), 0 if unknown."""
    try:
        return max(0.0, os.getloadavg()[0])
    except (AttributeError, OSError):
        return 0.0


def free_cores(usable: int | None = None, busy: float | None = None) -> int:
    cores = usable if usable is not None else usable_cores()
    load = busy if busy is not None else busy_cores()
    return max(1, min(cores, int(cores - load + 0.5)))


@dataclass(frozen=True, slots=True)
class ThreadPlan:
    asr: int  # speech recognition runs alone, right after the user stops
    llm: int  # overlaps with the voice, and a tiny model gains nothing from more
    tts: int
    vad: int = 1  # a fraction of a percent of one core
    overlap: bool = True  # may the language model keep generating while the voice speaks?

    @property
    def peak(self) -> int:
        """The most threads that compute at the same moment."""
        return max(self.asr, self.llm + self.tts if self.overlap else max(self.llm, self.tts))


def plan_threads(free: int | None = None) -> ThreadPlan:
    cores = free if free is not None else free_cores()
    if cores <= 1:
        # One core: the model waits while a clause is synthesised, so two never compete.
        return ThreadPlan(asr=1, llm=1, tts=1, overlap=False)
    # Two threads help Whisper's encoder a little; the LLM and voice overlap, one core each.
    return ThreadPlan(asr=min(2, cores), llm=1, tts=1)
