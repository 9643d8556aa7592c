from __future__ import annotations

import datetime as dt

import pytest

from desktop_assistant.tools.builtin import BUILTIN_TOOL_NAMES, builtin_registry
from desktop_assistant.tools.builtin.calculator import calculate
from desktop_assistant.tools.builtin.clock import make_current_time
from desktop_assistant.tools.builtin.units import convert_units

NOON_UTC = dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.UTC)


def test_current_time_in_a_time_zone():
    current_time = make_current_time(lambda: NOON_UTC)
    tokyo = current_time("Asia/Tokyo")
    assert tokyo["time"] == "21:00"
    assert tokyo["utc_offset"] == "+09:00"
    assert tokyo["weekday"] == "Wednesday"
    assert current_time("Europe/Berlin")["iso"] == "2026-07-01T14:00:00+02:00"
    with pytest.raises(ValueError, match="unknown time zone"):
        current_time("Mars/Olympus")


@pytest.mark.parametrize(
    ("expression", "result"),
    [
        ("2 + 3 * 4", 14),
        ("2^10", 1024),
        ("(1 + 2) / 4", 0.75),
        ("sqrt(16) + abs(-2)", 6),
        ("round(pi, 2)", 3.14),
    ],
)
def test_calculate(expression, result):
    assert calculate(expression)["result"] == result


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("__import__('os').system('true')", "not allowed"),
        ("open('/etc/passwd')", "not allowed"),
        ("1/0", "division by zero"),
        ("9**9999", "exponents above"),
        ("2 +", "not an arithmetic expression"),
        ("", "empty"),
    ],
)
def test_calculate_refuses_anything_but_arithmetic(expression, message):
    with pytest.raises(ValueError, match=message):
        calculate(expression)


def test_convert_units():
    assert convert_units(100, "km", "mi")["result"] == pytest.approx(62.1371192237)
    assert convert_units(212, "F", "celsius")["result"] == pytest.approx(100)
    assert convert_units(1, "GiB", "MB")["result"] == pytest.approx(1073.741824)
    assert convert_units(2, "cups", "ml")["result"] == pytest.approx(473.176473)
    with pytest.raises(ValueError, match=r"different kinds|cannot convert"):
        convert_units(1, "kg", "m")
    with pytest.raises(ValueError, match="unknown unit"):
        convert_units(1, "furlongs", "m")


def test_the_builtin_registry_declares_all_three():
    assert [d.name for d in builtin_registry().declarations()] == list(BUILTIN_TOOL_NAMES)
    assert [d.name for d in builtin_registry(["calculate"]).declarations()] == ["calculate"]
