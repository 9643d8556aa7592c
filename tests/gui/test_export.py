"""Exports record what the user heard: Markdown, JSON and SRT of one conversation."""

from __future__ import annotations

import json

import pytest

from desktop_assistant.ui.export import ExportFormat, export, to_json, to_markdown, to_srt
from desktop_assistant.ui.transcript import EntryKind, ToolCallInfo, ToolState, Transcript


@pytest.fixture
def transcript() -> Transcript:
    t = Transcript()
    t.add_fragment(EntryKind.USER, "Tell me about *stars*", True, 1.0)
    t.add_fragment(EntryKind.MODEL, "Stars are suns. Some are", False, 2.5)
    t.add_fragment(EntryKind.MODEL, " very far away indeed.", False, 4.0)
    t.interrupt(None, 4.2)
    t.set_heard(0.5)
    t.add_typed("Just one fact", 5.0)
    call = ToolCallInfo(
        "c7", "current_time", {"zone": "UTC"}, ToolState.OK, {"output": "12:00"}, 3.0
    )
    t.add_tool_call(call, 5.5)
    t.update_tool("c7", 5.6)
    t.add_fragment(EntryKind.MODEL, "It is noon.", True, 6.0)
    return t


def test_markdown_strikes_the_unheard_tail_and_escapes_markup(transcript: Transcript) -> None:
    md = to_markdown(transcript)
    assert md.startswith("# Conversation\n")
    assert "**You** [00:01]: Tell me about \\*stars\\*" in md
    assert (
        "**Gemini** [00:02]: Stars are suns. Some ~~are very far away indeed.~~ *(interrupted)*"
        in md
    )
    assert "**You** (typed) [00:05]: Just one fact" in md
    assert '`current_time(zone="UTC")` — ok, 3 ms' in md
    assert '> result: `{"output": "12:00"}`' in md


def test_json_keeps_heard_and_unheard_apart(transcript: Transcript) -> None:
    doc = json.loads(to_json(transcript))
    assert doc["format"] == "desktop-assistant-transcript"
    assert doc["version"] == 1
    cut = doc["entries"][1]
    assert cut["kind"] == "model"
    assert cut["interrupted"] is True
    assert cut["text"] == "Stars are suns. Some"
    assert cut["unheard_text"] == " are very far away indeed."
    tool = doc["entries"][3]["tool"]
    assert tool == {
        "id": "c7",
        "name": "current_time",
        "args": {"zone": "UTC"},
        "state": "ok",
        "result": {"output": "12:00"},
        "elapsed_ms": 3.0,
    }


def test_srt_has_what_was_on_the_air(transcript: Transcript) -> None:
    srt = to_srt(transcript)
    cues = srt.strip().split("\n\n")
    assert len(cues) == 4  # tool calls are not speech
    assert cues[0] == "1\n00:00:01,000 --> 00:00:01,800\nYou: Tell me about *stars*"
    assert cues[1] == "2\n00:00:02,500 --> 00:00:04,200\nGemini: Stars are suns. Some"
    assert "very far away" not in srt


def test_format_follows_the_file_suffix() -> None:
    assert ExportFormat.from_suffix(".MD") is ExportFormat.MARKDOWN
    assert ExportFormat.from_suffix("srt") is ExportFormat.SRT
    with pytest.raises(ValueError, match="txt"):
        ExportFormat.from_suffix(".txt")
    assert export(Transcript(), ExportFormat.SRT) == ""
