"""One loaded model pack on onnxruntime-genai: prompt building (the pack's chat template,
with a ChatML fallback), images through the pack's processor, constrained decoding
(`params.set_guidance`: JSON schema, regex, lark grammar), a token loop that streams text and
stops when asked. Synchronous: the service runs it on a worker thread.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from models.manifest import PackManifest
from runtime.api import GenerationRequest, GenerationResult, ModelUnavailable

__all__ = ["LoadedModel", "chatml_prompt", "model_config"]

_IMAGE_MARK = "<|vision_start|><|image_pad|><|vision_end|>"


def chatml_prompt(messages: list[dict[str, str]], images: int = 0) -> str:
    """A ChatML prompt (for packs whose tokenizer has no chat template)."""
    parts = []
    for i, message in enumerate(messages):
        content = message.get("content", "")
        last_user = message.get("role") == "user" and all(m.get("role") != "user" for m in messages[i + 1:])
        if images and last_user:
            content = _IMAGE_MARK * images + content
        parts.append(f"<|im_start|>{message.get('role', 'user')}\n{content}<|im_end|>\n")
    return "".join(parts) + "<|im_start|>assistant\n"


def _guidance(constraint: Any) -> tuple[str, str]:
    if constraint.kind == "json_schema":
        value = constraint.value
        schema = dict(value) if isinstance(value, dict) else json.loads(value)
        schema.setdefault("x-guidance", {"whitespace_flexible": False})  # else a weak model may pad forever
        return "json_schema", json.dumps(schema)
    if constraint.kind == "regex":
        return "regex", str(constraint.value)
    return "lark_grammar", str(constraint.value)


def model_config(og: Any, folder: Path, provider: str) -> Any:
    """onnxruntime-genai's config of the pack in `folder`, set to run on `provider`."""
    config = og.Config(str(folder))
    config.clear_providers()
    if provider != "cpu":
        config.append_provider(provider)
    return config


class LoadedModel:
    """A pack loaded on one provider."""

    def __init__(self, folder: Path, manifest: PackManifest, provider: str = "cpu"):
        import onnxruntime_genai as og

        self.og = og
        self.folder = folder
        self.manifest = manifest
        self.provider = provider
        try:
            self.model = og.Model(model_config(og, folder, provider))
        except Exception as exc:
            raise ModelUnavailable(f"model '{manifest.id}' could not be loaded on {provider}: "
                                   f"{exc}") from None
        self.tokenizer = og.Tokenizer(self.model)
        self.processor = self.model.create_multimodal_processor() if manifest.multimodal else None
        self.lock = threading.Lock()

    def prompt(self, request: GenerationRequest) -> str:
        """The model's prompt for `request`: its chat template, else ChatML."""
        messages: list[dict[str, Any]] = [dict(m) for m in request.messages]
        if request.images and self.processor is not None:
            for message in reversed(messages):
                if message.get("role") == "user":
                    text = message.get("content", "")
                    message["content"] = [*({"type": "image"} for _ in request.images),
                                          {"type": "text", "text": text}]
                    break
        try:
            prompt = self.tokenizer.apply_chat_template(json.dumps(messages), add_generation_prompt=True)
        except Exception:
            prompt = ""
        if not prompt or (request.images and "<|image_pad|>" not in prompt and self.processor is not None):
            prompt = chatml_prompt(request.messages, len(request.images) if self.processor is not None else 0)
        return prompt

    def generate(self, request: GenerationRequest, on_token: Callable[[str], None] | None,
                 stop: threading.Event) -> GenerationResult:
        """Run one generation to the end, the token limit, or `stop`."""
        og = self.og
        if request.images and self.processor is None:
            raise ModelUnavailable(f"model '{self.manifest.id}' reads text only; choose a model that reads "
                                   "images (see `loomwork models catalog`)")
        prompt = self.prompt(request)
        params = og.GeneratorParams(self.model)
        with self.lock:  # one generation at a time on this model
            started = time.perf_counter()
            if request.images:
                images = og.Images.open_bytes(*[Path(p).read_bytes() for p in request.images])
                inputs = self.processor(prompt, images=images)
                shape = inputs["input_ids"].shape
                prompt_tokens = int((shape() if callable(shape) else shape)[-1])
            else:
                tokens = self.tokenizer.encode(prompt)
                prompt_tokens = len(tokens)
            options: dict[str, Any] = {"max_length": prompt_tokens + max(1, request.max_tokens)}
            if request.deterministic or request.temperature <= 0:
                options.update(do_sample=False, random_seed=request.seed)
            else:
                options.update(do_sample=True, temperature=request.temperature, top_p=request.top_p,
                               random_seed=request.seed)
            params.set_search_options(**options)
            if request.constraint is not None:
                params.set_guidance(*_guidance(request.constraint))
            generator = og.Generator(self.model, params)
            if request.images:
                generator.set_inputs(inputs)
            else:
                generator.append_tokens(tokens)
            stream = self.tokenizer.create_stream()
            pieces: list[str] = []
            first_at: float | None = None
            produced = 0
            finish = "stop"
            while not generator.is_done():
                if stop.is_set():
                    finish = "cancelled"
                    break
                generator.generate_next_token()
                token = int(generator.get_next_tokens()[0])
                produced += 1
                if first_at is None:
                    first_at = time.perf_counter()
                piece = stream.decode(token)
                if piece:
                    pieces.append(piece)
                    if on_token is not None:
                        on_token(piece)
            else:
                if produced >= request.max_tokens:
                    finish = "length"
            ended = time.perf_counter()
        decode_s = ended - (first_at or ended)
        text = "".join(pieces)
        if finish != "cancelled" and text.endswith("<|im_end|>"):
            text = text[: -len("<|im_end|>")]
        return GenerationResult(
            text=text, model=self.manifest.id, tokens_in=prompt_tokens, tokens_out=produced,
            ttft_ms=((first_at or ended) - started) * 1000,
            tokens_per_s=(produced - 1) / decode_s if produced > 1 and decode_s > 0 else 0.0,
            provider=self.provider, finish_reason=finish,  # type: ignore[arg-type]
            settings={"max_tokens": request.max_tokens, "deterministic": request.deterministic,
                      "temperature": request.temperature, "top_p": request.top_p, "seed": request.seed,
                      "constraint": request.constraint.kind if request.constraint else None})
