"""Ephemeral tokens: minted by the server, spent by sessions, with the service's rules.

* ``uses``: how many *new* sessions a token may start (0 = unlimited); resuming does not count.
* ``expire_time``: after it the token is refused, and so are messages on sessions it opened.
* ``new_session_expire_time``: after it no new session may start (resumption still may).
* constraints: a setup the token locks. Without a field mask every field in the constraints is
  locked; with one, only the listed paths are (the rest are defaults the client may override).
"""

from __future__ import annotations

import copy
import secrets
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from desktop_assistant.server.auth import TOKEN_PREFIX, refuse
from desktop_assistant.server.wire import JsonObject, JsonValue, normalize_names, to_snake

MAX_LIFETIME_S = 20 * 3600  # the service refuses tokens that live longer


@dataclass(frozen=True, slots=True)
class TokenConstraints:
    setup: JsonObject  # a BidiGenerateContentSetup (either spelling)
    locked_fields: tuple[str, ...] | None = None  # field-mask paths; None locks every set field


@dataclass
class _Token:
    uses_left: int | None  # None: unlimited
    expire_at: float
    new_session_expire_at: float
    constraints: TokenConstraints | None


class TokenError(ValueError):
    """A mint request the service would refuse."""


class TokenStore:
    """The tokens this server minted. Thread-safe: REST requests and the Python API share it."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._tokens: dict[str, _Token] = {}
        self._lock = threading.Lock()

    def mint(
        self,
        uses: int = 1,
        expire_in_s: float = 1800.0,
        new_session_expire_in_s: float = 60.0,
        constraints: TokenConstraints | None = None,
    ) -> str:
        """A new token name (``auth_tokens/...``).

        Raises:
            TokenError: for negative uses or lifetimes outside (0, 20 h].
        """
        if uses < 0:
            raise TokenError("uses must be 0 (unlimited) or more")
        for value in (expire_in_s, new_session_expire_in_s):
            if not 0 < value <= MAX_LIFETIME_S:
                raise TokenError("token lifetimes must be positive and at most 20 hours")
        now = self._clock()
        name = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self._lock:
            self._tokens[name] = _Token(
                uses_left=None if uses == 0 else uses,
                expire_at=now + expire_in_s,
                new_session_expire_at=now + min(new_session_expire_in_s, expire_in_s),
                constraints=constraints,
            )
        return name

    def admit(self, name: str, resuming: bool) -> TokenConstraints | None:
        """Spend one use of ``name`` for a new session (none for a resumption).

        Returns:
            The token's constraints, to apply to the client's setup.

        Raises:
            ProtocolError: 1007 when the token is unknown, expired or used up.
        """
        now = self._clock()
        with self._lock:
            token = self._tokens.get(name)
            if token is None or now >= token.expire_at:
                raise refuse("The auth token is not valid or has expired.")
            if not resuming:
                if now >= token.new_session_expire_at:
                    raise refuse("The auth token can no longer start new sessions.")
                if token.uses_left is not None:
                    if token.uses_left <= 0:
                        raise refuse("The auth token has no uses left.")
                    token.uses_left -= 1
            return token.constraints

    def expires_at(self, name: str) -> float | None:
        with self._lock:
            token = self._tokens.get(name)
            return token.expire_at if token else None

    def clock(self) -> float:
        return self._clock()


def _split(path: str) -> tuple[str, ...]:
    return tuple(to_snake(part) for part in path.split(".") if part)


def _leaf_paths(obj: JsonObject, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths: list[tuple[str, ...]] = []
    for key, value in obj.items():
        if isinstance(value, dict) and value:
            paths.extend(_leaf_paths(value, (*prefix, key)))
        else:
            paths.append((*prefix, key))
    return paths


def _get(obj: JsonObject, path: Sequence[str]) -> tuple[bool, JsonValue]:
    current: JsonValue = obj
    for key in path:
        if not isinstance(current, dict) or key not in current:
            return False, None
        current = current[key]
    return True, current


def _set(obj: JsonObject, path: Sequence[str], value: JsonValue) -> None:
    current = obj
    for key in path[:-1]:
        child = current.get(key)
        if not isinstance(child, dict):
            child = {}
            current[key] = child
        current = child
    current[path[-1]] = copy.deepcopy(value)


def _delete(obj: JsonObject, path: Sequence[str]) -> None:
    found, parent = _get(obj, path[:-1])
    if found and isinstance(parent, dict):
        parent.pop(path[-1], None)


def apply_constraints(setup: JsonObject, constraints: TokenConstraints) -> JsonObject:
    """The setup a constrained session really gets (both in snake_case spelling)."""
    locked_setup = normalize_names(constraints.setup)
    assert isinstance(locked_setup, dict)
    result = copy.deepcopy(setup)
    if constraints.locked_fields is None:
        for path in _leaf_paths(locked_setup):
            _set(result, path, _get(locked_setup, path)[1])
        return result
    locked = [_split(p) for p in constraints.locked_fields]
    for path in _leaf_paths(locked_setup):
        if not _get(result, path)[0]:  # an unlocked constraint is a default
            _set(result, path, _get(locked_setup, path)[1])
    for path in locked:
        found, value = _get(locked_setup, path)
        if found:
            _set(result, path, value)
        else:  # locked to "unset": the client's value is ignored
            _delete(result, path)
    return result
