"""A minimal `NodeContext` for calling a node's `run` directly (no runner, no history)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from runtime.api import NodeType


class FakeContext:
    """Records log lines and secrets; paths resolve against `flow_dir`."""

    run_id = "run"
    node_id = "n_target"

    def __init__(self, flow_dir: Path, secrets: Mapping[str, str] | None = None):
        self.flow_dir = flow_dir
        self.artifacts = flow_dir / "artifacts"
        self.services: dict[str, Any] = {}
        self.flow_inputs: dict[str, Any] = {}
        self.flow_outputs: dict[str, Any] = {}
        self.cancelled = False
        self.lines: list[tuple[str, str]] = []
        self.added_secrets: list[str] = []
        self._secrets = dict(secrets or {})

    @property
    def log(self) -> FakeContext:
        return self

    def _line(self, level: str, message: str, *args: Any) -> None:
        self.lines.append((level, message % args if args else message))

    def debug(self, message: str, *args: Any) -> None:
        self._line("debug", message, *args)

    def info(self, message: str, *args: Any) -> None:
        self._line("info", message, *args)

    def warning(self, message: str, *args: Any) -> None:
        self._line("warning", message, *args)

    def error(self, message: str, *args: Any) -> None:
        self._line("error", message, *args)

    def check_cancelled(self) -> None:
        if self.cancelled:
            raise asyncio.CancelledError()

    def progress(self, fraction: float | None, message: str = "") -> None:
        pass

    def secret(self, name: str) -> str:
        return self._secrets[name]

    def add_secret(self, value: str) -> None:
        self.added_secrets.append(value)

    def resolve_path(self, path: str) -> Path:
        candidate = Path(path).expanduser()
        return candidate if candidate.is_absolute() else self.flow_dir / candidate

    async def run_subflow(self, path: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def warnings(self) -> list[str]:
        return [text for level, text in self.lines if level == "warning"]


async def run_type(node: NodeType, ctx: FakeContext, config: Mapping[str, Any],
                   inputs: Mapping[str, Any]) -> Any:
    """Validate config and inputs as the runner would, then await the node's `run`."""
    parsed_config = node.Config.model_validate(dict(config))
    model: type[BaseModel] | None = node.Inputs
    parsed_inputs = model.model_validate(dict(inputs)) if model is not None else dict(inputs)
    return await node.run(ctx, parsed_config, parsed_inputs)
