"""Model roofline: how close decoding comes to the memory-bandwidth limit, for any pack.

For an installed pack (id) or a pack folder, on a provider (cpu here; cuda with
onnxruntime-genai-cuda on a GPU machine, unchanged):
  - prefill tok/s (a prompt of `--prompt-tokens`), time to first token, decode tok/s;
  - bytes of weights one decoded token reads: the decoder's initializers, for a MoE only the
    active experts (QMoE expert tensors × k / experts), and one row of an embedding table that
    is only gathered;
  - copy bandwidth measured in the same run (numpy copy of a 512 MiB buffer on the CPU; a torch
    copy on the GPU when the provider is cuda and torch sees one), counted as read + write;
  - decode as a fraction of the roofline (bandwidth ÷ active bytes per token).
The baseline is the bandwidth measured now, so the fraction compares like with like.

Run: .venv/bin/python bench/model_roofline.py [PACK] [--provider cpu|cuda|dml] [--prompt-tokens 256]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from models.manifest import PackManifest, load_manifest
from models.store import ModelStore
from runtime.api import data_paths

DEFAULT_PACK = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "models" / "tiny-moe-text"
MOE_WEIGHT_INPUTS = range(2, 8)  # QMoE: fc1/fc2 (and fc3) weights, scales, biases — one slice per expert


def find_pack(spec: str) -> tuple[Path, PackManifest]:
    folder = Path(spec)
    if folder.is_dir():
        return folder, load_manifest(folder)
    pack = ModelStore(data_paths()).get(spec)
    return pack.folder, pack.manifest


def active_weight_bytes(folder: Path, manifest: PackManifest) -> tuple[int, int, str]:
    """(bytes read per decoded token, all decoder weight bytes, how it was counted)."""
    config = json.loads((folder / "genai_config.json").read_text(encoding="utf-8"))
    decoder = folder / config["model"]["decoder"]["filename"]
    try:
        import onnx
        from onnx.helper import tensor_dtype_to_np_dtype
    except ImportError:
        files = [p for p in folder.iterdir() if p.name.startswith(decoder.name)]
        total = sum(p.stat().st_size for p in files)
        scale = (manifest.active_experts or 1) / (manifest.experts or 1) if manifest.moe else 1.0
        return int(total * scale), total, "file sizes × active/experts (onnx not installed: rough)"
    graph = onnx.load(str(decoder), load_external_data=False).graph
    sizes = {}
    rows = {}
    for tensor in graph.initializer:
        count = 1
        for dim in tensor.dims:
            count *= dim
        sizes[tensor.name] = count * tensor_dtype_to_np_dtype(tensor.data_type).itemsize
        rows[tensor.name] = tensor.dims[0] if tensor.dims else 1
    share = dict.fromkeys(sizes, 0.0)
    for node in graph.node:
        fraction = 1.0
        if node.op_type == "QMoE":
            k = next((a.i for a in node.attribute if a.name == "k"), 1)
        for index, name in enumerate(node.input):
            if name not in sizes:
                continue
            if node.op_type == "QMoE" and index in MOE_WEIGHT_INPUTS:
                fraction = min(1.0, k / max(rows[name], 1))
            elif node.op_type == "Gather" and index == 0:
                fraction = 1 / max(rows[name], 1)  # one row per token
            else:
                fraction = 1.0
            share[name] = max(share[name], fraction)
    active = sum(int(sizes[name] * part) for name, part in share.items())
    return active, sum(sizes.values()), "decoder initializers; MoE experts × k/experts; gathered rows"


def copy_bandwidth(provider: str, mib: int = 512) -> tuple[float, str]:
    """Bytes per second moved by a large copy (read + write), best of 5."""
    if provider == "cuda":
        try:
            import torch

            if torch.cuda.is_available():
                src = torch.empty(mib << 20, dtype=torch.uint8, device="cuda")
                dst = torch.empty_like(src)
                dst.copy_(src)
                best = float("inf")
                for _ in range(5):
                    torch.cuda.synchronize()
                    started = time.perf_counter()
                    dst.copy_(src)
                    torch.cuda.synchronize()
                    best = min(best, time.perf_counter() - started)
                return 2 * src.numel() / best, "GPU copy (torch)"
        except ImportError:
            pass
    import numpy as np

    src = np.ones(mib << 20, dtype=np.uint8)
    dst = np.empty_like(src)
    np.copyto(dst, src)
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        np.copyto(dst, src)
        best = min(best, time.perf_counter() - started)
    return 2 * src.nbytes / best, "host copy (numpy)" + (" — no torch GPU copy" if provider != "cpu" else "")


def measure(folder: Path, provider: str, prompt_tokens: int, new_tokens: int, runs: int) -> dict[str, float]:
    import onnxruntime_genai as og

    config = og.Config(str(folder))
    config.clear_providers()
    if provider != "cpu":
        config.append_provider(provider)
    model = og.Model(config)
    tokenizer = og.Tokenizer(model)
    words = " ".join(["invoice total supplier order"] * prompt_tokens)
    tokens = tokenizer.encode(words)[:prompt_tokens]
    best = {"prefill": float("inf"), "ttft": float("inf"), "decode": float("inf")}
    for _ in range(runs + 1):  # the first run warms up
        params = og.GeneratorParams(model)
        params.set_search_options(max_length=len(tokens) + new_tokens, do_sample=False)
        generator = og.Generator(model, params)
        started = time.perf_counter()
        generator.append_tokens(tokens)
        prefilled = time.perf_counter()
        generator.generate_next_token()
        generator.get_next_tokens()
        first = time.perf_counter()
        produced = 1
        while produced < new_tokens and not generator.is_done():
            generator.generate_next_token()
            generator.get_next_tokens()
            produced += 1
        ended = time.perf_counter()
        best["prefill"] = min(best["prefill"], prefilled - started)
        best["ttft"] = min(best["ttft"], first - started)
        if produced > 1:
            best["decode"] = min(best["decode"], (ended - first) / (produced - 1))
        del generator
    return {"prompt_tokens": len(tokens), "prefill_tok_s": len(tokens) / best["prefill"],
            "ttft_ms": best["ttft"] * 1000, "decode_tok_s": 1 / best["decode"]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pack", nargs="?", default=str(DEFAULT_PACK), help="installed pack id or pack folder")
    parser.add_argument("--provider", default="cpu")
    parser.add_argument("--prompt-tokens", type=int, default=256)
    parser.add_argument("--new-tokens", type=int, default=64)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    folder, manifest = find_pack(args.pack)
    limit = (manifest.context_length or 4096) - args.new_tokens
    bandwidth, how = copy_bandwidth(args.provider)
    active, total, counted = active_weight_bytes(folder, manifest)
    result = measure(folder, args.provider, min(args.prompt_tokens, limit), args.new_tokens, args.runs)
    roofline = bandwidth / active
    kind = f"{'MoE ' if manifest.moe else ''}{manifest.quantization}".strip()
    rows = [("pack", f"{manifest.id} ({kind}) on {args.provider}"),
            ("prefill", f"{result['prefill_tok_s']:,.0f} tok/s ({result['prompt_tokens']} prompt tokens)"),
            ("time to first token", f"{result['ttft_ms']:,.2f} ms"),
            ("decode", f"{result['decode_tok_s']:,.1f} tok/s"),
            ("weights (decoder)", f"{total / 1e6:,.2f} MB; active per token {active / 1e6:,.3f} MB"),
            ("", f"({counted})"),
            ("copy bandwidth", f"{bandwidth / 1e9:,.1f} GB/s ({how})"),
            ("roofline decode", f"{roofline:,.0f} tok/s (bandwidth ÷ active bytes)"),
            ("decode / roofline", f"{result['decode_tok_s'] / roofline:.1%}")]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"  {name:<{width}}  {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
