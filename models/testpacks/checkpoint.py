"""Tiny random-weight Hugging Face checkpoints (seeded) for the onnxruntime-genai builder.

The text pack and the vision pack share one architecture, ``Qwen3_5MoeForConditionalGeneration``
(Qwen3.5-MoE: hybrid Gated-DeltaNet + gated full attention, routed experts plus a shared
expert, interleaved multimodal RoPE). The builder turns its text decoder into an int4
``QMoE`` + ``MatMulNBits`` graph on CPU.
"""

from __future__ import annotations

from pathlib import Path

from models.testpacks.tokenizer import TokenIds

SEED = 20240731

HIDDEN = 64
LAYERS = 2
EXPERTS = 4
ACTIVE_EXPERTS = 2
HEADS = 4
KV_HEADS = 2
HEAD_DIM = 32
# Partial rotary over half of each head (16 dims = 8 frequencies), split over the
# (temporal, height, width) position axes as Qwen3.5 does.
PARTIAL_ROTARY = 0.5
MROPE_SECTION = [3, 3, 2]
# Wider than a real model's 0.02 so that a random network's logits move with its input:
# the tests need red and blue images to give different greedy outputs.
INIT_RANGE = 0.35
CONTEXT_LENGTH = 1024

VISION = {"patch_size": 16, "temporal_patch_size": 2, "spatial_merge_size": 2, "in_channels": 3}


def hf_config(ids: TokenIds) -> dict:
    """The config.json of the tiny Qwen3.5-MoE (text + vision sections)."""
    text = {
        "model_type": "qwen3_5_moe_text",
        "vocab_size": ids.vocab_size,
        "hidden_size": HIDDEN,
        "num_hidden_layers": LAYERS,
        "layer_types": ["linear_attention", "full_attention"],
        "full_attention_interval": 2,
        "num_attention_heads": HEADS,
        "num_key_value_heads": KV_HEADS,
        "head_dim": HEAD_DIM,
        "linear_conv_kernel_dim": 4,
        "linear_key_head_dim": 32,
        "linear_value_head_dim": 32,
        "linear_num_key_heads": 1,
        "linear_num_value_heads": 2,
        "moe_intermediate_size": 32,
        "shared_expert_intermediate_size": 32,
        "num_experts": EXPERTS,
        "num_experts_per_tok": ACTIVE_EXPERTS,
        "max_position_embeddings": CONTEXT_LENGTH,
        "rms_norm_eps": 1e-6,
        "initializer_range": INIT_RANGE,
        "tie_word_embeddings": False,
        "attention_bias": False,
        "hidden_act": "silu",
        "rope_parameters": {
            "rope_type": "default",
            "rope_theta": 10000.0,
            "partial_rotary_factor": PARTIAL_ROTARY,
            "mrope_section": MROPE_SECTION,
            "mrope_interleaved": True,
        },
        "bos_token_id": None,
        "eos_token_id": ids.im_end,
        "pad_token_id": ids.endoftext,
    }
    vision = {
        "model_type": "qwen3_5_moe_vision",
        "depth": 1,
        "hidden_size": 32,
        "intermediate_size": 64,
        "num_heads": 2,
        "out_hidden_size": HIDDEN,
        "num_position_embeddings": 16,
        "initializer_range": INIT_RANGE,
        **VISION,
    }
    return {
        "architectures": ["Qwen3_5MoeForConditionalGeneration"],
        "model_type": "qwen3_5_moe",
        "text_config": text,
        "vision_config": vision,
        "image_token_id": ids.image_pad,
        "video_token_id": ids.video_pad,
        "vision_start_token_id": ids.vision_start,
        "vision_end_token_id": ids.vision_end,
        "tie_word_embeddings": False,
        "bos_token_id": None,
        "eos_token_id": ids.im_end,
        "pad_token_id": ids.endoftext,
    }


def write(hf_dir: Path, ids: TokenIds) -> None:
    """Seeded random weights saved as safetensors, plus the tokenizer files beside them."""
    import torch
    from transformers import AutoConfig, GenerationConfig, Qwen3_5MoeForConditionalGeneration

    config_dict = hf_config(ids)
    model_type = config_dict.pop("model_type")
    config = AutoConfig.for_model(model_type, **config_dict)
    torch.manual_seed(SEED)
    model = Qwen3_5MoeForConditionalGeneration(config).eval().to(torch.float32)
    _spread_weights(model)
    hf_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(hf_dir), safe_serialization=True)
    GenerationConfig(
        do_sample=False, eos_token_id=[ids.im_end, ids.endoftext], pad_token_id=ids.endoftext,
    ).save_pretrained(str(hf_dir))


def _spread_weights(model) -> None:
    """Re-draw every floating tensor from a fixed generator (independent of HF's init order).

    Norm weights keep Hugging Face's init (identity scaling); every other matrix gets
    N(0, 1) * 2/sqrt(fan-in) so activations stay bounded through the layers, embeddings and
    vectors N(0, INIT_RANGE); the Gated DeltaNet decay parameters get sane positive values.
    The checkpoint's own vision tower is saved too but unused: the builder reads only the
    text model, and vision.py exports the project's encoder.
    """
    import torch

    generator = torch.Generator().manual_seed(SEED)
    with torch.no_grad():
        for name, tensor in sorted(model.state_dict(keep_vars=True).items()):
            if not tensor.is_floating_point() or "norm" in name:
                continue
            fresh = torch.randn(tensor.shape, generator=generator, dtype=torch.float32)
            if tensor.dim() >= 2 and "embed" not in name:
                fresh *= 2.0 / tensor.shape[-1] ** 0.5
            else:
                fresh *= INIT_RANGE
            if name.endswith("A_log"):
                fresh = torch.log(torch.rand(tensor.shape, generator=generator) * 15 + 1)
            elif name.endswith("dt_bias"):
                fresh = torch.ones(tensor.shape)
            tensor.copy_(fresh.to(tensor.dtype))
