"""Ancestry-keyed cache keys (type, version, config, and the keys of upstream values)."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def node_key(config_digest: str, upstream: list[tuple[str, str, str]], extra: str = "") -> str:
    """Key of a node's result.

    `upstream` holds (input port, upstream key, upstream port) for every delivered input;
    `extra` carries a fingerprint (file mtime/size) or pinned data digest.
    """
    upstream.sort()
    text = config_digest + "|" + ";".join(f"{p}={k}.{sp}" for p, k, sp in upstream) + "|" + extra
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def data_digest(data: Any) -> str:
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()
