"""Small node types and flow builders for engine tests (real node types, not mocks)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, Field

from runtime.api import (
    CachePolicy,
    FileRef,
    Flow,
    NodeContext,
    NodeError,
    NodeInstance,
    NodeSettings,
    NodeType,
    Registry,
    Table,
)

CALLS: list[str] = []


class NumberOut(BaseModel):
    value: float = 0.0


class NumberIn(BaseModel):
    value: float


class AddConfig(BaseModel):
    amount: float = 1.0


class Source(NodeType):
    type_id = "test.source"
    title = "Source"
    Config = AddConfig
    Inputs = None
    Outputs = NumberOut

    async def run(self, ctx: NodeContext, config: AddConfig, inputs: Any) -> NumberOut:
        CALLS.append(ctx.node_id)
        return NumberOut(value=config.amount)


class Add(NodeType):
    type_id = "test.add"
    title = "Add"
    Config = AddConfig
    Inputs = NumberIn
    Outputs = NumberOut

    async def run(self, ctx: NodeContext, config: AddConfig, inputs: NumberIn) -> NumberOut:
        CALLS.append(ctx.node_id)
        return NumberOut(value=inputs.value + config.amount)


class SleepConfig(BaseModel):
    seconds: float = 0.2


class OptionalNumberIn(BaseModel):
    value: float | None = None


class Sleep(NodeType):
    type_id = "test.sleep"
    title = "Sleep"
    cache = CachePolicy.NEVER
    Config = SleepConfig
    Inputs = OptionalNumberIn
    Outputs = NumberOut

    async def run(self, ctx: NodeContext, config: SleepConfig, inputs: OptionalNumberIn) -> NumberOut:
        CALLS.append(ctx.node_id)
        started = time.monotonic()
        await asyncio.sleep(config.seconds)
        ctx.log.info("slept %.2f s", time.monotonic() - started)
        return NumberOut(value=inputs.value or 0.0)


class FlakyConfig(BaseModel):
    fail_times: int = 1
    message: str = "boom"


class Flaky(NodeType):
    """Fails `fail_times` times per run, then succeeds."""

    type_id = "test.flaky"
    title = "Flaky"
    cache = CachePolicy.NEVER
    Config = FlakyConfig
    Inputs = OptionalNumberIn
    Outputs = NumberOut
    attempts: ClassVar[dict[str, int]] = {}

    async def run(self, ctx: NodeContext, config: FlakyConfig, inputs: OptionalNumberIn) -> NumberOut:
        key = f"{ctx.run_id}:{ctx.node_id}"
        Flaky.attempts[key] = Flaky.attempts.get(key, 0) + 1
        if Flaky.attempts[key] <= config.fail_times:
            raise NodeError(config.message)
        return NumberOut(value=inputs.value or 0.0)


class Crash(NodeType):
    """Raises an unexpected exception (a defect inside a node)."""

    type_id = "test.crash"
    title = "Crash"
    Inputs = OptionalNumberIn
    Outputs = NumberOut

    async def run(self, ctx: NodeContext, config: Any, inputs: Any) -> NumberOut:
        raise ZeroDivisionError("division by zero")


class BranchIn(BaseModel):
    value: float


class BranchOut(BaseModel):
    low: float | None = None
    high: float | None = None


class Branch(NodeType):
    type_id = "test.branch"
    title = "Branch"
    Inputs = BranchIn
    Outputs = BranchOut

    async def run(self, ctx: NodeContext, config: Any, inputs: BranchIn) -> BranchOut:
        return BranchOut(high=inputs.value) if inputs.value >= 10 else BranchOut(low=inputs.value)


class SecretConfig(BaseModel):
    credential: str = Field(json_schema_extra={"widget": "credential"})


class TextOut(BaseModel):
    text: str


class UseSecret(NodeType):
    type_id = "test.use_secret"
    title = "Use secret"
    cache = CachePolicy.NEVER
    Config = SecretConfig
    Inputs = None
    Outputs = TextOut

    async def run(self, ctx: NodeContext, config: SecretConfig, inputs: Any) -> TextOut:
        value = ctx.secret(config.credential)
        ctx.log.info("logging in with %s", value)
        if value.startswith("bad"):
            raise NodeError(f"login refused for password {value}")
        return TextOut(text=f"token-for-{value}")


class PathConfig(BaseModel):
    path: str


class ReadCount(NodeType):
    """Fingerprinted reader: counts characters of a file."""

    type_id = "test.read_count"
    title = "Read count"
    cache = CachePolicy.FINGERPRINT
    Config = PathConfig
    Inputs = None
    Outputs = NumberOut

    def fingerprint(self, ctx: NodeContext, config: PathConfig, inputs: Any) -> str:
        stat = ctx.resolve_path(config.path).stat()
        return f"{stat.st_mtime_ns}:{stat.st_size}"

    async def run(self, ctx: NodeContext, config: PathConfig, inputs: Any) -> NumberOut:
        CALLS.append(ctx.node_id)
        return NumberOut(value=len(ctx.resolve_path(config.path).read_text()))


class TableOut(BaseModel):
    table: Table


class MakeTable(NodeType):
    type_id = "test.make_table"
    title = "Make table"
    Inputs = None
    Outputs = TableOut

    async def run(self, ctx: NodeContext, config: Any, inputs: Any) -> TableOut:
        CALLS.append(ctx.node_id)
        return TableOut(table=Table.from_records([{"a": 1, "b": "x"}, {"a": 2, "b": "y"}]))


class BigTableConfig(BaseModel):
    rows: int = 100
    seed: int = 0


class BigTable(NodeType):
    """A table of `rows` rows whose content depends on `seed`."""

    type_id = "test.big_table"
    title = "Big table"
    cache = CachePolicy.NEVER
    Config = BigTableConfig
    Inputs = None
    Outputs = TableOut

    async def run(self, ctx: NodeContext, config: BigTableConfig, inputs: Any) -> TableOut:
        return TableOut(table=Table.from_records(
            [{"n": i, "text": f"row {i * 7919 + config.seed * 104729}"} for i in range(config.rows)]))


class FileOut(BaseModel):
    file: FileRef


class WriteArtifact(NodeType):
    type_id = "test.write_artifact"
    title = "Write artifact"
    cache = CachePolicy.NEVER
    Inputs = None
    Outputs = FileOut

    async def run(self, ctx: NodeContext, config: Any, inputs: Any) -> FileOut:
        path = ctx.artifacts / "report.txt"
        path.write_text("hello")
        return FileOut(file=FileRef(path=str(path), name=path.name))


class CachedArtifact(NodeType):
    """A cacheable node whose result is a file in the run's artifacts (like a rendered page)."""

    type_id = "test.cached_artifact"
    title = "Cached artifact"
    cache = CachePolicy.PURE
    Inputs = None
    Outputs = FileOut

    async def run(self, ctx: NodeContext, config: Any, inputs: Any) -> FileOut:
        CALLS.append(ctx.node_id)
        path = ctx.artifacts / "page.png"
        path.write_bytes(b"png")
        return FileOut(file=FileRef(path=str(path), name=path.name))


TEST_TYPES = [WriteArtifact, Source, Add, Sleep, Flaky, Crash, Branch, UseSecret, ReadCount, MakeTable,
              BigTable, CachedArtifact]


def make_registry() -> Registry:
    return Registry(TEST_TYPES)


def node(type_id: str, config: dict[str, Any] | None = None, **settings: Any) -> NodeInstance:
    return NodeInstance(type=type_id, config=config or {}, settings=NodeSettings(**settings))


def flow(nodes: dict[str, NodeInstance], edges: list[str], **extra: Any) -> Flow:
    return Flow.model_validate({"name": extra.pop("name", "test"), "nodes": nodes, "edges": edges,
                                **extra})


def write_flow(path: Path, f: Flow) -> Path:
    from runtime.api import save_flow

    save_flow(f, path)
    return path
