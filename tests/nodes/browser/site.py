"""A small supplier portal the browser tests drive, served on 127.0.0.1 by the tests."""

from __future__ import annotations

import html
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

USER, PASSWORD = "clerk", "S3cret-pass!"
PAGES, PER_PAGE = 3, 4
INVOICES = [(f"INV-{1000 + i}", ("Acme GmbH", "Bolt Ltd", "Cogs SA")[i % 3], f"{(i + 1) * 125.5:.2f}")
            for i in range(PAGES * PER_PAGE)]


def _page(title: str, body: str) -> bytes:
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head>"
            f"<body>{body}</body></html>").encode()


LOGIN = """<h1>Supplier portal</h1>{error}
<form method="post" action="/login">
 <label for="u">User name</label> <input id="u" name="user">
 <label for="p">Password</label> <input id="p" name="password" type="password">
 <button type="submit">Sign in</button>
</form>"""

SLOW = """<h1>Reports</h1><p id="status">Preparing…</p>
<script>setTimeout(() => { const d = document.createElement('div'); d.id = 'late';
d.textContent = 'Report ready'; document.body.appendChild(d);
const b = document.createElement('button'); b.textContent = 'Open report'; document.body.appendChild(b);
}, 2000);</script>"""

DIALOG = """<h1>Invoice INV-1</h1><button onclick="document.getElementById('r').textContent =
confirm('Delete invoice INV-1?') ? 'Deleted' : 'Kept'">Delete</button>
<button onclick="document.getElementById('r').textContent = 'Note: ' + prompt('Add a note')">
Add note</button>
<p id="r"></p>"""

POPUP = """<h1>Invoices</h1><a href="/details" target="_blank">Open details</a>
<button onclick="window.open('/details?win=1', 'det', 'width=600,height=400')">Details window</button>"""

FRAME = """<h1>Booking</h1><iframe id="booking" src="/inner" width="600" height="200"></iframe>"""

INNER = """<label for="ref">Reference</label><input id="ref">
<button onclick="document.getElementById('out').textContent =
'Saved ' + document.getElementById('ref').value">
Save</button><p id="out"></p>"""

UPLOAD = """<h1>Upload</h1><label for="f">Invoice file</label><input id="f" type="file">
<button onclick="send()">Send</button><p id="result"></p>
<script>async function send() { const f = document.getElementById('f').files[0];
const r = await fetch('/upload?name=' + encodeURIComponent(f.name), {method: 'POST', body: f});
document.getElementById('result').textContent = await r.text(); }</script>"""

RECORDS = "<h1>Catalogue</h1>" + "".join(
    f"<div class='card'><span class='name'>Part {i}</span><span class='price'>{i * 2.5:.2f}</span>"
    f"<a class='more' href='/part/{i}'>more</a></div>" for i in range(1, 6))


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:  # quiet
        pass

    def _send(self, body: bytes, status: int = 200, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", (headers or {}).pop("Content-Type", "text/html; charset=utf-8"))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _logged_in(self) -> bool:
        return "session=ok" in (self.headers.get("Cookie") or "")

    def do_GET(self) -> None:
        url = urlparse(self.path)
        query = parse_qs(url.query)
        if url.path == "/login":
            self._send(_page("Sign in", LOGIN.format(error="")))
        elif url.path == "/invoices":
            if not self._logged_in():
                self._send(b"", 303, {"Location": "/login"})
                return
            number = int(query.get("page", ["1"])[0])
            rows = INVOICES[(number - 1) * PER_PAGE: number * PER_PAGE]
            body = "".join(f"<tr><td>{n}</td><td>{html.escape(s)}</td><td>{a}</td>"
                           f"<td><a href='/files/{n}.csv'>Download</a></td></tr>" for n, s, a in rows)
            nxt = (f"<button onclick=\"location.href='/invoices?page={number + 1}'\">Next</button>"
                   if number < PAGES else "")
            self._send(_page("Invoices", f"<h1>Invoices</h1><p>Page {number} of {PAGES}</p>"
                             "<table id='invoices'><thead><tr><th>Invoice</th><th>Supplier</th>"
                             "<th>Amount</th><th>File</th></tr></thead>"
                             f"<tbody>{body}</tbody></table>{nxt}"))
        elif url.path.startswith("/files/"):
            name = url.path.rsplit("/", 1)[1]
            self._send(f"invoice,amount\n{name[:-4]},100.00\n".encode(), 200,
                       {"Content-Type": "text/csv", "Content-Disposition": f'attachment; filename="{name}"'})
        elif url.path == "/details":
            self._send(_page("Details", "<h1>Invoice details</h1><p>Net 30 days</p>"))
        else:
            pages = {"/slow": SLOW, "/dialog": DIALOG, "/popup": POPUP, "/frame": FRAME, "/inner": INNER,
                     "/upload": UPLOAD, "/records": RECORDS, "/blank": "<h1>Blank</h1>"}
            if url.path in pages:
                self._send(_page(url.path[1:].title(), pages[url.path]))
            else:
                self._send(_page("Not found", "<h1>Not found</h1>"), 404)

    def do_POST(self) -> None:
        url = urlparse(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        data = self.rfile.read(length)
        if url.path == "/login":
            form = parse_qs(data.decode())
            if form.get("user") == [USER] and form.get("password") == [PASSWORD]:
                cookie = "session=ok; Path=/; Max-Age=3600"  # "remember me": kept by a browser profile
                self._send(b"", 303, {"Location": "/invoices?page=1", "Set-Cookie": cookie})
            else:
                error = "<p class='error'>Wrong user name or password</p>"
                self._send(_page("Sign in", LOGIN.format(error=error)))
        elif url.path == "/upload":
            name = parse_qs(url.query).get("name", ["?"])[0]
            self._send(f"Received {name}: {len(data)} bytes".encode(), 200, {"Content-Type": "text/plain"})
        else:
            self._send(b"", 404)


class Site:
    """The portal on a free port; `url(path)` gives an address on it."""

    def __init__(self) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.server.server_port}{path}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
