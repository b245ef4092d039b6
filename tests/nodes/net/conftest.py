"""The net pack's tests run on a registry that holds http.request even before the pack's
entry point (`net = "nodes.net:NODE_TYPES"`) is installed."""

from __future__ import annotations

import pytest

from nodes.net import NODE_TYPES
from runtime.api import Registry


@pytest.fixture(scope="session")
def registry() -> Registry:
    registry = Registry.from_entry_points()
    assert not registry.broken, [b.error for b in registry.broken]
    for node_type in NODE_TYPES:
        if node_type.type_id not in registry:
            registry.add(node_type)
    return registry
