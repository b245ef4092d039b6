"""Turning an HTTP response body into a port value: JSON, text, or a file in the artifacts."""

from __future__ import annotations

import json
import mimetypes
import re
from pathlib import Path, PurePosixPath
from typing import Any

from nodes._shared.values import file_ref
from runtime.api import NodeContext, atomic_write_bytes

__all__ = ["media_type", "response_value"]

_TEXTUAL = ("application/xml", "application/javascript", "application/x-www-form-urlencoded",
            "application/csv", "application/yaml", "application/x-yaml")


def media_type(headers: Any) -> str:
    return headers.get("content-type", "").split(";")[0].strip().lower()


def _is_json(kind: str) -> bool:
    return kind == "application/json" or kind.endswith("+json")


def _is_text(kind: str) -> bool:
    return kind.startswith("text/") or kind in _TEXTUAL or kind.endswith("+xml")


def _file_name(response: Any, kind: str) -> str:
    disposition = response.headers.get("content-disposition", "")
    match = re.search(r"filename\*?=(?:UTF-8'')?\"?([^\";]+)\"?", disposition, re.IGNORECASE)
    name = match.group(1) if match else PurePosixPath(response.url.path).name
    name = re.sub(r"[^\w.\- ]+", "_", Path(name.replace("\\", "/")).name).strip(" .")
    if not name:
        name = "response" + (mimetypes.guess_extension(kind) or ".bin")
    return name


def response_value(ctx: NodeContext, response: Any) -> Any:
    """Parsed JSON for JSON, text for text, a FileRef (saved in the artifacts) for anything else."""
    content: bytes = response.content
    if not content:
        return None
    kind = media_type(response.headers)
    if _is_json(kind):
        try:
            return json.loads(response.text)
        except ValueError as exc:
            ctx.log.warning("the server said it sent JSON but it is not valid JSON (%s); the body is "
                            "given as text", exc)
            return response.text
    if _is_text(kind):
        return response.text
    if not kind:
        try:
            return content.decode("utf-8")
        except UnicodeDecodeError:
            pass
    target = ctx.artifacts / _file_name(response, kind)
    atomic_write_bytes(target, content)
    ctx.log.info("saved the %d-byte response (%s) as %s", len(content), kind or "unknown type", target.name)
    return file_ref(target, kind or "application/octet-stream")
