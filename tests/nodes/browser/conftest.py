"""Browser tests: a real Chromium against a portal served on 127.0.0.1."""

from __future__ import annotations

import os
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from nodes.browser._find import find_browser
from runtime.api import Flow, NodeError
from tests.nodes.browser.site import Site


def _browser_missing() -> str | None:
    try:
        find_browser()
    except NodeError as exc:
        return str(exc)
    return None


missing = _browser_missing()
if missing and not os.environ.get("CI"):
    pytest.skip(f"no browser on this machine: {missing}", allow_module_level=True)


@pytest.fixture(scope="session")
def site() -> Iterator[Site]:
    served = Site()
    yield served
    served.close()


def chain(*steps: tuple[str, str, dict[str, Any]], extra_edges: list[str] | None = None,
          name: str = "browser test") -> Flow:
    """A flow of browser steps `(node id, type, config)` joined page → page in order."""
    nodes = {nid: {"type": type_id, "config": config} for nid, type_id, config in steps}
    ids = [s[0] for s in steps]
    edges = [f"{a}.page -> {b}.page" for a, b in pairwise(ids)]
    return Flow.model_validate({"name": name, "nodes": nodes, "edges": edges + (extra_edges or [])})


def chromium_processes() -> set[int]:
    """Pids of running Chromium processes (browser, renderers, helpers), from the process table."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            program = (entry / "cmdline").read_bytes().split(b"\0", 1)[0]
        except OSError:
            continue
        if b"chrom" in program.rsplit(b"/", 1)[-1]:
            found.add(int(entry.name))
    return found
