"""Pulling a catalog pack from a Hugging Face-compatible hub into the model store.

`pull()` reads the catalog entry, fetches the pack's `loomwork-pack.json` first, checks that
the disk has room for the files still to fetch, downloads every file the manifest lists into a
staging folder (`<data home>/models/.downloads/<id>/`, so an interrupted pull resumes — whole
files are kept and a partial file continues with a Range request), verifies each file's size
and sha256 as it lands, and only then moves the folder into place in one rename: a pack is
either fully installed and verified, or not listed at all.

Progress goes to a callback (`PullProgress`: bytes and files, overall and for the current
file); a `threading.Event` cancels between chunks. The studio can run `pull()` on a worker
thread with both.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from models._hub import DownloadCancelled, DownloadError, fetch, remote_file, resolve_endpoint
from models.catalog import Catalog, CatalogEntry, load_catalog
from models.manifest import MANIFEST_NAME, PackError, PackManifest, file_sha256, load_manifest
from models.store import InstalledPack, ModelStore

__all__ = ["DownloadCancelled", "DownloadError", "PullProgress", "hub_endpoint", "pull"]

STAGING = ".downloads"
_PART = ".part"


@dataclass(frozen=True, slots=True)
class PullProgress:
    """Where a pull stands (sent after every chunk and at every file boundary)."""

    pack_id: str
    stage: str
    """"manifest", "download", "verify", "install" or "done"."""
    file: str = ""
    file_bytes: int = 0
    file_total: int = 0
    bytes_done: int = 0
    bytes_total: int = 0
    files_done: int = 0
    files_total: int = 0


def hub_endpoint(store: ModelStore, explicit: str | None = None) -> str:
    """The hub a pull uses: `explicit`, else HF_ENDPOINT, else the models settings, else huggingface.co."""
    return resolve_endpoint(explicit, store.root / "settings.json")


def _free_bytes(folder: Path) -> int:
    return shutil.disk_usage(folder).free


def _gb(n: int) -> str:
    return f"{n / 1e9:.2f} GB" if n >= 1e8 else f"{n / 1e6:.1f} MB"


def _read_manifest(path: Path, entry: CatalogEntry) -> PackManifest:
    try:
        manifest = PackManifest.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except ValueError as exc:  # JSON or validation
        path.unlink(missing_ok=True)
        raise DownloadError(f"{entry.repo}: its {MANIFEST_NAME} is not a valid pack manifest "
                            f"({exc})") from None
    if manifest.id != entry.id:
        raise DownloadError(f"{entry.repo} holds the pack '{manifest.id}', not '{entry.id}' as the "
                            "catalog says")
    if "genai_config.json" not in manifest.files:
        raise DownloadError(f"{entry.repo}: the manifest does not list genai_config.json")
    return manifest


def _complete(path: Path, size: int, sha256: str) -> bool:
    return path.is_file() and size in (-1, path.stat().st_size) and file_sha256(path) == sha256


def pull(pack_id: str, store: ModelStore, *, endpoint: str | None = None, catalog: Catalog | None = None,
         on_progress: Callable[[PullProgress], None] | None = None, cancel: threading.Event | None = None,
         replace_installed: bool = False, token: str | bool | None = None) -> InstalledPack:
    """Download the catalog pack `pack_id` into `store` (see the module docstring).

    Raises CatalogError (unknown id), DownloadError (network, hub, checksum, disk space),
    DownloadCancelled (the pull stopped; the next pull resumes) or PackError (already installed).
    """
    entry = (catalog or load_catalog()).get(pack_id)
    if not entry.pullable:
        reason = entry.unpullable_reason or "it is not published as a pack"
        raise DownloadError(f"{entry.id} cannot be pulled: {reason}")
    target = store.root / entry.id
    if target.exists() and not replace_installed:
        raise PackError(f"a model '{entry.id}' is already installed; remove it first "
                        f"(loomwork models remove {entry.id})")
    hub = hub_endpoint(store, endpoint)
    cancel = cancel or threading.Event()
    report = on_progress or (lambda progress: None)
    staging = store.root / STAGING / entry.id
    staging.mkdir(parents=True, exist_ok=True)

    state = PullProgress(entry.id, "manifest", file=MANIFEST_NAME)
    report(state)
    manifest_remote = remote_file(entry.repo, entry.repo_file(MANIFEST_NAME), entry.revision, hub, token)
    manifest_part = staging / (MANIFEST_NAME + _PART)
    manifest_part.unlink(missing_ok=True)  # small: always the hub's current one
    fetch(manifest_remote, manifest_part, token=token, cancel=cancel)
    manifest = _read_manifest(manifest_part, entry)
    _drop_strays(staging, manifest)

    files = sorted(manifest.files.items())
    total = sum(max(f.size_bytes, 0) for _, f in files)
    present = {name: (staging / name).stat().st_size if (staging / name).is_file()
               else (staging / (name + _PART)).stat().st_size if (staging / (name + _PART)).is_file() else 0
               for name, _ in files}
    missing = total - sum(min(present[name], max(f.size_bytes, 0)) for name, f in files)
    free = _free_bytes(store.root)
    if missing > free:
        raise DownloadError(f"not enough disk space for {entry.id}: it needs {_gb(missing)} more but only "
                            f"{_gb(free)} is free on {store.root}; free some space (or set LOOMWORK_HOME "
                            "to a bigger disk) and pull again")

    state = replace(state, stage="download", bytes_total=total, files_total=len(files))
    for name, expected in files:
        if cancel.is_set():
            raise DownloadCancelled(f"the pull of {entry.id} was cancelled; pull again to resume")
        path = staging / name
        size = max(expected.size_bytes, 0)
        state = replace(state, stage="download", file=name, file_bytes=0, file_total=size)
        report(state)
        if path.is_file() and _complete(path, expected.size_bytes, expected.sha256):
            state = replace(state, file_bytes=size, bytes_done=state.bytes_done + size,
                            files_done=state.files_done + 1)
            report(state)
            continue
        path.unlink(missing_ok=True)
        remote = remote_file(entry.repo, entry.repo_file(name), entry.revision, hub, token)
        if expected.size_bytes >= 0 and remote.size is not None and remote.size != expected.size_bytes:
            raise DownloadError(f"{name}: the hub has {remote.size:,} bytes but the manifest says "
                                f"{expected.size_bytes:,}; the repository is inconsistent, nothing was "
                                "installed")
        part = staging / (name + _PART)
        part.parent.mkdir(parents=True, exist_ok=True)

        def on_bytes(n: int, name: str = name) -> None:
            nonlocal state
            state = replace(state, file_bytes=state.file_bytes + n, bytes_done=state.bytes_done + n)
            report(state)

        try:
            fetch(remote, part, token=token, on_bytes=on_bytes, cancel=cancel)
        except DownloadCancelled:
            raise DownloadCancelled(f"the pull of {entry.id} was cancelled during {name}; "
                                    "pull again to resume") from None
        state = replace(state, stage="verify")
        report(state)
        if not _complete(part, expected.size_bytes, expected.sha256):
            part.unlink(missing_ok=True)  # a retry fetches it again from the start
            raise DownloadError(f"{name} failed its checksum (sha256 does not match the pack manifest); "
                                f"it was deleted and nothing was installed — pull {entry.id} again")
        os.replace(part, path)
        state = replace(state, stage="download", files_done=state.files_done + 1)
        report(state)

    os.replace(manifest_part, staging / MANIFEST_NAME)
    report(replace(state, stage="install", file=""))
    installed = _install(store, staging, target)
    report(replace(state, stage="done", file="", bytes_done=total, files_done=len(files)))
    return installed


def _drop_strays(staging: Path, manifest: PackManifest) -> None:
    """Remove leftovers in the staging folder that the current manifest does not list."""
    keep = set(manifest.files) | {n + _PART for n in manifest.files} | {MANIFEST_NAME, MANIFEST_NAME + _PART}
    for path in sorted(staging.rglob("*"), reverse=True):
        rel = path.relative_to(staging).as_posix()
        if path.is_file() and rel not in keep:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()


def _install(store: ModelStore, staging: Path, target: Path) -> InstalledPack:
    """Move the verified staging folder into the store in one rename (replacing an older copy)."""
    manifest = load_manifest(staging)  # also checks genai_config.json is there
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        os.replace(target, old)
    try:
        os.replace(staging, target)
    except BaseException:
        if old is not None:
            os.replace(old, target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    with contextlib.suppress(OSError):
        staging.parent.rmdir()  # .downloads, when no other pull is pending
    return store.get(manifest.id)
