"""The hub client under `models.download`: file metadata through huggingface_hub, and a
resumable transfer of one file.

huggingface_hub resolves the URL of a file (`hf_hub_url`), asks the hub for its size, ETag and
commit (`get_hf_file_metadata`: the HEAD request, redirects to a CDN, the token, and the hub's
error codes). The body is then fetched here rather than with `hf_hub_download`, because
huggingface_hub ≥ 1.0 writes each download to a process-unique temporary file that it deletes
when the transfer fails, so an interrupted transfer can never be resumed by a later run, and
it cannot be cancelled between chunks. This transfer keeps `<name>.part` next to the target,
asks for the rest with a `Range` request (after a dropped connection, or in a later run),
checks a cancel event between chunks and reports every chunk.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

__all__ = ["DEFAULT_ENDPOINT", "DownloadCancelled", "DownloadError", "ListedFile", "RemoteFile", "fetch",
           "list_files", "remote_file", "resolve_endpoint", "safe_name"]

DEFAULT_ENDPOINT = "https://huggingface.co"
RETRIES = 5


class DownloadError(Exception):
    """A pull that failed, with a message that names the pack or file and says what to do."""


class DownloadCancelled(DownloadError):
    """The pull was cancelled; what was downloaded is kept and the next pull resumes it."""


@dataclass(frozen=True, slots=True)
class RemoteFile:
    name: str
    url: str
    """Where the body is fetched (the CDN location when the hub redirects)."""
    size: int | None
    etag: str | None
    commit: str | None
    same_host: bool


def resolve_endpoint(explicit: str | None, settings_file: Path | None = None) -> str:
    """The hub: `--endpoint`, else `HF_ENDPOINT`, else `hub_endpoint` in the models settings, else
    huggingface.co."""
    if explicit:
        return explicit.rstrip("/")
    env = os.environ.get("HF_ENDPOINT")
    if env:
        return env.rstrip("/")
    if settings_file is not None:
        try:
            value = json.loads(settings_file.read_text(encoding="utf-8")).get("hub_endpoint")
        except (OSError, ValueError, AttributeError):
            value = None
        if isinstance(value, str) and value:
            return value.rstrip("/")
    return DEFAULT_ENDPOINT


@contextmanager
def _hub_errors(repo: str, revision: str, endpoint: str, missing: str) -> Iterator[None]:
    """The hub's and the network's failures as DownloadErrors that say what to do."""
    from huggingface_hub.errors import (
        EntryNotFoundError,
        GatedRepoError,
        HfHubHTTPError,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    where = f"{repo}@{revision} on {endpoint}"
    try:
        yield
    except GatedRepoError:
        raise DownloadError(f"{repo} is gated: accept its terms on the hub and log in "
                            "(hf auth login)") from None
    except RepositoryNotFoundError:
        raise DownloadError(f"the repository {repo} was not found on {endpoint} (or it is private)") from None
    except RevisionNotFoundError:
        raise DownloadError(f"{repo} has no revision '{revision}' on {endpoint}") from None
    except EntryNotFoundError:
        raise DownloadError(f"{where} has no {missing}") from None
    except HfHubHTTPError as exc:
        raise DownloadError(f"{where}: {str(exc).splitlines()[0]}") from None
    except DownloadError:
        raise
    except Exception as exc:  # connection refused, DNS, TLS, timeouts: the library's own error types
        raise DownloadError(f"cannot reach {endpoint} ({type(exc).__name__}: {exc}); check the network, "
                            "or choose another hub with --endpoint or HF_ENDPOINT") from None


def remote_file(repo: str, filename: str, revision: str, endpoint: str, token: str | bool | None = None
                ) -> RemoteFile:
    """Size, ETag and commit of one file of a hub repository (a DownloadError that says why not)."""
    from huggingface_hub import get_hf_file_metadata, hf_hub_url

    url = hf_hub_url(repo, filename, revision=revision, endpoint=endpoint)
    with _hub_errors(repo, revision, endpoint, f"file {filename}"):
        meta = get_hf_file_metadata(url, token=token, endpoint=endpoint)
    if meta.commit_hash is None:
        raise DownloadError(f"{endpoint} does not answer like a Hugging Face hub (no X-Repo-Commit header)")
    location = meta.location or url
    return RemoteFile(filename, location, meta.size, meta.etag, meta.commit_hash,
                      urlsplit(location).netloc == urlsplit(url).netloc)


@dataclass(frozen=True, slots=True)
class ListedFile:
    """A file in the hub's listing of a folder: its path below the folder, size and checksum."""

    name: str
    size: int
    sha256: str | None
    """For large (LFS/Xet) files: the hub records their sha256."""
    git_id: str
    """The git blob id (sha1 of "blob SIZE\\0" + content): how small files are checked."""


def list_files(repo: str, folder: str, revision: str, endpoint: str, token: str | bool | None = None
               ) -> list[ListedFile]:
    """Every file below `folder` of a hub repository (recursive, the hub's paging followed)."""
    from huggingface_hub import HfApi
    from huggingface_hub.hf_api import RepoFile

    prefix = folder.strip("/")
    with _hub_errors(repo, revision, endpoint, f"folder '{prefix}'"):
        listed = list(HfApi(endpoint=endpoint, token=token).list_repo_tree(
            repo, path_in_repo=prefix or None, recursive=True, revision=revision))
    files = []
    for item in listed:
        if not isinstance(item, RepoFile):
            continue
        if prefix and not item.path.startswith(prefix + "/"):
            continue  # the hub answered with something outside the folder asked for
        name = item.path[len(prefix) + 1:] if prefix else item.path
        if not safe_name(name):
            raise DownloadError(f"{repo}@{revision} on {endpoint} lists the file {name!r}, which would land "
                                "outside the pack folder; nothing was downloaded")
        files.append(ListedFile(name, int(item.size), item.lfs.sha256 if item.lfs else None, item.blob_id))
    return files


def safe_name(name: str) -> bool:
    """A relative path of plain parts: no '..', no absolute path, no backslash or drive letter."""
    if not name or name.startswith(("/", "\\")) or "\\" in name or ":" in name:
        return False
    return all(part not in ("", ".", "..") for part in name.split("/"))


def _headers(remote: RemoteFile, token: str | bool | None) -> dict[str, str]:
    from huggingface_hub.utils import build_hf_headers

    headers = dict(build_hf_headers(token=token))
    if not remote.same_host:  # a signed CDN URL: never send the hub token elsewhere
        headers.pop("authorization", None)
        headers.pop("Authorization", None)
    headers["Accept-Encoding"] = "identity"
    return headers


def fetch(remote: RemoteFile, part: Path, *, token: str | bool | None = None,
          on_bytes: Callable[[int], None] | None = None, cancel: threading.Event | None = None,
          timeout: float = 30.0, retries: int = RETRIES) -> None:
    """Download `remote` into `part`, resuming from what `part` already holds.

    A dropped connection is retried (up to `retries` times without progress) with a Range
    request for the rest. `on_bytes(n)` is called for every chunk written (and once with the
    bytes already there when resuming). Raises DownloadCancelled when `cancel` is set, leaving
    `part` in place for the next attempt.
    """
    import httpx

    headers = _headers(remote, token)
    have = part.stat().st_size if part.exists() else 0
    if remote.size is not None and have > remote.size:
        part.unlink()
        have = 0
    if have and on_bytes is not None:
        on_bytes(have)
    if remote.size is not None and have == remote.size and have:
        return
    failures = 0
    while True:
        if cancel is not None and cancel.is_set():
            raise DownloadCancelled(f"cancelled during {remote.name}")
        request = dict(headers)
        if have:
            request["Range"] = f"bytes={have}-"
        try:
            with httpx.stream("GET", remote.url, headers=request, timeout=timeout,
                              follow_redirects=True) as response:
                if response.status_code == 416 and remote.size is not None and have >= remote.size:
                    return
                if response.status_code not in (200, 206):
                    raise DownloadError(f"{remote.name}: the hub answered HTTP {response.status_code}")
                mode = "ab" if response.status_code == 206 else "wb"
                resumed_at = response.headers.get("Content-Range", "")
                if mode == "ab" and not resumed_at.startswith(f"bytes {have}-"):
                    raise DownloadError(f"{remote.name}: the hub resumed at the wrong offset "
                                        f"({response.headers.get('Content-Range')!r}, expected byte {have})")
                if mode == "wb" and have and on_bytes is not None:
                    on_bytes(-have)  # the server ignored Range: start again
                have = have if mode == "ab" else 0
                with open(part, mode) as handle:
                    for chunk in response.iter_bytes():  # as it arrives: a drop loses nothing
                        if cancel is not None and cancel.is_set():
                            handle.flush()
                            raise DownloadCancelled(f"cancelled during {remote.name}")
                        handle.write(chunk)
                        have += len(chunk)
                        failures = 0  # progress: the retry budget is for failures in a row
                        if on_bytes is not None:
                            on_bytes(len(chunk))
            if remote.size is None or remote.size == 0:
                return
            if have > remote.size:
                raise DownloadError(f"{remote.name}: the hub sent {have:,} bytes, more than the "
                                    f"{remote.size:,} it announced")
            if have < remote.size:  # a body that ended early without an error: retry like a drop
                raise httpx.RemoteProtocolError("the body ended early")
            return
        except httpx.TransportError as exc:  # dropped connection, timeout, refused: resume from `have`
            failures += 1
            if failures > retries:
                raise DownloadError(f"{remote.name}: the transfer failed {failures} times ({exc}); run the "
                                    "same command again to resume") from None
            time.sleep(min(0.2 * 2 ** (failures - 1), 5.0))
