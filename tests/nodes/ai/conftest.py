"""AI steps run against the project's tiny real ONNX packs (random weights: answers are
nonsense, but every path — templates, images, constraints, streaming, caching — is real)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from models.service import ModelService
from models.store import ModelStore
from runtime.api import Registry, Runner, data_paths

PACKS = Path(__file__).resolve().parents[2] / "fixtures" / "models"


@pytest.fixture(scope="session")
def store(tmp_path_factory: pytest.TempPathFactory) -> ModelStore:
    home = tmp_path_factory.mktemp("model-home")
    models = ModelStore(data_paths(home))
    for name in ("tiny-moe-text", "tiny-moe-vision"):
        models.add_folder(PACKS / name)
    models.set_default("tiny-moe-text")
    return models


@pytest.fixture(scope="session")
def model_service(store: ModelStore) -> ModelService:
    return ModelService(store, idle_unload_s=0)


@pytest.fixture
def ai_runner(tmp_path: Path, registry: Registry, model_service: ModelService) -> Iterator[Runner]:
    runner = Runner(registry, data_paths(tmp_path / "home"), services={"model": model_service})
    yield runner
    runner.close()
