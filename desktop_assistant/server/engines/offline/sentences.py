"""Cut a streamed reply into clauses that can be spoken while the rest is still being written.

The first audio leaves once the first clause is synthesised, so the first cut comes early: at a
clause mark (``, . ! ? ; :`` followed by a space) once it holds two words, or after eight words. Later cuts wait for
sentence ends, because every clause boundary costs a little prosody. A long stretch with no
mark is cut before an opening parenthesis or, failing that, after a fixed number of words, so
one runaway sentence never delays the voice. A comma inside a number ("384,000") is no mark.
"""

from __future__ import annotations

import re

_CLAUSE = re.compile(r"[,;:.!?](?=\s)|[.!?](?=[\"')\]]\s)")
_SENTENCE = re.compile(r"[.!?][\"')\]]?(?=\s)")
_ABBREVIATIONS = frozenset(
    {"mr.", "mrs.", "ms.", "dr.", "st.", "vs.", "e.g.", "i.e.", "etc.", "no."}
)

FIRST_MIN_WORDS = 2  # "I'm sorry," / "The dragon." are worth sending on their own
FIRST_MAX_WORDS = 8  # the first clause's words are generated and voiced before any sound
MAX_WORDS = 14


class SentenceSplitter:
    """Feed text deltas with ``push``; take finished clauses; ``flush`` at the end of the reply."""

    def __init__(
        self,
        first_min_words: int = FIRST_MIN_WORDS,
        first_max_words: int = FIRST_MAX_WORDS,
        max_words: int = MAX_WORDS,
    ) -> None:
        self._buf = ""
        self._first = True
        self._first_min = first_min_words
        self._first_max = first_max_words
        self._max_words = max_words

    def push(self, delta: str) -> list[str]:
        self._buf += delta
        out: list[str] = []
        while (cut := self._find_cut()) is not None:
            piece, self._buf = self._buf[:cut].strip(), self._buf[cut:]
            if piece:
                out.append(piece)
                self._first = False
        return out

    def flush(self) -> list[str]:
        piece, self._buf = self._buf.strip(), ""
        self._first = False
        return [piece] if piece else []

    def _find_cut(self) -> int | None:
        buf = self._buf
        pattern = _CLAUSE if self._first else _SENTENCE
        for m in pattern.finditer(buf):
            head = buf[: m.end()]
            words = head.split()
            if not words or words[-1].lower() in _ABBREVIATIONS:
                continue
            if self._first and len(words) < self._first_min:
                continue
            return m.end()
        ends = [w.end() for w in re.finditer(r"\S+\s", buf)]
        most = self._first_max if self._first else self._max_words
        if len(ends) >= most:
            # Before an opening parenthesis if there is one late enough, else at the word limit.
            limit = ends[most - 1]
            paren = buf.rfind(" (", 0, limit)
            if paren > len(buf) // 3:
                return paren
            return limit
        return None
