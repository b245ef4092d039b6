"""Where Loomwork keeps its data: platformdirs' user data dir, or `LOOMWORK_HOME`."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["DataPaths", "data_paths"]


@dataclass(frozen=True, slots=True)
class DataPaths:
    """The folders and files under the data home."""

    home: Path

    @property
    def history_db(self) -> Path:
        return self.home / "history.sqlite"

    @property
    def cache_db(self) -> Path:
        return self.home / "cache.sqlite"

    @property
    def scheduler_db(self) -> Path:
        return self.home / "scheduler.sqlite"

    @property
    def service_lock(self) -> Path:
        return self.home / "service.lock"

    @property
    def runs(self) -> Path:
        return self.home / "runs"

    @property
    def credentials_index(self) -> Path:
        return self.home / "credentials.json"

    @property
    def settings_file(self) -> Path:
        return self.home / "settings.json"

    def run_artifacts(self, run_id: str) -> Path:
        return self.runs / run_id


def data_paths(home: str | os.PathLike[str] | None = None) -> DataPaths:
    """The data paths: `home` if given, else `$LOOMWORK_HOME`, else the user data dir."""
    if home is None:
        env = os.environ.get("LOOMWORK_HOME")
        if env:
            home = env
        else:
            import platformdirs

            home = platformdirs.user_data_dir("loomwork", appauthor=False)
    path = Path(home).expanduser().resolve()
    path.mkdir(parents=True, exist_ok=True)
    return DataPaths(home=path)
