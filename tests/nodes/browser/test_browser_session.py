"""The run's browser: found, launched once per run, closed however the run ends."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from pathlib import Path

import pytest

from nodes.browser import _find
from nodes.browser._find import ENV_VAR, find_browser
from runtime.api import NodeError, RunStatus
from tests.nodes.browser.conftest import chain, chromium_processes


def test_the_browser_is_launched_once_per_run(make_runner, site, tmp_path) -> None:
    runner = make_runner()
    first = chain(("n_open0000", "browser.open", {"url": site.url("/records")}),
                  ("n_goto0000", "browser.goto", {"url": "/dialog"}))
    second = chain(("n_open0001", "browser.open", {"url": site.url("/popup")}),
                   ("n_read0000", "browser.extract_text", {"target": {"by": "role", "value": "heading"}}))
    flow = first.model_copy(update={"nodes": {**first.nodes, **second.nodes},
                                    "edges": [*first.edges, *second.edges]})
    lines: list[str] = []
    result = runner.run_sync(flow, flow_path=tmp_path / "f.loom", keep_outputs=True,
                             on_event=lambda e: lines.append(getattr(e, "message", "")))
    assert result.status is RunStatus.COMPLETED, result.error
    assert len([line for line in lines if line.startswith("browser: ")]) == 1
    assert result.node_outputs["n_read0000"]["text"] == "Invoices"
    assert result.node_outputs["n_goto0000"]["page"].url == site.url("/dialog")


def test_cancel_mid_run_leaves_no_browser_process(make_runner, site, tmp_path) -> None:
    before = chromium_processes()
    runner = make_runner()
    flow = chain(("n_open0000", "browser.open", {"url": site.url("/dialog")}),
                 ("n_wait0000", "browser.wait_for", {"until": "text", "text": "never shown",
                                                     "timeout_s": 120}))
    started = threading.Event()

    def on_event(event) -> None:
        if getattr(event, "node_id", "") == "n_wait0000" and type(event).__name__ == "NodeStarted":
            started.set()

    async def main() -> object:
        task = asyncio.create_task(runner.run(flow, flow_path=tmp_path / "f.loom", on_event=on_event))
        while not started.is_set():
            await asyncio.sleep(0.05)
        assert chromium_processes() - before, "the browser should be running now"
        runner.cancel()
        return await task

    t0 = time.monotonic()
    result = asyncio.run(main())
    assert result.status is RunStatus.CANCELLED and time.monotonic() - t0 < 60
    deadline = time.monotonic() + 10
    while chromium_processes() - before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not chromium_processes() - before, "a browser process was left behind"


def test_a_failed_run_closes_its_browser_too(make_runner, site, tmp_path) -> None:
    before = chromium_processes()
    runner = make_runner()
    flow = chain(("n_open0000", "browser.open", {"url": site.url("/dialog")}),
                 ("n_clik0000", "browser.click", {"target": {"by": "text", "value": "absent"},
                                                  "timeout_s": 0.5}))
    assert runner.run_sync(flow, flow_path=tmp_path / "f.loom").status is RunStatus.FAILED
    time.sleep(0.5)
    assert not chromium_processes() - before


def test_run_from_a_browser_step_reopens_the_page(make_runner, site, tmp_path) -> None:
    runner = make_runner()
    flow = chain(("n_open0000", "browser.open", {"url": site.url("/records")}),
                 ("n_read0000", "browser.extract_text", {"target": {"by": "role", "value": "heading"}}))
    assert runner.run_sync(flow, flow_path=tmp_path / "f.loom").status is RunStatus.COMPLETED
    again = runner.run_sync(flow, flow_path=tmp_path / "f.loom", from_node="n_read0000", keep_outputs=True)
    assert again.status is RunStatus.COMPLETED, again.error
    assert not again.nodes["n_open0000"].cached  # a page lives only as long as its run
    assert again.node_outputs["n_read0000"]["text"] == "Catalogue"


def test_a_page_input_left_unconnected_says_what_to_do(run_node) -> None:
    run = run_node("browser.click", {"target": {"by": "text", "value": "x"}})
    assert "connect this step's Page input" in run.error


def test_finding_a_browser_in_order(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake = tmp_path / "my-chrome"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.setenv(ENV_VAR, str(fake))
    assert find_browser().executable == str(fake)
    assert find_browser(str(fake)).label.endswith("(configured)")
    with pytest.raises(NodeError, match="does not exist or cannot be run"):
        find_browser(str(tmp_path / "nope"))
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "missing"))
    monkeypatch.setattr(_find, "_channel_paths", lambda: [("chrome", "Google Chrome", tmp_path / "gc")])
    monkeypatch.setattr(_find, "_chromium_paths", lambda: [tmp_path / "chromium"])
    with pytest.raises(NodeError) as caught:
        find_browser(managed=str(tmp_path / "pw"))
    message = str(caught.value)
    for tried in (f"{ENV_VAR}={tmp_path / 'missing'}", f"Google Chrome at {tmp_path / 'gc'}",
                  f"Chromium at {tmp_path / 'chromium'}", "playwright install", "apt install chromium"):
        assert tried in message
    managed = tmp_path / "pw"
    managed.write_text("")
    managed.chmod(0o755)
    assert find_browser(managed=str(managed)).label == "Chromium installed by Playwright"
    assert os.environ[ENV_VAR]


def test_a_persistent_profile_keeps_the_login_between_runs(make_runner, site, tmp_path, home) -> None:
    runner = make_runner()
    login = chain(("n_open0000", "browser.open", {"url": site.url("/login"), "profile": "portal"}),
                  ("n_user0000", "browser.fill", {"target": {"by": "label", "value": "User name"},
                                                  "text": "clerk"}),
                  ("n_pass0000", "browser.fill", {"target": {"by": "label", "value": "Password"},
                                                  "text": "S3cret-pass!"}),
                  ("n_sign0000", "browser.click", {"target": {"by": "role", "value": "button",
                                                              "name": "Sign in"},
                                                   "wait_for_navigation": True}))
    assert runner.run_sync(login, flow_path=tmp_path / "f.loom").status is RunStatus.COMPLETED
    later = chain(("n_open0000", "browser.open", {"url": site.url("/invoices"), "profile": "portal"}),
                  ("n_head0000", "browser.extract_text", {"target": {"by": "role", "value": "heading"}}))
    result = runner.run_sync(later, flow_path=tmp_path / "f.loom", keep_outputs=True)
    assert result.node_outputs["n_head0000"]["text"] == "Invoices"  # still signed in
    fresh = chain(("n_open0000", "browser.open", {"url": site.url("/invoices")}),
                  ("n_head0000", "browser.extract_text", {"target": {"by": "role", "value": "heading"}}))
    result = runner.run_sync(fresh, flow_path=tmp_path / "f.loom", keep_outputs=True)
    assert result.node_outputs["n_head0000"]["text"] == "Supplier portal"  # a private browser: signed out
