"""Services the runtime hands to nodes through `ctx.services` — above all the language
model — and how a program finds them.

The runtime never names the `models` package (DESIGN §1): service factories arrive through
the `loomwork.services` entry-point group (`model = "models.service:create_service"`), and
each composition root (the CLI, the run worker, the scheduler) calls `discover_services`.
A factory must be cheap: the model loads on the first request, not when the program starts.

`LanguageModel` is the small Protocol AI nodes program against; `GenerationRequest` and
`GenerationResult` are what crosses it. Constraints make outputs parseable by construction
(JSON schema, regex, lark grammar); `deterministic` (greedy, fixed seed) makes AI steps
cacheable and replayable.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any, Literal, Protocol, runtime_checkable

from runtime.paths import DataPaths
from runtime.registry import BrokenPlugin

__all__ = [
    "MODEL_SERVICE",
    "SERVICE_GROUP",
    "Constraint",
    "GenerationRequest",
    "GenerationResult",
    "LanguageModel",
    "ModelUnavailable",
    "discover_services",
]

SERVICE_GROUP = "loomwork.services"
MODEL_SERVICE = "model"
"""The key of the language model in `ctx.services`."""


class ModelUnavailable(Exception):
    """No model can answer: none installed, not enough memory, a broken pack… The message
    says what to do (e.g. `loomwork models pull …`)."""


@dataclass(frozen=True, slots=True)
class Constraint:
    """What the model's output must match: a JSON schema (dict), a regular expression, or a
    lark grammar (text)."""

    kind: Literal["json_schema", "regex", "grammar"]
    value: Any


@dataclass(slots=True)
class GenerationRequest:
    """One generation: chat messages (role, content), optional images (file paths), limits."""

    messages: list[dict[str, str]]
    images: list[str] = field(default_factory=list)
    max_tokens: int = 512
    temperature: float = 0.0
    top_p: float = 1.0
    seed: int = 0
    deterministic: bool = True
    constraint: Constraint | None = None
    model: str | None = None
    """A pack id; None: the default (installed) model."""


@dataclass(slots=True)
class GenerationResult:
    """The text and what it cost."""

    text: str
    model: str
    tokens_in: int = 0
    tokens_out: int = 0
    ttft_ms: float = 0.0
    tokens_per_s: float = 0.0
    provider: str = "cpu"
    settings: dict[str, Any] = field(default_factory=dict)
    finish_reason: Literal["stop", "length", "cancelled"] = "stop"

    def metrics(self) -> dict[str, Any]:
        """What is recorded in run history for the step."""
        return {"model": self.model, "provider": self.provider, "tokens_in": self.tokens_in,
                "tokens_out": self.tokens_out, "ttft_ms": round(self.ttft_ms, 1),
                "tokens_per_s": round(self.tokens_per_s, 1), "finish": self.finish_reason}


@runtime_checkable
class LanguageModel(Protocol):
    """The resident model of this process, shared by every running flow."""

    async def generate(self, request: GenerationRequest, *,
                       on_token: Callable[[str], None] | None = None) -> GenerationResult:
        """Generate (streaming each new piece of text to `on_token`); cancelling the awaiting
        task stops the generation. Raises `ModelUnavailable` with a clear message."""
        ...

    def describe(self) -> dict[str, Any]:
        """The model id, provider and state, for logs and `loomwork models doctor`."""
        ...


def discover_services(paths: DataPaths,
                      group: str = SERVICE_GROUP) -> tuple[dict[str, Any], list[BrokenPlugin]]:
    """Create every service installed packages declare, by name; broken ones are reported."""
    services: dict[str, Any] = {}
    broken: list[BrokenPlugin] = []
    for ep in sorted(metadata.entry_points(group=group), key=lambda e: e.name):
        try:
            factory = ep.load()
            services[ep.name] = factory(paths)
        except Exception as exc:  # one broken service must not stop the program
            broken.append(BrokenPlugin(name=ep.name, target=ep.value, error=f"{type(exc).__name__}: {exc}",
                                       detail="".join(traceback.format_exception(exc))))
    return services, broken

