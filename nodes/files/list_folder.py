"""List folder: lists the files (and optionally folders) in a folder that match a pattern."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import stat as stat_flags
from pathlib import Path, PurePath
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from nodes.files._common import PathInput, os_error, pick_path
from runtime.api import CachePolicy, Capability, Column, NodeContext, NodeError, NodeType, Table

_COLUMNS = [Column(name="path", type="text"), Column(name="name", type="text"),
            Column(name="size", type="integer"), Column(name="modified", type="text")]


class ListFolderConfig(BaseModel):
    folder: str = Field(default="", title="Folder", description="The folder to look in (relative to the "
                        "flow's folder)", json_schema_extra={"widget": "folder"})
    pattern: str = Field(default="*", title="Names to match",
                         description="* stands for any text and ? for one character, e.g. *.csv or "
                                     "invoice-2024-*.pdf; start with **/ to look in sub-folders too")
    include_files: bool = Field(default=True, title="Include files")
    include_folders: bool = Field(default=False, title="Include folders")
    include_hidden: bool = Field(default=False, title="Include hidden files",
                                 description="Names starting with a dot, and files marked hidden")
    sort_by: Literal["name", "modified", "size"] = Field(default="name", title="Sort by")
    descending: bool = Field(default=False, title="Newest / largest / Z first")

    @field_validator("pattern")
    @classmethod
    def _relative_pattern(cls, value: str) -> str:
        value = value.strip() or "*"
        pure = PurePath(value)
        if pure.is_absolute() or pure.anchor:
            raise ValueError("the pattern matches names inside the folder; put the folder itself in 'Folder'")
        if ".." in pure.parts:
            raise ValueError("the pattern cannot go up out of the folder ('..')")
        return value


class ListFolderInputs(BaseModel):
    folder: PathInput = Field(default=None, title="Folder", description="Overrides the configured folder")


class ListFolderOutputs(BaseModel):
    files: Table | None = Field(default=None, title="Files",
                                description="One row per match: path, name, size, modified")
    paths: list[str] | None = Field(default=None, title="Paths")


def _hidden(relative: PurePath, info: os.stat_result) -> bool:
    if any(part.startswith(".") for part in relative.parts):
        return True
    attributes = getattr(info, "st_file_attributes", 0)
    return bool(attributes & getattr(stat_flags, "FILE_ATTRIBUTE_HIDDEN", 0))


def _listing(folder: Path, config: ListFolderConfig) -> list[tuple[Path, os.stat_result]]:
    """Matching entries with their stat, sorted as configured."""
    if not folder.exists():
        raise NodeError(f"Folder: {folder} does not exist")
    if not folder.is_dir():
        raise NodeError(f"Folder: {folder} is a file, not a folder")
    found = []
    try:
        for path in folder.glob(config.pattern):
            try:
                info = path.stat()
            except OSError:
                continue  # vanished meanwhile, or a broken link
            is_dir = stat_flags.S_ISDIR(info.st_mode)
            if (is_dir and not config.include_folders) or (not is_dir and not config.include_files):
                continue
            if not config.include_hidden and _hidden(path.relative_to(folder), info):
                continue
            found.append((path, info))
    except OSError as exc:
        raise os_error(exc, folder, "list") from None
    if config.sort_by == "modified":
        found.sort(key=lambda e: e[1].st_mtime_ns, reverse=config.descending)
    elif config.sort_by == "size":
        found.sort(key=lambda e: e[1].st_size, reverse=config.descending)
    else:
        found.sort(key=lambda e: (str(e[0]).casefold(), str(e[0])), reverse=config.descending)
    return found


class ListFolder(NodeType):
    type_id = "files.list_folder"
    title = "List folder"
    category = "Files"
    description = ("Finds the files in a folder whose names match a pattern such as *.pdf, with their "
                   "size and when they were last changed; use it to process every file in turn.")
    keywords = ("files", "directory", "glob", "find", "scan", "browse")
    icon = "folder"
    capabilities = frozenset({Capability.FILES_READ})
    cache = CachePolicy.FINGERPRINT
    Config = ListFolderConfig
    Inputs = ListFolderInputs
    Outputs = ListFolderOutputs

    def fingerprint(self, ctx: NodeContext, config: ListFolderConfig, inputs: ListFolderInputs) -> str | None:
        try:
            folder = pick_path(ctx, config.folder, inputs.folder, "Folder", "folder")
            found = _listing(folder, config)
            resolved = folder.resolve()
        except (NodeError, OSError, RuntimeError):
            return None
        digest = hashlib.blake2b(digest_size=16)
        options = config.model_dump(exclude={"folder"})
        digest.update(f"{resolved}\0{json.dumps(options, sort_keys=True)}\n".encode(errors="replace"))
        for path, info in found:
            digest.update(f"{path}\t{info.st_mtime_ns}\t{info.st_size}\n".encode(errors="replace"))
        return digest.hexdigest()

    async def run(self, ctx: NodeContext, config: ListFolderConfig,
                  inputs: ListFolderInputs) -> ListFolderOutputs:
        folder = pick_path(ctx, config.folder, inputs.folder, "Folder", "folder")
        found = _listing(folder, config)
        rows = []
        for path, info in found:
            modified = dt.datetime.fromtimestamp(info.st_mtime).astimezone()
            rows.append({"path": str(path), "name": path.name,
                         "size": None if stat_flags.S_ISDIR(info.st_mode) else info.st_size,
                         "modified": modified.isoformat(timespec="seconds")})
        ctx.log.info("found %d match(es) for %s in %s", len(rows), config.pattern, folder)
        return ListFolderOutputs(files=Table(_COLUMNS, rows), paths=[r["path"] for r in rows])
