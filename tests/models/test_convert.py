"""`loomwork models convert`: a Hugging Face checkpoint → a pack through onnxruntime-genai's builder.

The end-to-end test needs the builder's libraries (the `models-build` extra: torch, transformers,
onnx …); CI installs without them, so there it is skipped and only the checks around the builder
run. It converts a tiny random-weight Qwen3.5-MoE checkpoint made by `models.testpacks`."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from models.convert import BUILDER_MODULES, ConvertError, _missing_modules, convert, pack_manifest
from models.manifest import verify_pack
from models.service import ModelService
from models.store import ModelStore
from runtime.api import GenerationRequest, data_paths

ROOT = Path(__file__).resolve().parents[2]
PACKS = ROOT / "tests" / "fixtures" / "models"
needs_builder = pytest.mark.skipif(
    bool(_missing_modules()), reason="the models-build extra (torch, transformers, onnx …) is not installed")


@pytest.fixture
def store(tmp_path: Path) -> ModelStore:
    return ModelStore(data_paths(tmp_path / "home"))


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from models.testpacks import checkpoint as tiny
    from models.testpacks import tokenizer

    folder = tmp_path_factory.mktemp("checkpoint")
    tiny.write(folder, tokenizer.train(folder))
    return folder


def test_a_precision_the_provider_cannot_take_is_refused(store: ModelStore) -> None:
    with pytest.raises(ConvertError, match="the builder makes int4 or fp32 models for cpu, not fp16"):
        convert("some/model", store, pack_id="x1", precision="fp16", provider="cpu")


def test_without_the_builder_libraries_the_error_says_how_to_get_them(
        store: ModelStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("models.convert._missing_modules", lambda: ["torch", "onnxscript"])
    with pytest.raises(ConvertError,
                       match=r"\(torch, onnxscript missing\).*pip install -e '\.\[models-build\]'"):
        convert("some/model", store, pack_id="x1")
    assert "torch" in BUILDER_MODULES


def test_a_provider_this_machine_cannot_use_is_refused_before_building(
        store: ModelStore, monkeypatch: pytest.MonkeyPatch) -> None:
    from models.providers import ProviderStatus

    monkeypatch.setattr("models.convert._missing_modules", lambda: [])
    monkeypatch.setattr("models.providers.provider_statuses", lambda og=None: [
        ProviderStatus("dml", "DirectML (Windows GPU)", False, "not in this build"),
        ProviderStatus("cpu", "CPU", True)])
    with pytest.raises(ConvertError, match=r"DirectML \(Windows GPU\) is not usable here"):
        convert("some/model", store, pack_id="x1", provider="dml")


@needs_builder
def test_a_folder_without_config_is_not_a_checkpoint(store: ModelStore, tmp_path: Path) -> None:
    (tmp_path / "weights").mkdir()
    with pytest.raises(ConvertError, match=r"is not a Hugging Face checkpoint: it has no config\.json"):
        convert(str(tmp_path / "weights"), store, pack_id="x1")


def test_the_manifest_of_a_builders_output_hashes_every_file(tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(PACKS / "tiny-moe-text", out)
    (out / "loomwork-pack.json").unlink()
    checkpoint_config = {"model_type": "qwen3_5_moe",
                         "text_config": {"num_experts": 4, "num_experts_per_tok": 2}}
    manifest = pack_manifest(out, pack_id="made", name="Made", precision="int4", provider="cpu",
                             checkpoint=checkpoint_config, source="org/model")
    original = json.loads((PACKS / "tiny-moe-text" / "loomwork-pack.json").read_text())
    assert {n: f["sha256"] for n, f in manifest["files"].items()} == {
        n: f["sha256"] for n, f in original["files"].items()}
    assert (manifest["family"], manifest["moe"], manifest["experts"], manifest["active_experts"]) == (
        "qwen3_5_moe", True, 4, 2)
    assert manifest["memory"]["needed_bytes"] > manifest["size_bytes"]
    (out / "loomwork-pack.json").write_text(json.dumps(manifest))
    assert verify_pack(out) == []


@needs_builder
def test_convert_a_checkpoint_into_a_pack_that_generates(checkpoint: Path, store: ModelStore) -> None:
    lines: list[str] = []
    pack = convert(str(checkpoint), store, pack_id="tiny-converted", name="Tiny converted",
                   on_line=lines.append)
    assert any("GenAI config" in line for line in lines)  # the builder's own output came through
    manifest = pack.manifest
    assert (manifest.family, manifest.moe, manifest.experts, manifest.quantization, manifest.providers) == (
        "qwen3_5_moe", True, 4, "int4", ["cpu"])
    assert verify_pack(pack.folder) == []
    assert json.loads((pack.folder / "tokenizer_config.json").read_text())["tokenizer_class"] != \
        "Qwen3_5Tokenizer"  # renamed to one onnxruntime-genai reads
    assert not (store.root / ".converting").exists()
    result = asyncio.run(ModelService(store, idle_unload_s=0).generate(
        GenerationRequest(messages=[{"role": "user", "content": "Hello"}], max_tokens=4)))
    assert result.model == "tiny-converted" and result.tokens_out >= 1
    with pytest.raises(Exception, match="already installed"):
        convert(str(checkpoint), store, pack_id="tiny-converted")


@needs_builder
def test_a_failing_builder_keeps_its_log_and_installs_nothing(checkpoint: Path, store: ModelStore,
                                                               tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(checkpoint, broken)
    config = json.loads((broken / "config.json").read_text())
    config["architectures"] = ["NoSuchModelForCausalLM"]
    config["model_type"] = "no_such_model"
    (broken / "config.json").write_text(json.dumps(config))
    with pytest.raises(ConvertError, match=r"the onnxruntime-genai builder failed \(exit \d+\).*full log is"):
        convert(str(broken), store, pack_id="broken-one")
    assert store.packs() == []
    assert (store.root / ".converting" / "broken-one.log").is_file()
    assert not (store.root / ".converting" / "broken-one").exists()  # no half-built pack or cache left


@needs_builder
def test_cli_convert(checkpoint: Path, tmp_path: Path) -> None:
    env = {**os.environ, "LOOMWORK_HOME": str(tmp_path / "cli-home")}
    command = [sys.executable, "-m", "runtime.cli.main", "models", "convert", str(checkpoint)]
    done = subprocess.run([*command, "--id", "tiny-cli"], capture_output=True, text=True, cwd=ROOT, env=env,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert "installed tiny-cli (qwen3_5_moe, MoE, int4" in done.stdout
    bad = subprocess.run([*command, "--id", "Bad Id"], capture_output=True, text=True, cwd=ROOT, env=env,
                         timeout=60)
    assert bad.returncode == 2 and "is not a pack id" in bad.stderr
