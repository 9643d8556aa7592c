"""Transcript fragments: cut at words, spread over the audio chunks that speak them."""

from __future__ import annotations

import pytest

from desktop_assistant.server.transcripts import spread, word_pieces

SENTENCE = "You said: the weather in Paris is sunny today. "


def test_word_pieces_concatenate_to_the_text() -> None:
    assert word_pieces("You said: hello ") == ["You", " said:", " hello "]
    assert word_pieces("  leading and  double  spaces") == [
        "  leading",
        " and",
        "  double",
        "  spaces",
    ]
    assert word_pieces("") == []
    assert word_pieces("   ") == ["   "]
    for text in (SENTENCE, "one", "Grüße, 東京!  ", "a\nb\tc"):
        assert "".join(word_pieces(text)) == text


def test_words_are_spread_over_the_audio_in_order() -> None:
    chunks = [960] * 50  # 2 s of 20 ms chunks
    fragments = spread(SENTENCE, chunks)
    assert len(fragments) == len(chunks)
    assert "".join(fragments) == SENTENCE
    sent = [f for f in fragments if f]
    assert sent == word_pieces(SENTENCE)  # one word per fragment: words outlast a 20 ms chunk
    assert fragments[0] == "You"  # the caption starts with the speech
    last = max(i for i, f in enumerate(fragments) if f)
    assert last < len(chunks) - 1  # the last word is shown while it is still being said
    # Word-proportional: the fragments are spread over the whole sentence, not bunched up.
    positions = [i for i, f in enumerate(fragments) if f]
    assert positions[len(positions) // 2] in range(len(chunks) // 3, 2 * len(chunks) // 3)


def test_longer_words_take_longer() -> None:
    fragments = spread("a extraordinarily b", [100] * 21)
    starts = [i for i, f in enumerate(fragments) if f]
    assert starts[:2] == [0, 1]  # "a" is short: the long word follows at once
    assert starts[2] >= 18  # "b" comes after the long word is done


@pytest.mark.parametrize("chunks", [[4800], [4800, 4800], [960, 960, 200]])
def test_few_chunks_still_carry_every_word(chunks: list[int]) -> None:
    fragments = spread(SENTENCE, chunks)
    assert "".join(fragments) == SENTENCE
    assert fragments[0].startswith("You")


def test_no_audio_gives_no_fragments() -> None:
    assert spread(SENTENCE, []) == []
    assert spread("", [960, 960]) == ["", ""]
