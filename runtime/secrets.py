"""Named credentials in the OS keyring, and redaction of their values from all output.

A node config holds a credential *name*; the value is read from the keyring at run time
and registered with the run's `Redactor`, which scrubs it from every event, log line,
error and history row. Without a usable keyring backend, a clear message says how to
enable one; there is never a silent plaintext fallback.
"""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path
from typing import Any

from runtime.fsutil import atomic_write_text

__all__ = [
    "CredentialError",
    "CredentialStore",
    "KeyringUnavailable",
    "Redactor",
    "validate_credential_name",
]

SERVICE_NAME = "loomwork"
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,127}$")
MASK = "••••••"


class CredentialError(Exception):
    """A credential is missing, or its name is invalid."""


class KeyringUnavailable(CredentialError):
    """No usable OS keyring backend; the message says how to enable one."""


def validate_credential_name(name: str) -> str:
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise CredentialError(
            f"invalid credential name {name!r}: use letters, digits, '_', '.', '@' or '-' "
            "(at most 128 characters)"
        )
    return name


_HOW_TO_ENABLE = (
    "No usable OS keyring was found, so Loomwork cannot store or read credentials. "
    "On Windows and macOS the system keychain is used automatically. On Linux, run a "
    "Secret Service provider (GNOME Keyring or KWallet) in your desktop session; on a "
    "headless machine start one with `dbus-run-session` and `gnome-keyring-daemon --unlock`, "
    "or choose another keyring backend explicitly with the PYTHON_KEYRING_BACKEND "
    "environment variable. Loomwork never falls back to storing secrets in plain text."
)


class CredentialStore:
    """Credentials by name: values in the OS keyring, names in an index file beside it.

    The index holds names only (the keyring cannot list entries on every platform).
    """

    def __init__(self, index_path: Path, backend: Any | None = None):
        self._index_path = index_path
        self._backend = backend
        self._lock = threading.Lock()

    def _keyring(self) -> Any:
        if self._backend is not None:
            return self._backend
        import keyring
        from keyring.backends import chainer, fail, null

        backend = keyring.get_keyring()
        if isinstance(backend, chainer.ChainerBackend) and not backend.backends:
            backend = fail.Keyring()
        if isinstance(backend, (fail.Keyring, null.Keyring)):
            raise KeyringUnavailable(_HOW_TO_ENABLE)
        self._backend = backend
        return backend

    def backend_name(self) -> str:
        backend = self._keyring()
        return f"{type(backend).__module__}.{type(backend).__name__}"

    def _read_index(self) -> list[str]:
        try:
            data = json.loads(self._index_path.read_text(encoding="utf-8"))
            return sorted({n for n in data.get("names", []) if isinstance(n, str)})
        except (FileNotFoundError, ValueError, AttributeError):
            return []

    def _write_index(self, names: list[str]) -> None:
        self._index_path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(self._index_path, json.dumps({"names": sorted(set(names))}, indent=2) + "\n")

    def names(self) -> list[str]:
        """Names of the stored credentials (never their values)."""
        return self._read_index()

    def set(self, name: str, value: str) -> None:
        validate_credential_name(name)
        if not value:
            raise CredentialError(f"credential '{name}': the value is empty")
        backend = self._keyring()
        try:
            backend.set_password(SERVICE_NAME, name, value)
        except Exception as exc:
            raise KeyringUnavailable(f"the keyring refused to store '{name}': {exc}") from None
        with self._lock:
            self._write_index([*self._read_index(), name])

    def get(self, name: str) -> str:
        """The value of credential `name`, or CredentialError saying how to add it."""
        validate_credential_name(name)
        backend = self._keyring()
        try:
            value = backend.get_password(SERVICE_NAME, name)
        except Exception as exc:
            raise KeyringUnavailable(f"the keyring could not be read for '{name}': {exc}") from None
        if value is None:
            raise CredentialError(
                f"credential '{name}' is not in the keyring; add it with "
                f"`loomwork credentials set {name}`"
            )
        return value

    def delete(self, name: str) -> None:
        validate_credential_name(name)
        backend = self._keyring()
        import keyring.errors

        try:
            backend.delete_password(SERVICE_NAME, name)
        except keyring.errors.PasswordDeleteError:
            if name not in self._read_index():
                raise CredentialError(f"credential '{name}' does not exist") from None
        with self._lock:
            self._write_index([n for n in self._read_index() if n != name])


class Redactor:
    """Replaces every registered secret value in text with a mask."""

    def __init__(self) -> None:
        self._secrets: set[str] = set()
        self._pattern: re.Pattern[str] | None = None

    def add(self, secret: str) -> None:
        """Redact `secret`, and the forms it takes inside JSON text and Python reprs."""
        if not secret or secret in self._secrets:
            return
        forms = {secret, json.dumps(secret)[1:-1], repr(secret)[1:-1],
                 json.dumps(secret, ensure_ascii=False)[1:-1]}
        self._secrets.update(f for f in forms if f)
        ordered = sorted(self._secrets, key=len, reverse=True)
        self._pattern = re.compile("|".join(re.escape(s) for s in ordered))

    def __bool__(self) -> bool:
        return bool(self._secrets)

    def redact(self, text: str) -> str:
        if self._pattern is None or not text:
            return text
        return self._pattern.sub(MASK, text)

    def redact_data(self, value: Any) -> Any:
        """Redact secrets inside strings of a JSON-like value."""
        if self._pattern is None:
            return value
        if isinstance(value, str):
            return self.redact(value)
        if isinstance(value, dict):
            return {k: self.redact_data(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.redact_data(v) for v in value]
        return value
