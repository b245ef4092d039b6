"""Converting a Hugging Face checkpoint into a model pack with onnxruntime-genai's model builder.

`convert()` runs the builder (`python -m onnxruntime_genai.models.builder`) on a checkpoint folder
(config.json + safetensors + tokenizer) or a hub model id, for one provider and precision (int4
or fp32 for the CPU; int4 or fp16 for GPUs), in a staging folder under the store. It then
fixes what onnxruntime-genai cannot read (transformers 5 names the Qwen3.5 tokenizer class
`Qwen3_5Tokenizer`), loads the result once to prove it works (model, tokenizer, a prompt
through the chat template), writes the Loomwork manifest (family and mixture-of-experts
from the checkpoint's config and the graph's operators, sha256 of every file, a memory
estimate) and installs it in one rename.

The builder needs the `models-build` extra (torch, transformers, onnx, onnx_ir, onnxscript);
without it the error says how to install it. The builder's own output goes to a log next to
the staging folder and, line by line, to `on_line`.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

from models.manifest import MANIFEST_NAME, PackError, file_sha256
from models.store import InstalledPack, ModelStore

__all__ = ["BUILDER_MODULES", "ConvertError", "Precision", "Provider", "convert", "pack_manifest"]

Precision = Literal["int4", "fp16", "fp32"]
Provider = Literal["cpu", "cuda", "dml", "webgpu"]
BUILDER_MODULES = ("torch", "transformers", "onnx", "onnx_ir", "onnxscript")
_GPU_PRECISIONS = ("int4", "fp16", "fp32")
_PRECISIONS: dict[str, tuple[str, ...]] = {"cpu": ("int4", "fp32"), "cuda": _GPU_PRECISIONS,
                                           "dml": _GPU_PRECISIONS, "webgpu": _GPU_PRECISIONS}
_TOKENIZER_CLASSES = {"Qwen3_5Tokenizer": "Qwen2Tokenizer"}
"""Tokenizer classes transformers writes that onnxruntime-genai does not know → the one it reads."""
_RUNTIME_OVERHEAD_BYTES = 256 * 1024 * 1024
_CONVERTING = ".converting"


class ConvertError(Exception):
    """A conversion that could not be done, with a message that says why and what to do."""


def _missing_modules() -> list[str]:
    return [name for name in BUILDER_MODULES if importlib.util.find_spec(name) is None]


def convert(source: str, store: ModelStore, *, pack_id: str, name: str = "", precision: Precision = "int4",
            provider: Provider = "cpu", extra_options: dict[str, str] | None = None,
            on_line: Callable[[str], None] | None = None, cancel: threading.Event | None = None,
            replace: bool = False) -> InstalledPack:
    """Build a pack from `source` (a checkpoint folder or a hub model id) and install it as `pack_id`."""
    if precision not in _PRECISIONS[provider]:
        raise ConvertError(f"the builder makes {' or '.join(_PRECISIONS[provider])} models for {provider}, "
                           f"not {precision}")
    missing = _missing_modules()
    if missing:
        raise ConvertError(f"converting needs the model builder's libraries ({', '.join(missing)} missing): "
                           "install them with  .venv/bin/pip install -e '.[models-build]'")
    _check_provider(provider)
    target = store.root / pack_id
    if target.exists() and not replace:
        raise PackError(f"a model '{pack_id}' is already installed; remove it first "
                        f"(loomwork models remove {pack_id}) or convert with --replace")
    folder = Path(source).expanduser()
    local = folder.is_dir()
    if local and not (folder / "config.json").is_file():
        raise ConvertError(f"{folder} is not a Hugging Face checkpoint: it has no config.json")
    work = store.root / _CONVERTING / pack_id
    shutil.rmtree(work, ignore_errors=True)
    out = work / "pack"
    out.mkdir(parents=True)
    log = work.parent / f"{pack_id}.log"
    command = [sys.executable, "-m", "onnxruntime_genai.models.builder",
               "-i" if local else "-m", str(folder.resolve()) if local else source,
               "-o", str(out), "-p", precision, "-e", provider, "-c", str(work / "cache")]
    if extra_options:
        command += ["--extra_options", *(f"{k}={v}" for k, v in extra_options.items())]
    try:
        _run_builder(command, log, on_line, cancel)
        checkpoint_config = _checkpoint_config(folder if local else work / "cache", source)
        _fix_tokenizer(out)
        _stop_if_cancelled(cancel)
        _smoke_test(out, provider)
        manifest = pack_manifest(out, pack_id=pack_id, name=name or f"{source} ({precision}, {provider})",
                                 precision=precision, provider=provider, checkpoint=checkpoint_config,
                                 source=source)
        (out / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        _stop_if_cancelled(cancel)
        installed = store.add_folder(out, replace=replace, move=True)  # same disk: a rename
    finally:  # the download cache and a half-built pack can be many GB: never left behind
        shutil.rmtree(work, ignore_errors=True)
    log.unlink(missing_ok=True)  # kept only when a conversion fails
    with contextlib.suppress(OSError):
        work.parent.rmdir()
    return installed


def _stop_if_cancelled(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise ConvertError("the conversion was cancelled; nothing was installed")


def _check_provider(provider: str) -> None:
    """A pack for a provider this installation cannot use would fail its load test after the whole
    build: say so before building."""
    if provider == "cpu":
        return
    from models.providers import provider_statuses

    status = next((s for s in provider_statuses() if s.name == provider), None)
    if status is not None and not status.usable:
        raise ConvertError(f"{status.label} is not usable here ({status.reason}); convert for it on a "
                           "machine that has it, or choose --provider cpu")


def _run_builder(command: list[str], log: Path, on_line: Callable[[str], None] | None,
                 cancel: threading.Event | None) -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with log.open("w", encoding="utf-8") as record, subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
            errors="replace") as process:
        watcher = None
        if cancel is not None:
            def stop_when_cancelled() -> None:
                while process.poll() is None:
                    if cancel.wait(0.2):
                        process.terminate()
                        return

            watcher = threading.Thread(target=stop_when_cancelled, daemon=True)
            watcher.start()
        assert process.stdout is not None
        for line in process.stdout:
            record.write(line)
            if on_line is not None:
                on_line(line.rstrip("\n"))
        code = process.wait()
    if cancel is not None and cancel.is_set():
        raise ConvertError("the conversion was cancelled; nothing was installed")
    if code != 0:
        lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
        last = next((line for line in reversed(lines) if line.strip()), "no output")
        raise ConvertError(f"the onnxruntime-genai builder failed (exit {code}): {last} — the full log is "
                           f"{log}")


def _checkpoint_config(folder: Path, source: str) -> dict[str, Any]:
    """The checkpoint's config.json (for a hub id: the copy in the builder's download cache)."""
    found = folder / "config.json" if (folder / "config.json").is_file() else next(
        iter(sorted(folder.rglob("config.json"))), None)
    if found is None:
        return {}
    try:
        data = json.loads(found.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _fix_tokenizer(out: Path) -> None:
    path = out / "tokenizer_config.json"
    if not path.is_file():
        return
    data = json.loads(path.read_text(encoding="utf-8"))
    known = _TOKENIZER_CLASSES.get(data.get("tokenizer_class", ""))
    if known:
        data["tokenizer_class"] = known
        path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _smoke_test(out: Path, provider: str) -> None:
    """Load the new pack and tokenize a chat prompt: a pack that cannot is not installed."""
    import onnxruntime_genai as og

    from models.engine import model_config

    try:
        model = og.Model(model_config(og, out, provider))
        tokenizer = og.Tokenizer(model)
        messages = json.dumps([{"role": "user", "content": "Hello"}])
        try:
            prompt = tokenizer.apply_chat_template(messages, add_generation_prompt=True)
        except Exception:
            prompt = "Hello"
        if not len(tokenizer.encode(prompt)):
            raise ValueError("the tokenizer gave no tokens")
    except Exception as exc:
        raise ConvertError(f"the builder's output does not load in onnxruntime-genai on {provider} "
                           f"({str(exc).splitlines()[0] if str(exc) else type(exc).__name__}); nothing "
                           "was installed") from None


def _experts(config: dict[str, Any]) -> tuple[int | None, int | None]:
    text = config.get("text_config") if isinstance(config.get("text_config"), dict) else {}
    merged = {**config, **text}
    experts = next((merged[k] for k in ("num_experts", "num_local_experts", "n_routed_experts")
                    if isinstance(merged.get(k), int) and merged[k] > 1), None)
    active = merged.get("num_experts_per_tok") if experts else None
    return experts, active if isinstance(active, int) else None


def _graph_has_moe(out: Path) -> bool:
    try:
        import onnx
    except ImportError:  # only the builder's extra brings it
        return False

    for graph_file in out.glob("*.onnx"):
        model = onnx.load(str(graph_file), load_external_data=False)
        if any(node.op_type in ("MoE", "QMoE") for node in model.graph.node):
            return True
    return False


def pack_manifest(out: Path, *, pack_id: str, name: str, precision: str, provider: str,
                  checkpoint: dict[str, Any], source: str) -> dict[str, Any]:
    """The manifest of a builder's output folder (every file hashed; memory estimated)."""
    sizes = {p.relative_to(out).as_posix(): p.stat().st_size
             for p in sorted(out.rglob("*")) if p.is_file() and p.name != MANIFEST_NAME}
    genai = json.loads((out / "genai_config.json").read_text(encoding="utf-8"))
    model = genai.get("model", {})
    decoder = model.get("decoder", {})
    weights = sum(n for f, n in sizes.items() if f.endswith((".onnx", ".onnx.data", ".data")))
    context = int(model.get("context_length") or 0)
    cache_bytes = 2 if precision in ("fp16", "int4") and provider != "cpu" else 4
    kv = (2 * int(decoder.get("num_hidden_layers") or 0) * int(decoder.get("num_key_value_heads") or 0)
          * int(decoder.get("head_size") or 0) * min(context, 8192) * cache_bytes)
    experts, active = _experts(checkpoint)
    moe = experts is not None or _graph_has_moe(out)
    return {
        "manifest_version": 1, "format": "onnxruntime-genai", "id": pack_id, "name": name,
        "family": str(checkpoint.get("model_type") or model.get("type") or ""),
        "modalities": ["text", "image"] if "vision" in model else ["text"],
        "moe": moe, "experts": experts, "active_experts": active, "quantization": precision,
        "licence": "as the source model's licence", "size_bytes": sum(sizes.values()),
        "memory": {"needed_bytes": weights + kv + _RUNTIME_OVERHEAD_BYTES,
                   "note": "estimate: weights + KV cache at up to 8k tokens + runtime overhead"},
        "providers": [provider], "context_length": context or None,
        "built_with": {"source": source, **{dist: v for dist in ("onnxruntime-genai", "torch", "transformers")
                                            if (v := _version(dist))}},
        "description": f"Converted from {source} with the onnxruntime-genai model builder "
                       f"({precision}, {provider}).",
        "files": {f: {"sha256": file_sha256(out / f), "size_bytes": n} for f, n in sizes.items()},
    }


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None
