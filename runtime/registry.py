"""The node-type registry: an instance (never a global) filled from entry points.

Node packs register through the `loomwork.nodes` entry-point group; each entry point
names a sequence of `NodeType` subclasses. A pack that fails to import is recorded as
broken with its reason, and every other pack still loads.
"""

from __future__ import annotations

import traceback
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import metadata
from typing import Any

from runtime.node import NodeType

__all__ = ["BrokenPlugin", "Registry", "RegistryError", "node_spec"]

ENTRY_POINT_GROUP = "loomwork.nodes"


class RegistryError(Exception):
    """A node type declaration is invalid or clashes with another one."""


@dataclass(frozen=True, slots=True)
class BrokenPlugin:
    """A node pack that could not be loaded, and why."""

    name: str
    target: str
    error: str
    detail: str


def _check_declaration(cls: type[NodeType]) -> None:
    for attr in ("type_id", "title"):
        if not isinstance(getattr(cls, attr, None), str) or not getattr(cls, attr):
            raise RegistryError(f"{cls.__module__}.{cls.__qualname__} must set '{attr}'")
    parts = cls.type_id.split(".")
    if len(parts) not in (2, 3) or not all(p and p.replace("_", "").isalnum() and p.islower() for p in parts):
        raise RegistryError(
            f"type id {cls.type_id!r} must look like 'domain.snake_name' "
            "(third parties: 'vendor.domain.name')"
        )
    if not isinstance(cls.version, int) or cls.version < 1:
        raise RegistryError(f"{cls.type_id}: version must be a positive integer")


class Registry:
    """Node types by id (legacy ids resolve to their current type)."""

    def __init__(self, types: Iterable[type[NodeType]] = ()):
        self._types: dict[str, NodeType] = {}
        self._aliases: dict[str, str] = {}
        self.broken: list[BrokenPlugin] = []
        for cls in types:
            self.add(cls)

    @classmethod
    def from_entry_points(cls, group: str = ENTRY_POINT_GROUP) -> Registry:
        """A registry holding every node type that installed packs declare."""
        registry = cls()
        registry.discover(group)
        return registry

    def discover(self, group: str = ENTRY_POINT_GROUP) -> None:
        """Load every entry point of `group`, recording broken ones instead of failing."""
        for ep in sorted(metadata.entry_points(group=group), key=lambda e: e.name):
            try:
                loaded = ep.load()
                types = loaded() if callable(loaded) and not isinstance(loaded, type) else loaded
                if isinstance(types, type):
                    types = [types]
                types = list(types)
                trial = Registry()  # check the whole pack first: all of it loads, or none
                trial._types, trial._aliases = dict(self._types), dict(self._aliases)
                for node_cls in types:
                    trial.add(node_cls)
                for node_cls in types:
                    self.add(node_cls)
            except Exception as exc:  # a broken plugin must not stop the others
                self.broken.append(
                    BrokenPlugin(
                        name=ep.name,
                        target=ep.value,
                        error=f"{type(exc).__name__}: {exc}",
                        detail="".join(traceback.format_exception(exc)),
                    )
                )

    def add(self, cls: type[NodeType]) -> None:
        """Register one node type."""
        if not (isinstance(cls, type) and issubclass(cls, NodeType)):
            raise RegistryError(f"{cls!r} is not a NodeType subclass")
        _check_declaration(cls)
        existing = self._types.get(cls.type_id)
        if existing is not None and type(existing) is not cls:
            raise RegistryError(
                f"node type {cls.type_id!r} is declared twice: "
                f"{type(existing).__module__} and {cls.__module__}"
            )
        self._types[cls.type_id] = cls()
        for legacy in cls.legacy_ids:
            self._aliases[legacy] = cls.type_id

    def resolve_id(self, type_id: str) -> str | None:
        """The current id for `type_id` (which may be a legacy id), or None."""
        if type_id in self._types:
            return type_id
        return self._aliases.get(type_id)

    def get(self, type_id: str) -> NodeType | None:
        current = self.resolve_id(type_id)
        return self._types[current] if current else None

    def __contains__(self, type_id: object) -> bool:
        return isinstance(type_id, str) and self.resolve_id(type_id) is not None

    def __iter__(self) -> Iterator[NodeType]:
        return iter(self._types[k] for k in sorted(self._types))

    def __len__(self) -> int:
        return len(self._types)

    def specs(self) -> list[dict[str, Any]]:
        """Every node type as JSON (for the studio's palette and inspector, and the docs)."""
        return [node_spec(t) for t in self]


def node_spec(node: NodeType) -> dict[str, Any]:
    """One node type as a JSON-able dict: identity, docs, capabilities, schemas, ports."""
    inputs, outputs = node.static_ports()
    return {
        "id": node.type_id,
        "version": node.version,
        "title": node.title,
        "category": node.category,
        "description": node.description,
        "keywords": list(node.keywords),
        "icon": node.icon,
        "legacy_ids": list(node.legacy_ids),
        "capabilities": sorted(c.value for c in node.capabilities),
        "cache": node.cache.value,
        "join": node.join,
        "dynamic_ports": node.dynamic_ports,
        "config_schema": node.Config.model_json_schema(),
        "inputs": [p.to_json() for p in inputs],
        "outputs": [p.to_json() for p in outputs],
    }
