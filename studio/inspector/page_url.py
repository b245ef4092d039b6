"""Which web page a browser step works on, for "Pick element" (Qt-free).

In order: the address the page had in the last run (the value the step's Page input
received: a browser page value carries its `url`), else the `url` set on the nearest
"Go to URL" or "Open browser" step upstream (a page file relative to the flow's folder
becomes a file:// URL), else "" (the editor asks).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

from runtime.api import FlowDocument, HistoryStore, data_paths

__all__ = ["NAVIGATING_TYPES", "RunOutputs", "history_outputs", "page_address", "step_page_url"]

NAVIGATING_TYPES = ("browser.goto", "browser.open")
"""Steps whose `url` config says which page the steps after them work on."""
PAGE_PORT = "page"

RunOutputs = Callable[[str], "dict[str, Any] | None"]
"""The outputs (port → value) a node produced in the last run of the flow, or None."""


def _looks_local(text: str) -> bool:
    if text.startswith(("./", "../", "/", "~", ".\\", "..\\")):
        return True
    drive = len(text) > 2 and text[1] == ":" and text[2] in "\\/"
    return drive or text.lower().endswith((".html", ".htm"))


def page_address(value: str, flow_dir: Path | None) -> str:
    """The address to open for a step's `url` config: page files as file:// URLs."""
    text = value.strip()
    if not text or "://" in text or text.startswith(("about:", "data:")):
        return text
    if not _looks_local(text):
        return "https://" + text
    path = Path(text).expanduser()
    if not path.is_absolute() and flow_dir is not None:
        path = flow_dir / path
    return path.resolve().as_uri() if path.is_absolute() else text


def _url_of(value: Any) -> str:
    """The address a browser page value had (a SessionRef, or its JSON form)."""
    if isinstance(value, dict):
        return str(value.get("url") or "") if value.get("kind") == "session" else ""
    if getattr(value, "kind", None) == "session":
        return str(getattr(value, "url", "") or "")
    return ""


def _page_edges(document: FlowDocument, node_id: str) -> list[Any]:
    """Edges into `node_id`, the one into its Page input first."""
    edges = document.incoming(node_id)
    return sorted(edges, key=lambda e: e.target_port != PAGE_PORT)


def step_page_url(document: FlowDocument, node_id: str, flow_dir: Path | None,
                  run_outputs: RunOutputs | None = None) -> str:
    """The page `node_id` works on (see the module's docstring); "" when unknown."""
    if node_id not in document.flow.nodes:
        return ""
    if run_outputs is not None:
        for edge in _page_edges(document, node_id):
            try:
                outputs = run_outputs(edge.source) or {}
            except Exception:  # an unreadable history must not break the button
                outputs = {}
            url = _url_of(outputs.get(edge.source_port))
            if url and not url.startswith("about:"):
                return url
    seen = {node_id}
    todo = deque(e.source for e in _page_edges(document, node_id))
    while todo:  # breadth first: the nearest navigating step wins
        current = todo.popleft()
        if current in seen or current not in document.flow.nodes:
            continue
        seen.add(current)
        inst = document.flow.nodes[current]
        url = inst.config.get("url") if inst.type in NAVIGATING_TYPES else None
        if isinstance(url, str) and url.strip():
            return page_address(url, flow_dir)
        todo.extend(e.source for e in _page_edges(document, current))
    return ""


def history_outputs(document: FlowDocument) -> RunOutputs:
    """Node outputs of the newest run of this flow that kept them, read from the run history."""

    def outputs(node_id: str) -> dict[str, Any] | None:
        path = document.path
        key = str(Path(path).resolve()) if path else f"unsaved:{document.flow.name}"
        store = HistoryStore(data_paths().history_db)
        try:
            for run in store.list_runs(flow_path=key, limit=10):
                found = store.node_outputs(run["id"], node_id)
                if found is not None:
                    return found
        finally:
            store.close()
        return None

    return outputs
