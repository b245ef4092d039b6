"""Copy: copies a file (or a folder with everything in it) to another place."""

from __future__ import annotations

import shutil
from pathlib import Path

from pydantic import Field, model_validator

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


class CopyConfig(TransferConfig):
    keep_existing: bool = Field(
        default=False, title="Keep an existing file",
        description="When the destination file exists, leave it as it is and pass it on: the copy is made "
                    "only once (for example a workbook started from a template)")

    @model_validator(mode="after")
    def _one_choice(self) -> CopyConfig:
        if self.keep_existing and self.overwrite:
            raise ValueError("turn on either 'Replace an existing file' or 'Keep an existing file', not both")
        return self


class CopyFile(NodeType):
    type_id = "files.copy"
    title = "Copy file"
    category = "Files"
    description = "Copies a file, or a folder with everything in it, to another folder or name."
    keywords = ("copy", "duplicate", "backup", "file")
    icon = "copy"
    capabilities = frozenset({Capability.FILES_READ, Capability.FILES_WRITE})
    cache = CachePolicy.NEVER
    Config = CopyConfig
    Inputs = TransferInputs
    Outputs = TransferOutputs

    async def run(self, ctx: NodeContext, config: CopyConfig, inputs: TransferInputs) -> TransferOutputs:
        source, target = plan_transfer(ctx, config, inputs, "copy", keep_existing=config.keep_existing)
        if config.keep_existing and target.is_file():
            ctx.log.info("kept the existing %s (not copied again)", target)
            return TransferOutputs(file=file_ref(target))
        await carry_out(_copy, source, target, "copy")
        ctx.log.info("copied %s to %s", source, target)
        return TransferOutputs(file=file_ref(target))
