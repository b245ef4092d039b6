"""The Loomwork manifest (``loomwork-pack.json``) written beside each generated pack."""

from __future__ import annotations

import hashlib
from importlib import metadata
from pathlib import Path

from models.testpacks import checkpoint
from models.testpacks.tokenizer import write_json

MANIFEST = "loomwork-pack.json"
MANIFEST_VERSION = 1
# ONNX Runtime's arenas, the tokenizer and the Python objects around one loaded model.
RUNTIME_OVERHEAD_BYTES = 64 * 1024 * 1024
BUILT_WITH = ("onnxruntime-genai", "onnxruntime", "torch", "transformers", "tokenizers", "onnx", "onnxscript")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def write(out_dir: Path, *, pack_id: str, name: str, modalities: list[str], genai_config: dict) -> dict:
    """Hash every file of the pack and write the manifest; returns it."""
    paths = [p for p in sorted(out_dir.rglob("*")) if p.is_file() and p.name != MANIFEST]
    sizes = {p.relative_to(out_dir).as_posix(): p.stat().st_size for p in paths}
    files = {rel: {"sha256": _sha256(p), "size_bytes": sizes[rel]}
             for p in paths if (rel := p.relative_to(out_dir).as_posix())}  # (`name` is the pack's)
    size = sum(sizes.values())
    weights = sum(n for name, n in sizes.items() if name.endswith((".onnx", ".onnx.data")))
    model = genai_config["model"]
    decoder = model["decoder"]
    full_attention_layers = 1  # layer_types = [linear_attention, full_attention]
    kv_bytes = (2 * full_attention_layers * decoder["num_key_value_heads"] * decoder["head_size"]
                * model["context_length"] * 4)
    needed = weights + kv_bytes + RUNTIME_OVERHEAD_BYTES
    # The schema is models.manifest.PackManifest (it ignores the extra keys written here).
    manifest = {
        "manifest_version": MANIFEST_VERSION,
        "id": pack_id,
        "name": name,
        "family": "qwen3_5_moe",
        "architecture": "Qwen3_5MoeForConditionalGeneration",
        "genai_model_type": model["type"],
        "format": "onnxruntime-genai",
        "modalities": modalities,
        "moe": True,
        "experts": checkpoint.EXPERTS,
        "active_experts": checkpoint.ACTIVE_EXPERTS,
        "shared_expert": True,
        "parameters": {"hidden_size": decoder["hidden_size"], "layers": decoder["num_hidden_layers"],
                       "vocab_size": model["vocab_size"]},
        "quantization": "int4",
        "context_length": model["context_length"],
        "licence": "Apache-2.0, random weights, test only",
        "size_bytes": size,
        "description": "Random weights for tests: real graphs and tokenizer, meaningless output.",
        "memory": {
            "needed_bytes": needed,
            "weights_bytes": weights,
            "kv_cache_bytes": kv_bytes,
            "overhead_bytes": RUNTIME_OVERHEAD_BYTES,
            "note": "estimate: weights + KV cache at context_length + runtime overhead",
        },
        "providers": ["cpu"],
        "built_with": {dist: v for dist in BUILT_WITH if (v := _version(dist))},
        "build": {"script": "python -m models.testpacks.build", "seed": checkpoint.SEED},
        "files": files,
    }
    write_json(out_dir / MANIFEST, manifest)
    return manifest
