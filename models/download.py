"""Pulling a catalog pack from a Hugging Face-compatible hub into the model store.

`pull()` reads the catalog entry, fetches the pack's `loomwork-pack.json` first (or, for a
folder published without one, lists the folder on the hub and makes the manifest from the
catalog entry and the listing: sizes, the sha256 of large files, the git blob id of small
ones; the installed pack gets a full manifest with every file's sha256), checks that
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
import hashlib
import json
import os
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from models._hub import (
    DownloadCancelled,
    DownloadError,
    ListedFile,
    fetch,
    list_files,
    remote_file,
    resolve_endpoint,
    safe_name,
)
from models.catalog import Catalog, CatalogEntry, load_catalog
from models.manifest import MANIFEST_NAME, PackError, PackManifest, PackTraits, file_sha256, load_manifest
from models.store import InstalledPack, ModelStore

__all__ = ["DownloadCancelled", "DownloadError", "PullProgress", "hub_endpoint", "pull"]

STAGING = ".downloads"
_PART = ".part"
_NOT_PACK_FILES = {".gitattributes"}
_MEMORY_PER_WEIGHT_BYTE = 1.25
"""Memory estimate for a listed pack the catalog gives no figure for: weights plus a quarter
(cache at a working context length and runtime buffers)."""


@dataclass(frozen=True, slots=True)
class _Expected:
    """What a downloaded file must be: its size (-1: unknown) and sha256, or else its git blob id."""

    size: int
    sha256: str | None = None
    git_id: str | None = None


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


def _listed_files(entry: CatalogEntry, listed: list[ListedFile]) -> dict[str, _Expected]:
    """The pack's files from the hub's listing of its folder (checked: it is a genai folder)."""
    unsafe = [f.name for f in listed if not safe_name(f.name)]
    if unsafe:
        raise DownloadError(f"{entry.repo} lists {unsafe[0]!r}, which would land outside the pack folder; "
                            "nothing was downloaded")
    files = {f.name: _Expected(f.size, f.sha256, None if f.sha256 else f.git_id)
             for f in listed if f.name not in _NOT_PACK_FILES and not f.name.startswith(".")
             and f.name != MANIFEST_NAME}  # Loomwork writes its own, from what it checked
    where = f"{entry.repo}{'/' + entry.path.strip('/') if entry.path.strip('/') else ''}"
    if "genai_config.json" not in files:
        raise DownloadError(f"{where}@{entry.revision} has no genai_config.json: it is not a folder in "
                            "onnxruntime-genai's format, nothing was downloaded")
    return files


def _listing_manifest(entry: CatalogEntry, staging: Path, files: dict[str, _Expected]) -> None:
    """Write the manifest of a listed pack: the catalog's description, every file's sha256."""
    total = sum(f.size for f in files.values())
    data = {
        "manifest_version": 1, "format": "onnxruntime-genai", "id": entry.id, "name": entry.name,
        **entry.model_dump(include=set(PackTraits.model_fields)), "size_bytes": total,
        "memory": {"needed_bytes": entry.memory_bytes or round(total * _MEMORY_PER_WEIGHT_BYTE)},
        "description": entry.description,
        "files": {name: {"sha256": f.sha256 or file_sha256(staging / name), "size_bytes": f.size}
                  for name, f in sorted(files.items())},
        "built_with": {"source": f"{entry.repo}/{entry.path.strip('/')}@{entry.revision}".replace("/@", "@"),
                       "manifest": "made by loomwork from the catalog entry and the hub's file listing"},
    }
    part = staging / (MANIFEST_NAME + _PART)
    part.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    os.replace(part, staging / MANIFEST_NAME)


def _git_id(path: Path) -> str:
    digest = hashlib.sha1(b"blob %d\0" % path.stat().st_size, usedforsecurity=False)
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _complete(path: Path, expected: _Expected) -> bool:
    if not path.is_file() or expected.size not in (-1, path.stat().st_size):
        return False
    if expected.sha256 is not None:
        return file_sha256(path) == expected.sha256
    return _git_id(path) == expected.git_id


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
    manifest_part = staging / (MANIFEST_NAME + _PART)
    manifest_part.unlink(missing_ok=True)  # small: always the hub's current one
    if entry.manifest == "repo":
        manifest_remote = remote_file(entry.repo, entry.repo_file(MANIFEST_NAME), entry.revision, hub, token)
        fetch(manifest_remote, manifest_part, token=token, cancel=cancel)
        manifest = _read_manifest(manifest_part, entry)
        expected = {name: _Expected(f.size_bytes, f.sha256) for name, f in manifest.files.items()}
    else:
        expected = _listed_files(entry, list_files(entry.repo, entry.path, entry.revision, hub, token))
        config = remote_file(entry.repo, entry.repo_file("genai_config.json"), entry.revision, hub, token)
        if config.commit:  # every file from that commit, even if the branch moves meanwhile
            entry = entry.model_copy(update={"revision": config.commit})
    _drop_strays(staging, set(expected))

    files = sorted(expected.items())
    total = sum(max(f.size, 0) for _, f in files)
    present = {name: (staging / name).stat().st_size if (staging / name).is_file()
               else (staging / (name + _PART)).stat().st_size if (staging / (name + _PART)).is_file() else 0
               for name, _ in files}
    missing = total - sum(min(present[name], max(f.size, 0)) for name, f in files)
    free = _free_bytes(store.root)
    if missing > free:
        raise DownloadError(f"not enough disk space for {entry.id}: it needs {_gb(missing)} more but only "
                            f"{_gb(free)} is free on {store.root}; free some space (or set LOOMWORK_HOME "
                            "to a bigger disk) and pull again")

    state = replace(state, stage="download", bytes_total=total, files_total=len(files))
    for name, want in files:
        if cancel.is_set():
            raise DownloadCancelled(f"the pull of {entry.id} was cancelled; pull again to resume")
        path = staging / name
        if not path.resolve().is_relative_to(staging.resolve()):
            raise DownloadError(f"{name}: would land outside the pack folder; nothing was installed")
        size = max(want.size, 0)
        state = replace(state, stage="download", file=name, file_bytes=0, file_total=size)
        report(state)
        if path.is_file() and _complete(path, want):
            state = replace(state, file_bytes=size, bytes_done=state.bytes_done + size,
                            files_done=state.files_done + 1)
            report(state)
            continue
        path.unlink(missing_ok=True)
        remote = remote_file(entry.repo, entry.repo_file(name), entry.revision, hub, token)
        if want.size >= 0 and remote.size is not None and remote.size != want.size:
            raise DownloadError(f"{name}: the hub has {remote.size:,} bytes but the manifest says "
                                f"{want.size:,}; the repository is inconsistent, nothing was installed")
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
        if not _complete(part, want):
            part.unlink(missing_ok=True)  # a retry fetches it again from the start
            source = "the pack manifest" if entry.manifest == "repo" else "the hub's listing"
            kind = "sha256" if want.sha256 else "git blob id"
            raise DownloadError(f"{name} failed its checksum ({kind} does not match {source}); "
                                f"it was deleted and nothing was installed — pull {entry.id} again")
        os.replace(part, path)
        state = replace(state, stage="download", files_done=state.files_done + 1)
        report(state)

    if entry.manifest == "repo":
        os.replace(manifest_part, staging / MANIFEST_NAME)
    else:
        _listing_manifest(entry, staging, expected)
    report(replace(state, stage="install", file=""))
    installed = _install(store, staging, target)
    report(replace(state, stage="done", file="", bytes_done=total, files_done=len(files)))
    return installed


def _drop_strays(staging: Path, names: set[str]) -> None:
    """Remove leftovers in the staging folder that the pack's current file list does not name."""
    keep = names | {n + _PART for n in names} | {MANIFEST_NAME, MANIFEST_NAME + _PART}
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
