"""Word error rate, the way speech recognition accuracy is reported in the tests and benchmark.

Both sides are lower-cased, stripped of punctuation, and numbers in digits are spelled out
("10" -> "ten"), so that "10 minutes" and "ten minutes" count as the same words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
).split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()


def number_words(n: int) -> list[str]:
    if n < 20:
        return [_ONES[n]]
    if n < 100:
        tens, ones = divmod(n, 10)
        return [_TENS[tens]] + ([_ONES[ones]] if ones else [])
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        return [_ONES[hundreds], "hundred"] + (number_words(rest) if rest else [])
    thousands, rest = divmod(n, 1000)
    return number_words(thousands) + ["thousand"] + (number_words(rest) if rest else [])


def normalise(text: str) -> list[str]:
    words: list[str] = []
    for token in re.findall(r"[a-z0-9']+", text.lower().replace(",", "")):
        token = token.strip("'")
        if token.isdigit() and len(token) < 7:
            words += number_words(int(token))
        elif token:
            words.append(token)
    return words


def edit_distance(ref: Sequence[str], hyp: Sequence[str]) -> int:
    previous = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        current = [i]
        for j, h in enumerate(hyp, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (r != h)))
        previous = current
    return previous[-1]


def word_error_rate(references: Sequence[str], hypotheses: Sequence[str]) -> float:
    """Edits over reference words, summed over all utterances (0.0 is perfect)."""
    if len(references) != len(hypotheses):
        raise ValueError("one hypothesis per reference")
    edits = words = 0
    for ref, hyp in zip(references, hypotheses, strict=True):
        r, h = normalise(ref), normalise(hyp)
        edits += edit_distance(r, h)
        words += len(r)
    return edits / words if words else 0.0
