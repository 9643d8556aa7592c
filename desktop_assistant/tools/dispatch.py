"""Running the model's function calls: validation, approval, time limits, errors as answers.

A tool's failure never crashes the conversation: bad arguments, an exception, or running past the
time limit all become an ``error``/``timeout`` outcome whose response tells the model what went
wrong (so it can say so or try again). Cancellation (the service's ``toolCallCancellation``) is the
caller's: it cancels the task awaiting ``run``; a synchronous tool in the executor cannot be
stopped mid-way, but its result is discarded.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ValidationError
from pydantic_core import to_jsonable_python

from desktop_assistant.core.ports import ApprovalHook, ToolDeclaration, ToolOutcome
from desktop_assistant.tools.registry import ToolRegistry

log = logging.getLogger(__name__)

MAX_RESULT_CHARS = 32_000
"""Results are cut to this size: a huge answer would exceed the service's frame limit."""


class RegistryDispatcher:
    """``core.ports.ToolDispatcher`` over a ``ToolRegistry``."""

    def __init__(self, registry: ToolRegistry) -> None:
        self.registry = registry

    def declarations(self) -> Sequence[ToolDeclaration]:
        return self.registry.declarations()

    def is_non_blocking(self, name: str) -> bool:
        spec = self.registry.get(name)
        return bool(spec and spec.non_blocking)

    async def run(
        self, call_id: str, name: str, args: Mapping[str, object], approve: ApprovalHook
    ) -> ToolOutcome:
        spec = self.registry.get(name)
        if spec is None:
            known = ", ".join(self.registry.names()) or "none"
            return ToolOutcome(
                "error", {"error": f"There is no tool named {name}. Tools: {known}."}
            )
        scheduling = self.registry.scheduling_for(spec)
        try:
            arguments = spec.arguments.model_validate(dict(args))
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'arguments'}: {e['msg']}"
                for e in exc.errors()
            )
            return ToolOutcome(
                "error", {"error": f"Invalid arguments for {name}: {problems}."}, scheduling
            )
        kwargs = {field: getattr(arguments, field) for field in type(arguments).model_fields}

        if spec.side_effects:
            approved = await approve(call_id, name, args)
            if not approved:
                return ToolOutcome(
                    "denied", {"error": f"The user did not allow {name} to run."}, scheduling
                )

        limit = self.registry.timeout_for(spec)
        try:
            async with asyncio.timeout(limit) as scope:
                if spec.is_async:
                    result = await spec.func(**kwargs)
                else:
                    loop = asyncio.get_running_loop()
                    result = await loop.run_in_executor(
                        None, functools.partial(spec.func, **kwargs)
                    )
        except TimeoutError:
            if scope.expired():
                log.warning("tool %s (%s) ran past its %.1f s limit", name, call_id, limit)
                return ToolOutcome(
                    "timeout",
                    {"error": f"{name} did not finish within {limit:g} seconds."},
                    scheduling,
                )
            return _failure(name, call_id, TimeoutError("timed out"), scheduling)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            return _failure(name, call_id, exc, scheduling)
        return ToolOutcome("ok", {"output": _jsonable(result)}, scheduling)


def _failure(name: str, call_id: str, exc: BaseException, scheduling: str | None) -> ToolOutcome:
    log.warning("tool %s (%s) failed: %s: %s", name, call_id, type(exc).__name__, exc)
    detail = str(exc) or type(exc).__name__
    return ToolOutcome("error", {"error": f"{name} failed: {detail}"}, scheduling)


def _jsonable(result: Any) -> Any:
    value = to_jsonable_python(result, fallback=str)
    text = str(value)
    if len(text) > MAX_RESULT_CHARS:
        return text[:MAX_RESULT_CHARS] + " [cut]"
    return value
