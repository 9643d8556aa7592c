from __future__ import annotations

import enum
from typing import Annotated, Literal

import pytest
from pydantic import Field

from desktop_assistant.tools.registry import ToolRegistry, parse_docstring


class Unit(enum.Enum):
    CELSIUS = "celsius"
    FAHRENHEIT = "fahrenheit"


def test_a_typed_function_becomes_a_declaration():
    registry = ToolRegistry()

    @registry.tool(timeout_s=3)
    def weather(
        city: str,
        days: int = 1,
        unit: Unit = Unit.CELSIUS,
        detail: Literal["short", "long"] = "short",
        hours: list[int] | None = None,
        confidence: Annotated[float, Field(ge=0, le=1)] = 0.5,
    ) -> dict[str, str]:
        """The forecast for a city.

        Longer text that the model does not need.

        Args:
            city: The city, e.g. "Paris".
            days: How many days ahead,
                counted from today.
            unit: Temperature unit.
        """
        return {}

    (declaration,) = registry.declarations()
    assert declaration.name == "weather"
    assert declaration.description == "The forecast for a city."
    assert declaration.parameters == {
        "additionalProperties": False,
        "type": "object",
        "required": ["city"],
        "properties": {
            "city": {"type": "string", "description": 'The city, e.g. "Paris".'},
            "days": {
                "type": "integer",
                "default": 1,
                "description": "How many days ahead, counted from today.",
            },
            "unit": {
                "type": "string",
                "enum": ["celsius", "fahrenheit"],
                "default": "celsius",
                "description": "Temperature unit.",
            },
            "detail": {"type": "string", "enum": ["short", "long"], "default": "short"},
            "hours": {"type": "array", "items": {"type": "integer"}, "default": None},
            "confidence": {"type": "number", "minimum": 0, "maximum": 1, "default": 0.5},
        },
    }
    assert registry.timeout_for(registry.get("weather")) == 3


def test_async_non_blocking_and_side_effecting_tools():
    registry = ToolRegistry(default_scheduling="SILENT")

    @registry.tool(non_blocking=True, side_effects=True)
    async def send_mail(to: str) -> str:
        """Send an e-mail."""
        return "sent"

    @registry.tool(non_blocking=True, scheduling="INTERRUPT")
    async def alarm() -> str:
        """Ring."""
        return "ok"

    spec = registry.get("send_mail")
    assert spec.is_async
    assert spec.side_effects
    assert spec.declaration().non_blocking
    assert registry.scheduling_for(spec) == "SILENT"
    assert registry.scheduling_for(registry.get("alarm")) == "INTERRUPT"


@pytest.mark.parametrize(
    ("func", "message"),
    [
        (lambda x: x, "needs a type hint"),
    ],
)
def test_functions_the_model_could_not_call_are_refused(func, message):
    func.__doc__ = "Doc."
    with pytest.raises(ValueError, match=message):
        ToolRegistry().add(func, name="f")


def test_more_refusals():
    registry = ToolRegistry()

    def undocumented(x: int) -> int:
        return x

    def variadic(*args: int) -> int:
        """Doc."""
        return 0

    with pytest.raises(ValueError, match="needs a description"):
        registry.add(undocumented)
    with pytest.raises(ValueError, match=r"\*args"):
        registry.add(variadic)
    with pytest.raises(ValueError, match="non_blocking tools only"):
        registry.add(variadic, name="v", scheduling="SILENT")
    with pytest.raises(ValueError, match="not a valid function name"):
        registry.add(undocumented, name="has space", description="d")
    registry.add(undocumented, description="Echo.")
    with pytest.raises(ValueError, match="already registered"):
        registry.add(undocumented, description="Echo.")
    with pytest.raises(KeyError, match="nope"):
        registry.subset(["undocumented", "nope"])


def test_docstring_parsing():
    summary, args = parse_docstring(
        """First line
        continues.

        Args:
            a (int): Alpha.
            b: Beta
                more.

        Returns:
            Nothing.
        """
    )
    assert summary == "First line continues."
    assert args == {"a": "Alpha.", "b": "Beta more."}
