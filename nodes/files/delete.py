"""Delete: deletes a file (or, when allowed, a folder with everything in it)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from pydantic import BaseModel, Field

from nodes.files._common import PathInput, os_error, pick_path
from runtime.api import CachePolicy, Capability, NodeContext, NodeError, NodeType


class DeleteConfig(BaseModel):
    path: str = Field(default="", title="File", description="What to delete (relative to the flow's folder)",
                      json_schema_extra={"widget": "file"})
    recursive: bool = Field(default=False, title="Also delete folders with everything in them",
                            description="Off: a folder is refused, so a wrong path cannot wipe a folder")
    missing_ok: bool = Field(default=False, title="No error if it does not exist")


class DeleteInputs(BaseModel):
    path: PathInput = Field(default=None, title="File", description="Overrides the configured path")


class DeleteOutputs(BaseModel):
    path: str | None = Field(default=None, title="Path", description="What was (or would have been) deleted")
    deleted: bool | None = Field(default=None, title="Deleted", description="false when it did not exist")


def _protected(target: Path, ctx: NodeContext) -> bool:
    """Drive roots, the home folder and the flow's own folder (or a folder above it)."""
    resolved = target.resolve()
    if resolved == Path(resolved.anchor) or resolved == Path.home().resolve():
        return True
    return ctx.flow_dir.resolve().is_relative_to(resolved)


class DeleteFile(NodeType):
    type_id = "files.delete"
    title = "Delete file"
    category = "Files"
    description = ("Deletes a file. Folders are deleted only when you allow it; the flow's own folder, "
                   "your home folder and drive roots are always refused.")
    keywords = ("delete", "remove", "erase", "clean up", "file")
    icon = "trash"
    capabilities = frozenset({Capability.FILES_WRITE})
    cache = CachePolicy.NEVER
    Config = DeleteConfig
    Inputs = DeleteInputs
    Outputs = DeleteOutputs

    async def run(self, ctx: NodeContext, config: DeleteConfig, inputs: DeleteInputs) -> DeleteOutputs:
        path = pick_path(ctx, config.path, inputs.path, "File")
        if not os.path.lexists(path):
            if config.missing_ok:
                ctx.log.info("%s does not exist; nothing to delete", path)
                return DeleteOutputs(path=str(path), deleted=False)
            raise NodeError(f"cannot delete {path}: it does not exist")
        try:
            if path.is_dir() and not path.is_symlink():
                if not config.recursive:
                    raise NodeError(f"{path} is a folder; turn on 'Also delete folders with everything "
                                    "in them' to delete it")
                if _protected(path, ctx):
                    raise NodeError(f"refusing to delete {path}: it holds this flow, your home folder "
                                    "or a whole drive")
                shutil.rmtree(path)
            else:
                path.unlink()
        except OSError as exc:
            raise os_error(exc, path, "delete") from None
        ctx.log.info("deleted %s", path)
        return DeleteOutputs(path=str(path), deleted=True)
