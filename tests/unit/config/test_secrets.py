from __future__ import annotations

import json
import logging
import os
import stat

import keyring
import keyring.backends.fail
import keyring.errors
import pytest

from desktop_assistant.config.persistence import SettingsStore
from desktop_assistant.config.secrets import (
    API_KEY_NAME,
    EncryptedFileKeyring,
    KeySource,
    Secret,
    SecretStore,
    SecretStoreError,
    choose_backend,
)
from desktop_assistant.config.settings import Settings

KEY = "AIzaSyD-test-key-0123456789abcdefghijk"


@pytest.fixture
def encrypted(tmp_path):
    return EncryptedFileKeyring(tmp_path / "secrets.enc", passphrase="correct horse")


def test_the_os_keychain_is_used_when_there_is_one_and_never_a_plaintext_one():
    backend = choose_backend()
    if os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        # The suite runs with a private Secret Service (scripts/with-keyring.sh).
        assert type(backend).__module__ == "keyring.backends.SecretService"
    else:
        assert isinstance(backend, EncryptedFileKeyring)


def test_the_api_key_round_trips_through_the_chosen_keychain(tmp_path):
    store = SecretStore(environ={})
    store.set_api_key(f"  {KEY}  ")
    try:
        found = store.api_key()
        assert found is not None
        assert found.secret.reveal() == KEY
        assert found.source is KeySource.KEYCHAIN
    finally:
        store.delete_api_key()
    assert store.api_key() is None
    store.delete_api_key()  # deleting what is not there is not an error


def test_environment_variables_win_in_the_sdks_order(encrypted):
    store = SecretStore(encrypted, environ={"GEMINI_API_KEY": "gemini-env-key"})
    store.set_api_key(KEY)
    assert store.api_key().origin == "GEMINI_API_KEY"
    both = SecretStore(
        encrypted, environ={"GEMINI_API_KEY": "gemini-env-key", "GOOGLE_API_KEY": "google-env-key"}
    )
    found = both.api_key()
    assert (found.secret.reveal(), found.source) == ("google-env-key", KeySource.ENVIRONMENT)
    assert SecretStore(encrypted, environ={}).api_key().secret.reveal() == KEY


def test_a_key_with_spaces_or_nothing_in_it_is_refused(encrypted):
    store = SecretStore(encrypted, environ={})
    for bad in ("", "   ", "two words"):
        with pytest.raises(SecretStoreError):
            store.set_api_key(bad)


def test_the_encrypted_file_holds_no_plaintext_and_only_its_owner_reads_it(encrypted):
    encrypted.set_password("desktop-assistant", API_KEY_NAME, KEY)
    raw = encrypted.path.read_bytes()
    assert KEY.encode() not in raw
    assert API_KEY_NAME.encode() not in raw
    assert stat.S_IMODE(os.stat(encrypted.path).st_mode) == 0o600
    again = EncryptedFileKeyring(encrypted.path, passphrase="correct horse")
    assert again.get_password("desktop-assistant", API_KEY_NAME) == KEY


def test_a_wrong_passphrase_is_a_clear_error_not_garbage(encrypted):
    encrypted.set_password("desktop-assistant", API_KEY_NAME, KEY)
    wrong = SecretStore(EncryptedFileKeyring(encrypted.path, passphrase="wrong"), environ={})
    with pytest.raises(SecretStoreError, match="cannot be decrypted"):
        wrong.api_key()


def test_without_a_passphrase_the_file_is_bound_to_this_machine_and_user(tmp_path):
    backend = EncryptedFileKeyring(tmp_path / "s.enc")
    backend.set_password("svc", "user", "value")
    assert EncryptedFileKeyring(tmp_path / "s.enc").get_password("svc", "user") == "value"
    with pytest.raises(keyring.errors.KeyringError):
        EncryptedFileKeyring(tmp_path / "s.enc", passphrase="other").get_password("svc", "user")


def test_no_keychain_at_all_means_the_encrypted_file(monkeypatch):
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    try:
        assert isinstance(choose_backend(), EncryptedFileKeyring)
    finally:
        keyring.set_keyring(previous)


def test_the_encrypted_backend_never_volunteers_itself_to_keyring():
    assert not EncryptedFileKeyring.viable


def test_secrets_do_not_show_in_reprs_logs_or_the_settings_file(tmp_path, encrypted, caplog):
    secret = Secret(KEY)
    assert KEY not in repr(secret)
    assert KEY not in str(secret)
    assert secret.masked.endswith(KEY[-4:])
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("test").info("using %s", secret)
        store = SecretStore(encrypted, environ={})
        store.set_api_key(KEY)
        store.api_key()
    assert KEY not in caplog.text
    settings_store = SettingsStore(tmp_path / "settings.json", tmp_path / "policy.json")
    settings_store.save(Settings().updated({"voice": {"name": "Kore"}}))
    assert KEY not in settings_store.path.read_text()
    assert "key" not in json.loads(settings_store.path.read_text())
