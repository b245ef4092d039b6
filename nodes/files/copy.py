"""Copy: copies a file (or a folder with everything in it) to another place."""

from __future__ import annotations

import shutil
from pathlib import Path

from nodes._shared.offload import Stop
from nodes._shared.values import file_ref
from nodes.files._transfer import (
    TransferConfig,
    TransferInputs,
    TransferOutputs,
    carry_out,
    copy_file,
    plan_transfer,
)
from runtime.api import CachePolicy, Capability, NodeContext, NodeType


def _copy(source: Path, target: Path, stop: Stop) -> None:
    if source.is_dir():
        shutil.copytree(source, target, symlinks=True)
    else:
        copy_file(source, target, stop)


class CopyFile(NodeType):
    type_id = "files.copy"
    title = "Copy file"
    category = "Files"
    description = "Copies a file, or a folder with everything in it, to another folder or name."
    keywords = ("copy", "duplicate", "backup", "file")
    icon = "copy"
    capabilities = frozenset({Capability.FILES_READ, Capability.FILES_WRITE})
    cache = CachePolicy.NEVER
    Config = TransferConfig
    Inputs = TransferInputs
    Outputs = TransferOutputs

    async def run(self, ctx: NodeContext, config: TransferConfig, inputs: TransferInputs) -> TransferOutputs:
        source, target = plan_transfer(ctx, config, inputs, "copy")
        await carry_out(_copy, source, target, "copy")
        ctx.log.info("copied %s to %s", source, target)
        return TransferOutputs(file=file_ref(target))
