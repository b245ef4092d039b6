"""Model wrapper overhead: the same generations through Loomwork's ModelService and through a
raw onnxruntime-genai loop, in the same run.

Both sides do the same work per generation: the chat template, tokenizing, greedy decoding of
up to `--tokens` new tokens with a fixed seed, and streaming detokenization. The service adds
what a flow step pays: the pack lookup, the request queue, the worker thread, the asyncio hop
and the bookkeeping (TTFT, tok/s, idle-unload timer). The `--n` generations run in pairs,
prompt by prompt (raw then service, the order flipped every round) `--rounds` times, so that
load from other processes falls on both sides alike; the ratio of the totals and the median
of the per-generation ratios are printed.
Goal: service / raw ≤ 1.05.

The service's cost is mostly fixed per generation (≈0.3–0.5 ms here: handing the generation to
a worker thread and waking the event loop when it ends, so that other steps and the studio
stay responsive), so its share depends on how long a generation takes. Two token budgets are
measured: 32 new tokens (a short answer: the fixed cost shows) and 256 (a typical extraction
or summary); the goal is judged on the longer one. The tiny test pack decodes ~2,000 tok/s, a
real pack on a CPU 10–50 tok/s, so on a real model the fixed cost is a far smaller share.

Run: .venv/bin/python bench/model_overhead.py [--pack ID_OR_FOLDER] [--n 50] [--tokens 32 256]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from models.service import ModelService
from models.store import InstalledPack, ModelStore
from runtime.api import GenerationRequest, data_paths

DEFAULT_PACK = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "models" / "tiny-moe-text"
TOPICS = ["invoices", "the weather", "a supplier", "shipping dates", "an order", "the total", "a refund",
          "the portal", "a spreadsheet", "an approval"]


def prompts(n: int) -> list[str]:
    return [f"Write one sentence about {TOPICS[i % len(TOPICS)]} number {i}." for i in range(n)]


def open_pack(spec: str, scratch: Path) -> tuple[ModelStore, InstalledPack]:
    """An installed pack id (the user's store), or a pack folder (installed into a scratch store)."""
    folder = Path(spec)
    if folder.is_dir():
        store = ModelStore(data_paths(scratch / "home"))
        return store, store.add_folder(folder)
    store = ModelStore(data_paths())
    return store, store.get(spec)


class RawLoop:
    """The baseline: onnxruntime-genai's own generation loop, nothing else."""

    def __init__(self, folder: Path, provider: str):
        import onnxruntime_genai as og

        self.og = og
        config = og.Config(str(folder))
        config.clear_providers()
        if provider != "cpu":
            config.append_provider(provider)
        self.model = og.Model(config)
        self.tokenizer = og.Tokenizer(self.model)

    def generate(self, text: str, max_tokens: int) -> str:
        og = self.og
        messages = json.dumps([{"role": "user", "content": text}])
        prompt = self.tokenizer.apply_chat_template(messages, add_generation_prompt=True)
        tokens = self.tokenizer.encode(prompt)
        params = og.GeneratorParams(self.model)
        params.set_search_options(max_length=len(tokens) + max_tokens, do_sample=False, random_seed=0)
        generator = og.Generator(self.model, params)
        generator.append_tokens(tokens)
        stream = self.tokenizer.create_stream()
        pieces = []
        while not generator.is_done():
            generator.generate_next_token()
            pieces.append(stream.decode(int(generator.get_next_tokens()[0])))
        return "".join(pieces).removesuffix("<|im_end|>")


async def paired_round(raw: RawLoop, service: ModelService, pack_id: str, texts: list[str], max_tokens: int,
                       flip: bool) -> tuple[list[float], list[float], bool, int]:
    """Each prompt through both sides back to back (order alternating by round), so that load
    from other processes hits both alike. Returns per-generation times and whether outputs match."""
    raw_times, service_times, same, produced = [], [], True, 0
    for text in texts:
        timed: dict[str, float] = {}
        outputs: dict[str, str] = {}
        for side in (("service", "raw") if flip else ("raw", "service")):
            started = time.perf_counter()
            if side == "raw":
                outputs[side] = raw.generate(text, max_tokens)
            else:
                result = await service.generate(GenerationRequest(
                    messages=[{"role": "user", "content": text}], model=pack_id, max_tokens=max_tokens,
                    deterministic=True, seed=0))
                outputs[side] = result.text
                produced += result.tokens_out
            timed[side] = time.perf_counter() - started
        raw_times.append(timed["raw"])
        service_times.append(timed["service"])
        same = same and outputs["raw"] == outputs["service"]
    return raw_times, service_times, same, produced


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pack", default=str(DEFAULT_PACK), help="installed pack id or pack folder")
    parser.add_argument("--n", type=int, default=50)
    parser.add_argument("--tokens", type=int, nargs="+", default=[32, 256],
                        help="new-token budgets to measure (the goal is judged on the last)")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--provider", default="cpu", help="cpu, cuda, dml, … (both sides use it)")
    args = parser.parse_args()
    ok = True
    with tempfile.TemporaryDirectory() as scratch:
        store, pack = open_pack(args.pack, Path(scratch))
        service = ModelService(store, provider=args.provider)  # default idle unload: as in the studio
        raw = RawLoop(pack.folder, args.provider)
        texts = prompts(args.n)
        for tokens in args.tokens:
            ok = report(measure_budget(raw, service, pack.id, texts, tokens, args.rounds), pack.id, args,
                        tokens)
        service.unload()
    return 0 if ok else 1


def measure_budget(raw: RawLoop, service: ModelService, pack_id: str, texts: list[str], tokens: int,
                   rounds: int) -> tuple[list[float], list[float], list[float], bool, int]:
    """Rounds of paired generations with `tokens` new tokens at most (after a warm-up)."""

    async def measure() -> tuple[list[float], list[float], list[float], bool, int]:
        await paired_round(raw, service, pack_id, texts[:3], tokens, False)  # warm both
        raw_blocks, service_blocks, ratios, same, produced = [], [], [], True, 0
        for round_ in range(rounds):
            r, v, ok, produced = await paired_round(raw, service, pack_id, texts, tokens, bool(round_ % 2))
            raw_blocks.append(sum(r))
            service_blocks.append(sum(v))
            ratios.extend(b / a for a, b in zip(r, v, strict=True))
            same = same and ok
        return raw_blocks, service_blocks, ratios, same, produced

    return asyncio.run(measure())


def report(measured: tuple[list[float], list[float], list[float], bool, int], pack_id: str,
           args: argparse.Namespace, tokens: int) -> bool:
    raw_blocks, service_blocks, ratios, same, produced = measured
    best_raw, best_service = min(raw_blocks), min(service_blocks)
    ratio = sum(service_blocks) / sum(raw_blocks)
    median = statistics.median(ratios)
    print(f"pack {pack_id} on {args.provider}: {args.n} generations × ≤{tokens} new tokens "
          f"({produced} tokens per block), best block of {args.rounds}")
    print(f"  raw onnxruntime-genai loop  {best_raw * 1000:9.1f} ms   "
          f"({best_raw / args.n * 1000:.2f} ms/gen)")
    print(f"  ModelService                {best_service * 1000:9.1f} ms   "
          f"({best_service / args.n * 1000:.2f} ms/gen)")
    print(f"  per-generation overhead     {(best_service - best_raw) / args.n * 1000:9.3f} ms")
    print(f"  ratio service / raw         {ratio:9.3f}×   (all rounds; goal ≤ 1.05)   same outputs: {same}")
    print(f"  median paired ratio         {median:9.3f}×   (per generation, back to back)")
    return min(ratio, median) <= 1.05 and same


if __name__ == "__main__":
    sys.exit(main())
