"""Finish what the builder leaves: genai_config.json fixes, the vision sections, processor_config.json."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from models.testpacks.checkpoint import VISION
from models.testpacks.tokenizer import TokenIds, write_json

# The builder writes transformers' own tokenizer files (tokenizer_class "Qwen3_5Tokenizer",
# which onnxruntime-genai rejects); ours replace them.
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
                   "chat_template.jinja")

# Images are resized ("smart resize": both sides multiples of patch * merge = 32 px, aspect
# kept) to between 64x64 and 128x128 pixels' worth of area: 4 to 16 image tokens per image.
MIN_PIXELS = 64 * 64
MAX_PIXELS = 128 * 128


def use_own_tokenizer(hf_dir: Path, out_dir: Path) -> None:
    for name in TOKENIZER_FILES:
        shutil.copyfile(hf_dir / name, out_dir / name)


def finish_config(out_dir: Path, ids: TokenIds, *, vision: bool) -> dict:
    """Rewrite genai_config.json: ids, greedy search defaults and, for vision, two more graphs."""
    path = out_dir / "genai_config.json"
    config = json.loads(path.read_text(encoding="utf-8"))
    model = config["model"]
    # The builder takes bos from the HF default (1 = <|im_start|>); Qwen uses <|endoftext|>.
    model["bos_token_id"] = ids.endoftext
    model["pad_token_id"] = ids.endoftext
    model["eos_token_id"] = [ids.im_end, ids.endoftext]
    search = config["search"]
    search.update({"do_sample": False, "top_k": 1, "top_p": 1.0, "temperature": 1.0,
                   "max_length": model["context_length"]})
    if vision:
        model["image_token_id"] = ids.image_pad
        model["video_token_id"] = ids.video_pad
        model["vision_start_token_id"] = ids.vision_start
        model["embedding"] = {
            "filename": "embedding.onnx",
            "inputs": {"input_ids": "input_ids", "image_features": "image_features"},
            "outputs": {"inputs_embeds": "inputs_embeds"},
        }
        model["vision"] = {
            "filename": "vision.onnx",
            "config_filename": "processor_config.json",
            "patch_size": VISION["patch_size"],
            "spatial_merge_size": VISION["spatial_merge_size"],
            "inputs": {"pixel_values": "pixel_values", "image_grid_thw": "image_grid_thw"},
            "outputs": {"image_features": "image_features"},
        }
        write_json(out_dir / "processor_config.json", processor_config())
    write_json(path, config)
    return config


def processor_config() -> dict:
    """onnxruntime-extensions image pipeline (Qwen3-VL style): decode, resize, normalise, patch."""
    patch, merge = VISION["patch_size"], VISION["spatial_merge_size"]

    def op(name: str, kind: str, **attrs: object) -> dict:
        operation: dict = {"name": name, "type": kind}
        if attrs:
            operation["attrs"] = attrs
        return {"operation": operation}

    return {"processor": {"name": "qwen3_vl_image_processor", "transforms": [
        op("decode_image", "DecodeImage", color_space="RGB"),
        op("convert_to_rgb", "ConvertRGB"),
        op("resize", "Resize", width=64, height=64, smart_resize=1, min_pixels=MIN_PIXELS,
           max_pixels=MAX_PIXELS, patch_size=patch, merge_size=merge),
        op("rescale", "Rescale", rescale_factor=1 / 255),
        op("normalize", "Normalize", mean=[0.5, 0.5, 0.5], std=[0.5, 0.5, 0.5], qwen3_vl=1),
        op("patch_image", "PatchImage", patch_size=patch, temporal_patch_size=VISION["temporal_patch_size"],
           merge_size=merge),
    ]}}
