"""Move: moves or renames a file or folder."""

from __future__ import annotations

import errno
import os
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


def _move(source: Path, target: Path, stop: Stop) -> None:
    try:
        os.replace(source, target)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        if source.is_dir():
            shutil.move(source, target)
        else:  # another drive: copy beside the target, swap it in, then remove the original
            copy_file(source, target, stop)
            os.unlink(source)


class MoveFile(NodeType):
    type_id = "files.move"
    title = "Move or rename file"
    category = "Files"
    description = "Moves a file or folder to another folder, or gives it a new name."
    keywords = ("move", "rename", "file", "archive")
    icon = "move"
    capabilities = frozenset({Capability.FILES_READ, Capability.FILES_WRITE})
    cache = CachePolicy.NEVER
    Config = TransferConfig
    Inputs = TransferInputs
    Outputs = TransferOutputs

    async def run(self, ctx: NodeContext, config: TransferConfig, inputs: TransferInputs) -> TransferOutputs:
        source, target = plan_transfer(ctx, config, inputs, "move")
        await carry_out(_move, source, target, "move")
        ctx.log.info("moved %s to %s", source, target)
        return TransferOutputs(file=file_ref(target))
