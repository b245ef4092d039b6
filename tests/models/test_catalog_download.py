"""The catalog and `pull`: the real download code against a local hub (tests/models/hub_server.py)
that serves the tiny test packs in the Hugging Face hub's layout."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import threading
from collections import namedtuple
from collections.abc import Iterator
from pathlib import Path

import pytest

from models.catalog import Catalog, CatalogError, load_catalog
from models.download import DownloadCancelled, DownloadError, PullProgress, hub_endpoint, pull
from models.manifest import verify_pack
from models.service import ModelService
from models.store import ModelStore
from runtime.api import GenerationRequest, data_paths
from tests.models.hub_server import HubState, serve_hub

ROOT = Path(__file__).resolve().parents[2]
PACKS = ROOT / "tests" / "fixtures" / "models"
VISION_ID = "tiny-moe-vision"


@pytest.fixture(autouse=True)
def _no_user_hub(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No token or hub setting of the user's leaks into the tests."""
    for name in ("HF_ENDPOINT", "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "LOOMWORK_MODEL_CATALOG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))


@pytest.fixture
def hub() -> Iterator[tuple[str, HubState]]:
    repos = {f"loomwork/{name}": PACKS / name for name in ("tiny-moe-vision", "tiny-moe-text")}
    with serve_hub(repos) as served:
        yield served


@pytest.fixture
def store(tmp_path: Path) -> ModelStore:
    return ModelStore(data_paths(tmp_path / "home"))


def lfs_gets(state: HubState, name: str) -> list[str | None]:
    """The Range headers of the body requests for one pack file (served from the CDN stand-in)."""
    sha = json.loads((PACKS / VISION_ID / "loomwork-pack.json").read_text())["files"][name]["sha256"]
    return [rng for method, path, rng in state.requests if method == "GET" and path == f"/lfs/{sha}"]


def test_pull_installs_a_verified_pack_that_generates(hub: tuple[str, HubState], store: ModelStore) -> None:
    endpoint, state = hub
    seen: list[PullProgress] = []
    pack = pull(VISION_ID, store, endpoint=endpoint, on_progress=seen.append)
    assert pack.id == VISION_ID and [p.id for p in store.packs()] == [VISION_ID]
    assert not (store.root / ".downloads").exists()  # the staging folder moved into place
    assert seen[0].stage == "manifest" and seen[-1].stage == "done"
    assert seen[-1].bytes_done == seen[-1].bytes_total > 900_000 and seen[-1].files_done == 10
    assert any(p.stage == "download" and 0 < p.file_bytes < p.file_total for p in seen)  # per chunk
    assert state.requests[0][1].endswith("/resolve/main/loomwork-pack.json")  # the manifest first
    assert lfs_gets(state, "vision.onnx") == [None]  # large files came through the "CDN" redirect
    result = asyncio.run(ModelService(store, idle_unload_s=0).generate(
        GenerationRequest(messages=[{"role": "user", "content": "Hello"}], max_tokens=4)))
    assert result.model == VISION_ID and result.tokens_out >= 1
    with pytest.raises(Exception, match="already installed"):
        pull(VISION_ID, store, endpoint=endpoint)


def test_a_dropped_connection_resumes_with_a_range_request(hub: tuple[str, HubState],
                                                           store: ModelStore) -> None:
    endpoint, state = hub
    state.drop_once.add("model.onnx.data")
    pull(VISION_ID, store, endpoint=endpoint)
    ranges = lfs_gets(state, "model.onnx.data")
    assert ranges[0] is None and len(ranges) == 2
    assert ranges[1] == f"bytes={180176 // 2}-"  # the second attempt asked only for the rest
    assert store.get(VISION_ID).folder.is_dir()


def test_a_cancelled_pull_keeps_its_part_and_the_next_pull_resumes(hub: tuple[str, HubState],
                                                                   store: ModelStore) -> None:
    endpoint, state = hub
    cancel = threading.Event()

    def stop_mid_file(progress: PullProgress) -> None:
        if progress.file == "vision.onnx" and progress.file_bytes > 0:
            cancel.set()

    state.drop_once.add("vision.onnx")  # the first transfer also drops: at most half arrives
    with pytest.raises(DownloadCancelled, match="pull again to resume"):
        pull(VISION_ID, store, endpoint=endpoint, on_progress=stop_mid_file, cancel=cancel)
    assert store.packs() == []  # nothing half-installed
    part = store.root / ".downloads" / VISION_ID / "vision.onnx.part"
    kept = part.stat().st_size
    assert 0 < kept < 410304
    pull(VISION_ID, store, endpoint=endpoint)
    assert lfs_gets(state, "vision.onnx")[-1] == f"bytes={kept}-"
    assert lfs_gets(state, "model.onnx.data") == [None]  # whole files already there are not fetched again
    assert [p.id for p in store.packs()] == [VISION_ID]


def test_a_corrupted_file_fails_its_checksum_and_installs_nothing(hub: tuple[str, HubState],
                                                                  store: ModelStore) -> None:
    endpoint, state = hub
    state.corrupt.add("model.onnx.data")
    with pytest.raises(DownloadError, match=r"model\.onnx\.data failed its checksum"):
        pull(VISION_ID, store, endpoint=endpoint)
    assert store.packs() == [] and not (store.root / VISION_ID).exists()
    state.corrupt.clear()  # the hub is fixed: the next pull fetches that file again and installs
    pull(VISION_ID, store, endpoint=endpoint)
    assert store.get(VISION_ID).folder.is_dir()


@pytest.fixture
def published(tmp_path: Path) -> Iterator[tuple[str, HubState, Catalog]]:
    """A repository laid out like the ONNX Runtime team's: a pack folder in a subfolder, in
    onnxruntime-genai format but without a loomwork-pack.json; a catalog entry that describes it."""
    repo = tmp_path / "published"
    shutil.copytree(PACKS / "tiny-moe-text", repo / "cpu" / "int4")
    (repo / "cpu" / "int4" / "loomwork-pack.json").unlink()
    (repo / "README.md").write_text("# a model card\n")
    (repo / ".gitattributes").write_text("*.data filter=lfs\n")
    entry = load_catalog().get("tiny-moe-text").model_copy(update={
        "id": "tiny-listed", "name": "Tiny, published without a manifest", "repo": "onnx-team/tiny",
        "path": "cpu/int4", "manifest": "listing", "family": "qwen3_5_moe", "experts": 4,
        "active_experts": 2, "memory_bytes": None})
    with serve_hub({"onnx-team/tiny": repo}) as (endpoint, state):
        yield endpoint, state, Catalog(entries=[entry])


def test_a_folder_published_without_a_manifest_is_pulled_from_the_hub_listing(
        published: tuple[str, HubState, Catalog], store: ModelStore) -> None:
    endpoint, state, catalog = published
    pack = pull("tiny-listed", store, endpoint=endpoint, catalog=catalog)
    assert any("/api/models/onnx-team/tiny/tree/main/cpu/int4" in path for _, path, _ in state.requests)
    manifest = pack.manifest
    original = json.loads((PACKS / "tiny-moe-text" / "loomwork-pack.json").read_text())
    assert {n: f.sha256 for n, f in manifest.files.items()} == {
        n: f["sha256"] for n, f in original["files"].items()}  # every file, its sha256 written down
    assert (manifest.family, manifest.moe, manifest.experts, manifest.quantization) == (
        "qwen3_5_moe", True, 4, "int4")
    assert manifest.memory.needed_bytes >= manifest.size_bytes > 400_000  # estimated from the weights
    assert verify_pack(pack.folder) == []
    result = asyncio.run(ModelService(store, idle_unload_s=0).generate(
        GenerationRequest(messages=[{"role": "user", "content": "Hello"}], max_tokens=4)))
    assert result.model == "tiny-listed" and result.tokens_out >= 1


@pytest.mark.parametrize("spoiled", ["cpu/int4/genai_config.json", "cpu/int4/model.onnx.data"])
def test_a_listed_file_that_arrives_changed_fails_its_check(published: tuple[str, HubState, Catalog],
                                                            store: ModelStore, spoiled: str) -> None:
    endpoint, state, catalog = published
    state.corrupt.add(spoiled)  # small files are checked by git blob id, large ones by sha256
    kind = "git blob id" if spoiled.endswith(".json") else "sha256"
    with pytest.raises(DownloadError, match=rf"{Path(spoiled).name} failed its checksum \({kind} does not "
                                            r"match the hub's listing\)"):
        pull("tiny-listed", store, endpoint=endpoint, catalog=catalog)
    assert store.packs() == []


@pytest.mark.parametrize("evil", ["../../outside.txt", "/etc/passwd", "a\\..\\b", "c:/x"])
def test_a_listing_that_points_outside_the_pack_is_refused(published: tuple[str, HubState, Catalog],
                                                          store: ModelStore, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch, evil: str) -> None:
    from models._hub import ListedFile, list_files

    endpoint, _state, catalog = published

    def poisoned(*args, **kwargs):
        return [*list_files(*args, **kwargs), ListedFile(evil, 5, None, "0" * 40)]

    monkeypatch.setattr("models.download.list_files", poisoned)
    with pytest.raises(DownloadError, match="would land outside the pack folder"):
        pull("tiny-listed", store, endpoint=endpoint, catalog=catalog)
    assert not (store.root.parent / "outside.txt").exists() and store.packs() == []


def test_a_listed_folder_that_is_not_a_genai_folder_is_refused(published: tuple[str, HubState, Catalog],
                                                               store: ModelStore) -> None:
    endpoint, _state, catalog = published
    wrong = Catalog(entries=[catalog.entries[0].model_copy(update={"path": "cpu"})])
    with pytest.raises(DownloadError, match=r"onnx-team/tiny/cpu@main has no genai_config\.json"):
        pull("tiny-listed", store, endpoint=endpoint, catalog=wrong)
    gone = Catalog(entries=[catalog.entries[0].model_copy(update={"path": "cuda/int4"})])
    with pytest.raises(DownloadError, match=r"has no folder 'cuda/int4'"):
        pull("tiny-listed", store, endpoint=endpoint, catalog=gone)


def test_not_enough_disk_space_is_a_clear_error(hub: tuple[str, HubState], store: ModelStore,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr("models.download.shutil.disk_usage", lambda path: usage(10**9, 10**9 - 5000, 5000))
    with pytest.raises(DownloadError, match=r"not enough disk space for tiny-moe-vision: it needs 0\.9 MB "
                                            r"more but only 0\.0 MB is free"):
        pull(VISION_ID, store, endpoint=hub[0])
    assert store.packs() == []
    assert [m for m, path, _ in hub[1].requests if "/lfs/" in path] == []  # checked before any file


def test_unknown_and_unpullable_ids_say_what_to_do(store: ModelStore) -> None:
    with pytest.raises(CatalogError, match=r"no model 'nope' in the catalog.*loomwork models catalog"):
        pull("nope", store, endpoint="http://127.0.0.1:9")
    entry = load_catalog().get("tiny-moe-text").model_copy(update={
        "pullable": False, "unpullable_reason": "its licence needs a signed agreement"})
    with pytest.raises(DownloadError, match="cannot be pulled: its licence needs a signed agreement"):
        pull(entry.id, store, endpoint="http://127.0.0.1:9", catalog=Catalog(entries=[entry]))


def test_an_unreachable_or_wrong_hub_is_a_clear_error(hub: tuple[str, HubState], store: ModelStore) -> None:
    with pytest.raises(DownloadError, match=r"cannot reach http://127\.0\.0\.1:9"):
        pull(VISION_ID, store, endpoint="http://127.0.0.1:9")
    catalog = load_catalog()
    entry = catalog.get(VISION_ID)
    moved = catalog.model_copy(update={"entries": [entry.model_copy(update={"repo": "loomwork/gone"})]})
    with pytest.raises(DownloadError, match="repository loomwork/gone was not found"):
        pull(VISION_ID, store, endpoint=hub[0], catalog=moved)


def test_the_endpoint_comes_from_flag_env_or_settings(store: ModelStore,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    assert hub_endpoint(store) == "https://huggingface.co"
    store.root.mkdir(parents=True, exist_ok=True)
    (store.root / "settings.json").write_text(json.dumps({"hub_endpoint": "http://mirror.local/"}))
    assert hub_endpoint(store) == "http://mirror.local"
    monkeypatch.setenv("HF_ENDPOINT", "http://env.local")
    assert hub_endpoint(store) == "http://env.local"
    assert hub_endpoint(store, "http://flag.local") == "http://flag.local"


def test_the_catalog_recommends_by_memory_and_holds_no_invented_packs() -> None:
    catalog = load_catalog()
    tests = [e for e in catalog.entries if e.tier == "test"]
    assert {e.id for e in tests} == {"tiny-moe-vision", "tiny-moe-text"}
    for entry in tests:  # the test entries match the committed packs
        manifest = json.loads((PACKS / entry.id / "loomwork-pack.json").read_text())
        assert entry.memory_bytes == manifest["memory"]["needed_bytes"]
        assert entry.repo == f"loomwork/{entry.id}"
    assert catalog.recommend(10**6, {"cpu"}) is None  # test packs are never recommended for real work
    assert "no catalog pack runs on this machine's hardware" in catalog.recommendation_text(64_000, {"cpu"})
    assert catalog.recommend(64_000, {"cpu", "cuda"}).id == "gpt-oss-20b-cuda-int4"
    assert catalog.recommend(2_000, {"cpu", "cuda"}) is None  # 16 GB is not recommended on a 2 GB machine
    real = catalog.model_copy(update={"entries": [
        tests[0].model_copy(update={"id": "big", "tier": "workstation", "memory_bytes": 40 * 2**30}),
        tests[1].model_copy(update={"id": "small", "tier": "laptop", "memory_bytes": 6 * 2**30})]})
    assert real.recommend(64_000).id == "big" and real.recommend(16_000).id == "small"
    assert real.recommend(4_000) is None and real.recommend(None).id == "big"
    gpu_only = real.model_copy(update={"entries": [e.model_copy(update={"providers": ["cuda"]})
                                                   for e in real.entries]})
    assert gpu_only.recommend(64_000, {"cpu"}) is None
    assert gpu_only.recommend(64_000, {"cpu", "cuda"}).id == "big"
    assert "no catalog pack runs on this machine's hardware" in gpu_only.recommendation_text(64_000, {"cpu"})


def loomwork(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("HF_ENDPOINT", "HF_TOKEN")}
    return subprocess.run([sys.executable, "-m", "runtime.cli.main", "models", *args], capture_output=True,
                          text=True, cwd=ROOT, env={**env, "LOOMWORK_HOME": str(home)}, timeout=60)


def test_cli_catalog_and_pull(hub: tuple[str, HubState], tmp_path: Path) -> None:
    home = tmp_path / "cli-home"
    shown = loomwork("catalog", "--json", home=home)
    assert shown.returncode == 0, shown.stderr
    report = json.loads(shown.stdout)
    if "cuda" in report["providers"]:  # the only real pack in the catalog needs an NVIDIA GPU
        assert report["recommended"] == "gpt-oss-20b-cuda-int4"
    else:
        assert report["recommended"] is None
        assert "no catalog pack runs on this machine's hardware" in report["recommendation"]
    assert {e["id"]: e["installed"] for e in report["entries"]}["tiny-moe-text"] is False
    pulled = loomwork("pull", "tiny-moe-text", "--endpoint", hub[0], home=home)
    assert pulled.returncode == 0, pulled.stderr
    assert "installed tiny-moe-text" in pulled.stdout
    report = json.loads(loomwork("catalog", "--json", home=home).stdout)
    assert {e["id"]: e["installed"] for e in report["entries"]}["tiny-moe-text"] is True
    text = loomwork("catalog", home=home)
    assert "tiny-moe-text" in text.stdout and "installed" in text.stdout
    assert "onnxruntime/gpt-oss-20b-onnx/cuda/cuda-int4-kquant-block-32-mixed@main" in text.stdout
    unknown = loomwork("pull", "nope", "--endpoint", hub[0], home=home)
    assert unknown.returncode == 2 and "loomwork models catalog" in unknown.stderr
    again = loomwork("pull", "tiny-moe-text", "--endpoint", hub[0], home=home)
    assert again.returncode == 2 and "already installed" in again.stderr
