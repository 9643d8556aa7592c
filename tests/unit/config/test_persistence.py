from __future__ import annotations

import json

from desktop_assistant.config.persistence import SettingsStore
from desktop_assistant.config.settings import Settings


def _store(tmp_path, policy=None):
    policy_path = tmp_path / "site" / "policy.json"
    if policy is not None:
        policy_path.parent.mkdir(parents=True)
        policy_path.write_text(json.dumps(policy))
    return SettingsStore(tmp_path / "user" / "settings.json", policy_path)


def test_a_missing_file_gives_defaults_without_complaint(tmp_path):
    loaded = _store(tmp_path).load()
    assert loaded.settings == Settings()
    assert loaded.problems == ()


def test_round_trip_keeps_every_change_and_writes_only_what_differs(tmp_path):
    store = _store(tmp_path)
    store.load()
    changed = Settings().updated(
        {"voice": {"name": "Kore", "language_code": "de-DE"}, "proactive_audio": True}
    )
    store.save(changed)
    on_disk = json.loads(store.path.read_text())
    assert on_disk == {
        "version": 1,
        "voice": {"name": "Kore", "language_code": "de-DE"},
        "proactive_audio": True,
    }
    assert _store(tmp_path).load().settings == changed
    assert [p.name for p in store.path.parent.iterdir()] == ["settings.json"]  # no temp files


def test_a_corrupt_file_is_kept_aside_and_reported(tmp_path):
    store = _store(tmp_path)
    store.path.parent.mkdir(parents=True)
    store.path.write_text("{ not json")
    loaded = store.load()
    assert loaded.settings == Settings()
    assert "not valid JSON" in loaded.problems[0]
    assert (store.path.parent / "settings.json.bad").read_text() == "{ not json"


def test_one_bad_value_costs_only_that_value(tmp_path):
    store = _store(tmp_path)
    store.path.parent.mkdir(parents=True)
    store.path.write_text(json.dumps({"voice": {"name": "Nobody"}, "proactive_audio": True}))
    loaded = store.load()
    assert loaded.settings.proactive_audio is True
    assert loaded.settings.voice.name == "Puck"
    assert any("voice.name" in p and "unknown voice" in p for p in loaded.problems)


def test_an_organisation_policy_sets_defaults_and_locks_fields(tmp_path):
    store = _store(
        tmp_path,
        policy={
            "defaults": {"voice": {"name": "Charon"}},
            "locked": {"model": "gemini-live-2.5-flash-preview", "tools": {"google_search": False}},
        },
    )
    store.path.parent.mkdir(parents=True)
    store.path.write_text(json.dumps({"model": "something-else", "tools": {"google_search": True}}))
    loaded = store.load()
    assert loaded.settings.voice.name == "Charon"  # a default the user did not change
    assert loaded.settings.model == "gemini-live-2.5-flash-preview"  # the lock wins
    assert loaded.settings.tools.google_search is False
    assert loaded.locked == {"model", "tools.google_search"}
    store.save(loaded.settings.updated({"proactive_audio": True}))
    written = json.loads(store.path.read_text())
    assert "model" not in written
    assert "google_search" not in written.get("tools", {})
    assert written["proactive_audio"] is True
