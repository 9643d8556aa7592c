"""Built-in tools, one small module each: harmless, local, no side effects."""

from __future__ import annotations

from desktop_assistant.tools.builtin.calculator import calculate
from desktop_assistant.tools.builtin.clock import Now, make_current_time
from desktop_assistant.tools.builtin.units import convert_units
from desktop_assistant.tools.registry import ToolRegistry

BUILTIN_TOOL_NAMES = ("current_time", "calculate", "convert_units")


def register_builtins(registry: ToolRegistry, *, now: Now | None = None) -> None:
    """Add every built-in tool to ``registry``."""
    registry.add(make_current_time(now) if now else make_current_time(), timeout_s=5)
    registry.add(calculate, timeout_s=5)
    registry.add(convert_units, timeout_s=5)


def builtin_registry(
    enabled: tuple[str, ...] | list[str] = BUILTIN_TOOL_NAMES,
    *,
    default_timeout_s: float = 30.0,
    default_scheduling: str = "WHEN_IDLE",
) -> ToolRegistry:
    """A registry holding the enabled built-in tools (unknown names raise ``KeyError``)."""
    everything = ToolRegistry(
        default_timeout_s=default_timeout_s, default_scheduling=default_scheduling
    )
    register_builtins(everything)
    return everything.subset(enabled)
