"""`loomwork models …`: the installed model packs, from the command line (registered through
the `loomwork.cli` entry point).

  list                 installed packs (the default marked)
  catalog              recommended packs by hardware tier (installed ones marked, one recommended
                       for this machine's memory)
  pull ID              download a catalog pack from the hub (resumable; checksums verified)
  add PATH             verify a pack folder and install it
  remove ID            uninstall a pack
  default ID           make a pack the default for AI steps
  convert SOURCE --id  a pack from a Hugging Face checkpoint with the onnxruntime-genai builder
  doctor               providers found (and why one is unusable), memory, the default pack loading
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

__all__ = ["register"]

EXIT_OK, EXIT_FAILED, EXIT_INVALID = 0, 1, 2


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("models", help="the local AI model packs")
    commands = parser.add_subparsers(dest="models_command",
                                     metavar="list|catalog|pull|add|remove|default|doctor")
    listing = commands.add_parser("list", help="installed model packs")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(func=_list)
    catalog = commands.add_parser("catalog", help="recommended model packs, by hardware tier")
    catalog.add_argument("--json", action="store_true")
    catalog.set_defaults(func=_catalog)
    pull = commands.add_parser("pull", help="download a pack from the catalog")
    pull.add_argument("pack_id", metavar="ID")
    pull.add_argument("--endpoint", help="the hub (default: HF_ENDPOINT, the models settings, "
                                         "huggingface.co)")
    pull.add_argument("--replace", action="store_true", help="replace an installed pack with the same id")
    pull.add_argument("--progress", choices=("bar", "json"), default="bar",
                      help="json: one JSON object per line on stdout (for the studio)")
    pull.set_defaults(func=_pull)
    add = commands.add_parser("add", help="install a model pack from a folder")
    add.add_argument("path")
    add.add_argument("--replace", action="store_true", help="replace an installed pack with the same id")
    add.set_defaults(func=_add)
    convert = commands.add_parser("convert", help="build a pack from a Hugging Face checkpoint (needs the "
                                                  "models-build extra)")
    convert.add_argument("source", help="a checkpoint folder (config.json + safetensors) or a hub model id")
    convert.add_argument("--id", required=True, dest="pack_id", help="the new pack's id (lower case)")
    convert.add_argument("--name", default="", help="a readable name")
    convert.add_argument("--precision", choices=("int4", "fp16", "fp32"), default="int4",
                         help="int4 (default; CPU and GPU), fp16 (GPU), fp32")
    convert.add_argument("--provider", choices=("cpu", "cuda", "dml", "webgpu"), default="cpu")
    convert.add_argument("--extra-option", action="append", default=[], metavar="KEY=VALUE",
                         help="passed to the builder's --extra_options (e.g. exclude_embeds=true)")
    convert.add_argument("--replace", action="store_true", help="replace an installed pack with the same id")
    convert.set_defaults(func=_convert)
    remove = commands.add_parser("remove", help="uninstall a model pack")
    remove.add_argument("pack_id")
    remove.set_defaults(func=_remove)
    default = commands.add_parser("default", help="the pack AI steps use unless they name one")
    default.add_argument("pack_id")
    default.set_defaults(func=_default)
    doctor = commands.add_parser("doctor", help="what can run a model here, and why not")
    doctor.add_argument("--json", action="store_true")
    doctor.set_defaults(func=_doctor)
    parser.set_defaults(func=lambda args: _list(argparse.Namespace(json=False)))


def _store() -> Any:
    from models.store import ModelStore
    from runtime.api import data_paths

    return ModelStore(data_paths())


def _fail(message: str, code: int = EXIT_INVALID) -> int:
    sys.stderr.write(f"error: {message}\n")
    return code


def _list(args: argparse.Namespace) -> int:
    from models.manifest import PackError

    store = _store()
    packs = store.packs()
    try:
        default = store.default().id if packs else None
    except PackError:
        default = None
    rows = [{"id": p.id, "name": p.manifest.name, "modalities": p.manifest.modalities, "moe": p.manifest.moe,
             "quantization": p.manifest.quantization, "size_bytes": p.manifest.size_bytes,
             "memory_mb": p.manifest.memory_mb, "default": p.id == default, "folder": str(p.folder)}
            for p in packs]
    if args.json:
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return EXIT_OK
    if not rows:
        sys.stdout.write("no model installed — add one with `loomwork models add PATH`\n")
        return EXIT_OK
    for row in rows:
        kind = "+".join(row["modalities"]) + (", MoE" if row["moe"] else "")
        mark = "*" if row["default"] else " "
        sys.stdout.write(f"{mark} {row['id']:<28} {row['name']} ({kind}, {row['quantization']}, "
                         f"{row['size_bytes'] / 1e6:.1f} MB)\n")
    return EXIT_OK


def _catalog(args: argparse.Namespace) -> int:
    from models.catalog import CatalogError, load_catalog, total_memory_mb

    try:
        catalog = load_catalog()
    except CatalogError as exc:
        return _fail(str(exc), EXIT_FAILED)
    from models.providers import provider_statuses

    installed = {p.id for p in _store().packs()}
    memory = total_memory_mb()
    usable = {s.name for s in provider_statuses() if s.usable}
    best = catalog.recommend(memory, usable)
    rows = [entry.model_dump() | {"installed": entry.id in installed, "memory_mb": entry.memory_mb}
            for entry in catalog.entries]
    if args.json:
        report = {"note": catalog.note, "hub_endpoint": catalog.hub_endpoint, "tiers": catalog.tiers,
                  "memory_mb": memory, "recommended": best.id if best else None,
                  "providers": sorted(usable), "recommendation": catalog.recommendation_text(memory, usable),
                  "entries": rows}
        sys.stdout.write(json.dumps(report, indent=2) + "\n")
        return EXIT_OK
    out = sys.stdout
    for tier in [*catalog.tiers, *sorted({e.tier for e in catalog.entries} - set(catalog.tiers))]:
        entries = [e for e in catalog.entries if e.tier == tier]
        out.write(f"{tier} — {catalog.tiers.get(tier, '')}\n")
        if not entries:
            out.write("    (no pack published yet)\n")
        for entry in entries:
            mark = "installed" if entry.id in installed else ("" if entry.pullable else "not pullable")
            kind = "+".join(entry.modalities) + (", MoE" if entry.moe else "")
            size = f"{entry.size_bytes / 1e6:,.1f} MB" if entry.size_bytes is not None else "size ?"
            need = f"{entry.memory_mb:,} MB memory" if entry.memory_mb is not None else "memory ?"
            out.write(f"  {entry.id:<24} {entry.name} ({kind}; {size}; {need}; {entry.licence}) {mark}\n")
            out.write(f"  {'':<24} {entry.repo}{'/' + entry.path if entry.path else ''}@{entry.revision}\n")
            if not entry.pullable and entry.unpullable_reason:
                out.write(f"  {'':<24} not pullable: {entry.unpullable_reason}\n")
    out.write(f"\n{catalog.note}\n\n{catalog.recommendation_text(memory, usable)}\n")
    return EXIT_OK


def _pull(args: argparse.Namespace) -> int:
    import threading

    from models.catalog import CatalogError
    from models.download import DownloadCancelled, DownloadError, hub_endpoint, pull
    from models.manifest import PackError

    store = _store()
    cancel = threading.Event()
    outcome: dict[str, Any] = {}
    progress = _JsonProgress() if args.progress == "json" else _PullDisplay(args.pack_id)
    _cancel_on_sigterm(cancel)

    def work() -> None:
        try:
            outcome["pack"] = pull(args.pack_id, store, endpoint=args.endpoint, on_progress=progress.update,
                                   cancel=cancel, replace_installed=args.replace)
        except BaseException as exc:  # handed to the main thread
            outcome["error"] = exc

    sys.stderr.write(f"pulling {args.pack_id} from {hub_endpoint(store, args.endpoint)}\n")
    worker = threading.Thread(target=work, name="models-pull", daemon=True)
    with progress:
        worker.start()
        try:
            while worker.is_alive():
                worker.join(0.2)
        except KeyboardInterrupt:
            cancel.set()
            worker.join()
            outcome.setdefault("error", DownloadCancelled("interrupted"))
    error = outcome.get("error")
    if isinstance(error, DownloadCancelled):
        sys.stderr.write(f"interrupted: the partial download is kept; run `loomwork models pull "
                         f"{args.pack_id}` again to resume\n")
        return 130
    if isinstance(error, CatalogError | PackError):
        return _fail(str(error))
    if isinstance(error, DownloadError):
        return _fail(str(error), EXIT_FAILED)
    if error is not None:
        raise error
    pack = outcome["pack"]
    if args.progress == "json":
        done = {"stage": "installed", "pack_id": pack.id, "folder": str(pack.folder)}
        sys.stdout.write(json.dumps(done) + "\n")
    else:
        sys.stdout.write(f"installed {pack.id} ({pack.manifest.name}) in {pack.folder}\n")
    return EXIT_OK


def _cancel_on_sigterm(cancel: Any) -> None:
    """A terminated pull (the studio's Cancel) stops like Ctrl-C: cleanly, resumable."""
    import signal
    import threading

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: cancel.set())


class _JsonProgress:
    """Progress as JSON lines on stdout, at most ten a second (the studio reads them)."""

    def __init__(self) -> None:
        self._last = 0.0

    def __enter__(self) -> _JsonProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def update(self, progress: Any) -> None:
        import dataclasses
        import time

        now = time.monotonic()
        if progress.stage == "download" and now - self._last < 0.1:
            return
        self._last = now
        sys.stdout.write(json.dumps(dataclasses.asdict(progress)) + "\n")
        sys.stdout.flush()


class _PullDisplay:
    """A rich progress bar on stderr (bytes, speed, files) when stderr is a terminal."""

    def __init__(self, pack_id: str):
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
            TransferSpeedColumn,
        )

        console = Console(stderr=True)
        self.progress = Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
                                 TransferSpeedColumn(), TimeRemainingColumn(),
                                 TextColumn("{task.fields[files]}"),
                                 console=console, disable=not console.is_terminal, transient=False)
        self.task = self.progress.add_task(pack_id, total=None, files="")
        self.pack_id = pack_id

    def __enter__(self) -> _PullDisplay:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def update(self, state: Any) -> None:  # a models.download.PullProgress
        self.progress.update(self.task, total=state.bytes_total or None, completed=state.bytes_done,
                             files=f"{state.files_done}/{state.files_total} files",
                             description=f"{self.pack_id} {state.stage} {state.file}".rstrip())


def _change_store(change: Any, done: str) -> int:
    """Run `change(store)`; a PackError is the user's error (exit 2), else print `done`."""
    from models.manifest import PackError

    try:
        result = change(_store())
    except PackError as exc:
        return _fail(str(exc))
    sys.stdout.write(done.format(result=result) + "\n")
    return EXIT_OK


def _add(args: argparse.Namespace) -> int:
    return _change_store(lambda store: store.add_folder(Path(args.path), replace=args.replace),
                         "installed {result.id} ({result.manifest.name})")


def _convert(args: argparse.Namespace) -> int:
    import re

    from models.convert import ConvertError, convert
    from models.manifest import PackError

    if not re.fullmatch(r"[a-z0-9][a-z0-9._-]{1,79}", args.pack_id):
        return _fail(f"'{args.pack_id}' is not a pack id: use lower-case letters, digits, '.', '_' and '-'")
    options = {}
    for item in args.extra_option:
        key, sep, value = item.partition("=")
        if not sep or not key:
            return _fail(f"--extra-option {item!r}: write it as KEY=VALUE")
        options[key] = value
    sys.stderr.write(f"converting {args.source} → {args.pack_id} ({args.precision}, {args.provider}) with "
                     "the onnxruntime-genai model builder\n")
    try:
        pack = convert(args.source, _store(), pack_id=args.pack_id, name=args.name, precision=args.precision,
                       provider=args.provider, extra_options=options, replace=args.replace,
                       on_line=_builder_line)
    except (ConvertError, PackError) as exc:
        return _fail(str(exc), EXIT_FAILED if isinstance(exc, ConvertError) else EXIT_INVALID)
    except KeyboardInterrupt:
        return _fail("interrupted; nothing was installed", 130)
    kind = "MoE" if pack.manifest.moe else "dense"
    sys.stdout.write(f"installed {pack.id} ({pack.manifest.family or 'model'}, {kind}, "
                     f"{pack.manifest.quantization}, {pack.manifest.size_bytes / 1e6:,.1f} MB)\n")
    return EXIT_OK


def _builder_line(line: str) -> None:
    """The builder's output, without the intermediate steps of its progress bars."""
    if "it/s]" in line and "100%" not in line:
        return
    sys.stderr.write(f"  {line}\n")


def _remove(args: argparse.Namespace) -> int:
    return _change_store(lambda store: store.remove(args.pack_id), f"removed {args.pack_id}")


def _default(args: argparse.Namespace) -> int:
    return _change_store(lambda store: store.set_default(args.pack_id), f"AI steps now use {args.pack_id}")


def _doctor(args: argparse.Namespace) -> int:
    from models.manifest import PackError
    from models.providers import provider_statuses
    from models.service import available_memory_mb

    try:
        import onnxruntime_genai as og
    except ImportError as exc:
        return _fail(f"onnxruntime-genai is not installed ({exc}); reinstall Loomwork", EXIT_FAILED)
    report: dict[str, Any] = {"onnxruntime_genai": og.__version__, "memory_free_mb": available_memory_mb(),
                              "providers": [], "default": None}
    store = _store()
    try:
        pack = store.default()
    except PackError as exc:
        pack, report["default_problem"] = None, str(exc)
    for status in provider_statuses(og):
        entry = {"name": status.name, "label": status.label, "usable": status.usable, "reason": status.reason}
        if status.usable and pack is not None:  # the only real test: load the model with it
            entry["usable"], entry["reason"] = _try_load(og, pack.folder, status.name)
        report["providers"].append(entry)
    if pack is not None:
        report["default"] = {"id": pack.id, "memory_mb": pack.manifest.memory_mb,
                             "providers": pack.manifest.providers}
    if args.json:
        sys.stdout.write(json.dumps(report, indent=2) + "\n")
        return EXIT_OK
    out = sys.stdout
    out.write(f"onnxruntime-genai {report['onnxruntime_genai']}; free memory "
              f"{report['memory_free_mb'] or '?'} MB\n")
    for entry in report["providers"]:
        out.write(f"  {'ok ' if entry['usable'] else '-- '} {entry['label']:<30} {entry['reason']}\n")
    if pack is None:
        out.write(f"default model: none — {report['default_problem']}\n")
    else:
        out.write(f"default model: {pack.id} (needs about {pack.manifest.memory_mb} MB)\n")
    return EXIT_OK


def _try_load(og: Any, folder: Path, provider: str) -> tuple[bool, str]:
    from models.engine import model_config

    try:
        og.Model(model_config(og, folder, provider))
    except Exception as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return False, f"the model did not load with it: {first}"
    return True, "loads the default model"
