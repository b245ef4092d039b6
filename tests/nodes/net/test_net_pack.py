"""The net pack: http.request lives there (not in files), declared and discovered on its own."""

from __future__ import annotations

import json

from runtime.api import CachePolicy, Capability, node_spec


def test_the_net_pack_declares_http_request_and_the_files_pack_does_not():
    import nodes.files
    import nodes.net
    from nodes.net.http_request import HttpRequest

    assert [HttpRequest] == nodes.net.NODE_TYPES
    assert "http.request" not in {t.type_id for t in nodes.files.NODE_TYPES}
    assert HttpRequest.__module__ == "nodes.net.http_request"


def test_http_request_spec_capabilities_and_cache(registry):
    http = registry.get("http.request")
    assert http is not None
    spec = node_spec(http)
    json.dumps(spec)
    assert spec["title"] and spec["description"]
    assert {Capability.NETWORK, Capability.CREDENTIALS} <= http.capabilities
    assert http.cache is CachePolicy.NEVER
