"""The small chat model: SmolLM2-135M-Instruct on CTranslate2, streamed token by token.

A 135M-parameter model is fluent but knows little and cannot act, so it only ever gets what the
rules in ``intents`` do not handle, with a prompt that keeps it short (the reply is spoken) and a
few turns of history. Greedy decoding with a repetition penalty: sampling makes it drift. One
thread: for a model this small a second CTranslate2 thread is slower, and it would take the core
the voice needs while the reply is still being generated.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from desktop_assistant.server.engines.offline.llm_convert import read_manifest
from desktop_assistant.server.engines.offline.models import SMOLLM2_GGUF, ModelError

if TYPE_CHECKING:
    from pathlib import Path

# Chosen by comparing replies to a fixed set of questions: longer instructions made this model
# apologise and refuse more, not less; a factual example made it answer instead of deflecting.
SYSTEM_PROMPT = "You are a helpful voice assistant. Reply in one or two short sentences."
FEW_SHOT: tuple[tuple[str, str], ...] = (
    ("Hi, how are you?", "I'm doing well, thanks. How can I help?"),
    (
        "Tell me about Rome.",
        "Rome is the capital of Italy, famous for the Colosseum and its long history.",
    ),
)
MAX_NEW_TOKENS = 72
HISTORY_TURNS = 3
END_TOKENS = ("<|im_end|>", "<|endoftext|>")


@dataclass(frozen=True, slots=True)
class Exchange:
    user: str
    assistant: str


def chat_prompt(user: str, history: Sequence[Exchange] = (), system: str = SYSTEM_PROMPT) -> str:
    """The ChatML prompt SmolLM2 was tuned on."""
    parts = [f"<|im_start|>system\n{system}<|im_end|>\n"]
    turns = [Exchange(u, a) for u, a in FEW_SHOT] + list(history)[-HISTORY_TURNS:]
    for ex in turns:
        parts.append(f"<|im_start|>user\n{ex.user}<|im_end|>\n")
        parts.append(f"<|im_start|>assistant\n{ex.assistant}<|im_end|>\n")
    parts.append(f"<|im_start|>user\n{user}<|im_end|>\n<|im_start|>assistant\n")
    return "".join(parts)


class ChatModel:
    """Streams a reply as text deltas; stops within one token when ``cancel`` is set."""

    def __init__(self, model_dir: Path, threads: int = 1) -> None:
        import ctranslate2  # type: ignore[import-untyped, import-not-found, unused-ignore]
        import tokenizers  # type: ignore[import-untyped, import-not-found, unused-ignore]

        manifest = read_manifest(model_dir)
        if manifest is None:
            raise ModelError(
                f"The {SMOLLM2_GGUF.label} has not been prepared ({model_dir.name} is incomplete)."
            )
        try:
            for name in ("config.json", "vocabulary.json"):
                if not (model_dir / name).is_file():
                    raise FileNotFoundError(name)
            with (model_dir / "model.bin").open("rb") as f:
                digest = hashlib.file_digest(f, "sha256").hexdigest()
            tokenizer_json = (model_dir / "tokenizer.json").read_text(encoding="utf-8")
        except OSError as exc:
            raise ModelError(f"The prepared {SMOLLM2_GGUF.label} is incomplete: {exc}") from None
        if digest != manifest.get("model_sha256"):
            raise ModelError(
                f"The prepared {SMOLLM2_GGUF.label} in {model_dir} is damaged; delete that folder "
                "and it will be prepared again."
            )
        self._tokenizer = tokenizers.Tokenizer.from_str(tokenizer_json)
        self._generator: Any = ctranslate2.Generator(
            str(model_dir), device="cpu", compute_type="int8", intra_threads=max(1, threads)
        )
        self._lock = threading.Lock()

    def prompt_tokens(self, prompt: str) -> list[str]:
        return [str(t) for t in self._tokenizer.encode(prompt, add_special_tokens=False).tokens]

    def stream(
        self,
        user: str,
        history: Sequence[Exchange] = (),
        cancel: threading.Event | None = None,
        max_new_tokens: int = MAX_NEW_TOKENS,
        may_run: threading.Event | None = None,
    ) -> Iterator[str]:
        """Text deltas of the reply. Stopping the iteration stops the generation.

        ``cancel`` stops the generation within one token even while nobody iterates (the model
        computes ahead on its own thread). While ``may_run`` is clear the generation waits, so
        that on a single free core the voice is not fighting the model for it.
        """
        tokens = self.prompt_tokens(chat_prompt(user, history))
        finished = threading.Event()

        def stopped() -> bool:
            return finished.is_set() or (cancel is not None and cancel.is_set())

        def on_step(_step: object) -> bool:
            # Runs on CTranslate2's thread before each next token; True ends the generation.
            if may_run is not None:
                while not may_run.wait(0.05):
                    if stopped():
                        return True
            return stopped()

        with self._lock:
            steps = self._generator.generate_tokens(
                tokens,
                max_length=max_new_tokens,
                sampling_topk=1,
                repetition_penalty=1.15,
                end_token=list(END_TOKENS),
                callback=on_step,
            )
            ids: list[int] = []
            said = ""
            try:
                for step in steps:
                    if stopped():
                        return
                    ids.append(int(step.token_id))
                    text = self._tokenizer.decode(ids, skip_special_tokens=True)
                    # A partial UTF-8 sequence decodes to U+FFFD; wait for the rest of it.
                    if text.endswith("\ufffd"):
                        continue
                    if len(text) > len(said):
                        delta, said = text[len(said) :], text
                        yield delta
            finally:
                finished.set()  # a generation still running ahead ends at its next token
                close = getattr(steps, "close", None)
                if callable(close):
                    close()

    def close(self) -> None:
        # Freed explicitly: a CTranslate2 generator torn down at interpreter exit can abort.
        self._generator = None
