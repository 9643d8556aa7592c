"""Settings on disk: a JSON file under the platform's config directory, plus an optional policy.

The user's file holds only what differs from the defaults. An organisation can drop a
``policy.json`` in the platform's *site* config directory with two partial settings objects:
``defaults`` (applied under the user's values) and ``locked`` (applied over them; the UI greys those
fields out and ``save()`` never writes them). A broken file never costs the user their settings:
the unreadable file is kept beside the original as ``*.bad``, invalid fields are dropped one by
one, and every problem is reported in plain words.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs
from pydantic import ValidationError

from desktop_assistant.config.settings import Settings, deep_merge

log = logging.getLogger(__name__)

APP_DIR_NAME = "desktop-assistant"
SETTINGS_FILE = "settings.json"
POLICY_FILE = "policy.json"


def default_settings_path() -> Path:
    return platformdirs.user_config_path(APP_DIR_NAME) / SETTINGS_FILE


def default_policy_path() -> Path:
    return platformdirs.site_config_path(APP_DIR_NAME) / POLICY_FILE


@dataclass(frozen=True, slots=True)
class LoadedSettings:
    settings: Settings
    locked: frozenset[str]
    """Dotted paths (``voice.name``) that the organisation's policy fixes."""
    problems: tuple[str, ...]
    """What was wrong with the files, in words a person can act on."""


class SettingsStore:
    """Loads and saves ``Settings``; small files, so plain blocking I/O is fine on any thread."""

    def __init__(self, path: Path | None = None, policy_path: Path | None = None) -> None:
        self.path = path or default_settings_path()
        self.policy_path = policy_path if policy_path is not None else default_policy_path()
        self._locked: dict[str, Any] = {}

    def load(self) -> LoadedSettings:
        problems: list[str] = []
        policy = self._read_json(self.policy_path, problems, keep_bad=False)
        defaults = _mapping(policy.get("defaults"), "policy defaults", problems)
        locked = _mapping(policy.get("locked"), "policy locks", problems)
        user = self._read_json(self.path, problems, keep_bad=True)
        user.pop("version", None)
        merged = deep_merge(deep_merge(defaults, user), locked)
        settings = _validate_dropping_bad_fields(merged, problems)
        self._locked = locked
        return LoadedSettings(settings, frozenset(_paths(locked)), tuple(problems))

    def save(self, settings: Settings) -> None:
        """Write what differs from the defaults, atomically; locked fields are never written."""
        data = settings.model_dump(mode="json", exclude_defaults=True)
        for dotted in _paths(self._locked):
            _delete_path(data, dotted.split("."))
        data = {"version": settings.version, **data}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".settings-", suffix=".json", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(data, out, indent=2, sort_keys=True)
                out.write("\n")
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise

    def _read_json(self, path: Path, problems: list[str], *, keep_bad: bool) -> dict[str, Any]:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except OSError as exc:
            problems.append(f"Could not read {path.name}: {exc.strerror}. Using defaults.")
            return {}
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            data = None
            reason = f"it is not valid JSON (line {exc.lineno})"
        else:
            reason = "it does not hold a settings object"
        if isinstance(data, dict):
            return data
        message = f"{path.name} could not be used because {reason}."
        if keep_bad:
            backup = path.with_name(path.name + ".bad")
            with contextlib.suppress(OSError):
                backup.write_text(text, encoding="utf-8")
                message += f" A copy was kept as {backup.name}; defaults are used."
        problems.append(message)
        return {}


def _mapping(value: object, what: str, problems: list[str]) -> dict[str, Any]:
    if value is None:
        return {}
    if isinstance(value, Mapping):
        return dict(value)
    problems.append(f"The {what} are not a settings object and were ignored.")
    return {}


def _validate_dropping_bad_fields(data: dict[str, Any], problems: list[str]) -> Settings:
    """Validate; on errors drop just the offending fields (reported) and try again."""
    current = json.loads(json.dumps(data))  # a deep copy we may cut into
    for _ in range(64):
        try:
            return Settings.model_validate(current)
        except ValidationError as exc:
            dropped = False
            for error in exc.errors():
                loc = [str(p) for p in error["loc"] if not isinstance(p, int)]
                where = ".".join(loc) or "settings"
                problems.append(f"Setting {where}: {error['msg']}. The default is used instead.")
                dropped |= _delete_path(current, loc) if loc else False
            if not dropped:
                break
    problems.append("The settings could not be repaired; defaults are used.")
    return Settings()


def _delete_path(data: dict[str, Any], path: list[str]) -> bool:
    """Remove ``path`` from nested dicts; a model-level error (empty leaf) removes the section."""
    node: Any = data
    for key in path[:-1]:
        if not isinstance(node, dict) or key not in node:
            break
        node = node[key]
    else:
        if isinstance(node, dict) and path and path[-1] in node:
            del node[path[-1]]
            return True
    # The error may sit on a whole section (a cross-field rule): drop the deepest existing parent.
    for depth in range(len(path) - 1, 0, -1):
        node = data
        for key in path[: depth - 1]:
            node = node.get(key, {}) if isinstance(node, dict) else {}
        if isinstance(node, dict) and path[depth - 1] in node:
            del node[path[depth - 1]]
            return True
    return False


def _paths(data: Mapping[str, Any], prefix: str = "") -> list[str]:
    out: list[str] = []
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            out += _paths(value, dotted + ".")
        else:
            out.append(dotted)
    return out


def log_problems(loaded: LoadedSettings) -> None:
    for problem in loaded.problems:
        log.warning("%s", problem)
