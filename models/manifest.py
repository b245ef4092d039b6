"""A model pack: a folder in onnxruntime-genai's format (genai_config.json, ONNX files,
tokenizer, processor_config.json for vision) plus Loomwork's manifest, `loomwork-pack.json`.

The manifest says what the pack is (family, modalities, mixture-of-experts or dense,
quantization, licence), what it needs (memory, providers) and the sha256 of every file, so
a pack can be checked after a download or a copy.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

__all__ = ["MANIFEST_NAME", "PackError", "PackFile", "PackManifest", "PackTraits", "file_sha256",
           "load_manifest", "verify_pack"]

MANIFEST_NAME = "loomwork-pack.json"
_CHUNK = 1 << 20


class PackError(Exception):
    """A pack that cannot be used, with a message naming the folder and the reason."""


class PackFile(BaseModel):
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size_bytes: int = Field(ge=-1)
    """-1: not listed (only the checksum is checked)."""


class PackMemory(BaseModel):
    needed_bytes: int = Field(default=0, ge=0)
    """Memory the loaded model needs: weights, cache at the context length, runtime overhead."""


class PackTraits(BaseModel):
    """What a model is: shared by a pack's manifest and its catalog entry."""

    family: str = ""
    modalities: list[Literal["text", "image"]] = Field(default_factory=lambda: ["text"])
    moe: bool = False
    experts: int | None = None
    active_experts: int | None = None
    quantization: str = ""
    licence: str = ""
    providers: list[str] = Field(default_factory=lambda: ["cpu"])


class PackManifest(PackTraits):
    """What `loomwork-pack.json` holds (unknown keys are kept by the file, ignored here)."""

    manifest_version: int = 1
    format: Literal["onnxruntime-genai"] = "onnxruntime-genai"
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]{1,79}$")
    name: str
    size_bytes: int = 0
    memory: PackMemory = Field(default_factory=PackMemory)
    files: dict[str, PackFile] = Field(default_factory=dict)
    """Path inside the pack (with '/') → its sha256 and size."""
    context_length: int | None = None
    built_with: dict[str, str] = Field(default_factory=dict)
    description: str = ""

    @model_validator(mode="before")
    @classmethod
    def _flat_files(cls, data: Any) -> Any:
        """Also accept `files: {name: sha256}` with the sizes in `file_sizes: {name: bytes}`."""
        if isinstance(data, dict) and isinstance(data.get("files"), dict):
            sizes = data.get("file_sizes") or {}
            data = dict(data)
            data["files"] = {name: {"sha256": entry, "size_bytes": sizes.get(name, -1)}
                             if isinstance(entry, str) else entry for name, entry in data["files"].items()}
        return data

    @field_validator("files")
    @classmethod
    def _files(cls, value: dict[str, PackFile]) -> dict[str, PackFile]:
        for name in value:
            if name.startswith("/") or ".." in Path(name).parts:
                raise ValueError(f"file name {name!r} leaves the pack folder")
        return value

    @property
    def multimodal(self) -> bool:
        return "image" in self.modalities

    @property
    def memory_mb(self) -> int:
        return -(-self.memory.needed_bytes // (1024 * 1024))


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def load_manifest(folder: Path) -> PackManifest:
    """The manifest of the pack in `folder`, or a PackError saying what is wrong."""
    path = folder / MANIFEST_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PackError(f"{folder} is not a model pack: it has no {MANIFEST_NAME}") from None
    except (OSError, ValueError) as exc:
        raise PackError(f"{path}: cannot be read ({exc})") from None
    try:
        manifest = PackManifest.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise PackError(f"{path}: {where}: {first['msg']}") from None
    if not (folder / "genai_config.json").is_file():
        raise PackError(f"{folder} has no genai_config.json: it is not in onnxruntime-genai's format")
    return manifest


def verify_pack(folder: Path, manifest: PackManifest | None = None) -> list[str]:
    """Problems with the files of a pack (missing, or a checksum that does not match)."""
    manifest = manifest or load_manifest(folder)
    problems = []
    for name, expected in sorted(manifest.files.items()):
        path = folder / name
        if not path.is_file():
            problems.append(f"{name} is missing")
        elif expected.size_bytes not in (-1, path.stat().st_size) or file_sha256(path) != expected.sha256:
            problems.append(f"{name} is damaged (its size or checksum does not match)")
    return problems
