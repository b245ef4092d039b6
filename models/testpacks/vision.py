"""The vision pack's two extra graphs, exported by the project with ``torch.onnx.export``.

The onnxruntime-genai builder exports only the Qwen3.5-MoE text decoder (with
``exclude_embeds=true`` it takes ``inputs_embeds``). A multimodal pack also needs:

* ``vision.onnx``: ``pixel_values [num_patches, 3*2*16*16]`` + ``image_grid_thw [1, 3]``
  -> ``image_features [num_patches / 4, hidden]``. The runtime's Qwen image processor
  flattens every image into patches (2x2 blocks of neighbouring patches consecutive) and
  calls this graph once per image, so ``num_patches`` is symbolic: any image size works.
  The encoder is a tiny ViT of the project's own (patch embedding, 2-D sin/cos positions
  computed from ``image_grid_thw`` inside the graph, one attention block, 2x2 patch
  merger), not Hugging Face's Qwen3.5 vision tower, whose rotary set-up loops over
  ``grid_thw.tolist()`` and would freeze the export to one grid.
* ``embedding.onnx``: ``input_ids [batch, seq]`` + ``image_features [n, hidden]`` ->
  ``inputs_embeds [batch, seq, hidden]``: token embeddings (the checkpoint's table) with
  the i-th ``<|image_pad|>`` position replaced by the i-th image feature. ``n`` may be 0.
"""

from __future__ import annotations

from pathlib import Path

from models.testpacks.checkpoint import SEED, VISION

VISION_HIDDEN = 32
VISION_HEADS = 2
POS_DIM = 8  # sin/cos features per axis (row, col): 2 * 2 * POS_DIM = VISION_HIDDEN
FEATURE_GAIN = 2.0  # image features a little louder than token embeddings, so images steer outputs


def patch_dim() -> int:
    return VISION["in_channels"] * VISION["temporal_patch_size"] * VISION["patch_size"] ** 2


def _modules():
    """Build the torch module classes lazily (torch is a build-only dependency)."""
    import torch
    from torch import nn

    class TinyVisionEncoder(nn.Module):
        def __init__(self, text_hidden: int) -> None:
            super().__init__()
            merge = VISION["spatial_merge_size"] ** 2
            self.patch_embed = nn.Linear(patch_dim(), VISION_HIDDEN)
            self.norm1 = nn.LayerNorm(VISION_HIDDEN)
            self.qkv = nn.Linear(VISION_HIDDEN, 3 * VISION_HIDDEN)
            self.proj = nn.Linear(VISION_HIDDEN, VISION_HIDDEN)
            self.norm2 = nn.LayerNorm(VISION_HIDDEN)
            self.mlp = nn.Sequential(nn.Linear(VISION_HIDDEN, 2 * VISION_HIDDEN), nn.GELU(),
                                     nn.Linear(2 * VISION_HIDDEN, VISION_HIDDEN))
            self.merge_norm = nn.LayerNorm(VISION_HIDDEN * merge)
            self.merger = nn.Sequential(nn.Linear(VISION_HIDDEN * merge, VISION_HIDDEN * merge), nn.GELU(),
                                        nn.Linear(VISION_HIDDEN * merge, text_hidden))
            self.register_buffer("inv_freq", 1.0 / (100.0 ** (torch.arange(POS_DIM) / POS_DIM)))

        def positions(self, num_patches, grid_thw):
            """(row, col) of each patch in the processor's order: 2x2 blocks, row-major."""
            m = VISION["spatial_merge_size"]
            idx = torch.arange(num_patches, dtype=torch.int64)
            blocks_per_row = grid_thw[0, 2] // m
            block, inner = idx // (m * m), idx % (m * m)
            frame_blocks = (grid_thw[0, 1] // m) * blocks_per_row
            block = block % frame_blocks
            row = (block // blocks_per_row) * m + inner // m
            col = (block % blocks_per_row) * m + inner % m
            return row.to(torch.float32), col.to(torch.float32)

        def forward(self, pixel_values, image_grid_thw):
            x = self.patch_embed(pixel_values)
            row, col = self.positions(pixel_values.shape[0], image_grid_thw)
            angles = torch.cat([row[:, None] * self.inv_freq, col[:, None] * self.inv_freq], dim=-1)
            x = x + torch.cat([angles.sin(), angles.cos()], dim=-1)
            h = self.norm1(x)
            q, k, v = self.qkv(h).reshape(-1, 3, VISION_HEADS, VISION_HIDDEN // VISION_HEADS).unbind(1)
            q, k, v = (t.transpose(0, 1) for t in (q, k, v))
            att = torch.softmax(q @ k.transpose(1, 2) / (VISION_HIDDEN // VISION_HEADS) ** 0.5, dim=-1)
            x = x + self.proj((att @ v).transpose(0, 1).reshape(-1, VISION_HIDDEN))
            x = x + self.mlp(self.norm2(x))
            merged = x.reshape(-1, VISION_HIDDEN * VISION["spatial_merge_size"] ** 2)
            return self.merger(self.merge_norm(merged)) * FEATURE_GAIN

    class ImageAwareEmbedding(nn.Module):
        def __init__(self, table, image_token_id: int) -> None:
            super().__init__()
            self.table = nn.Parameter(table.detach().clone(), requires_grad=False)
            self.image_token_id = image_token_id

        def forward(self, input_ids, image_features):
            batch, seq = input_ids.shape[0], input_ids.shape[1]
            flat = input_ids.reshape(-1)
            embeds = self.table[flat]
            is_image = flat == self.image_token_id
            count = image_features.shape[0]
            slot = torch.cumsum(is_image.to(torch.int64), dim=0) - 1
            # Row `count` of the padded table is zeros: text positions (and any surplus
            # image tokens) read it, and the Where below keeps their token embedding.
            slot = torch.where(is_image, torch.clamp(slot, 0, count), torch.full_like(slot, count))
            padded = torch.cat([image_features, torch.zeros_like(embeds[:1])], dim=0)
            mixed = torch.where(is_image[:, None], padded[slot], embeds)
            return mixed.reshape(batch, seq, -1)

    return TinyVisionEncoder, ImageAwareEmbedding


def export(hf_dir: Path, out_dir: Path, image_token_id: int) -> None:
    """Write ``vision.onnx`` and ``embedding.onnx`` (single files, no external data)."""
    import torch
    from safetensors.torch import load_file

    encoder_cls, embedding_cls = _modules()
    weights = load_file(str(hf_dir / "model.safetensors"))
    table = next(v for k, v in weights.items() if k.endswith("embed_tokens.weight")).to(torch.float32)
    hidden = table.shape[1]

    torch.manual_seed(SEED + 1)
    encoder = encoder_cls(hidden).eval()
    grid = torch.tensor([[1, 4, 6]], dtype=torch.int64)
    pixels = torch.randn(24, patch_dim())
    _export(encoder, (pixels, grid), out_dir / "vision.onnx",
            ["pixel_values", "image_grid_thw"], ["image_features"],
            {"pixel_values": {0: "num_patches"}, "image_grid_thw": None})

    embedding = embedding_cls(table, image_token_id).eval()
    ids = torch.tensor([[1, 5, image_token_id, image_token_id, 9]], dtype=torch.int64)
    feats = torch.randn(2, hidden)
    _export(embedding, (ids, feats), out_dir / "embedding.onnx",
            ["input_ids", "image_features"], ["inputs_embeds"],
            {"input_ids": {0: "batch_size", 1: "sequence_length"},
             "image_features": {0: "num_image_tokens"}})


def _export(module, args, path: Path, inputs: list[str], outputs: list[str], dynamic: dict) -> None:
    import torch

    dims = {name: ({axis: torch.export.Dim(label) for axis, label in axes.items()} if axes else None)
            for name, axes in dynamic.items()}
    program = torch.onnx.export(module, args, input_names=inputs, output_names=outputs,
                                dynamic_shapes=dims, dynamo=True, optimize=True, verbose=False)
    program.save(str(path), external_data=False)
