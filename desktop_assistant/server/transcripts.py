"""Transcripts the way the service streams them: a word or two at a time, along with the audio.

The service does not send one ``outputTranscription`` per sentence: it sends small fragments,
interleaved with the audio chunks they belong to, so a client's caption grows while the model
speaks. Fragments are deltas (the client appends them); concatenated, they give the text back
exactly, spaces included.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

_WORD = re.compile(r"\s*\S+")  # a word with the whitespace before it, as the service cuts them


def word_pieces(text: str) -> list[str]:
    """``text`` cut before each word (``"a b "`` -> ``["a", " b "]``); they concatenate to it."""
    pieces: list[str] = _WORD.findall(text)
    if not pieces:
        return [text] if text else []
    pieces[-1] += text[sum(map(len, pieces)) :]  # trailing whitespace stays with the last word
    return pieces


def spread(text: str, chunk_lengths: Sequence[int]) -> list[str]:
    """The fragment of ``text`` to send with each audio chunk (``""`` where none is due).

    Each word goes with the chunk in which it starts to be heard, its start estimated from the
    characters spoken before it (longer words take longer to say). The first word goes with the
    first chunk and the last one starts before the audio ends, so the caption never lags the
    speech by more than a word. The fragments concatenate to ``text``.
    """
    fragments = [""] * len(chunk_lengths)
    if not fragments:
        return fragments
    pieces = word_pieces(text)
    weights = [max(1, len(piece.strip())) for piece in pieces]
    total_weight = sum(weights) or 1
    total_audio = sum(chunk_lengths)
    ends = list(itertools.accumulate(chunk_lengths))
    chunk = 0
    spoken = 0
    for piece, weight in zip(pieces, weights, strict=True):
        starts_at = total_audio * spoken / total_weight
        while chunk < len(ends) - 1 and ends[chunk] <= starts_at:
            chunk += 1
        fragments[chunk] += piece
        spoken += weight
    return fragments
