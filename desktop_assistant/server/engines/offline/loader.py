"""Load the offline models once per process, in the background, and tell listeners how it goes.

Loading takes a few seconds (and, the very first time, a one-time preparation of the language
model), so it starts as soon as the engine does, on its own threads, while the server already
accepts connections. Progress goes to listeners as ``LoadProgress`` snapshots (stage, steps
done, a sentence for the user) from the loader's threads; a failure is reported once, in plain
words, and kept, so every turn can say what is wrong instead of crashing.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from desktop_assistant.server.engines.offline.models import INSTALL_HINT, ModelError
from desktop_assistant.server.engines.offline.threads import ThreadPlan, plan_threads

if TYPE_CHECKING:
    from desktop_assistant.server.engines.offline.asr import SpeechRecognizer
    from desktop_assistant.server.engines.offline.llm import ChatModel
    from desktop_assistant.server.engines.offline.tts import Voice
    from desktop_assistant.server.engines.offline.vad import SileroModel

log = logging.getLogger(__name__)


class LoadState(enum.Enum):
    IDLE = "idle"
    LOADING = "loading"
    READY = "ready"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class LoadProgress:
    """One snapshot of the loading, for a progress bar and a status line."""

    state: LoadState
    done: int
    total: int
    message: str
    seconds: float = 0.0  # since loading started

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 0.0


@dataclass(slots=True)
class Models:
    """Everything one turn needs; shared by every session of the process."""

    vad: SileroModel
    asr: SpeechRecognizer
    llm: ChatModel
    voice: Voice
    plan: ThreadPlan
    load_s: float
    timings: dict[str, float] = field(default_factory=dict)
    # One worker each: a model call never runs twice at once, whichever session asks. Speech
    # recognition and the voice get their own, so the voice never waits behind recognition.
    listen_pool: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(1, thread_name_prefix="offline-listen")
    )
    voice_pool: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(1, thread_name_prefix="offline-voice")
    )
    think_pool: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(2, thread_name_prefix="offline-think")
    )

    def close(self) -> None:
        for pool in (self.listen_pool, self.voice_pool, self.think_pool):
            pool.shutdown(wait=True, cancel_futures=True)
        self.llm.close()


ProgressListener = Callable[[LoadProgress], None]
STEPS = ("voice activity model", "speech recognition model", "language model", "voice")


class ModelLoader:
    """Loads ``Models`` on background threads; ``wait()`` from asyncio, ``progress`` any time."""

    def __init__(self, plan: ThreadPlan | None = None) -> None:
        self._plan = plan
        self._lock = threading.Lock()
        self._listeners: list[ProgressListener] = []
        self._future: Future[Models] | None = None
        self._progress = LoadProgress(LoadState.IDLE, 0, len(STEPS), "The offline engine is idle.")
        self._t0 = 0.0

    @classmethod
    def of(cls, models: Models) -> ModelLoader:
        """A loader that already holds ``models`` (to serve them with other settings)."""
        loader = cls(models.plan)
        loader._future = Future()
        loader._future.set_result(models)
        loader._progress = LoadProgress(
            LoadState.READY, len(STEPS), len(STEPS), "The offline engine is ready."
        )
        return loader

    # ------------------------------------------------------------------ progress

    @property
    def progress(self) -> LoadProgress:
        with self._lock:
            return self._progress

    def add_listener(self, listener: ProgressListener) -> Callable[[], None]:
        """Call ``listener`` with every snapshot from now on (first the current one)."""
        with self._lock:
            self._listeners.append(listener)
            current = self._progress
        listener(current)

        def remove() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return remove

    def _report(self, state: LoadState, done: int, message: str) -> None:
        snap = LoadProgress(state, done, len(STEPS), message, time.perf_counter() - self._t0)
        with self._lock:
            self._progress = snap
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(snap)
            except Exception:  # a broken listener must not break loading
                log.exception("offline engine progress listener failed")

    # ------------------------------------------------------------------ loading

    def start(self) -> Future[Models]:
        """Begin loading (once); later calls return the same future."""
        with self._lock:
            if self._future is None:
                self._future = Future()
                self._t0 = time.perf_counter()
                threading.Thread(target=self._run, name="offline-model-loader", daemon=True).start()
            return self._future

    async def wait(self) -> Models:
        """The loaded models; raises ``ModelError`` with the reason if loading failed."""
        return await asyncio.wrap_future(self.start())

    def _run(self) -> None:
        assert self._future is not None
        try:
            models = self._load()
        except ModelError as exc:
            self._report(LoadState.FAILED, 0, str(exc))
            self._future.set_exception(exc)
        except ImportError as exc:
            error = ModelError(f"The offline engine is not installed ({exc.name}). {INSTALL_HINT}")
            self._report(LoadState.FAILED, 0, str(error))
            self._future.set_exception(error)
        except Exception as exc:
            log.exception("loading the offline models failed")
            error = ModelError(f"Loading the offline models failed: {exc}")
            self._report(LoadState.FAILED, 0, str(error))
            self._future.set_exception(error)
        else:
            self._report(
                LoadState.READY,
                len(STEPS),
                f"The offline engine is ready (loaded in {models.load_s:.1f} s).",
            )
            self._future.set_result(models)

    def _load(self) -> Models:
        from desktop_assistant.server.engines.offline.llm_convert import (
            converted_dir,
            ensure_converted_in_subprocess,
            read_manifest,
        )

        plan = self._plan or plan_threads()
        done = 0
        self._report(LoadState.LOADING, 0, "Loading the offline engine…")
        if read_manifest(converted_dir()) is None:
            self._report(
                LoadState.LOADING, 0, "Preparing the offline language model (first run only)…"
            )
            ensure_converted_in_subprocess()
        timings: dict[str, float] = {}

        def timed(name: str, make: Callable[[], Any]) -> Any:
            t = time.perf_counter()
            value = make()
            timings[name] = time.perf_counter() - t
            return value

        def load_vad() -> SileroModel:
            from desktop_assistant.server.engines.offline.vad import SileroModel

            return SileroModel()

        def load_asr() -> SpeechRecognizer:
            from desktop_assistant.server.engines.offline.asr import SpeechRecognizer

            return SpeechRecognizer(threads=plan.asr)

        def load_llm() -> ChatModel:
            from desktop_assistant.server.engines.offline.llm import ChatModel

            return ChatModel(converted_dir(), threads=plan.llm)

        def load_voice() -> Voice:
            from desktop_assistant.server.engines.offline.tts import Voice

            return Voice(threads=plan.tts)

        # Two loaders at a time: most of the work is reading, hashing and parsing model files,
        # which overlaps well, and no more than two cores are assumed to be there.
        makers: dict[str, Callable[[], Any]] = dict(
            zip(STEPS, (load_vad, load_asr, load_llm, load_voice), strict=True)
        )
        workers = max(1, min(2, plan.asr))
        results: dict[str, Any] = {}
        with ThreadPoolExecutor(workers, thread_name_prefix="offline-load") as pool:
            # The slowest two first, so they overlap.
            order = ("voice", "language model", "speech recognition model", "voice activity model")
            futures = {pool.submit(timed, name, makers[name]): name for name in order}
            for future in as_completed(futures):
                results[futures[future]] = future.result()
                done += 1
                self._report(LoadState.LOADING, done, f"Loaded the {futures[future]}.")
        return Models(
            vad=results["voice activity model"],
            asr=results["speech recognition model"],
            llm=results["language model"],
            voice=results["voice"],
            plan=plan,
            load_s=time.perf_counter() - self._t0,
            timings=timings,
        )


_shared: ModelLoader | None = None
_shared_lock = threading.Lock()


def shared_loader() -> ModelLoader:
    """The process's one loader: every server and session in a process shares its models."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = ModelLoader()
        return _shared
