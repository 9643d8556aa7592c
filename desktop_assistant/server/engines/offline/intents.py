"""Rules for what a 135M-parameter model gets wrong: the time, the date, timers, the weather.

A small model answers "what time is it" with a confident invention and cannot call tools, so the
transcript is matched against a few patterns first. A matched intent is answered through the
client's own tools when it declared a fitting one (the normal ``toolCall`` flow, so the app's
clock, timer or weather service is used), and otherwise from the local clock or with an honest
"I can't do that offline". Everything here is pure: no models, no I/O, the clock is passed in.
"""

from __future__ import annotations

import enum
import re
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from functools import cache
from typing import Any

# ------------------------------------------------------------------------------------ numbers

_UNITS = {
    "zero": 0, "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "couple": 2, "few": 3,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
_UNIT_SECONDS = {"second": 1, "sec": 1, "minute": 60, "min": 60, "hour": 3600, "hr": 3600}


def parse_number(words: Sequence[str]) -> float | None:
    """'ten', 'twenty five', '2.5', 'one and a half', 'a half' -> a number (None if not one)."""
    total = 0.0
    seen = False
    for i, w in enumerate(words):
        if re.fullmatch(r"\d+(?:\.\d+)?", w):
            total += float(w)
            seen = True
        elif w in _TENS:
            total += _TENS[w]
            seen = True
        elif w in _UNITS:
            if w in ("a", "an") and i + 1 < len(words) and words[i + 1] == "half":
                continue
            total += _UNITS[w]
            seen = True
        elif w == "half":
            total += 0.5
            seen = True
        elif w in ("and", "-") and seen:
            continue
        elif w == "hundred" and seen:
            total *= 100
        else:
            return None
    return total if seen else None


def parse_duration_s(text: str) -> float | None:
    """Seconds in 'for 10 minutes', 'two and a half minutes', '1 hour and 30 minutes', '90 s'."""
    words = re.findall(r"\d+(?:\.\d+)?|[a-z]+", text.lower().replace("-", " "))
    total = 0.0
    found = False
    start = 0
    for i, w in enumerate(words):
        unit = w[:-1] if w.endswith("s") and w[:-1] in _UNIT_SECONDS else w
        if unit in _UNIT_SECONDS or (unit == "s" and i > 0):
            scale = _UNIT_SECONDS.get(unit, 1)
            # The number is the longest run of number words just before the unit.
            for j in range(start, i):
                value = parse_number(words[j:i])
                if value is not None:
                    total += value * scale
                    found = True
                    break
            # "an hour and a half": the half belongs to this unit.
            if words[i + 1 : i + 4] == ["and", "a", "half"]:
                total += 0.5 * scale
            start = i + 1
    return total if found and total > 0 else None


def spoken_duration(seconds: float) -> str:
    s = round(seconds)
    parts = []
    for name, size in (("hour", 3600), ("minute", 60), ("second", 1)):
        n, s = divmod(s, size)
        if n:
            parts.append(f"{n} {name}{'s' if n != 1 else ''}")
    return " and ".join(parts) if parts else "0 seconds"


# ------------------------------------------------------------------------------------ places

_ALIASES = {
    "new york city": "America/New_York", "nyc": "America/New_York",
    "washington": "America/New_York", "boston": "America/New_York", "miami": "America/New_York",
    "san francisco": "America/Los_Angeles", "seattle": "America/Los_Angeles",
    "california": "America/Los_Angeles", "las vegas": "America/Los_Angeles",
    "beijing": "Asia/Shanghai", "china": "Asia/Shanghai", "delhi": "Asia/Kolkata",
    "new delhi": "Asia/Kolkata", "mumbai": "Asia/Kolkata", "bangalore": "Asia/Kolkata",
    "india": "Asia/Kolkata", "japan": "Asia/Tokyo", "osaka": "Asia/Tokyo",
    "germany": "Europe/Berlin", "munich": "Europe/Berlin", "hamburg": "Europe/Berlin",
    "france": "Europe/Paris", "italy": "Europe/Rome", "milan": "Europe/Rome",
    "spain": "Europe/Madrid", "barcelona": "Europe/Madrid", "england": "Europe/London",
    "uk": "Europe/London", "united kingdom": "Europe/London", "britain": "Europe/London",
    "russia": "Europe/Moscow", "australia": "Australia/Sydney", "melbourne": "Australia/Melbourne",
    "canada": "America/Toronto", "brazil": "America/Sao_Paulo", "rio": "America/Sao_Paulo",
    "mexico": "America/Mexico_City", "korea": "Asia/Seoul", "south korea": "Asia/Seoul",
    "dubai": "Asia/Dubai", "hawaii": "Pacific/Honolulu", "utc": "UTC", "gmt": "UTC",
}  # fmt: skip


@cache
def _zone_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for key in sorted(zoneinfo.available_timezones()):
        city = key.rsplit("/", 1)[-1].replace("_", " ").lower()
        index.setdefault(city, key)
    return index


def zone_for_place(place: str) -> str | None:
    """The IANA time zone of a city or country name ('Tokyo' -> 'Asia/Tokyo'), if known."""
    name = " ".join(re.findall(r"[a-z]+", place.lower()))
    if not name:
        return None
    return _ALIASES.get(name) or _zone_index().get(name)


_PLACE = re.compile(
    r"\b(?:in|at|for)\s+((?:the\s+)?[A-Za-z][\w'.-]*(?:\s+[A-Z][\w'.-]*){0,3})", re.UNICODE
)
_NOT_PLACE = frozenset(
    {"the", "a", "an", "my", "me", "it", "here", "there", "now", "today", "tomorrow", "tonight",
     "minutes", "seconds", "hours", "general", "total", "time", "right"}
)  # fmt: skip


def extract_place(text: str) -> str | None:
    """'What time is it in New York right now?' -> 'New York'."""
    for m in _PLACE.finditer(text):
        words = m.group(1).split()
        while words and words[0].lower() == "the":
            words = words[1:]
        kept: list[str] = []
        for w in words:
            w = w.strip(".,?!")
            if w.lower() in _NOT_PLACE or (kept and not w[:1].isupper()):
                break
            kept.append(w)
        if kept and (kept[0][:1].isupper() or zone_for_place(" ".join(kept))):
            return " ".join(kept)
    return None


# ------------------------------------------------------------------------------------ intents


class IntentKind(enum.Enum):
    TIME = "time"
    DATE = "date"
    TIMER = "timer"
    WEATHER = "weather"
    IDENTITY = "identity"


@dataclass(frozen=True, slots=True)
class Intent:
    kind: IntentKind
    place: str | None = None
    zone: str | None = None
    seconds: float | None = None


_TIME = re.compile(
    r"\b(what(?:'s| is)? (?:the )?(?:current |local )?time|what time|the time (?:is it|now|in)|"
    r"tell me the time|time is it|current time|time right now|clock)\b"
)
_DATE = re.compile(
    r"\b(what(?:'s| is)? (?:the |today'?s )?date|what day|which day|today'?s date|"
    r"date today|day of the week|what is today|what's today)\b"
)
_TIMER = re.compile(r"\b(timer|count ?down|remind me in|wake me in|alarm in)\b")
_WEATHER = re.compile(r"\b(weather|forecast|temperature outside|is it (?:going to )?rain)")
_IDENTITY = re.compile(
    r"\b(who are you|what are you|what can you do|are you (?:online|offline|connected))\b"
)


def detect_intent(text: str) -> Intent | None:
    """The rule-backed intent of a transcript, or None for the language model."""
    low = " ".join(text.lower().replace("\u2019", "'").split())
    if _TIMER.search(low):
        return Intent(IntentKind.TIMER, seconds=parse_duration_s(low))
    if _TIME.search(low):
        place = extract_place(text)
        return Intent(IntentKind.TIME, place, zone_for_place(place) if place else None)
    if _DATE.search(low):
        place = extract_place(text)
        return Intent(IntentKind.DATE, place, zone_for_place(place) if place else None)
    if _WEATHER.search(low):
        return Intent(IntentKind.WEATHER, extract_place(text))
    if _IDENTITY.search(low):
        return Intent(IntentKind.IDENTITY)
    return None


# ------------------------------------------------------------------------------- spoken answers


def spoken_time(moment: datetime) -> str:
    return f"{moment.hour % 12 or 12}:{moment.minute:02d} {'AM' if moment.hour < 12 else 'PM'}"


def spoken_date(moment: datetime) -> str:
    return f"{moment.strftime('%A')}, {moment.strftime('%B')} {moment.day}, {moment.year}"


def local_answer(intent: Intent, now: datetime, identity: str = "") -> str:
    """The answer when no client tool fits (``now`` is timezone-aware local time)."""
    zone: tzinfo | None = None
    if intent.zone:
        try:
            zone = zoneinfo.ZoneInfo(intent.zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            zone = None
    there = now.astimezone(zone) if zone is not None else now
    where = f" in {intent.place}" if intent.place and zone is not None else ""
    unknown = (
        f"I don't know the time zone of {intent.place}, so here is the local time. "
        if intent.place and zone is None
        else ""
    )
    if intent.kind is IntentKind.TIME:
        return f"{unknown}It's {spoken_time(there)}{where}."
    if intent.kind is IntentKind.DATE:
        return f"{unknown}Today{where} is {spoken_date(there)}."
    if intent.kind is IntentKind.TIMER:
        return "I can't set timers in offline mode, because the app has not given me a timer tool."
    if intent.kind is IntentKind.WEATHER:
        return "I can't check the weather in offline mode, because I have no connection."
    return identity or "I'm the offline assistant. I run on this computer and speak English."


# -------------------------------------------------------------------------------- tool routing

_STOP = frozenset({"get", "set", "the", "a", "an", "to", "of", "for", "do", "run", "current", "my"})


def _tokens(name: str) -> list[str]:
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name)
    return [t for t in re.split(r"[^a-zA-Z0-9]+", spaced.lower()) if t]


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") else word


@dataclass(frozen=True, slots=True)
class ToolSpec:
    """What routing needs of a declared function (the server's declaration adapts to this)."""

    name: str
    description: str = ""
    parameters: Mapping[str, Any] | None = None


def _properties(spec: ToolSpec) -> tuple[dict[str, Any], list[str]]:
    params = spec.parameters or {}
    props = params.get("properties") or {}
    required = params.get("required") or []
    return (
        {str(k): v for k, v in props.items()} if isinstance(props, Mapping) else {},
        [str(r) for r in required] if isinstance(required, list) else [],
    )


def _kind_of(schema: object) -> str:
    if isinstance(schema, Mapping):
        return str(schema.get("type", "string")).lower()
    return "string"


def _fits(kind: IntentKind, spec: ToolSpec) -> int:
    """How well a tool fits an intent: 0 not at all, higher is better."""
    words = set(_tokens(spec.name))
    desc = spec.description.lower()
    if kind is IntentKind.TIMER:
        return 3 if words & {"timer", "countdown"} else (1 if "timer" in desc else 0)
    if kind is IntentKind.WEATHER:
        return 3 if words & {"weather", "forecast"} else (1 if "weather" in desc else 0)
    if kind in (IntentKind.TIME, IntentKind.DATE):
        if words & {"timer", "countdown", "alarm"}:
            return 0
        if kind is IntentKind.DATE and words & {"date", "today", "day"}:
            return 3
        if words & {"time", "clock", "now", "datetime"}:
            return 2
        if "current time" in desc or "current date" in desc:
            return 1
    return 0


def _arguments(intent: Intent, spec: ToolSpec, local_zone: str) -> dict[str, Any] | None:
    """Arguments for the call, or None when a required one cannot be filled."""
    props, required = _properties(spec)
    args: dict[str, Any] = {}
    seconds = intent.seconds
    for name, schema in props.items():
        low = name.lower()
        kind = _kind_of(schema)
        if any(k in low for k in ("zone", "tz")):
            value: Any = intent.zone or (None if intent.place else local_zone)
        elif any(k in low for k in ("location", "city", "place", "where", "region", "country")):
            value = intent.place
        elif seconds is not None and ("sec" in low or low in ("duration", "length", "time")):
            if kind == "string" and "sec" not in low:
                value = spoken_duration(seconds)
            else:
                value = round(seconds) if kind == "integer" else seconds
        elif seconds is not None and "min" in low:
            value = seconds / 60 if kind == "number" else max(1, round(seconds / 60))
        elif seconds is not None and ("ms" in low or "milli" in low):
            value = round(seconds * 1000)
        else:
            value = None
        if value is not None:
            args[name] = value
    if any(r not in args for r in required):
        return None
    return args


def route_to_tool(
    intent: Intent | None, text: str, tools: Sequence[ToolSpec], local_zone: str = "UTC"
) -> tuple[ToolSpec, dict[str, Any]] | None:
    """The client tool (and its arguments) that should answer this turn, if any."""
    if intent is not None and intent.kind is not IntentKind.IDENTITY:
        if intent.kind is IntentKind.TIMER and intent.seconds is None:
            return None  # ask for the duration instead of guessing one
        ranked = sorted(tools, key=lambda t: _fits(intent.kind, t), reverse=True)
        for spec in ranked:
            if _fits(intent.kind, spec) == 0:
                break
            args = _arguments(intent, spec, local_zone)
            if args is not None:
                return spec, args
        return None
    # A tool named by its own words ("turn on the lights" -> turn_on_lights) with no arguments.
    said = {_stem(w) for w in re.findall(r"[a-z0-9]+", text.lower())}
    for spec in tools:
        words = [_stem(w) for w in _tokens(spec.name) if w not in _STOP]
        if len(words) >= 2 and all(w in said for w in words):
            args = _arguments(Intent(IntentKind.IDENTITY), spec, local_zone)
            if args is not None:
                return spec, args
    return None


# -------------------------------------------------------------------------- answers from tools


def _leaves(value: object, key: str = "") -> list[tuple[str, object]]:
    if isinstance(value, Mapping):
        out: list[tuple[str, object]] = []
        for k, v in value.items():
            out += _leaves(v, str(k))
        return out
    if isinstance(value, list):
        return [leaf for v in value[:5] for leaf in _leaves(v, key)]
    return [(key, value)]


def _find_moment(response: Mapping[str, Any]) -> datetime | None:
    for _key, value in _leaves(response):
        if isinstance(value, str):
            try:
                return datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
            except ValueError:
                pass
            m = re.search(r"\b(\d{1,2}):(\d{2})(?::\d{2})?\s*([AaPp]\.?[Mm]\.?)?", value)
            if m:
                hour = int(m.group(1)) % 24
                if m.group(3) and m.group(3)[0].lower() == "p" and hour < 12:
                    hour += 12
                if m.group(3) and m.group(3)[0].lower() == "a" and hour == 12:
                    hour = 0
                return datetime(2000, 1, 1, hour, int(m.group(2)))
    return None


def _summary(response: Mapping[str, Any], limit_words: int = 30) -> str:
    parts = []
    for key, value in _leaves(response):
        if value is None or (isinstance(value, bool) and value):
            continue
        text = str(value)
        key_words = " ".join(_tokens(key))
        if key_words in ("result", "output", "value", "text", "message", "status", ""):
            parts.append(text)
        else:
            parts.append(f"{key_words} {text}")
    words = ", ".join(parts).split()
    return " ".join(words[:limit_words]) + ("…" if len(words) > limit_words else "")


def error_of(response: Mapping[str, Any]) -> str | None:
    err = response.get("error")
    if err in (None, "", False):
        return None
    if isinstance(err, Mapping):
        return str(err.get("message") or _summary(err))
    return str(err)


def answer_from_tool(intent: Intent | None, tool_name: str, response: Mapping[str, Any]) -> str:
    """Speak what a tool returned, shaped by the intent that called it."""
    err = error_of(response)
    if err:
        return f"Sorry, that didn't work: {err}"
    kind = intent.kind if intent is not None else None
    where = f" in {intent.place}" if intent is not None and intent.place else ""
    if kind in (IntentKind.TIME, IntentKind.DATE):
        moment = _find_moment(response)
        if moment is not None:
            if kind is IntentKind.DATE and moment.year != 2000:
                return f"Today{where} is {spoken_date(moment)}."
            if kind is IntentKind.TIME:
                return f"It's {spoken_time(moment)}{where}."
    if kind is IntentKind.TIMER and intent is not None and intent.seconds is not None:
        return f"OK, your timer for {spoken_duration(intent.seconds)} is running."
    summary = _summary(response)
    if not summary or summary.lower() in ("ok", "success", "done", "true"):
        return "Done."
    if kind is IntentKind.WEATHER:
        return f"The weather{where}: {summary}."
    return f"{summary}."
