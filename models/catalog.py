"""The catalog of recommended model packs (`assets/models/catalog.json`).

Each entry names a pack by id, says where a hub holds it (Hugging Face repository, subfolder,
revision), what it needs (size on disk, memory) and what it is (modalities, MoE, licence), and
its hardware tier. `recommend()` picks the best pullable pack that fits this machine's memory.

An entry's `manifest` says where the pack's manifest comes from: "repo" — the repository holds
a Loomwork pack (onnxruntime-genai files plus `loomwork-pack.json`); "listing" — a folder in
onnxruntime-genai format published by others (the ONNX Runtime team's, say): the manifest is
made at pull time from this entry (what the model is) and the hub's file listing (every file's
size, the sha256 of large files, the git blob id of small ones), and written into the
installed pack. Entries that are not `pullable` are listed so that users can see which real
models are known to run, with the reason they cannot be pulled.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, ValidationError

from models.manifest import PackTraits

__all__ = ["CATALOG_FILE", "Catalog", "CatalogEntry", "CatalogError", "load_catalog", "total_memory_mb"]

CATALOG_FILE = Path(__file__).resolve().parents[1] / "assets" / "models" / "catalog.json"
TEST_TIER = "test"
_TIER_ORDER = ("workstation", "gpu-16gb", "laptop", TEST_TIER)


class CatalogError(Exception):
    """A catalog that cannot be read, or an id that is not in it (the message says what to do)."""


class CatalogEntry(PackTraits):
    """A recommended pack: what it is (`PackTraits`), where a hub holds it, what it needs."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]{1,79}$")
    name: str
    tier: str
    repo: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*$")
    path: str = ""
    """Subfolder of the repository that holds the pack ("" for the top)."""
    revision: str = "main"
    size_bytes: int | None = None
    memory_bytes: int | None = None
    manifest: Literal["repo", "listing"] = "repo"
    """Where the pack manifest comes from (see the module docstring)."""
    pullable: bool = True
    unpullable_reason: str = ""
    description: str = ""
    sources: list[str] = Field(default_factory=list)

    @property
    def memory_mb(self) -> int | None:
        return None if self.memory_bytes is None else -(-self.memory_bytes // (1024 * 1024))

    def repo_file(self, name: str) -> str:
        """The path of a pack file inside the repository."""
        return f"{self.path.strip('/')}/{name}" if self.path.strip("/") else name


class Catalog(BaseModel):
    catalog_version: int = 1
    hub_endpoint: str = "https://huggingface.co"
    note: str = ""
    tiers: dict[str, str] = Field(default_factory=dict)
    entries: list[CatalogEntry] = Field(default_factory=list)

    def get(self, pack_id: str) -> CatalogEntry:
        for entry in self.entries:
            if entry.id == pack_id:
                return entry
        known = ", ".join(e.id for e in self.entries if e.pullable) or "none"
        raise CatalogError(f"no model '{pack_id}' in the catalog (pullable: {known}); see the list with "
                           "`loomwork models catalog`, or add a pack folder with `loomwork models add PATH`")

    def recommend(self, memory_mb: int | None, providers: set[str] | None = None) -> CatalogEntry | None:
        """The best pullable pack (not a test pack) whose memory need fits `memory_mb` and that runs
        on one of `providers` (the usable ones here; None: any).

        Tiers are tried in order (the multimodal default first); within a tier the largest
        pack that fits wins. None when nothing fits or nothing real is pullable.
        """
        def rank(entry: CatalogEntry) -> tuple[int, int]:
            tier = _TIER_ORDER.index(entry.tier) if entry.tier in _TIER_ORDER else len(_TIER_ORDER)
            return tier, -(entry.memory_bytes or 0)

        for entry in sorted(self.entries, key=rank):
            if not entry.pullable or entry.tier == TEST_TIER:
                continue
            if providers is not None and not set(entry.providers) & providers:
                continue
            if memory_mb is None or (entry.memory_mb is not None and entry.memory_mb <= memory_mb):
                return entry  # a pack of unknown need is not recommended where memory is known
        return None

    def recommendation_text(self, memory_mb: int | None, providers: set[str] | None = None) -> str:
        """One line for people: what to pull on this machine, or plainly why nothing is recommended."""
        entry = self.recommend(memory_mb, providers)
        memory = f"{memory_mb:,} MB" if memory_mb is not None else "unknown"
        if entry is not None:
            return (f"recommended for this machine (memory {memory}): {entry.id} — "
                    f"loomwork models pull {entry.id}")
        real = [e for e in self.entries if e.tier != TEST_TIER and e.pullable]
        if not real:
            return ("no recommendation: the catalog has no pullable pack of a real model yet (only "
                    "test packs); see the note above for how to add one")
        if providers is not None and not any(set(e.providers) & providers for e in real):
            return (f"no catalog pack runs on this machine's hardware (usable here: "
                    f"{', '.join(sorted(providers))}; the packs need: "
                    f"{', '.join(sorted({p for e in real for p in e.providers}))})")
        return f"no catalog pack fits this machine's memory ({memory})"


def load_catalog(path: Path | None = None) -> Catalog:
    """The catalog (`LOOMWORK_MODEL_CATALOG` or the one shipped in assets/)."""
    path = path or Path(os.environ.get("LOOMWORK_MODEL_CATALOG") or CATALOG_FILE)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Catalog.model_validate(data)
    except FileNotFoundError:
        raise CatalogError(f"the model catalog {path} is missing; reinstall Loomwork") from None
    except (OSError, ValueError) as exc:
        if isinstance(exc, ValidationError):
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise CatalogError(f"{path}: {where}: {first['msg']}") from None
        raise CatalogError(f"{path}: cannot be read ({exc})") from None


def total_memory_mb() -> int | None:
    """This machine's memory in MiB (what a pack's memory need is compared with)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        pass
    try:
        import psutil

        return int(psutil.virtual_memory().total // (1024 * 1024))
    except Exception:
        return None
