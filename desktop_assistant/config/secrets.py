"""The API key and other secrets: in the OS keychain, never in the settings file or a log.

Lookup order for the API key follows the google-genai SDK: ``GOOGLE_API_KEY`` wins over
``GEMINI_API_KEY``, and both win over the keychain (so a shell or a CI job can override what the
app stored). The keychain is whatever ``keyring`` finds (Secret Service, macOS Keychain, Windows
Credential Manager). Where there is none, or where only a plaintext backend is configured, secrets
go to ``EncryptedFileKeyring``: a Fernet-encrypted file whose key is derived with scrypt from a
passphrase (``DESKTOP_ASSISTANT_SECRETS_PASSPHRASE``) or, failing that, from this machine's id and
the user's id. The machine-bound form keeps the key unreadable when the file is copied elsewhere or
read by another account; it does not stop code running as the same user, which no file can.
"""

from __future__ import annotations

import base64
import contextlib
import enum
import getpass
import json
import logging
import os
import secrets as _random
import tempfile
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import keyring
import keyring.backend
import keyring.errors
import platformdirs
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from keyring.compat import properties

from desktop_assistant.config.persistence import APP_DIR_NAME

log = logging.getLogger(__name__)

SERVICE = "desktop-assistant"
API_KEY_NAME = "gemini-api-key"
PASSPHRASE_ENV = "DESKTOP_ASSISTANT_SECRETS_PASSPHRASE"
API_KEY_ENV_VARS = ("GOOGLE_API_KEY", "GEMINI_API_KEY")  # the SDK's precedence


class Secret:
    """A string that never shows itself in ``repr``/``str`` (and so never in a log line)."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    @property
    def masked(self) -> str:
        """What a settings page may show: the last four characters only."""
        return mask(self._value)

    def __repr__(self) -> str:
        return f"Secret({self.masked!r})"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and _random.compare_digest(self._value, other._value)

    def __hash__(self) -> int:
        return hash(self._value)


def mask(value: str) -> str:
    return "••••" + value[-4:] if len(value) > 8 else "••••"


class KeySource(enum.Enum):
    ENVIRONMENT = "environment"
    KEYCHAIN = "keychain"


@dataclass(frozen=True, slots=True)
class ApiKey:
    secret: Secret
    source: KeySource
    origin: str
    """``GOOGLE_API_KEY``, ``GEMINI_API_KEY`` or the keychain backend's name."""


class SecretStoreError(Exception):
    """The keychain refused; the message says what to do."""


class SecretStore:
    """API key and named secrets. Calls may block briefly (D-Bus, scrypt): use an executor."""

    def __init__(
        self,
        backend: keyring.backend.KeyringBackend | None = None,
        *,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self._backend = backend or choose_backend()
        self._environ = os.environ if environ is None else environ

    @property
    def backend_name(self) -> str:
        return type(self._backend).__module__ + "." + type(self._backend).__name__

    def api_key(self) -> ApiKey | None:
        for var in API_KEY_ENV_VARS:
            value = self._environ.get(var, "").strip()
            if value:
                return ApiKey(Secret(value), KeySource.ENVIRONMENT, var)
        stored = self.get(API_KEY_NAME)
        if stored is None:
            return None
        return ApiKey(Secret(stored), KeySource.KEYCHAIN, self.backend_name)

    def set_api_key(self, value: str) -> None:
        cleaned = value.strip()
        if not cleaned or any(c.isspace() for c in cleaned):
            raise SecretStoreError(
                "That does not look like an API key (it is empty or has spaces)."
            )
        self.set(API_KEY_NAME, cleaned)

    def delete_api_key(self) -> None:
        self.delete(API_KEY_NAME)

    def get(self, name: str) -> str | None:
        try:
            return self._backend.get_password(SERVICE, name)
        except keyring.errors.KeyringError as exc:
            raise SecretStoreError(f"The keychain could not be read: {exc}") from None

    def set(self, name: str, value: str) -> None:
        try:
            self._backend.set_password(SERVICE, name, value)
        except keyring.errors.KeyringError as exc:
            raise SecretStoreError(f"The keychain refused to store the secret: {exc}") from None

    def delete(self, name: str) -> None:
        try:
            self._backend.delete_password(SERVICE, name)
        except keyring.errors.PasswordDeleteError:
            return  # nothing was stored: deleting is done
        except keyring.errors.KeyringError as exc:
            raise SecretStoreError(f"The keychain could not delete the secret: {exc}") from None


def choose_backend() -> keyring.backend.KeyringBackend:
    """The OS keychain if there is a real one, else the encrypted file (never plaintext)."""
    backend = keyring.get_keyring()
    if _is_usable(backend):
        return backend
    log.info("no OS keychain available; secrets go to an encrypted file")
    return EncryptedFileKeyring()


def _is_usable(backend: keyring.backend.KeyringBackend) -> bool:
    name = type(backend).__name__.lower()
    module = type(backend).__module__
    if module.startswith(("keyring.backends.fail", "keyring.backends.null")):
        return False
    if "plaintext" in name or "uncrypted" in name:
        return False
    try:
        priority = float(backend.priority)
    except Exception:  # a backend's priority may raise to say "not here"
        return False
    return priority > 0


# ------------------------------------------------------------------------ encrypted file backend


class EncryptedFileKeyring(keyring.backend.KeyringBackend):
    """A keyring backend that keeps secrets in one Fernet-encrypted file (mode 0600).

    It never volunteers itself to ``keyring``'s automatic selection (its priority raises), so it
    is only used where this module chooses it.
    """

    _SCRYPT_N = 2**14

    def __init__(self, path: Path | None = None, passphrase: str | None = None) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # keyring's base is untyped
        self.path = path or platformdirs.user_data_path(APP_DIR_NAME) / "secrets.enc"
        self._passphrase = passphrase
        self._lock = threading.Lock()
        self._fernet: tuple[bytes, Fernet] | None = None

    @properties.classproperty
    def priority(cls) -> float:
        raise RuntimeError("chosen explicitly by desktop_assistant.config.secrets")

    def get_password(self, service: str, username: str) -> str | None:
        with self._lock:
            return self._read().get(_entry(service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        with self._lock:
            entries = self._read()
            entries[_entry(service, username)] = password
            self._write(entries)

    def delete_password(self, service: str, username: str) -> None:
        with self._lock:
            entries = self._read()
            if entries.pop(_entry(service, username), None) is None:
                raise keyring.errors.PasswordDeleteError("no such secret")
            self._write(entries)

    # -- file format: {"version": 1, "kdf": "scrypt", "salt": b64, "data": fernet-token}

    def _read(self) -> dict[str, str]:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise keyring.errors.KeyringError(f"the secrets file is unreadable ({exc})") from None
        try:
            salt = base64.b64decode(raw["salt"])
            plain = self._cipher(salt).decrypt(raw["data"].encode("ascii"))
        except InvalidToken:
            raise keyring.errors.KeyringError(
                f"the secrets file cannot be decrypted here (wrong passphrase? set {PASSPHRASE_ENV})"
            ) from None
        except (KeyError, TypeError, ValueError) as exc:
            raise keyring.errors.KeyringError(f"the secrets file is damaged ({exc})") from None
        entries = json.loads(plain)
        return {str(k): str(v) for k, v in entries.items()}

    def _write(self, entries: dict[str, str]) -> None:
        salt = self._fernet[0] if self._fernet else _random.token_bytes(16)
        token = self._cipher(salt).encrypt(json.dumps(entries).encode("utf-8"))
        doc = {
            "version": 1,
            "kdf": "scrypt",
            "salt": base64.b64encode(salt).decode("ascii"),
            "data": token.decode("ascii"),
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".secrets-", dir=self.path.parent)
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(doc, out)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise

    def _cipher(self, salt: bytes) -> Fernet:
        if self._fernet is not None and self._fernet[0] == salt:
            return self._fernet[1]
        kdf = Scrypt(salt=salt, length=32, n=self._SCRYPT_N, r=8, p=1)
        key = kdf.derive(self._secret_material())
        fernet = Fernet(base64.urlsafe_b64encode(key))
        self._fernet = (salt, fernet)
        return fernet

    def _secret_material(self) -> bytes:
        passphrase = self._passphrase or os.environ.get(PASSPHRASE_ENV)
        if passphrase:
            return b"passphrase\0" + passphrase.encode("utf-8")
        return b"machine\0" + _machine_id().encode("utf-8") + b"\0" + _user_id().encode("utf-8")


def _entry(service: str, username: str) -> str:
    return f"{service}\0{username}"


def _machine_id() -> str:
    for candidate in ("/etc/machine-id", "/var/lib/dbus/machine-id"):
        with contextlib.suppress(OSError):
            value = Path(candidate).read_text(encoding="ascii").strip()
            if value:
                return value
    return str(uuid.getnode())  # macOS/Windows fallback: the primary MAC address


def _user_id() -> str:
    getuid = getattr(os, "getuid", None)
    return str(getuid()) if getuid else getpass.getuser()
