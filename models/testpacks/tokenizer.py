"""Train the packs' byte-level BPE tokenizer offline and write it in Qwen2 layout.

onnxruntime-genai reads ``tokenizer.json`` + ``tokenizer_config.json`` and accepts the
``tokenizer_class`` ``Qwen2Tokenizer`` (transformers 5 would write ``Qwen3_5Tokenizer``,
which it rejects), so the files are written by hand here rather than by transformers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from models.testpacks.corpus import training_text

VOCAB_SIZE = 1024

# Qwen's special tokens. The vision ones are what onnxruntime-genai's Qwen image processor
# writes into the prompt (<|vision_start|><|image_pad|>*N<|vision_end|>).
SPECIAL_TOKENS = (
    "<|endoftext|>",
    "<|im_start|>",
    "<|im_end|>",
    "<|vision_start|>",
    "<|vision_end|>",
    "<|vision_pad|>",
    "<|image_pad|>",
    "<|video_pad|>",
)

# Qwen2's pre-tokenizer split (the same regex its tokenizer.json carries).
_SPLIT_PATTERN = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*"
    r"|\s*[\r\n]+|\s+(?!\S)|\s+"
)

# ChatML; a message's content may be a string or a list of {"type": "text"|"image"} parts
# (an image part becomes the vision markers that the image processor expands).
CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' }}"
    "{% if message['content'] is string %}{{ message['content'] }}"
    "{% else %}{% for part in message['content'] %}"
    "{% if part['type'] == 'image' %}{{ '<|vision_start|><|image_pad|><|vision_end|>' }}"
    "{% elif part['type'] == 'text' %}{{ part['text'] }}{% endif %}"
    "{% endfor %}{% endif %}"
    "{{ '<|im_end|>\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)


@dataclass(frozen=True)
class TokenIds:
    """Ids of the special tokens the model configs need."""

    vocab_size: int
    endoftext: int
    im_start: int
    im_end: int
    vision_start: int
    vision_end: int
    image_pad: int
    video_pad: int


def train(out_dir: Path) -> TokenIds:
    """Train the tokenizer on the built-in text and write tokenizer files into ``out_dir``."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers

    tokenizer = Tokenizer(models.BPE(unk_token=None, fuse_unk=False, byte_fallback=False))
    tokenizer.normalizer = normalizers.NFC()
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(_SPLIT_PATTERN), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False),
    ])
    tokenizer.decoder = decoders.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False)
    trainer = trainers.BpeTrainer(
        vocab_size=VOCAB_SIZE,
        min_frequency=2,
        special_tokens=list(SPECIAL_TOKENS),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(training_text(), trainer=trainer)
    out_dir.mkdir(parents=True, exist_ok=True)
    tokenizer.save(str(out_dir / "tokenizer.json"))
    ids = TokenIds(
        vocab_size=tokenizer.get_vocab_size(),
        endoftext=tokenizer.token_to_id("<|endoftext|>"),
        im_start=tokenizer.token_to_id("<|im_start|>"),
        im_end=tokenizer.token_to_id("<|im_end|>"),
        vision_start=tokenizer.token_to_id("<|vision_start|>"),
        vision_end=tokenizer.token_to_id("<|vision_end|>"),
        image_pad=tokenizer.token_to_id("<|image_pad|>"),
        video_pad=tokenizer.token_to_id("<|video_pad|>"),
    )
    _write_configs(out_dir, tokenizer.get_vocab())
    return ids


def _write_configs(out_dir: Path, vocab: dict[str, int]) -> None:
    added = {
        str(vocab[token]): {"content": token, "lstrip": False, "normalized": False, "rstrip": False,
                            "single_word": False, "special": True}
        for token in SPECIAL_TOKENS
    }
    extra = [t for t in SPECIAL_TOKENS if t != "<|endoftext|>"]
    config = {
        "add_bos_token": False,
        "add_prefix_space": False,
        "added_tokens_decoder": added,
        "additional_special_tokens": extra,
        "bos_token": None,
        "chat_template": CHAT_TEMPLATE,
        "clean_up_tokenization_spaces": False,
        "eos_token": "<|im_end|>",
        "errors": "replace",
        "model_max_length": 4096,
        "pad_token": "<|endoftext|>",
        "split_special_tokens": False,
        "tokenizer_class": "Qwen2Tokenizer",
        "unk_token": None,
    }
    special_map = {
        "additional_special_tokens": extra,
        "eos_token": "<|im_end|>",
        "pad_token": "<|endoftext|>",
    }
    write_json(out_dir / "tokenizer_config.json", config)
    write_json(out_dir / "special_tokens_map.json", special_map)
    (out_dir / "chat_template.jinja").write_text(CHAT_TEMPLATE + "\n", encoding="utf-8")


def write_json(path: Path, data: object) -> None:
    """Stable JSON: sorted keys, two-space indent, trailing newline."""
    path.write_text(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
