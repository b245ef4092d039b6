"""What copy and move share: their config, and working out the destination."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, Field

from nodes.files._common import PathInput, os_error, pick_path, prepare_target
from runtime.api import FileRef, NodeContext, NodeError

__all__ = ["TransferConfig", "TransferInputs", "TransferOutputs", "plan_transfer"]


class TransferConfig(BaseModel):
    source: str = Field(default="", title="From", description="The file or folder (relative to the flow's "
                        "folder)", json_schema_extra={"widget": "file"})
    destination: str = Field(default="", title="To",
                             description="A new file name, or an existing folder to put it in "
                                         "(end with / to create the folder)",
                             json_schema_extra={"widget": "file"})
    overwrite: bool = Field(default=False, title="Replace an existing file")
    create_folders: bool = Field(default=True, title="Create missing folders")


class TransferInputs(BaseModel):
    source: PathInput = Field(default=None, title="From", description="Overrides the configured source")
    destination: PathInput = Field(default=None, title="To",
                                   description="Overrides the configured destination")


class TransferOutputs(BaseModel):
    file: FileRef | None = Field(default=None, title="File", description="The file at its new place")


def _as_folder(raw: str | FileRef | None, configured: str) -> bool:
    text = raw.path if isinstance(raw, FileRef) else (raw or configured)
    return text.rstrip() != text.rstrip().rstrip("/\\")


def plan_transfer(ctx: NodeContext, config: TransferConfig, inputs: TransferInputs,
                  verb: str) -> tuple[Path, Path]:
    """Source and final destination, checked: the source exists, the destination may be written."""
    source = pick_path(ctx, config.source, inputs.source, "From", "source")
    target = pick_path(ctx, config.destination, inputs.destination, "To", "destination")
    if not os.path.lexists(source):
        raise NodeError(f"cannot {verb} {source}: it does not exist")
    if target.is_dir() or _as_folder(inputs.destination, config.destination):
        if not target.is_dir() and config.create_folders:
            try:
                target.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise os_error(exc, target, "create the folder") from None
        target = target / source.name
    if os.path.abspath(source) == os.path.abspath(target):
        raise NodeError(f"cannot {verb} {source} onto itself; choose another destination")
    if source.is_dir() and Path(os.path.abspath(target)).is_relative_to(os.path.abspath(source)):
        raise NodeError(f"cannot {verb} the folder {source} into itself ({target})")
    if os.path.lexists(target):
        if not config.overwrite:
            raise NodeError(f"cannot {verb} to {target}: it already exists; turn on 'Replace an existing "
                            "file' to replace it")
        if target.is_dir() and not target.is_symlink():
            raise NodeError(f"cannot {verb} to {target}: a folder of that name is in the way")
        if source.is_dir():
            raise NodeError(f"cannot {verb} the folder {source} onto the file {target}")
    prepare_target(target, create_folders=config.create_folders)
    return source, target
