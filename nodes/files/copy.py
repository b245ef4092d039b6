"""Copy: copies a file (or a folder with everything in it) to another place."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile

from nodes.files._common import file_ref, os_error
from nodes.files._transfer import TransferConfig, TransferInputs, TransferOutputs, plan_transfer
from runtime.api import CachePolicy, Capability, NodeContext, NodeType


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
        try:
            if source.is_dir():
                shutil.copytree(source, target, symlinks=True)
            else:
                fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
                os.close(fd)
                try:
                    shutil.copy2(source, temp)
                    os.replace(temp, target)
                except BaseException:
                    with contextlib.suppress(OSError):
                        os.unlink(temp)
                    raise
        except OSError as exc:
            raise os_error(exc, target, f"copy {source} to") from None
        except shutil.Error as exc:
            raise os_error(OSError(str(exc)), target, f"copy {source} to") from None
        ctx.log.info("copied %s to %s", source, target)
        return TransferOutputs(file=file_ref(target))
