"""The node contract: a node type is declared once, as pydantic models plus `run`.

Ports, the inspector form, validation, JSON Schema and docs all derive from the
`Config`, `Inputs` and `Outputs` models of a `NodeType` subclass. Node code reaches
everything (logger, progress, cancellation, artifacts, services, secrets) through the
`NodeContext` it is given.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict

from runtime.ports import PortSpec, PortType, port_type_of

if TYPE_CHECKING:
    from runtime.flow import FlowSignature

__all__ = [
    "CachePolicy",
    "Capability",
    "EmptyModel",
    "NodeContext",
    "NodeError",
    "NodeLogger",
    "NodeType",
    "PortEnvironment",
    "RunResourcePool",
]


class Capability(StrEnum):
    """What a node type may touch; the basis for showing what a shared flow will do."""

    NETWORK = "network"
    FILES_READ = "files_read"
    FILES_WRITE = "files_write"
    BROWSER = "browser"
    MODEL = "model"
    CREDENTIALS = "credentials"
    RUNS_CODE = "runs_code"


class CachePolicy(StrEnum):
    """How results of a node type may be reused.

    PURE: cached by config and inputs. NEVER: side effects, always runs.
    FINGERPRINT: readers; cached while `fingerprint()` (e.g. file mtime and size) is unchanged.
    """

    PURE = "pure"
    NEVER = "never"
    FINGERPRINT = "fingerprint"


class EmptyModel(BaseModel):
    """Config, inputs or outputs of a node type that has none."""

    model_config = ConfigDict(extra="forbid")


class NodeError(Exception):
    """An expected failure of a node, with a message meant for the user.

    `evidence` names what helps to see why (label → a file path or a URL): a browser
    node attaches a screenshot, the page's HTML and its address.
    """

    def __init__(self, message: str = "", *, evidence: Mapping[str, str] | None = None):
        super().__init__(message)
        self.evidence: dict[str, str] = dict(evidence or {})


T = TypeVar("T")


class RunResourcePool(Protocol):
    """Things a run opens once and closes when it ends, however it ends (see `NodeContext.resources`)."""

    async def get(self, key: str, open_: Callable[[], Awaitable[T]],
                  close: Callable[[T], Awaitable[None]]) -> T:
        """The resource `key`, opened by `open_()` on first use; `close` runs at the run's end."""
        ...

    def peek(self, key: str) -> Any | None:
        """The resource `key` if it is open, else None."""
        ...


class PortEnvironment(Protocol):
    """What a node type may consult to work out ports that depend on its config."""

    @property
    def signature(self) -> FlowSignature:
        """The typed inputs and outputs of the flow that contains the node."""
        ...

    def subflow_signature(self, path: str) -> FlowSignature:
        """The signature of another flow, by path relative to this flow's folder."""
        ...


class NodeLogger(Protocol):
    """A node's log: each line becomes a `NodeLog` event, secrets redacted."""

    def debug(self, message: str, *args: Any) -> None: ...
    def info(self, message: str, *args: Any) -> None: ...
    def warning(self, message: str, *args: Any) -> None: ...
    def error(self, message: str, *args: Any) -> None: ...


class NodeContext(Protocol):
    """Everything node code may use while it runs."""

    run_id: str
    node_id: str

    @property
    def log(self) -> NodeLogger: ...

    @property
    def artifacts(self) -> Path:
        """This node's own folder inside the run's artifacts folder."""
        ...

    @property
    def flow_dir(self) -> Path: ...

    @property
    def services(self) -> Mapping[str, Any]: ...

    @property
    def flow_inputs(self) -> Mapping[str, Any]:
        """The values given for the flow's declared inputs."""
        ...

    @property
    def flow_outputs(self) -> dict[str, Any]:
        """Where flow-output nodes put the flow's results."""
        ...

    @property
    def cancelled(self) -> bool: ...

    def check_cancelled(self) -> None:
        """Raise `asyncio.CancelledError` if the run was cancelled."""
        ...

    def progress(self, fraction: float | None, message: str = "") -> None: ...

    def secret(self, name: str) -> str:
        """The value of a named credential from the OS keyring (redacted from all output)."""
        ...

    def record(self, metrics: Mapping[str, Any]) -> None:
        """Keep measurements of this step in run history (e.g. tokens and time to first token)."""
        ...

    def add_secret(self, value: str) -> None:
        """Redact a value derived from a secret (e.g. a base64 'user:password') too."""
        ...

    def redact(self, text: str) -> str:
        """`text` with every secret of this run replaced (for what a node writes itself)."""
        ...

    def resolve_path(self, path: str) -> Path:
        """A path from config, relative to the flow file's folder unless absolute."""
        ...

    async def run_subflow(self, path: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
        """Run another flow (relative path) with these inputs and return its outputs."""
        ...

    @property
    def resources(self) -> RunResourcePool:
        """The run's shared resources (a browser): opened by the first node that needs
        them, closed when the run ends — completed, failed or cancelled."""
        ...

    def at_flow_end(self, callback: Callable[[Mapping[str, Any]], Awaitable[bool | None]]) -> None:
        """Run `callback(outputs)` when the flow this step runs in ends, however it ends: a
        subflow (each item of a for-each) when its call returns, the run's own flow when the
        run ends (before the run's resources close). `outputs` are what that flow returns
        (empty when it failed or was cancelled). A callback that keeps something because the
        outputs still refer to it returns True: it runs again when the calling flow ends, with
        that flow's outputs — e.g. a browser context closes after each for-each item unless
        its page is returned, and then when the flow it was returned to ends."""
        ...


_PORT_MEMO: dict[tuple[type[BaseModel], bool], list[PortSpec]] = {}


def _model_ports(model: type[BaseModel] | None, *, is_input: bool) -> list[PortSpec]:
    """Ports derived from a pydantic model (memoized: models are immutable declarations)."""
    if model is None:
        return []
    memo = _PORT_MEMO.get((model, is_input))
    if memo is not None:
        return list(memo)
    ports = []
    for name, field in model.model_fields.items():
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        explicit = extra.get("port_type")
        annotated = next((m for m in field.metadata if isinstance(m, PortType)), None)
        kind = PortType(explicit) if explicit else annotated or port_type_of(field.annotation)
        ports.append(
            PortSpec(
                id=name,
                title=field.title or name.replace("_", " ").capitalize(),
                type=kind,
                required=is_input and field.is_required(),
                description=field.description or "",
            )
        )
    _PORT_MEMO[(model, is_input)] = ports
    return list(ports)


class NodeType:
    """Base class of every node type. Subclass it once per type, in its own module.

    Class attributes declare the type; `run` does the work. A type whose ports depend
    on its config (flow inputs, subflows) overrides `ports` and sets `dynamic_ports`;
    its `run` then receives and returns plain dicts.
    """

    type_id: ClassVar[str]
    version: ClassVar[int] = 1
    title: ClassVar[str]
    category: ClassVar[str] = "General"
    description: ClassVar[str] = ""
    keywords: ClassVar[tuple[str, ...]] = ()
    icon: ClassVar[str] = ""
    legacy_ids: ClassVar[tuple[str, ...]] = ()
    capabilities: ClassVar[frozenset[Capability]] = frozenset()
    cache: ClassVar[CachePolicy] = CachePolicy.PURE
    join: ClassVar[Literal["all", "any"]] = "all"
    """"all": skipped when any connected input got no value; "any": runs if one did."""
    dynamic_ports: ClassVar[bool] = False
    Config: ClassVar[type[BaseModel]] = EmptyModel
    Inputs: ClassVar[type[BaseModel] | None] = EmptyModel
    Outputs: ClassVar[type[BaseModel] | None] = EmptyModel

    @classmethod
    def migrate_config(cls, from_version: int, raw: dict[str, Any]) -> dict[str, Any]:
        """Upgrade a config written by an older `version` of this type (pure dict -> dict)."""
        return raw

    def ports(
        self, config: BaseModel, env: PortEnvironment
    ) -> tuple[list[PortSpec], list[PortSpec]]:
        """Input and output ports for this config; by default derived from the models."""
        return _model_ports(self.Inputs, is_input=True), _model_ports(self.Outputs, is_input=False)

    def static_ports(self) -> tuple[list[PortSpec], list[PortSpec]]:
        """Ports known without a config (what the palette and docs show)."""
        return _model_ports(self.Inputs, is_input=True), _model_ports(self.Outputs, is_input=False)

    def fingerprint(self, ctx: NodeContext, config: Any, inputs: Any) -> str | None:
        """A string that changes when what the node reads from outside the flow changes.

        FINGERPRINT types are cached while it is unchanged (None: cannot tell, never
        cached). NEVER types may define it too: "run from node X" then reuses their last
        result only while it is unchanged (flow inputs use this for their values).
        """
        return None

    async def run(self, ctx: NodeContext, config: Any, inputs: Any) -> Any:
        """Do the node's work and return its `Outputs` (only the ports that fire)."""
        raise NotImplementedError
