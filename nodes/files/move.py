"""Move: moves or renames a file or folder."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile

from nodes.files._common import file_ref, os_error
from nodes.files._transfer import TransferConfig, TransferInputs, TransferOutputs, plan_transfer
from runtime.api import CachePolicy, Capability, NodeContext, NodeType


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
        try:
            try:
                os.replace(source, target)
            except OSError as exc:
                if exc.errno != errno.EXDEV:
                    raise
                if source.is_dir():
                    shutil.move(source, target)
                else:  # another drive: copy beside the target, swap it in, then remove the original
                    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
                    os.close(fd)
                    try:
                        shutil.copy2(source, temp)
                        os.replace(temp, target)
                    except BaseException:
                        with contextlib.suppress(OSError):
                            os.unlink(temp)
                        raise
                    os.unlink(source)
        except OSError as exc:
            raise os_error(exc, target, f"move {source} to") from None
        ctx.log.info("moved %s to %s", source, target)
        return TransferOutputs(file=file_ref(target))
