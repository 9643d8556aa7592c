from desktop_assistant.server.engines.offline.sentences import SentenceSplitter


def feed(text: str, step: int = 3) -> list[str]:
    """Stream ``text`` in small deltas, as a language model would, and collect the clauses."""
    splitter = SentenceSplitter()
    out: list[str] = []
    for i in range(0, len(text), step):
        out += splitter.push(text[i : i + step])
    return out + splitter.flush()


def test_first_clause_is_cut_early_then_whole_sentences() -> None:
    text = (
        "Sure, Paris is the capital of France, and it is lovely. It has museums, cafes and parks."
    )
    assert feed(text) == [
        "Sure, Paris is the capital of France,",
        "and it is lovely.",
        "It has museums, cafes and parks.",
    ]


def test_first_clause_needs_two_words() -> None:
    assert feed("Yes, of course. Here it is.") == ["Yes, of course.", "Here it is."]
    assert feed("I'm sorry, I can't do that.") == ["I'm sorry,", "I can't do that."]


def test_a_long_first_clause_is_cut_early_then_the_rest_runs_longer() -> None:
    text = "A black hole is a region in space where the gravitational pull is so strong that nothing escapes."
    clauses = feed(text)
    assert clauses[0] == "A black hole is a region in space"
    assert clauses[1] == "where the gravitational pull is so strong that nothing escapes."


def test_a_comma_inside_a_number_is_not_a_boundary() -> None:
    assert feed("The Moon is 384,400 kilometres away.") == ["The Moon is 384,400 kilometres away."]


def test_abbreviations_do_not_end_a_sentence() -> None:
    clauses = feed("Well, I asked Dr. Smith about it. He said no.")
    assert clauses == ["Well, I asked Dr. Smith about it.", "He said no."]


def test_a_long_run_without_marks_is_cut_at_the_word_limit() -> None:
    words = " ".join(f"word{i}" for i in range(30))
    clauses = feed(words + ".")
    assert len(clauses) >= 2
    assert len(clauses[0].split()) == 8
    assert all(len(c.split()) <= 14 for c in clauses)
    assert " ".join(clauses) == words + "."


def test_a_long_sentence_is_cut_before_a_parenthesis() -> None:
    text = (
        "Good question. The average distance is about two hundred and thirty eight thousand "
        "miles (three hundred and eighty four thousand kilometres) from here."
    )
    clauses = feed(text)
    assert clauses[0] == "Good question."
    assert clauses[1].endswith("thousand miles")
    assert clauses[2].startswith("(three")
    assert " ".join(clauses) == text


def test_nothing_is_lost_or_invented() -> None:
    text = "One. Two, three four five; six! Seven? Eight"
    assert " ".join(feed(text, step=1)) == text
    assert SentenceSplitter().flush() == []


def test_clock_times_are_read_as_people_say_them() -> None:
    from desktop_assistant.server.engines.offline.tts import speakable

    assert speakable("It's 1:05 AM in Tokyo.") == "It's 1 oh 5 A M in Tokyo."
    assert speakable("It's 3:42 PM.") == "It's 3 42 P M."
    assert speakable("At 12:00 p.m. sharp") == "At 12 o'clock P M sharp"
    assert speakable("I am fine, 384,000 km") == "I am fine, 384,000 km"
