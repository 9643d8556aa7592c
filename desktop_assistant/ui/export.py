"""Export a transcript as Markdown, JSON or SRT subtitles.

Every format records what the user actually heard: an interrupted model turn exports its heard part
as the text and keeps the unheard tail separate (struck through in Markdown, its own field in JSON,
left out of SRT, which is what was on the air).
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping

from desktop_assistant.ui.transcript import EntryKind, Transcript, TranscriptEntry

JSON_FORMAT_VERSION = 1


class ExportFormat(enum.Enum):
    MARKDOWN = "md"
    JSON = "json"
    SRT = "srt"

    @property
    def suffix(self) -> str:
        return "." + self.value

    @classmethod
    def from_suffix(cls, suffix: str) -> ExportFormat:
        wanted = suffix.lower().lstrip(".")
        if wanted == "markdown":
            wanted = "md"
        return cls(wanted)


def export(
    transcript: Transcript,
    fmt: ExportFormat,
    *,
    you: str = "You",
    model: str = "Gemini",
    title: str = "Conversation",
) -> str:
    if fmt is ExportFormat.MARKDOWN:
        return to_markdown(transcript, you=you, model=model, title=title)
    if fmt is ExportFormat.JSON:
        return to_json(transcript)
    return to_srt(transcript, you=you, model=model)


# ------------------------------------------------------------------------------------- Markdown


def _md_escape(text: str) -> str:
    """Keep transcribed text from turning into Markdown markup."""
    out = []
    for ch in text:
        if ch in "\\`*_[]<>#|~":
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def _clock(seconds: float) -> str:
    whole = max(int(seconds), 0)
    return f"{whole // 60:02d}:{whole % 60:02d}"


def _args_text(args: Mapping[str, object]) -> str:
    return ", ".join(
        f"{key}={json.dumps(value, ensure_ascii=False)}" for key, value in args.items()
    )


def to_markdown(
    transcript: Transcript, *, you: str = "You", model: str = "Gemini", title: str = "Conversation"
) -> str:
    lines = [f"# {_md_escape(title)}", ""]
    for entry in transcript.entries:
        stamp = _clock(entry.started_s)
        if entry.kind is EntryKind.TOOL and entry.tool is not None:
            call = entry.tool
            elapsed = f", {call.elapsed_ms:.0f} ms" if call.elapsed_ms is not None else ""
            lines.append(
                f"> `{call.name}({_args_text(call.args)})` — {call.state.value}{elapsed} ({stamp})"
            )
            if call.result is not None:
                result = json.dumps(dict(call.result), ensure_ascii=False, default=str)
                lines.append(f"> result: `{result}`")
            lines.append("")
            continue
        if not entry.text.strip():
            continue
        who = you if entry.kind is EntryKind.USER else entry.speaker or model
        body = _md_escape(entry.heard_text.strip())
        if entry.interrupted:
            tail = entry.unheard_text.strip()
            if tail:
                body += f" ~~{_md_escape(tail)}~~"
            body += " *(interrupted)*"
        typed = " (typed)" if entry.typed else ""
        lines.append(f"**{who}**{typed} [{stamp}]: {body}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


# ----------------------------------------------------------------------------------------- JSON


def _entry_json(entry: TranscriptEntry) -> dict[str, object]:
    item: dict[str, object] = {
        "kind": entry.kind.value,
        "start_s": round(entry.started_s, 3),
        "end_s": round(entry.ended_s, 3),
    }
    if entry.kind is EntryKind.TOOL and entry.tool is not None:
        call = entry.tool
        item["tool"] = {
            "id": call.call_id,
            "name": call.name,
            "args": dict(call.args),
            "state": call.state.value,
            "result": dict(call.result) if call.result is not None else None,
            "elapsed_ms": call.elapsed_ms,
        }
        return item
    item["text"] = entry.heard_text
    item["finished"] = entry.finished
    if entry.kind is EntryKind.USER:
        item["typed"] = entry.typed
    if entry.kind is EntryKind.MODEL:
        item["interrupted"] = entry.interrupted
        item["unheard_text"] = entry.unheard_text
    return item


def to_json(transcript: Transcript) -> str:
    document = {
        "format": "desktop-assistant-transcript",
        "version": JSON_FORMAT_VERSION,
        "entries": [_entry_json(entry) for entry in transcript.entries],
    }
    return json.dumps(document, ensure_ascii=False, indent=2, default=str) + "\n"


# ------------------------------------------------------------------------------------------ SRT

MIN_CUE_S = 0.8
"""A cue shorter than this flashes by; typed turns have no duration of their own."""


def _srt_time(seconds: float) -> str:
    millis = max(round(seconds * 1000), 0)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d},{millis:03d}"


def to_srt(transcript: Transcript, *, you: str = "You", model: str = "Gemini") -> str:
    cues: list[str] = []
    for entry in transcript.entries:
        if entry.kind is EntryKind.TOOL:
            continue
        text = entry.heard_text.strip()
        if not text:
            continue
        who = you if entry.kind is EntryKind.USER else entry.speaker or model
        start = entry.started_s
        end = max(entry.ended_s, start + MIN_CUE_S)
        number = len(cues) + 1
        cues.append(f"{number}\n{_srt_time(start)} --> {_srt_time(end)}\n{who}: {text}\n")
    return "\n".join(cues)
