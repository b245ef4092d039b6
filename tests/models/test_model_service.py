"""The model store and the resident model service on the tiny real packs."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from models.manifest import PackError, load_manifest, verify_pack
from models.service import ModelService
from models.store import ModelStore
from runtime.api import Constraint, GenerationRequest, ModelUnavailable, data_paths

ROOT = Path(__file__).resolve().parents[2]
PACKS = ROOT / "tests" / "fixtures" / "models"
TEXT, VISION = PACKS / "tiny-moe-text", PACKS / "tiny-moe-vision"


@pytest.fixture
def store(tmp_path: Path) -> ModelStore:
    models = ModelStore(data_paths(tmp_path / "home"))
    models.add_folder(TEXT)
    return models


def ask(text: str, **kwargs) -> GenerationRequest:
    return GenerationRequest(messages=[{"role": "user", "content": text}], **kwargs)


def test_a_pack_is_verified_before_it_is_installed(tmp_path: Path, store: ModelStore) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(TEXT, broken)
    with open(broken / "model.onnx.data", "r+b") as handle:  # one flipped byte
        handle.seek(100)
        byte = handle.read(1)
        handle.seek(100)
        handle.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(PackError, match=r"model\.onnx\.data is damaged"):
        ModelStore(data_paths(tmp_path / "other")).add_folder(broken)
    assert not (tmp_path / "other" / "models" / "tiny-moe-text").exists()  # nothing half-installed
    with pytest.raises(PackError, match="already installed"):
        store.add_folder(TEXT)
    with pytest.raises(PackError, match=r"has no loomwork-pack\.json"):
        store.add_folder(tmp_path)
    assert verify_pack(store.get("tiny-moe-text").folder) == []


def test_default_and_missing_models_say_what_to_do(tmp_path: Path, store: ModelStore) -> None:
    assert store.default().id == "tiny-moe-text"
    store.add_folder(VISION)
    store.set_default("tiny-moe-vision")
    assert store.default().id == "tiny-moe-vision"
    store.remove("tiny-moe-vision")
    assert store.default().id == "tiny-moe-text"
    empty = ModelStore(data_paths(tmp_path / "empty"))
    with pytest.raises(PackError, match=r"no model is installed.*loomwork models pull"):
        empty.default()


def test_generation_streams_and_is_deterministic(store: ModelStore) -> None:
    service = ModelService(store, idle_unload_s=0)
    pieces: list[str] = []

    async def main() -> tuple:
        first = await service.generate(ask("Hello", max_tokens=16), on_token=pieces.append)
        second = await service.generate(ask("Hello", max_tokens=16))
        return first, second

    first, second = asyncio.run(main())
    assert first.text == second.text and "".join(pieces).startswith(first.text)
    assert first.tokens_in > 3 and 1 <= first.tokens_out <= 16 and first.ttft_ms > 0
    assert service.loads == 1  # one resident model


def test_json_schema_output_always_parses(store: ModelStore) -> None:
    service = ModelService(store, idle_unload_s=0)
    schema = {"type": "object", "properties": {"code": {"type": "string", "maxLength": 8},
                                               "n": {"type": "integer", "minimum": 0, "maximum": 999}},
              "required": ["code", "n"], "additionalProperties": False}

    async def main() -> list[str]:
        return [(await service.generate(ask(f"record {i}", max_tokens=64,
                                            constraint=Constraint("json_schema", schema)))).text
                for i in range(20)]

    for text in asyncio.run(main()):
        value = json.loads(text)
        assert set(value) == {"code", "n"} and 0 <= value["n"] <= 999


def test_cancel_stops_mid_generation(store: ModelStore) -> None:
    service = ModelService(store, idle_unload_s=0)
    seen: list[str] = []

    async def main() -> float:
        long = Constraint("regex", "(ab ){300}")  # a long answer however the tiny model feels
        task = asyncio.create_task(service.generate(ask("go on", max_tokens=900, constraint=long),
                                                    on_token=seen.append))
        deadline = time.monotonic() + 30
        while len(seen) < 3 and not task.done() and time.monotonic() < deadline:
            await asyncio.sleep(0.001)
        assert not task.done(), "the generation ended before it could be cancelled"
        started = time.monotonic()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return time.monotonic() - started

    assert asyncio.run(main()) < 1.0
    assert service._busy == 0


def test_two_flows_share_one_model_at_once(store: ModelStore) -> None:
    service = ModelService(store, idle_unload_s=0)

    async def main() -> list:
        return await asyncio.gather(*(service.generate(ask(f"question {i}", max_tokens=8)) for i in range(4)))

    results = asyncio.run(main())
    assert len(results) == 4 and service.loads == 1


def test_too_little_memory_refuses_to_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = ModelStore(data_paths(tmp_path / "home"))
    store.add_folder(TEXT)
    monkeypatch.setattr("models.service.available_memory_mb", lambda: 10)
    with pytest.raises(ModelUnavailable, match=r"needs about .* MB of memory but only 10 MB is free"):
        asyncio.run(ModelService(store).generate(ask("hi")))


def test_an_unusable_provider_falls_back_to_the_cpu_with_a_notice(store: ModelStore) -> None:
    service = ModelService(store, provider="cuda", idle_unload_s=0)
    result = asyncio.run(service.generate(ask("hi", max_tokens=4)))
    assert result.provider == "cpu" and "running on the CPU" in result.settings["provider_notice"]


def test_the_model_is_unloaded_after_idle_time(store: ModelStore) -> None:
    service = ModelService(store, idle_unload_s=0.2)
    asyncio.run(service.generate(ask("hi", max_tokens=2)))
    assert service.describe()["loaded"]
    deadline = time.monotonic() + 5
    while service.describe()["loaded"] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not service.describe()["loaded"]


def loomwork(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "runtime.cli.main", "models", *args], capture_output=True,
                          text=True, cwd=ROOT, env={**__import__("os").environ, "LOOMWORK_HOME": str(home)},
                          timeout=120)


def test_models_cli(tmp_path: Path) -> None:
    home = tmp_path / "home"
    empty = loomwork("list", home=home)
    assert empty.returncode == 0 and "no model installed" in empty.stdout
    added = loomwork("add", str(TEXT), home=home)
    assert added.returncode == 0, added.stderr
    listed = json.loads(loomwork("list", "--json", home=home).stdout)
    assert [p["id"] for p in listed] == ["tiny-moe-text"] and listed[0]["default"] and listed[0]["moe"]
    doctor = json.loads(loomwork("doctor", "--json", home=home).stdout)
    cpu = next(p for p in doctor["providers"] if p["name"] == "cpu")
    assert cpu["usable"] and doctor["default"]["id"] == "tiny-moe-text"
    assert loomwork("remove", "tiny-moe-text", home=home).returncode == 0
    missing = loomwork("remove", "tiny-moe-text", home=home)
    assert missing.returncode == 2 and "no model 'tiny-moe-text' is installed" in missing.stderr
    assert load_manifest(TEXT).moe


def test_requests_for_two_packs_take_turns_with_one_model_resident(store: ModelStore) -> None:
    store.add_folder(VISION)
    service = ModelService(store, idle_unload_s=0)
    resident: list[int] = []
    original = service._ensure_loaded

    def watch(pack):  # how many models are held while one is loaded
        loaded = original(pack)
        resident.append(1 if service._loaded is loaded else 2)
        return loaded

    service._ensure_loaded = watch  # type: ignore[method-assign]

    async def main() -> list:
        asks = [ask("a", max_tokens=4, model="tiny-moe-text"),
                ask("b", max_tokens=4, model="tiny-moe-vision"),
                ask("c", max_tokens=4, model="tiny-moe-text")]
        return await asyncio.gather(*(service.generate(a) for a in asks))

    results = asyncio.run(main())
    assert [r.model for r in results] == ["tiny-moe-text", "tiny-moe-vision", "tiny-moe-text"]
    assert resident == [1, 1, 1]
