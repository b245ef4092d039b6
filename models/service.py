"""The model service: one resident model per process, shared by every running flow.

Requests queue on a lock (a second flow's request waits for the first to finish), run on a
worker thread so the event loop keeps serving other steps, stream text back as it comes,
and stop mid-generation when the awaiting step is cancelled. The model loads on the first
request (after a memory check that refuses with a clear message when memory is short),
and is unloaded after `idle_unload_s` without requests. Provider: the user's choice with a
fallback to the CPU and a notice (`models.providers`).

Registered as the `model` service (`loomwork.services` entry point → `create_service`).
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
import time
from collections.abc import Callable
from typing import Any

from models.manifest import PackError
from models.providers import choose_provider
from models.store import InstalledPack, ModelStore
from runtime.api import DataPaths, GenerationRequest, GenerationResult, ModelUnavailable

__all__ = ["ModelService", "available_memory_mb", "create_service"]

IDLE_UNLOAD_S = 300.0


def available_memory_mb() -> int | None:
    """Memory the system can give a new process now, in MiB (None when unknown)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        pass
    try:
        import psutil

        return int(psutil.virtual_memory().available // (1024 * 1024))
    except Exception:
        return None


class ModelService:
    """Implements `runtime.api.LanguageModel` on the packs in a `ModelStore`."""

    def __init__(self, store: ModelStore, *, provider: str | None = None,
                 idle_unload_s: float = IDLE_UNLOAD_S):
        self.store = store
        self.provider = (provider or os.environ.get("LOOMWORK_MODEL_PROVIDER")
                         or self._setting("provider", "auto"))
        self.idle_unload_s = idle_unload_s
        self.notice = ""
        self._loaded: Any | None = None  # models.engine.LoadedModel
        self._load_lock = threading.Lock()
        self._serve_lock = threading.Lock()
        """One generation at a time in this process (the request queue): a request for another
        pack waits, so two models are never resident at once."""
        self._busy = 0
        self._timer: threading.Timer | None = None
        self._timer_lock = threading.Lock()
        self._last_used = time.monotonic()
        self.loads = 0

    def _setting(self, key: str, default: str) -> str:
        try:
            value = json.loads((self.store.root / "settings.json").read_text(encoding="utf-8")).get(key)
        except (FileNotFoundError, ValueError, AttributeError):
            return default
        return value if isinstance(value, str) else default

    # ----- LanguageModel ---------------------------------------------------------------

    async def generate(self, request: GenerationRequest, *,
                       on_token: Callable[[str], None] | None = None) -> GenerationResult:
        loop = asyncio.get_running_loop()
        pack = self._pack(request.model)
        stop = threading.Event()
        relay = None
        if on_token is not None:
            def relay(piece: str) -> None:
                loop.call_soon_threadsafe(on_token, piece)
        self._busy += 1
        future = loop.run_in_executor(None, self._serve, pack, request, relay, stop)
        try:
            result = await asyncio.shield(future)
        except asyncio.CancelledError:
            stop.set()  # the step was cancelled: stop at the next token, then let it go
            await asyncio.wait([future])
            raise
        finally:
            self._busy -= 1
            self._arm_timer()
        if self.notice:
            result.settings["provider_notice"] = self.notice
        return result

    def _serve(self, pack: InstalledPack, request: GenerationRequest, relay: Callable[[str], None] | None,
               stop: threading.Event) -> GenerationResult:
        """On a worker thread: wait for its turn (giving up at once when cancelled), make sure
        the pack is loaded, generate."""
        while not self._serve_lock.acquire(timeout=0.05):
            if stop.is_set():
                return GenerationResult(text="", model=pack.id, finish_reason="cancelled")
        try:
            loaded = self._ensure_loaded(pack)
            if stop.is_set():
                return GenerationResult(text="", model=pack.id, finish_reason="cancelled")
            return loaded.generate(request, relay, stop)
        finally:
            self._serve_lock.release()

    def describe(self) -> dict[str, Any]:
        loaded = self._loaded
        try:
            default = self.store.default().id
        except PackError:
            default = None
        return {"model": loaded.manifest.id if loaded else default, "loaded": loaded is not None,
                "provider": loaded.provider if loaded else self.provider, "notice": self.notice}

    # ----- loading and unloading ------------------------------------------------------

    def _pack(self, pack_id: str | None) -> InstalledPack:
        loaded = self._loaded
        if pack_id and loaded is not None and loaded.manifest.id == pack_id and loaded.folder.is_dir():
            return InstalledPack(loaded.manifest, loaded.folder)  # skips re-reading every manifest
        try:
            return self.store.get(pack_id) if pack_id else self.store.default()
        except PackError as exc:
            raise ModelUnavailable(str(exc)) from None

    def _ensure_loaded(self, pack: InstalledPack) -> Any:
        with self._load_lock:
            loaded = self._loaded
            if loaded is not None and loaded.folder == pack.folder:
                return loaded
            if loaded is not None:  # another pack is resident: one model per process
                self._loaded = None
                del loaded
            need, free = pack.manifest.memory_mb, available_memory_mb()
            if need and free is not None and need > free:
                raise ModelUnavailable(f"model '{pack.id}' needs about {need:,} MB of memory but only "
                                       f"{free:,} MB is free; close other programs or choose a smaller model "
                                       "(loomwork models catalog)")
            from models.engine import LoadedModel

            provider, self.notice = choose_provider(self.provider, pack.manifest.providers)
            try:
                self._loaded = LoadedModel(pack.folder, pack.manifest, provider)
            except ModelUnavailable:
                if provider == "cpu":
                    raise
                self.notice = f"{provider} failed to load the model; running on the CPU"
                self._loaded = LoadedModel(pack.folder, pack.manifest, "cpu")
            self.loads += 1
            return self._loaded

    def unload(self) -> bool:
        """Free the model now (unless a generation is running); True when one was unloaded."""
        with self._load_lock:
            if self._busy or self._loaded is None:
                return False
            self._loaded = None
            return True

    # One idle timer at a time, re-armed only when it fires: starting a timer thread per request
    # cost about 0.8 ms, more than the rest of the service's overhead together.

    def _arm_timer(self) -> None:
        self._last_used = time.monotonic()
        with self._timer_lock:
            if self.idle_unload_s > 0 and self._timer is None and not self._busy:
                self._start_timer(self.idle_unload_s)

    def _start_timer(self, delay: float) -> None:
        self._timer = threading.Timer(delay, self._on_idle)
        self._timer.daemon = True
        self._timer.start()

    def _on_idle(self) -> None:
        with self._timer_lock:
            self._timer = None
            if self._busy:
                return  # the running request re-arms the timer when it ends
            remaining = self._last_used + self.idle_unload_s - time.monotonic()
            if remaining > 0:  # used since the timer was armed: wait for the rest
                self._start_timer(remaining)
                return
        self.unload()


def create_service(paths: DataPaths) -> ModelService:
    """The `model` service of a program (cheap: nothing loads until the first request)."""
    return ModelService(ModelStore(paths))
