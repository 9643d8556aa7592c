"""Token usage as deltas of the service's cumulative counters, summed across connections.

The service reports ``usage_metadata`` as running totals *per connection*; a new connection
(a reconnect, resumed or not) starts counting from zero again. Adding the raw figures would
double count, and showing them would make the meter jump back. So every report becomes the delta
from the previous one of the same connection, and the deltas are summed for the conversation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from desktop_assistant.core.events import UsageUpdated


@dataclass
class UsageTotals:
    prompt: int = 0
    response: int = 0
    total: int = 0
    thoughts: int = 0
    by_modality: dict[str, int] = field(default_factory=dict)  # prompt + response, per modality


def _modalities(event: UsageUpdated) -> dict[str, int]:
    merged: dict[str, int] = {}
    for table in (event.prompt_by_modality, event.response_by_modality):
        for name, count in table.items():
            key = name.lower()
            merged[key] = merged.get(key, 0) + int(count)
    return merged


def _delta(new: int, old: int) -> int:
    # A counter that went down means the connection restarted counting: all of it is new.
    return new - old if new >= old else new


class UsageMeter:
    def __init__(self) -> None:
        self.totals = UsageTotals()
        self.last_delta = UsageTotals()
        self._previous: UsageUpdated | None = None
        self._previous_modalities: Mapping[str, int] = {}

    def new_connection(self) -> None:
        """The next report starts from zero (a fresh connection has its own counters)."""
        self._previous = None
        self._previous_modalities = {}

    def add(self, event: UsageUpdated) -> UsageTotals:
        """Fold one cumulative report in; returns the delta it contributed."""
        old = self._previous or UsageUpdated()
        modalities = _modalities(event)
        delta = UsageTotals(
            prompt=_delta(event.prompt_tokens, old.prompt_tokens),
            response=_delta(event.response_tokens, old.response_tokens),
            total=_delta(event.total_tokens, old.total_tokens),
            thoughts=_delta(event.thoughts_tokens, old.thoughts_tokens),
            by_modality={
                name: _delta(count, self._previous_modalities.get(name, 0))
                for name, count in modalities.items()
            },
        )
        self._previous = event
        self._previous_modalities = modalities
        totals = self.totals
        totals.prompt += delta.prompt
        totals.response += delta.response
        totals.total += delta.total
        totals.thoughts += delta.thoughts
        for name, count in delta.by_modality.items():
            totals.by_modality[name] = totals.by_modality.get(name, 0) + count
        self.last_delta = delta
        return delta

    def reset(self) -> None:
        self.totals = UsageTotals()
        self.last_delta = UsageTotals()
        self.new_connection()


def compact_count(count: int) -> str:
    """3140 -> '3.1k', 2_600_000 -> '2.6M': readable at a glance in the status bar."""
    if count < 1000:
        return str(count)
    if count < 1_000_000:
        value, unit = count / 1000, "k"
    else:
        value, unit = count / 1_000_000, "M"
    text = f"{value:.1f}" if value < 100 else f"{value:.0f}"
    return text.removesuffix(".0") + unit
