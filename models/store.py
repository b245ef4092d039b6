"""Installed model packs: one folder per pack under `<data home>/models/<pack id>/`
(`LOOMWORK_HOME` moves the data home), and which one is the default.

Adding a local folder verifies it (manifest, genai_config.json, every checksum) and copies it
in through a temporary folder, so a half-copied pack is never listed. Removing deletes the
folder. The default model is kept in `<data home>/models/settings.json`.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from models.manifest import PackError, PackManifest, load_manifest, verify_pack
from runtime.api import DataPaths, atomic_write_text

__all__ = ["InstalledPack", "ModelStore"]


@dataclass(frozen=True, slots=True)
class InstalledPack:
    manifest: PackManifest
    folder: Path

    @property
    def id(self) -> str:
        return self.manifest.id


class ModelStore:
    """The packs installed for this user."""

    def __init__(self, paths: DataPaths):
        self.root = paths.home / "models"

    @property
    def _settings_file(self) -> Path:
        return self.root / "settings.json"

    def _settings(self) -> dict[str, object]:
        try:
            data = json.loads(self._settings_file.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def packs(self) -> list[InstalledPack]:
        """Every usable installed pack (folders that are not packs are skipped)."""
        if not self.root.is_dir():
            return []
        found = []
        for folder in sorted(p for p in self.root.iterdir() if p.is_dir() and not p.name.startswith(".")):
            try:
                found.append(InstalledPack(load_manifest(folder), folder))
            except PackError:
                continue
        return found

    def get(self, pack_id: str) -> InstalledPack:
        for pack in self.packs():
            if pack.id == pack_id:
                return pack
        known = ", ".join(p.id for p in self.packs()) or "none"
        raise PackError(f"no model '{pack_id}' is installed (installed: {known}); "
                        f"get it with: loomwork models pull {pack_id}")

    def default(self) -> InstalledPack:
        """The pack AI steps use unless they name one: the chosen default, else the only one."""
        packs = self.packs()
        if not packs:
            raise PackError("no model is installed. Get the recommended one with `loomwork models pull` "
                            "(see `loomwork models catalog`), or add a folder with "
                            "`loomwork models add PATH`")
        chosen = self._settings().get("default")
        if isinstance(chosen, str):
            for pack in packs:
                if pack.id == chosen:
                    return pack
        return packs[0]

    def set_default(self, pack_id: str) -> None:
        self.get(pack_id)
        settings = self._settings() | {"default": pack_id}
        self.root.mkdir(parents=True, exist_ok=True)
        atomic_write_text(self._settings_file, json.dumps(settings, indent=2))

    def add_folder(self, source: Path, *, replace: bool = False, move: bool = False) -> InstalledPack:
        """Verify a pack folder and copy it in (atomically: a temporary folder, then a rename);
        with `move`, a folder already on the store's disk (a conversion's output) is renamed in."""
        source = source.expanduser().resolve()
        manifest = load_manifest(source)
        problems = verify_pack(source, manifest)
        if problems:
            raise PackError(f"{source}: " + "; ".join(problems))
        target = self.root / manifest.id
        if target.exists() and not replace:
            raise PackError(f"a model '{manifest.id}' is already installed; remove it first "
                            f"(loomwork models remove {manifest.id})")
        self.root.mkdir(parents=True, exist_ok=True)
        if move:
            old = target.with_name(f".{target.name}.old")
            if target.exists():
                shutil.rmtree(old, ignore_errors=True)
                os.replace(target, old)
            os.replace(source, target)
            shutil.rmtree(old, ignore_errors=True)
            return InstalledPack(manifest, target)
        staging = Path(tempfile.mkdtemp(prefix=f".{manifest.id}.", dir=self.root))
        try:
            shutil.copytree(source, staging, dirs_exist_ok=True)
            if target.exists():
                shutil.rmtree(target)
            os.replace(staging, target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return InstalledPack(manifest, target)

    def remove(self, pack_id: str) -> None:
        pack = self.get(pack_id)
        shutil.rmtree(pack.folder)
        settings = self._settings()
        if settings.get("default") == pack_id:
            settings.pop("default")
            atomic_write_text(self._settings_file, json.dumps(settings, indent=2))
