"""Where the model runs: CUDA, DirectML, QNN (an NPU), OpenVINO, WebGPU or the CPU.

onnxruntime-genai says which execution providers its build can use (`og.is_*_available()`).
The user picks one (settings, or per call); a provider that is not usable falls back to the
CPU with a notice that says why, so a flow still runs — slower — rather than failing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["PROVIDERS", "ProviderStatus", "choose_provider", "provider_statuses"]

PROVIDERS = ("cuda", "dml", "qnn", "openvino", "webgpu", "cpu")
_LABELS = {"cuda": "CUDA (NVIDIA GPU)", "dml": "DirectML (Windows GPU)", "qnn": "QNN (Qualcomm NPU)",
           "openvino": "OpenVINO (Intel CPU/GPU/NPU)", "webgpu": "WebGPU", "cpu": "CPU"}


@dataclass(frozen=True, slots=True)
class ProviderStatus:
    name: str
    label: str
    usable: bool
    reason: str = ""


def _og() -> Any:
    import onnxruntime_genai as og

    return og


def provider_statuses(og: Any | None = None) -> list[ProviderStatus]:
    """Every provider and whether this installation can use it (and if not, why)."""
    og = og or _og()
    out = []
    for name in PROVIDERS:
        if name == "cpu":
            out.append(ProviderStatus(name, _LABELS[name], True))
            continue
        check = getattr(og, f"is_{name}_available", None)
        try:
            usable = bool(check()) if check is not None else False
        except Exception as exc:  # a provider library that fails to load says so
            out.append(ProviderStatus(name, _LABELS[name], False, f"its library failed to load: {exc}"))
            continue
        if usable:
            reason = ""
        elif check is None:
            reason = "not supported by this onnxruntime-genai version"
        else:
            reason = f"not in this onnxruntime-genai build (install onnxruntime-genai-{name} instead)"
        out.append(ProviderStatus(name, _LABELS[name], usable, reason))
    return out


def choose_provider(preferred: str, pack_providers: list[str], og: Any | None = None) -> tuple[str, str]:
    """The provider to use and a notice ("" when the preferred one is used).

    `preferred` is a provider name or "auto" (the first usable accelerator the pack supports,
    else the CPU).
    """
    statuses = {s.name: s for s in provider_statuses(og)}
    supported = [p for p in pack_providers if p in statuses] or ["cpu"]
    if preferred == "auto":
        for name in PROVIDERS:
            if name in supported and statuses[name].usable:
                return name, ""
        return "cpu", "no accelerator this model supports is usable here; running on the CPU"
    if preferred not in statuses:
        return "cpu", f"unknown provider '{preferred}' (known: {', '.join(PROVIDERS)}); running on the CPU"
    status = statuses[preferred]
    if not status.usable:
        return "cpu", f"{status.label} is not usable: {status.reason}; running on the CPU"
    if preferred not in supported:
        return "cpu", f"this model was not built for {status.label} (only: {', '.join(supported)}); " \
                      "running on the CPU"
    return preferred, ""
