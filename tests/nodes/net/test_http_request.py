"""http.request against a small real server on 127.0.0.1 (stdlib http.server in a thread)."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from keyrings.alt.file import PlaintextKeyring

from runtime.api import CompileError, CredentialStore, FileRef, NodeState

TOKEN = "s3cr3t-T0KEN-4711"
PDF = b"%PDF-1.4\n\x00\xff binary"


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, *args: object) -> None:  # keep test output quiet
        pass

    def _send(self, status: int, body: bytes, content_type: str, **headers: str) -> None:
        try:
            self._respond(status, body, content_type, headers)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (the timeout test)

    def _respond(self, status: int, body: bytes, content_type: str, headers: dict[str, str]) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _handle(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        url = urlsplit(self.path)
        self.server.seen.append({"method": self.command, "path": url.path, "query": parse_qs(url.query),
                                 "headers": dict(self.headers), "body": body})
        if url.path == "/json":
            self._send(200, json.dumps({"ok": True, "items": [1, 2]}).encode(), "application/json",
                       X_Request_Id="r-1")
        elif url.path == "/echo":
            echo = {"method": self.command, "query": parse_qs(url.query), "body": body.decode(),
                    "content_type": self.headers.get("Content-Type")}
            self._send(200, json.dumps(echo).encode(), "application/json; charset=utf-8")
        elif url.path == "/text":
            self._send(200, "héllo".encode(), "text/plain; charset=utf-8")
        elif url.path == "/bad-json":
            self._send(200, b"{oops", "application/json")
        elif url.path == "/report.pdf":
            self._send(200, PDF, "application/pdf")
        elif url.path == "/slow":
            time.sleep(0.6)
            self._send(200, b"late", "text/plain")
        elif url.path.startswith("/status/"):
            said = self.headers.get("Authorization", "")
            self._send(int(url.path.rsplit("/", 1)[1]), f"denied for {said}".encode(), "text/plain")
        else:
            self._send(404, b"no such page", "text/plain")

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _handle


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    seen: list[dict]


@pytest.fixture(scope="module")
def server():
    httpd = _Server(("127.0.0.1", 0), _Handler)
    httpd.seen = []
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


@pytest.fixture
def base(server):
    server.seen.clear()
    return f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture
def credentials(tmp_path):
    keyring = PlaintextKeyring()
    keyring.file_path = str(tmp_path / "kr.cfg")
    store = CredentialStore(tmp_path / "home" / "credentials.json", backend=keyring)
    store.set("api_token", TOKEN)
    return store


def test_get_json_with_query_parameters(run_node, base, server):
    config = {"url": f"{base}/json?page=1", "query": {"size": "50", "page": "2"}}
    out = run_node("http.request", config).ok()
    assert out["status"] == 200
    assert out["body"] == {"ok": True, "items": [1, 2]}
    assert out["headers"]["x-request-id"] == "r-1"
    assert server.seen[0]["query"] == {"page": ["2"], "size": ["50"]}


def test_post_json_text_and_form_bodies(run_node, base):
    url = f"{base}/echo"
    sent = run_node("http.request", {"method": "POST", "url": url}, {"body": {"n": 1, "ü": [True]}}).ok()
    assert json.loads(sent["body"]["body"]) == {"n": 1, "ü": [True]}
    assert sent["body"]["content_type"] == "application/json"
    text = run_node("http.request", {"method": "PUT", "url": url, "body_format": "text"}, {"body": 42}).ok()
    assert text["body"]["body"] == "42" and text["body"]["content_type"].startswith("text/plain")
    form = run_node("http.request", {"method": "POST", "url": url, "body_format": "form"},
                    {"body": {"a": "x y", "b": True}}).ok()
    assert form["body"]["body"] == "a=x+y&b=true"


def test_text_files_and_not_really_json(run_node, base, tmp_path):
    assert run_node("http.request", {"url": f"{base}/text"}).ok()["body"] == "héllo"
    bad = run_node("http.request", {"url": f"{base}/bad-json"})
    assert bad.ok()["body"] == "{oops" and bad.logs("warning")
    pdf = run_node("http.request", {"url": f"{base}/report.pdf"}).ok()["body"]
    assert isinstance(pdf, FileRef) and pdf.media_type == "application/pdf" and pdf.name == "report.pdf"
    assert Path(pdf.path).read_bytes() == PDF
    assert str(tmp_path / "home") in pdf.path


def test_the_url_input_overrides_the_config(run_node, base):
    out = run_node("http.request", {"url": "https://example.invalid/"}, {"url": f"{base}/text"}).ok()
    assert out["body"] == "héllo"


def test_http_errors_fail_naming_address_and_status(run_node, base):
    run = run_node("http.request", {"url": f"{base}/missing"})
    assert run.state is NodeState.FAILED
    assert f"GET {base}/missing failed: HTTP 404 Not Found: no such page" == run.error


def test_http_errors_can_be_passed_on(run_node, base):
    out = run_node("http.request", {"url": f"{base}/status/503", "fail_on_http_error": False}).ok()
    assert out["status"] == 503 and out["body"] == "denied for "


def test_timeouts_and_refused_connections(run_node, base):
    slow = run_node("http.request", {"url": f"{base}/slow", "timeout_s": 0.1})
    assert slow.state is NodeState.FAILED and "no answer within 0.1 s" in slow.error
    refused = run_node("http.request", {"url": "http://127.0.0.1:9/"})
    assert refused.state is NodeState.FAILED and "could not connect" in refused.error


def test_bearer_token_reaches_the_server_but_never_the_history(run_node, make_runner, base, server,
                                                             credentials):
    runner = make_runner(credentials=credentials)
    config = {"url": f"{base}/json", "auth": "bearer", "credential": "api_token"}
    run_node("http.request", config, runner=runner).ok()
    assert server.seen[-1]["headers"]["Authorization"] == f"Bearer {TOKEN}"
    failed = run_node("http.request", {**config, "url": f"{base}/status/401"}, runner=runner)
    assert failed.state is NodeState.FAILED and "HTTP 401" in failed.error
    assert server.seen[-1]["headers"]["Authorization"] == f"Bearer {TOKEN}"
    for run in (failed,):
        assert TOKEN not in run.error
        assert TOKEN not in json.dumps(run.events(), default=str)
        assert TOKEN not in repr(run.live)
        assert TOKEN not in str(runner.history.get_run(run.result.run_id))


def test_basic_and_api_key_header_sign_in(run_node, make_runner, base, server, credentials):
    runner = make_runner(credentials=credentials)
    basic = {"url": f"{base}/status/403", "auth": "basic", "username": "clerk", "credential": "api_token"}
    run = run_node("http.request", basic, runner=runner)
    assert server.seen[-1]["headers"]["Authorization"].startswith("Basic ")
    assert "denied for Basic ••••••" in run.error
    header = {"url": f"{base}/json", "auth": "header", "auth_header": "X-Api-Key", "credential": "api_token"}
    run_node("http.request", header, runner=runner).ok()
    assert server.seen[-1]["headers"]["X-Api-Key"] == TOKEN


def test_a_missing_credential_is_named(run_node, make_runner, base, credentials):
    runner = make_runner(credentials=credentials)
    config = {"url": f"{base}/json", "auth": "bearer", "credential": "nope"}
    run = run_node("http.request", config, runner=runner)
    assert run.state is NodeState.FAILED and "'nope'" in run.error


@pytest.mark.parametrize("config", [
    {"url": "ftp://example.com/x"},
    {"url": "https://example.com", "headers": {"Authorization": "Bearer abc"}},
    {"url": "https://example.com", "auth": "bearer"},
    {"url": "https://example.com", "auth": "basic", "credential": "x"},
])
def test_invalid_settings_are_config_problems(run_node, config):
    with pytest.raises(CompileError):
        run_node("http.request", config)


def test_basic_sign_in_registers_the_encoded_pair_so_it_never_reaches_history(run_node, make_runner, base,
                                                                               server, credentials):
    import base64

    runner = make_runner(credentials=credentials)
    encoded = base64.b64encode(f"clerk:{TOKEN}".encode()).decode()
    basic = {"url": f"{base}/status/403", "auth": "basic", "username": "clerk", "credential": "api_token"}
    failed = run_node("http.request", basic, runner=runner)
    assert server.seen[-1]["headers"]["Authorization"] == f"Basic {encoded}"
    assert failed.state is NodeState.FAILED and "denied for Basic ••••••" in failed.error
    passed_on = run_node("http.request", {**basic, "fail_on_http_error": False}, runner=runner)
    assert passed_on.ok()["status"] == 403
    for run in (failed, passed_on):
        for text in (run.error, json.dumps(run.events(), default=str), repr(run.live),
                     str(runner.history.get_run(run.result.run_id))):
            assert encoded not in text and TOKEN not in text


def test_every_derived_secret_form_goes_to_the_context(tmp_path):
    """The node registers the secret and its base64 forms with `ctx.add_secret` (the runtime redacts
    registered values everywhere), instead of scrubbing its own messages."""
    import base64

    from nodes.net.http_request import HttpRequest, HttpRequestConfig

    class Ctx:
        def __init__(self) -> None:
            self.added: list[str] = []

        def secret(self, name: str) -> str:
            return "p+ss/w?rd>"

        def add_secret(self, value: str) -> None:
            self.added.append(value)

    ctx = Ctx()
    config = HttpRequestConfig(url="https://example.com", auth="basic", username="ann", credential="c")
    auth = HttpRequest._sign_in(ctx, config, {})  # type: ignore[arg-type]
    assert auth is not None
    pair = b"ann:p+ss/w?rd>"
    assert {base64.b64encode(pair).decode(), base64.urlsafe_b64encode(pair).decode()} <= set(ctx.added)
    import nodes.net.http_request as module

    assert not hasattr(module, "_Scrubber")
