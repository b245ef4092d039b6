"""Shared test set-up: offscreen Qt, a private data home, a real keyring backend."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Tests never touch the user's real data: one private home for the whole session,
# and a fresh one per test through the `home` fixture.
os.environ["LOOMWORK_HOME"] = tempfile.mkdtemp(prefix="loomwork-test-home-")

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh LOOMWORK_HOME for this test."""
    path = tmp_path / "home"
    path.mkdir()
    monkeypatch.setenv("LOOMWORK_HOME", str(path))
    return path


@pytest.fixture
def keyring_backend(tmp_path: Path):
    """A real keyring backend: the Secret Service (gnome-keyring) when the test runner
    started one, else an explicitly configured file backend in a temporary folder."""
    if os.environ.get("LOOMWORK_TEST_SECRET_SERVICE") == "1":
        from keyring.backends.SecretService import Keyring

        backend = Keyring()
        yield backend
        return
    from keyrings.alt.file import PlaintextKeyring

    backend = PlaintextKeyring()
    backend.file_path = str(tmp_path / "keyring.cfg")
    yield backend
