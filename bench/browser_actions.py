"""The same 50 browser actions through Loomwork's browser steps and as a raw Playwright
script, in the same run (goal: Loomwork ≤ 1.10× the raw time).

Both launch the same Chromium once, open the same form page served on 127.0.0.1, do 20
fills, 15 clicks, 5 ticks, 5 choices from a list and 5 reads, and close the browser. The
Loomwork side is a real flow of 51 steps run by the Runner (history, events, outputs kept).
Rounds alternate which goes first; the best round of each is compared.

Run: .venv/bin/python bench/browser_actions.py
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nodes.browser._find import find_browser  # noqa: E402
from nodes.browser._session import launch_args  # noqa: E402
from runtime.api import Flow, Registry, Runner, RunStatus, data_paths  # noqa: E402

ROUNDS, GOAL = 5, 1.10
FIELDS = 20
PAGE = ("<!doctype html><html><body><h1>Order form</h1>"
        + "".join(f"<label for='f{i}'>Field {i}</label><input id='f{i}'><br>" for i in range(FIELDS))
        + "".join(f"<label><input type='checkbox' id='c{i}'>Option {i}</label>" for i in range(5))
        + "<label for='s'>Region</label><select id='s'>" + "".join(
            f"<option>Region {i}</option>" for i in range(5)) + "</select>"
        + "<button onclick=\"document.getElementById('out').textContent = 'clicked ' + (++window.n)\">"
          "Add</button><p id='out'>none</p><script>window.n = 0;</script></body></html>").encode()


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)


def actions() -> list[tuple[str, dict]]:
    """(step type, config) for the 50 actions, in order."""
    out: list[tuple[str, dict]] = []
    for i in range(FIELDS):
        out.append(("browser.fill", {"target": {"by": "label", "value": f"Field {i}", "exact": True},
                                     "text": f"value {i}"}))
    for i in range(15):
        out.append(("browser.click", {"target": {"by": "role", "value": "button", "name": "Add"}}))
        if i < 5:
            out.append(("browser.check", {"target": {"by": "label", "value": f"Option {i}", "exact": True}}))
            out.append(("browser.select_option", {"target": {"by": "label", "value": "Region"},
                                                  "option": f"Region {i}"}))
            out.append(("browser.extract_text", {"target": {"by": "css", "value": "#out"}}))
    return out


async def raw(url: str) -> float:
    from playwright.async_api import async_playwright

    choice = find_browser()
    t0 = time.perf_counter()
    async with async_playwright() as p:
        kwargs = {"channel": choice.channel} if choice.channel else {"executable_path": choice.executable}
        browser = await p.chromium.launch(headless=True, args=launch_args(), **kwargs)
        context = await browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 800})
        page = await context.new_page()
        await page.goto(url, wait_until="load")
        for type_id, config in actions():
            target = config["target"]
            if target["by"] == "label":
                element = page.get_by_label(target["value"], exact=target.get("exact") or None)
            elif target["by"] == "role":
                element = page.get_by_role(target["value"], name=target["name"])
            else:
                element = page.locator(target["value"])
            if type_id == "browser.fill":
                await element.fill(config["text"], timeout=10_000)
            elif type_id == "browser.click":
                await element.click(timeout=10_000)
            elif type_id == "browser.check":
                await element.set_checked(True, timeout=10_000)
            elif type_id == "browser.select_option":
                await element.select_option(label=config["option"], timeout=10_000)
            else:
                await element.first.wait_for(state="attached", timeout=10_000)
                " ".join((await element.first.inner_text(timeout=10_000)).split())
        await context.close()
        await browser.close()
    return time.perf_counter() - t0


def flow(url: str) -> Flow:
    steps = [("n_open0000", "browser.open", {"url": url})]
    steps += [(f"n_act{i:05d}", type_id, config) for i, (type_id, config) in enumerate(actions())]
    return Flow.model_validate({
        "name": "50 actions", "nodes": {nid: {"type": t, "config": c} for nid, t, c in steps},
        "edges": [f"{a}.page -> {b}.page" for (a, _, _), (b, _, _) in pairwise(steps)]})


def main() -> int:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/"
    runner = Runner(Registry.from_entry_points(), data_paths(Path(tempfile.mkdtemp())))
    the_flow = flow(url)
    plan = runner.compile(the_flow)
    raw_times, loom_times = [], []
    def loomwork() -> None:
        t0 = time.perf_counter()
        result = runner.run_sync(the_flow, plan=plan)
        loom_times.append(time.perf_counter() - t0)
        assert result.status is RunStatus.COMPLETED, result.error

    for i in range(ROUNDS):  # alternate which goes first, so neither always gets a warmer machine
        if i % 2:
            loomwork()
            raw_times.append(asyncio.run(raw(url)))
        else:
            raw_times.append(asyncio.run(raw(url)))
            loomwork()
    runner.close()
    server.shutdown()
    best_raw, best_loom = min(raw_times), min(loom_times)
    ratio = best_loom / best_raw
    print(f"50 browser actions (launch, page, actions, close), best of {ROUNDS}:")
    print(f"  raw Playwright script: {best_raw * 1000:7.0f} ms   (rounds: "
          f"{', '.join(f'{t * 1000:.0f}' for t in raw_times)})")
    print(f"  Loomwork flow:         {best_loom * 1000:7.0f} ms   (rounds: "
          f"{', '.join(f'{t * 1000:.0f}' for t in loom_times)})")
    print(f"  ratio {ratio:.2f}× (goal ≤ {GOAL:.2f}×) {'OK' if ratio <= GOAL else 'MISSED'}")
    return 0 if ratio <= GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
