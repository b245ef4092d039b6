"""The committed tiny packs are real onnxruntime-genai models (no torch needed to use them).

They are built by ``python -m models.testpacks.build tests/fixtures/models`` (see
models/testpacks/README.md): a random-weight Qwen3.5-MoE, int4 (QMoE + MatMulNBits) on CPU.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import jsonschema
import onnxruntime_genai as og
import pytest
from PIL import Image

PACKS = Path(__file__).resolve().parent.parent / "fixtures" / "models"
TEXT = PACKS / "tiny-moe-text"
VISION = PACKS / "tiny-moe-vision"

SCHEMA = {
    "x-guidance": {"whitespace_flexible": False},
    "type": "object",
    "properties": {
        "vendor": {"type": "string", "maxLength": 12},
        # A weak model writes digits forever unless a number is bounded: multipleOf caps the
        # decimals (minimum/maximum alone do not), bounds cap an integer.
        "amount": {"type": "number", "multipleOf": 0.01, "minimum": 0, "maximum": 100000},
        "currency": {"enum": ["EUR", "USD", "GBP"]},
        "paid": {"type": "boolean"},
        "lines": {"type": "integer", "minimum": 0, "maximum": 99},
    },
    "required": ["vendor", "amount", "currency", "paid", "lines"],
    "additionalProperties": False,
}

# jsonschema checks multipleOf by float division (21154.19 / 0.01 is not whole): check it exactly.
CHECKED = {**SCHEMA, "properties": {**SCHEMA["properties"], "amount": {"type": "number", "minimum": 0,
                                                                      "maximum": 100000}}}

PROMPTS = [
    "Extract the invoice fields.", "Who is the supplier?", "How much is due?", "Is it paid?",
    "Invoice INV-2024-0042 from Acme Supplies Ltd, 1,234.56 EUR.", "Total 99 USD, paid.",
    "Read the table and report the amount.", "Classify and extract.", "Summarize as JSON.",
    "Customer: Jane Doe, Springfield.", "Due on 2024-07-31.", "Quantity 250 units of item A-17.",
    "Row 17 failed validation.", "Supplier portal: 3 new invoices.", "VAT 19 percent.",
    "January to December totals.", "zero one two three", "The image is red.", "{}", "",
]


@pytest.fixture(scope="module")
def text_model() -> og.Model:
    return og.Model(str(TEXT))


@pytest.fixture(scope="module")
def vision_model() -> og.Model:
    return og.Model(str(VISION))


def chat(tokenizer: og.Tokenizer, content: object) -> str:
    messages = [{"role": "user", "content": content}]
    return tokenizer.apply_chat_template(json.dumps(messages), add_generation_prompt=True)


def generate(model: og.Model, tokens=None, inputs=None, new_tokens: int = 16, guidance=None) -> list[int]:
    params = og.GeneratorParams(model)
    params.set_search_options(max_length=new_tokens + (len(tokens) if tokens is not None else 64) + 64,
                              do_sample=False)
    if guidance is not None:
        params.set_guidance(*guidance)
    generator = og.Generator(model, params)
    if inputs is not None:
        generator.set_inputs(inputs)
    else:
        generator.append_tokens(tokens)
    out: list[int] = []
    while not generator.is_done() and len(out) < new_tokens:
        generator.generate_next_token()
        out.append(int(generator.get_next_tokens()[0]))
    return out


def assert_valid(text: str) -> None:
    value = json.loads(text)
    jsonschema.validate(value, CHECKED)
    assert Decimal(str(value["amount"])).as_tuple().exponent >= -2, text


def png(color: str, size: tuple[int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.parametrize("pack", [TEXT, VISION], ids=["text", "vision"])
def test_manifest_lists_every_file_with_its_checksum(pack: Path) -> None:
    manifest = json.loads((pack / "loomwork-pack.json").read_text(encoding="utf-8"))
    on_disk = {p.name for p in pack.iterdir() if p.is_file() and p.name != "loomwork-pack.json"}
    assert set(manifest["files"]) == on_disk
    for name, entry in manifest["files"].items():
        data = (pack / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], name
        assert len(data) == entry["size_bytes"], name
    assert manifest["moe"] is True and manifest["experts"] == 4 and manifest["active_experts"] == 2
    assert manifest["quantization"] == "int4" and manifest["providers"] == ["cpu"]
    assert manifest["modalities"] == (["text", "image"] if pack == VISION else ["text"])
    assert manifest["built_with"]["onnxruntime-genai"] == "0.18.0"
    assert manifest["size_bytes"] == sum(f["size_bytes"] for f in manifest["files"].values()) < 1_500_000
    assert manifest["memory"]["needed_bytes"] > manifest["size_bytes"]


def test_graphs_are_int4_mixture_of_experts() -> None:
    graph = (TEXT / "model.onnx").read_bytes()
    assert b"QMoE" in graph and b"MatMulNBits" in graph


@pytest.mark.parametrize("pack", ["text", "vision"])
def test_greedy_generation_is_deterministic(pack: str, request: pytest.FixtureRequest) -> None:
    model = request.getfixturevalue(f"{pack}_model")
    tokenizer = og.Tokenizer(model)
    tokens = tokenizer.encode(chat(tokenizer, "What is the due date of the invoice?"))
    if pack == "vision":
        processor = model.create_multimodal_processor()
        first = generate(model, inputs=processor(chat(tokenizer, "What is the due date?"), images=None))
        again = generate(model, inputs=processor(chat(tokenizer, "What is the due date?"), images=None))
    else:
        first, again = generate(model, tokens), generate(model, tokens)
    assert len(first) == 16 and first == again
    assert tokenizer.decode(first)


def test_streaming_decodes_token_by_token(text_model: og.Model) -> None:
    tokenizer = og.Tokenizer(text_model)
    out = generate(text_model, tokenizer.encode(chat(tokenizer, "Tell me about the invoice.")), new_tokens=24)
    stream = tokenizer.create_stream()
    pieces = [stream.decode(token) for token in out]
    assert len(pieces) == len(out)
    assert "".join(pieces) == tokenizer.decode(out)


def test_json_schema_guidance_always_parses_and_validates(text_model: og.Model) -> None:
    tokenizer = og.Tokenizer(text_model)
    seen = set()
    for i in range(100):  # 100 prompts: every answer parses and validates
        prompt = f"{PROMPTS[i % len(PROMPTS)]} (case {i})"
        out = generate(text_model, tokenizer.encode(chat(tokenizer, prompt)), new_tokens=160,
                       guidance=("json_schema", json.dumps(SCHEMA)))
        text = tokenizer.decode(out)
        assert_valid(text)
        seen.add(text)
    assert len(seen) > 1, "different prompts should give different records"


def test_regex_and_grammar_guidance_hold(text_model: og.Model) -> None:
    tokenizer = og.Tokenizer(text_model)
    pattern = r"(invoice|receipt|order|other)-[0-9]{2}"
    grammar = 'start: ("yes" | "no") " " NUMBER\nNUMBER: /[0-9]{1,3}/'
    for prompt in PROMPTS[:6]:
        tokens = tokenizer.encode(chat(tokenizer, prompt))
        label = tokenizer.decode(generate(text_model, tokens, new_tokens=40, guidance=("regex", pattern)))
        assert re.fullmatch(pattern, label), label
        answer = tokenizer.decode(generate(text_model, tokens, new_tokens=40,
                                           guidance=("lark_grammar", grammar)))
        assert re.fullmatch(r"(yes|no) [0-9]{1,3}", answer), answer


def test_vision_json_schema_guidance_with_an_image(vision_model: og.Model) -> None:
    processor = vision_model.create_multimodal_processor()
    tokenizer = og.Tokenizer(vision_model)
    prompt = chat(tokenizer, [{"type": "image"}, {"type": "text", "text": "Extract the invoice fields."}])
    for color in ("red", "blue", "white"):
        inputs = processor(prompt, images=og.Images.open_bytes(png(color, (96, 64))))
        out = generate(vision_model, inputs=inputs, new_tokens=160,
                       guidance=("json_schema", json.dumps(SCHEMA)))
        assert_valid(tokenizer.decode(out))


def _describe(model: og.Model, image: bytes) -> tuple[list[int], list[list[int]]]:
    processor = model.create_multimodal_processor()
    tokenizer = og.Tokenizer(model)
    prompt = chat(tokenizer, [{"type": "image"}, {"type": "text", "text": "What colour is this?"}])
    inputs = processor(prompt, images=og.Images.open_bytes(image))
    grid = inputs["image_grid_thw"].as_numpy().tolist()
    return generate(model, inputs=inputs, new_tokens=12), grid


def test_the_image_reaches_the_decoder(vision_model: og.Model) -> None:
    red, _ = _describe(vision_model, png("red", (64, 64)))
    blue, _ = _describe(vision_model, png("blue", (64, 64)))
    red_again, _ = _describe(vision_model, png("red", (64, 64)))
    assert red != blue
    assert red == red_again


def test_images_of_several_sizes_work(vision_model: og.Model) -> None:
    grids = []
    for size in [(64, 64), (128, 96), (40, 300)]:
        out, grid = _describe(vision_model, png("green", size))
        assert len(out) == 12
        grids.append(grid)
    assert len({json.dumps(g) for g in grids}) == 3, grids


def test_two_images_in_one_prompt(vision_model: og.Model) -> None:
    processor = vision_model.create_multimodal_processor()
    tokenizer = og.Tokenizer(vision_model)
    prompt = chat(tokenizer, [{"type": "image"}, {"type": "image"}, {"type": "text", "text": "Compare."}])
    images = og.Images.open_bytes(png("red", (64, 64)), png("blue", (128, 96)))
    inputs = processor(prompt, images=images)
    assert inputs["image_grid_thw"].as_numpy().tolist() == [[1, 4, 4], [1, 6, 8]]
    assert len(generate(vision_model, inputs=inputs, new_tokens=8)) == 8


def test_packs_load_and_run_without_torch() -> None:
    code = (
        "import sys, onnxruntime_genai as og\n"
        f"m = og.Model({str(TEXT)!r}); t = og.Tokenizer(m)\n"
        "p = og.GeneratorParams(m); p.set_search_options(max_length=32)\n"
        "g = og.Generator(m, p); g.append_tokens(t.encode('hello')); g.generate_next_token()\n"
        "print('torch' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "False"
