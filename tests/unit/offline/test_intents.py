from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from desktop_assistant.server.engines.offline.intents import (
    IntentKind,
    ToolSpec,
    answer_from_tool,
    detect_intent,
    extract_place,
    local_answer,
    parse_duration_s,
    route_to_tool,
    zone_for_place,
)

# A fixed moment: Wednesday 2 December 2026, 15:42 in Berlin.
NOW = datetime(2026, 12, 2, 15, 42, tzinfo=ZoneInfo("Europe/Berlin"))

TIME_TOOL = ToolSpec(
    "get_current_time",
    "Returns the current time",
    {"type": "OBJECT", "properties": {"timezone": {"type": "STRING"}}},
)
TIMER_TOOL = ToolSpec(
    "set_timer",
    "Starts a countdown",
    {"type": "OBJECT", "properties": {"seconds": {"type": "INTEGER"}}, "required": ["seconds"]},
)
WEATHER_TOOL = ToolSpec(
    "get_weather",
    "",
    {"type": "OBJECT", "properties": {"location": {"type": "STRING"}}, "required": ["location"]},
)
LIGHTS_TOOL = ToolSpec("turn_on_lights", "Switch the room lights on")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("What time is it in Tokyo right now?", IntentKind.TIME),
        ("what's the time", IntentKind.TIME),
        ("Tell me the time, please.", IntentKind.TIME),
        ("What is the date today?", IntentKind.DATE),
        ("What day is it?", IntentKind.DATE),
        ("Set a timer for ten minutes.", IntentKind.TIMER),
        ("What is the weather like in Berlin today?", IntentKind.WEATHER),
        ("Who are you?", IntentKind.IDENTITY),
    ],
)
def test_rule_backed_intents_are_recognised(text: str, kind: IntentKind) -> None:
    intent = detect_intent(text)
    assert intent is not None
    assert intent.kind is kind


@pytest.mark.parametrize(
    "text",
    [
        "Wait, stop. Tell me about Paris instead.",
        "Tell me a story",
        "Can you explain time dilation",
    ],
)
def test_everything_else_goes_to_the_language_model(text: str) -> None:
    assert detect_intent(text) is None


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("set a timer for ten minutes", 600),
        ("timer for 10 minutes", 600),
        ("a timer for two and a half minutes", 150),
        ("timer for 1 hour and 30 minutes", 5400),
        ("count down ninety seconds", 90),
        ("timer for twenty five seconds", 25),
        ("timer for an hour and a half", 5400),
    ],
)
def test_durations_in_words_and_digits(text: str, seconds: float) -> None:
    assert parse_duration_s(text) == seconds


def test_places_and_their_time_zones() -> None:
    assert extract_place("What time is it in Tokyo right now?") == "Tokyo"
    assert extract_place("What time is it in New York?") == "New York"
    assert extract_place("what time is it") is None
    assert zone_for_place("Tokyo") == "Asia/Tokyo"
    assert zone_for_place("new york") == "America/New_York"
    assert zone_for_place("Atlantis") is None


def test_local_answers_come_from_the_clock_not_the_model() -> None:
    tokyo = detect_intent("What time is it in Tokyo right now?")
    assert tokyo is not None
    assert local_answer(tokyo, NOW) == "It's 11:42 PM in Tokyo."
    here = detect_intent("What's the time?")
    assert here is not None
    assert local_answer(here, NOW) == "It's 3:42 PM."
    date = detect_intent("What is the date today?")
    assert date is not None
    assert local_answer(date, NOW) == "Today is Wednesday, December 2, 2026."


def test_unknown_place_says_so_and_gives_local_time() -> None:
    intent = detect_intent("What time is it in Atlantis?")
    assert intent is not None
    answer = local_answer(intent, NOW)
    assert "don't know the time zone of Atlantis" in answer
    assert answer.endswith("It's 3:42 PM.")


def test_without_a_tool_timers_and_weather_are_declined_honestly() -> None:
    timer = detect_intent("Set a timer for ten minutes")
    weather = detect_intent("What's the weather in Berlin?")
    assert timer is not None
    assert weather is not None
    assert "can't set timers" in local_answer(timer, NOW)
    assert "can't check the weather" in local_answer(weather, NOW)


def test_time_question_is_routed_to_the_clients_time_tool_with_the_zone() -> None:
    text = "What time is it in Tokyo right now?"
    routed = route_to_tool(detect_intent(text), text, [TIMER_TOOL, TIME_TOOL, WEATHER_TOOL])
    assert routed is not None
    assert routed[0].name == "get_current_time"
    assert routed[1] == {"timezone": "Asia/Tokyo"}


def test_a_timer_is_never_mistaken_for_the_time_tool() -> None:
    text = "Set a timer for ten minutes"
    routed = route_to_tool(detect_intent(text), text, [TIME_TOOL, TIMER_TOOL])
    assert routed is not None
    assert (routed[0].name, routed[1]) == ("set_timer", {"seconds": 600})
    assert route_to_tool(detect_intent(text), text, [TIME_TOOL]) is None


def test_timer_arguments_follow_the_declared_schema() -> None:
    minutes = ToolSpec(
        "start_timer",
        "",
        {"properties": {"minutes": {"type": "number"}, "label": {"type": "string"}}},
    )
    text = "timer for two and a half minutes"
    routed = route_to_tool(detect_intent(text), text, [minutes])
    assert routed is not None
    assert routed[1] == {"minutes": 2.5}
    spoken = ToolSpec("timer", "", {"properties": {"duration": {"type": "string"}}})
    routed = route_to_tool(detect_intent(text), text, [spoken])
    assert routed is not None
    assert routed[1] == {"duration": "2 minutes and 30 seconds"}


def test_a_required_argument_that_cannot_be_filled_means_no_call() -> None:
    text = "How is the weather?"
    assert route_to_tool(detect_intent(text), text, [WEATHER_TOOL]) is None
    text = "What is the weather like in Berlin today?"
    routed = route_to_tool(detect_intent(text), text, [WEATHER_TOOL])
    assert routed is not None
    assert routed[1] == {"location": "Berlin"}


def test_a_tool_named_by_what_the_user_said_is_called() -> None:
    text = "Please turn on the lights"
    routed = route_to_tool(detect_intent(text), text, [TIME_TOOL, LIGHTS_TOOL])
    assert routed is not None
    assert routed[0].name == "turn_on_lights"
    assert route_to_tool(None, "Tell me about lights", [LIGHTS_TOOL]) is None


def test_answers_from_tool_results() -> None:
    tokyo = detect_intent("What time is it in Tokyo?")
    assert answer_from_tool(tokyo, "t", {"time": "2026-12-03T01:05:00+09:00"}) == (
        "It's 1:05 AM in Tokyo."
    )
    assert answer_from_tool(tokyo, "t", {"result": "13:07"}) == "It's 1:07 PM in Tokyo."
    date = detect_intent("What's the date today?")
    assert answer_from_tool(date, "t", {"now": "2026-12-02T10:00:00"}) == (
        "Today is Wednesday, December 2, 2026."
    )
    timer = detect_intent("Set a timer for ten minutes")
    assert answer_from_tool(timer, "set_timer", {"result": "ok"}) == (
        "OK, your timer for 10 minutes is running."
    )
    weather = detect_intent("Weather in Berlin?")
    assert answer_from_tool(weather, "w", {"conditions": "sunny", "temperature_c": 21}) == (
        "The weather in Berlin: conditions sunny, temperature c 21."
    )
    assert answer_from_tool(None, "turn_on_lights", {"result": "ok"}) == "Done."


def test_a_failed_tool_is_reported_not_hidden() -> None:
    tokyo = detect_intent("What time is it in Tokyo?")
    assert answer_from_tool(tokyo, "t", {"error": "clock unavailable"}) == (
        "Sorry, that didn't work: clock unavailable"
    )
