"""A browser context a subflow opened is closed when that call returns (so a for-each over many
items does not pile up contexts), unless the subflow returns one of its pages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nodes.browser._session import BrowserSession
from runtime.api import Flow, RunStatus, save_flow
from tests.nodes.browser.conftest import chain


def _pages(folder: Path, count: int) -> list[str]:
    paths = []
    for i in range(count):
        page = folder / f"item{i}.html"
        page.write_text(f"<h1>Item {i}</h1>")
        paths.append(str(page))
    return paths


def _body(path: Path, *, return_page: bool) -> None:
    """open(url) → read the heading; returns the text (and the page, when asked)."""
    body = chain(("n_open0000", "browser.open", {}),
                 ("n_read0000", "browser.extract_text", {"target": {"by": "role", "value": "heading"}}))
    data = json.loads(body.model_dump_json())
    data["inputs"] = {"url": {"type": "text"}}
    data["outputs"] = {"text": {"type": "text"}, **({"page": {"type": "any"}} if return_page else {})}
    data["nodes"]["n_in000000"] = {"type": "core.flow_input", "config": {"name": "url"}}
    data["nodes"]["n_outtext0"] = {"type": "core.flow_output", "config": {"name": "text"}}
    data["edges"] += ["n_in000000.value -> n_open0000.url", "n_read0000.text -> n_outtext0.value"]
    if return_page:
        data["nodes"]["n_outpage0"] = {"type": "core.flow_output", "config": {"name": "page"}}
        data["edges"].append("n_read0000.page -> n_outpage0.value")
    save_flow(Flow.model_validate(data), path)


def _for_each(folder: Path, body: str, count: int) -> Flow:
    """A flow that runs `body` once for each of `count` local pages (item input 'url')."""
    return Flow.model_validate({"name": "many", "nodes": {
        "n_items000": {"type": "core.constant", "config": {"kind": "list", "value": _pages(folder, count)}},
        "n_each0000": {"type": "control.for_each", "config": {"flow": body, "item_input": "url"}}},
        "edges": ["n_items000.value -> n_each0000.items"]})


@pytest.fixture
def open_counts(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many contexts were open each time an "Open browser" step opened another."""
    seen: list[int] = []
    original = BrowserSession.open_context

    async def counting(self, session_id, options):
        seen.append(len(self.contexts))
        return await original(self, session_id, options)

    monkeypatch.setattr(BrowserSession, "open_context", counting)
    return seen


def test_each_for_each_item_closes_the_context_it_opened(make_runner, tmp_path, open_counts) -> None:
    _body(tmp_path / "body.loom", return_page=False)
    result = make_runner().run_sync(_for_each(tmp_path, "body.loom", 5), flow_path=tmp_path / "main.loom",
                                    keep_outputs=True)
    assert result.status is RunStatus.COMPLETED, result.error
    assert result.node_outputs["n_each0000"]["results"] == [f"Item {i}" for i in range(5)]
    assert open_counts == [0, 0, 0, 0, 0]  # before: 0, 1, 2, 3, 4 contexts left open


def test_a_page_the_subflow_returns_stays_open_for_the_next_step(make_runner, tmp_path, open_counts) -> None:
    _body(tmp_path / "body.loom", return_page=True)
    [url] = _pages(tmp_path, 1)
    flow = Flow.model_validate({"name": "hand-over", "nodes": {
        "n_url00000": {"type": "core.constant", "config": {"kind": "text", "value": url}},
        "n_sub00000": {"type": "control.subflow", "config": {"flow": "body.loom"}},
        "n_again000": {"type": "browser.extract_text", "config": {"target": {"by": "css", "value": "h1"}}}},
        "edges": ["n_url00000.value -> n_sub00000.url", "n_sub00000.page -> n_again000.page"]})
    result = make_runner().run_sync(flow, flow_path=tmp_path / "main.loom", keep_outputs=True)
    assert result.status is RunStatus.COMPLETED, result.error
    assert result.node_outputs["n_again000"]["text"] == "Item 0"


def test_a_page_handed_up_one_level_closes_when_that_level_ends(make_runner, tmp_path, open_counts) -> None:
    _body(tmp_path / "body.loom", return_page=True)
    middle = {"name": "middle", "inputs": {"url": {"type": "text"}}, "outputs": {"text": {"type": "text"}},
              "nodes": {"n_in000000": {"type": "core.flow_input", "config": {"name": "url"}},
                        "n_sub00000": {"type": "control.subflow", "config": {"flow": "body.loom"}},
                        "n_again000": {"type": "browser.extract_text",
                                       "config": {"target": {"by": "css", "value": "h1"}}},
                        "n_out00000": {"type": "core.flow_output", "config": {"name": "text"}}},
              "edges": ["n_in000000.value -> n_sub00000.url", "n_sub00000.page -> n_again000.page",
                        "n_again000.text -> n_out00000.value"]}
    save_flow(Flow.model_validate(middle), tmp_path / "middle.loom")
    result = make_runner().run_sync(_for_each(tmp_path, "middle.loom", 3), flow_path=tmp_path / "main.loom",
                                    keep_outputs=True)
    assert result.status is RunStatus.COMPLETED, result.error
    assert result.node_outputs["n_each0000"]["results"] == ["Item 0", "Item 1", "Item 2"]
    assert open_counts == [0, 0, 0]  # the body's page was used by the middle flow, then closed with it
