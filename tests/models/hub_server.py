"""A local stand-in for the Hugging Face hub: serves pack folders in the hub's layout.

It answers what huggingface_hub's metadata call and a download need:

- `HEAD|GET /{org}/{repo}/resolve/{revision}/{path}` — small files are served directly with
  `ETag` (a git-style blob id), `Content-Length` and `X-Repo-Commit`; large files ("LFS") get a
  302 to `/lfs/{sha256}` on the same server with `X-Linked-Etag` (their sha256),
  `X-Linked-Size` and `X-Repo-Commit` to a second server on another port, as the real hub
  redirects to its CDN (another origin: huggingface_hub takes the metadata from the 302). Unknown repos,
  revisions and files answer 404 with the hub's `X-Error-Code`.
- `HEAD|GET /lfs/{sha256}` — the body, honouring `Range: bytes=N-` with 206 / `Content-Range`.
- `GET /api/models/{org}/{repo}/tree/{revision}[/{folder}]?recursive=…` — the folder's listing as
  the hub gives it (files with size, git blob id and, for large files, `lfs.oid` = sha256;
  folders), one page.

Fault injection for tests: `drop_once` (names of files whose first body transfer stops
halfway, the connection closed), `corrupt` (names served with one byte flipped). Every
request is recorded in `requests` as (method, path, Range header or None).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote

COMMIT = "0123456789abcdef0123456789abcdef01234567"
LFS_THRESHOLD = 100_000


@dataclass
class HubState:
    repos: dict[str, Path]
    """repo id ("org/name") → the folder served as its top level."""
    drop_once: set[str] = field(default_factory=set)
    corrupt: set[str] = field(default_factory=set)
    requests: list[tuple[str, str, str | None]] = field(default_factory=list)
    by_sha: dict[str, tuple[str, Path]] = field(default_factory=dict)
    cdn: str = ""
    """Origin of the second server that plays the CDN (another port: another origin)."""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def body(self, name: str, path: Path) -> bytes:
        data = path.read_bytes()
        if name in self.corrupt:
            data = bytes([data[0] ^ 0xFF]) + data[1:]
        return data


def _handler(state: HubState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # quiet
            pass

        def do_HEAD(self) -> None:
            self._serve(head=True)

        def do_GET(self) -> None:
            self._serve(head=False)

        def _error(self, status: int, code: str | None = None) -> None:
            self.send_response(status)
            if code:
                self.send_header("X-Error-Code", code)
            if code not in (None, "RepoNotFound"):
                self.send_header("X-Repo-Commit", COMMIT)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _serve(self, head: bool) -> None:
            path = unquote(self.path.split("?", 1)[0])
            with state.lock:
                state.requests.append((self.command, path, self.headers.get("Range")))
            parts = path.strip("/").split("/")
            if len(parts) == 2 and parts[0] == "lfs":
                self._lfs(parts[1], head)
            elif len(parts) >= 6 and parts[:2] == ["api", "models"] and parts[4] == "tree" and not head:
                recursive = "recursive=true" in self.path.lower()
                self._tree("/".join(parts[2:4]), parts[5], "/".join(parts[6:]), recursive)
            elif len(parts) >= 5 and parts[2] == "resolve":
                self._resolve("/".join(parts[:2]), parts[3], "/".join(parts[4:]), head)
            else:
                self._error(404)

        def _repo(self, repo: str, revision: str) -> Path | None:
            """The folder of a repository at a revision, or None after answering 404."""
            folder = state.repos.get(repo)
            if folder is None:
                self._error(404, "RepoNotFound")
                return None
            if revision not in ("main", COMMIT):
                self._error(404, "RevisionNotFound")
                return None
            return folder

        def _resolve(self, repo: str, revision: str, name: str, head: bool) -> None:
            folder = self._repo(repo, revision)
            if folder is None:
                return None
            file = folder / name
            if ".." in Path(name).parts or not file.is_file():
                return self._error(404, "EntryNotFound")
            data = file.read_bytes()
            if len(data) >= LFS_THRESHOLD:
                sha = hashlib.sha256(data).hexdigest()
                state.by_sha[sha] = (name, file)
                self.send_response(302)
                self.send_header("Location", f"{state.cdn}/lfs/{sha}")
                self.send_header("X-Linked-Etag", f'"{sha}"')
                self.send_header("X-Linked-Size", str(len(data)))
                self.send_header("X-Repo-Commit", COMMIT)
                self.send_header("ETag", f'"{sha}"')
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            blob = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
            self._body(name, file, f'"{blob}"', head, commit=True)
            return None

        def _tree(self, repo: str, revision: str, folder: str, recursive: bool) -> None:
            top = self._repo(repo, revision)
            if top is None:
                return None
            base = top / folder if folder else top
            if ".." in Path(folder).parts or not base.is_dir():
                return self._error(404, "EntryNotFound")
            found = sorted(base.rglob("*") if recursive else base.iterdir())
            listing = []
            for item in found:
                path = item.relative_to(top).as_posix()
                if item.is_dir():
                    listing.append({"type": "directory", "oid": "0" * 40, "size": 0, "path": path})
                    continue
                data = item.read_bytes()  # the listing tells the truth; `corrupt` spoils the transfer
                entry = {"type": "file", "path": path, "size": len(data),
                         "oid": hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()}
                if len(data) >= LFS_THRESHOLD:
                    entry["lfs"] = {"oid": hashlib.sha256(data).hexdigest(), "size": len(data),
                                    "pointerSize": 134}
                listing.append(entry)
            body = json.dumps(listing).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return None

        def _lfs(self, sha: str, head: bool) -> None:
            entry = state.by_sha.get(sha)
            if entry is None:
                return self._error(404)
            self._body(entry[0], entry[1], f'"{sha}"', head=head, commit=False)
            return None

        def _body(self, name: str, file: Path, etag: str, head: bool, commit: bool) -> None:
            data = state.body(name, file)
            start = 0
            wanted = self.headers.get("Range")
            if wanted and wanted.startswith("bytes=") and wanted.endswith("-"):
                start = int(wanted[len("bytes="):-1])
                if start >= len(data):
                    self.send_response(416)
                    self.send_header("Content-Range", f"bytes */{len(data)}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
            self.send_response(206 if start else 200)
            if start:
                self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            self.send_header("Content-Length", str(len(data) - start))
            self.send_header("ETag", etag)
            self.send_header("Accept-Ranges", "bytes")
            if commit:
                self.send_header("X-Repo-Commit", COMMIT)
            self.end_headers()
            if head:
                return
            body = data[start:]
            with state.lock:
                drop = name in state.drop_once and len(body) > 1
                state.drop_once.discard(name)
            if drop:  # half the body, then the connection is gone
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(2)
                return
            self.wfile.write(body)

    return Handler


@contextmanager
def serve_hub(repos: dict[str, Path]) -> Iterator[tuple[str, HubState]]:
    """Run the hub on a free local port; yields (endpoint URL, state)."""
    state = HubState(repos=dict(repos))
    servers = [ThreadingHTTPServer(("127.0.0.1", 0), _handler(state)) for _ in range(2)]
    threads = []
    for server in servers:
        server.daemon_threads = True
        threads.append(threading.Thread(target=server.serve_forever, daemon=True))
        threads[-1].start()
    hub, cdn = (f"http://127.0.0.1:{server.server_address[1]}" for server in servers)
    state.cdn = cdn
    try:
        yield hub, state
    finally:
        for server, thread in zip(servers, threads, strict=True):
            server.shutdown()
            server.server_close()
            thread.join(5)
