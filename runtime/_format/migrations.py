"""The chain of flow-file migrations: one pure `dict -> dict` function per format step.

Each migration takes a document of version N and returns one of version N+1. There is
a fixture file per old version in `tests/fixtures/format/`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

Raw = dict[str, Any]


def _v1_to_v2(raw: Raw) -> Raw:
    """v1 kept nodes in a list with `pos: [x, y]` and edges as objects.

    v2 keys nodes by id, stores `layout: {x, y}`, writes edges as
    `"a.port -> b.port"` strings and adds flow-level `inputs`/`outputs`.
    """
    out: Raw = {k: v for k, v in raw.items() if k not in ("nodes", "connections")}
    nodes: dict[str, Any] = {}
    for node in raw.get("nodes", []):
        node = dict(node)
        node_id = node.pop("id")
        pos = node.pop("pos", [0, 0]) or [0, 0]
        node["type_version"] = node.pop("version", 1)
        node["layout"] = {"x": pos[0], "y": pos[1]}
        nodes[node_id] = node
    out["nodes"] = nodes
    out["edges"] = [
        f"{c['from']}.{c['out']} -> {c['to']}.{c['in']}" for c in raw.get("connections", [])
    ]
    out.setdefault("inputs", {})
    out.setdefault("outputs", {})
    out["format_version"] = 2
    return out


def _v2_to_v3(raw: Raw) -> Raw:
    """v2 kept `on_error`, `timeout` and `retries` directly on each node.

    v3 gathers them under `settings` (with `timeout_s`), and adds `notes` and `groups`.
    """
    out = dict(raw)
    nodes: dict[str, Any] = {}
    for node_id, node in raw.get("nodes", {}).items():
        node = dict(node)
        settings = {}
        if "on_error" in node:
            settings["on_error"] = node.pop("on_error")
        if "timeout" in node:
            settings["timeout_s"] = node.pop("timeout")
        if "retries" in node:
            settings["retries"] = node.pop("retries")
        node["settings"] = settings
        nodes[node_id] = node
    out["nodes"] = nodes
    out.setdefault("notes", {})
    out.setdefault("groups", {})
    out["format_version"] = 3
    return out


def _v3_to_v4(raw: Raw) -> Raw:
    """v4 adds `triggers` (id → trigger: cron, interval, once, watch, startup)."""
    out = dict(raw)
    out.setdefault("triggers", {})
    out["format_version"] = 4
    return out


MIGRATIONS: dict[int, Callable[[Raw], Raw]] = {1: _v1_to_v2, 2: _v2_to_v3, 3: _v3_to_v4}
"""Key N: the migration from version N to N+1."""


def migrate(raw: Raw, target: int) -> Raw:
    """Apply the chain from the document's `format_version` up to `target`."""
    doc = copy.deepcopy(raw)
    version = doc["format_version"]
    while version < target:
        doc = MIGRATIONS[version](doc)
        version = doc["format_version"]
    return doc
