"""Build the tiny test packs: ``python -m models.testpacks.build OUT_DIR [--which text|vision|all]``.

Writes ``OUT_DIR/tiny-moe-text`` and/or ``OUT_DIR/tiny-moe-vision``. Needs the
``models-build`` extra (``pip install -e '.[models-build]'``). Everything is seeded, so a
rebuild with the same library versions gives the same files (see README.md).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from models.testpacks import checkpoint, genai_files, manifest, tokenizer, vision


@dataclass(frozen=True)
class PackSpec:
    kind: str
    pack_id: str
    name: str
    modalities: tuple[str, ...]


PACKS = {
    "text": PackSpec("text", "tiny-moe-text", "Tiny Qwen3.5-MoE (text, random weights)", ("text",)),
    "vision": PackSpec("vision", "tiny-moe-vision", "Tiny Qwen3.5-MoE (text + image, random weights)",
                       ("text", "image")),
}


def run_builder(hf_dir: Path, out_dir: Path, cache_dir: Path, *, exclude_embeds: bool, log: Path) -> None:
    """onnxruntime-genai's model builder: int4 (QMoE + MatMulNBits) for the CPU provider."""
    command = [sys.executable, "-m", "onnxruntime_genai.models.builder", "-i", str(hf_dir),
               "-o", str(out_dir), "-p", "int4", "-e", "cpu", "-c", str(cache_dir)]
    if exclude_embeds:
        command += ["--extra_options", "exclude_embeds=true"]
    with log.open("w", encoding="utf-8") as handle:
        done = subprocess.run(command, stdout=handle, stderr=subprocess.STDOUT, check=False)
    if done.returncode != 0:
        tail = log.read_text(encoding="utf-8", errors="replace")[-4000:]
        raise SystemExit(f"the onnxruntime-genai builder failed ({done.returncode}); log {log}:\n{tail}")


def build_pack(spec: PackSpec, hf_dir: Path, ids: tokenizer.TokenIds, work: Path) -> Path:
    """Build one pack in ``work`` and return its folder."""
    out = work / spec.pack_id
    is_vision = spec.kind == "vision"
    run_builder(hf_dir, out, work / "cache", exclude_embeds=is_vision, log=work / f"{spec.pack_id}.log")
    genai_files.use_own_tokenizer(hf_dir, out)
    if is_vision:
        vision.export(hf_dir, out, ids.image_pad)
    config = genai_files.finish_config(out, ids, vision=is_vision)
    manifest.write(out, pack_id=spec.pack_id, name=spec.name, modalities=list(spec.modalities),
                   genai_config=config)
    return out


def build(out_root: Path, which: str = "all", keep_work: Path | None = None) -> list[Path]:
    kinds = ["text", "vision"] if which == "all" else [which]
    out_root.mkdir(parents=True, exist_ok=True)
    built = []
    with tempfile.TemporaryDirectory(prefix="loomwork-testpacks-") as tmp:
        work = Path(tmp)
        hf_dir = work / "hf"
        ids = tokenizer.train(hf_dir)
        checkpoint.write(hf_dir, ids)
        for kind in kinds:
            spec = PACKS[kind]
            staged = build_pack(spec, hf_dir, ids, work)
            target = out_root / spec.pack_id
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(staged, target)
            built.append(target)
        if keep_work is not None:
            shutil.copytree(work, keep_work, dirs_exist_ok=True)
    return built


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m models.testpacks.build",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path, help="folder that receives tiny-moe-text/ and tiny-moe-vision/")
    parser.add_argument("--which", choices=("text", "vision", "all"), default="all")
    parser.add_argument("--keep-work", type=Path, default=None,
                        help="also copy the work folder (HF checkpoint, builder logs) here")
    args = parser.parse_args(argv)
    for path in build(args.out_dir, args.which, args.keep_work):
        size = sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
        print(f"{path}  {size / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
