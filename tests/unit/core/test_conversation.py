from __future__ import annotations

from desktop_assistant.core.conversation import Conversation, Role, TranscriptEntry
from desktop_assistant.core.events import (
    ConnectionState,
    ConnectionStateChanged,
    InputTranscribed,
    Interrupted,
    ModelAudioReceived,
    ModelTextReceived,
    OutputTranscribed,
    TextSent,
    ToolCallFinished,
    ToolCallRequested,
    TurnCompleted,
    TurnState,
    VoiceActivityChanged,
)
from desktop_assistant.core.ports import HistoryTurn

SECOND = bytes(48_000)  # one second of 24 kHz int16


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


def states(conversation, events):
    seen = []
    for event in events:
        seen += [c.state for c in conversation.apply(event)]
    return seen


def test_a_spoken_exchange_walks_through_the_states():
    c = Conversation(Clock())
    seen = states(
        c,
        [
            ConnectionStateChanged(ConnectionState.LIVE),
            VoiceActivityChanged(True),
            InputTranscribed("What time"),
            VoiceActivityChanged(False),
            ModelTextReceived("considering", thought=True),
            ModelAudioReceived(SECOND),
            OutputTranscribed("It is noon."),
            TurnCompleted(),
        ],
    )
    assert seen == [
        TurnState.LISTENING,
        TurnState.USER_SPEAKING,
        TurnState.MODEL_THINKING,
        TurnState.MODEL_SPEAKING,
        TurnState.LISTENING,
    ]


def test_fragments_aggregate_into_turns():
    c = Conversation(Clock())
    for e in [
        InputTranscribed(" Ca"),
        InputTranscribed("n I"),
        InputTranscribed(" pay?"),
        OutputTranscribed("Yes,"),
        InputTranscribed(" by card"),  # late user transcription: still the same user turn
        OutputTranscribed(" you can."),
        TurnCompleted(),
    ]:
        c.apply(e)
    assert [(e.role, e.text) for e in c.entries] == [
        (Role.USER, "Can I pay? by card"),
        (Role.MODEL, "Yes, you can."),
    ]


def test_a_barge_in_marks_the_model_turn_and_what_was_heard():
    c = Conversation(Clock())
    c.apply(InputTranscribed("Tell me about Rome"))
    turn = None
    for event in [ModelAudioReceived(SECOND), ModelAudioReceived(SECOND)]:
        turn = c.begin_model_output()
        c.apply(event)
    c.apply(OutputTranscribed("Rome is the capital of Italy and"))
    changes = c.apply(Interrupted())
    assert [ch.state for ch in changes] == [TurnState.INTERRUPTED]
    c.mark_played(turn, 24_000)  # half of the two seconds reached the speaker
    assert not c.accepting_model_audio
    c.apply(ModelAudioReceived(SECOND))  # late audio of the cut generation is not counted
    c.apply(OutputTranscribed(" it has a long history."))  # its late text belongs to the cut turn
    assert [ch.state for ch in c.apply(TurnCompleted())] == [TurnState.USER_SPEAKING]
    assert c.accepting_model_audio
    model = c.entries[1]
    assert model.interrupted
    assert model.received_samples == 96_000 // 2
    assert model.heard_fraction == 0.5
    # Half of what had arrived (32 characters), cut back to a word boundary.
    assert model.heard_text == "Rome is the"
    assert model.unheard_text.strip() == "capital of Italy and it has a long history."
    c.apply(InputTranscribed("Paris instead"))
    assert [e.role for e in c.entries] == [Role.USER, Role.MODEL, Role.USER]


def test_history_replays_what_the_user_heard():
    c = Conversation(Clock())
    c.apply(TextSent("Hi"))
    c.apply(OutputTranscribed("Hello! How are you today, my friend?"))
    c.begin_model_output()
    c.apply(ModelAudioReceived(SECOND))
    c.apply(Interrupted())
    c.mark_played(1, 6_000)  # a quarter of the audio: "Hello! Ho|w are..." is cut back to a word
    c.apply(TurnCompleted())
    assert c.history() == [HistoryTurn("user", "Hi"), HistoryTurn("model", "Hello!")]


def _cut_without_knowing_what_played(c: Conversation) -> TranscriptEntry:
    c.apply(TextSent("Tell me about Rome"))
    c.begin_model_output()
    c.apply(ModelAudioReceived(SECOND))
    c.apply(OutputTranscribed("Rome is the capital of Italy."))
    c.apply(Interrupted())  # no speaker: nothing reports how much of the second was played
    c.apply(OutputTranscribed(" It has a long history."))  # late text of the cut generation
    c.apply(TurnCompleted())
    return c.entries[1]


def test_a_cut_turn_whose_playback_is_unknown_keeps_the_text_that_had_arrived():
    c = Conversation(Clock())
    model = _cut_without_knowing_what_played(c)
    assert model.interrupted
    assert model.heard_fraction is None
    assert model.heard_text == "Rome is the capital of Italy."
    assert model.unheard_text.strip() == "It has a long history."
    # Re-seeding tells the model what it had said, not that it said nothing.
    assert c.history() == [
        HistoryTurn("user", "Tell me about Rome"),
        HistoryTurn("model", "Rome is the capital of Italy."),
    ]


def test_a_cut_turn_known_to_have_played_nothing_is_left_out_of_history():
    c = Conversation(Clock())
    c.apply(TextSent("Tell me about Rome"))
    c.begin_model_output()
    c.apply(ModelAudioReceived(SECOND))
    c.apply(OutputTranscribed("Rome is the capital of Italy."))
    c.apply(Interrupted())
    c.mark_played(1, 0)  # the speaker was there and had played none of it
    c.apply(TurnCompleted())
    assert c.entries[1].heard_fraction == 0.0
    assert c.entries[1].heard_text == ""
    assert c.history() == [HistoryTurn("user", "Tell me about Rome")]


def test_tool_calls_hold_the_floor_until_answered():
    c = Conversation(Clock())
    c.apply(ConnectionStateChanged(ConnectionState.LIVE))
    c.apply(TextSent("time?"))
    assert [ch.state for ch in c.apply(ToolCallRequested("fc-1", "current_time", {}))] == [
        TurnState.TOOL_RUNNING
    ]
    c.apply(TurnCompleted())
    assert c.state is TurnState.TOOL_RUNNING
    assert [
        ch.state for ch in c.apply(ToolCallFinished("fc-1", "current_time", "ok", {}, 3.0))
    ] == [TurnState.MODEL_THINKING]
    tool = c.entries[1]
    assert (tool.role, tool.tool_name, tool.tool_outcome) == (Role.TOOL, "current_time", "ok")


def test_typed_text_is_a_user_turn_and_time_is_recorded():
    clock = Clock()
    c = Conversation(clock)
    clock.now = 2.5
    c.apply(TextSent("hello"))
    (entry,) = c.entries
    assert (entry.role, entry.source, entry.text, entry.started_at) == (
        Role.USER,
        "text",
        "hello",
        2.5,
    )
