"""What is wrong with a flow before it runs (no Qt): the compiler's problems plus unknown credentials.

`ProblemChecker.check(document)` returns `runtime.api.Problem`s (severity, node id, field,
message), errors first, then in the flow's node order.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from runtime.api import CredentialStore, FlowDocument, Problem, Registry, check_flow, data_paths
from studio.inspector.schema import FieldSpec, item_noun, object_fields

__all__ = ["ProblemChecker", "credential_fields", "field_path_title", "field_title", "is_port_problem",
           "problem_line", "problems_by_node", "saved_credential_names"]

_PORT_MESSAGES = ("required input ", "edge '", "input '")
"""How check_flow's messages about connections begin (their `field` is an input port id)."""


def saved_credential_names() -> list[str] | None:
    """Names of the saved credentials, from the index file (the keyring is never touched);
    None when the index cannot be read (then credentials are not checked)."""
    try:
        return CredentialStore(data_paths().credentials_index).names()
    except Exception:  # an unreadable data folder must not break editing
        return None


def credential_fields(registry: Registry, type_id: str) -> tuple[str, ...]:
    """Config keys of `type_id` whose schema says `{"widget": "credential"}`."""
    node_type = registry.get(type_id)
    if node_type is None:
        return ()
    keys = []
    for name, info in node_type.Config.model_fields.items():
        extra = info.json_schema_extra
        if isinstance(extra, dict) and extra.get("widget") == "credential":
            keys.append(info.alias or name)
    return tuple(keys)


def is_port_problem(problem: Problem) -> bool:
    """Whether `problem.field` names an input port (not a config field)."""
    return problem.field is not None and problem.message.startswith(_PORT_MESSAGES)


def field_title(registry: Registry, type_id: str | None, field: str | None) -> str:
    """How the inspector names a config field ("Time limit (s)"), also inside lists and
    objects ("Condition 1 › Column" for `conditions.0.column`); other fields (ports) as they are."""
    return field_path_title(registry, type_id, field)


def field_path_title(registry: Registry, type_id: str | None, field: str | None) -> str:
    """`conditions.0.column` as the inspector's form shows it: "Condition 1 › Column"."""
    if not field:
        return ""
    node_type = registry.get(type_id) if type_id else None
    if node_type is None:
        return field
    try:
        specs: list[FieldSpec] = object_fields(node_type.Config.model_json_schema(by_alias=True))
    except Exception:  # a node pack whose schema cannot be built: the raw path
        return field
    names: list[str] = []
    spec: FieldSpec | None = None
    for part in field.split("."):
        if spec is not None and spec.items is not None and part.isdigit():
            names.append(f"{item_noun(spec.title).capitalize()} {int(part) + 1}")
            spec = spec.items
            specs = spec.properties
            continue
        found = next((s for s in specs if s.name == part), None)
        if found is None:
            names.append(part)
            spec, specs = None, []
            continue
        names.append(found.title)
        spec, specs = found, found.properties
    if len(names) > 1 and field.split(".")[1].isdigit():
        del names[0]  # "Condition 1 › Column" reads better than "Conditions › Condition 1 › Column"
    return " › ".join(names)


def problem_line(problem: Problem, title: str = "") -> str:
    """One problem as a line: the field's title first, unless the message names the field."""
    field = problem.field
    if not field or is_port_problem(problem) or f"'{field}'" in problem.message:
        return problem.message
    return f"{title or field}: {problem.message}"


def problems_by_node(problems: list[Problem]) -> dict[str, list[Problem]]:
    """Problems grouped by node id (problems of the whole flow are left out)."""
    grouped: dict[str, list[Problem]] = {}
    for problem in problems:
        if problem.node_id is not None:
            grouped.setdefault(problem.node_id, []).append(problem)
    return grouped


class ProblemChecker:
    """Checks documents against one registry; `last_ms` is how long the last check took."""

    def __init__(self, registry: Registry,
                 credential_names: Callable[[], list[str] | None] = saved_credential_names):
        self.registry = registry
        self.credential_names = credential_names
        self.last_ms = 0.0
        self._credential_fields: dict[str, tuple[str, ...]] = {}

    def check(self, document: FlowDocument) -> list[Problem]:
        started = time.perf_counter()
        flow = document.flow
        path = document.path if isinstance(document.path, Path) else None
        try:
            _plan, problems = check_flow(flow, self.registry, flow_path=path)
        except Exception as exc:  # a node pack's bug must not take the editor down
            problems = [Problem(f"the flow could not be checked: {exc}")]
        problems = list(problems) + self._credential_problems(document)
        order = {node_id: index for index, node_id in enumerate(flow.nodes)}
        problems.sort(key=lambda p: (p.severity != "error", order.get(p.node_id or "", -1),
                                     p.field or "", p.message))
        self.last_ms = (time.perf_counter() - started) * 1000
        return problems

    def _fields(self, type_id: str) -> tuple[str, ...]:
        if type_id not in self._credential_fields:
            self._credential_fields[type_id] = credential_fields(self.registry, type_id)
        return self._credential_fields[type_id]

    def _credential_problems(self, document: FlowDocument) -> list[Problem]:
        used = [(node_id, key, inst.config.get(key))
                for node_id, inst in document.flow.nodes.items() for key in self._fields(inst.type)]
        used = [(node_id, key, name) for node_id, key, name in used if isinstance(name, str) and name.strip()]
        if not used:
            return []
        names = self.credential_names()
        if names is None:
            return []
        known = set(names)
        return [Problem(f"unknown credential '{name.strip()}': save it with: loomwork credentials set "
                        f"{name.strip()}", node_id=node_id, field=key)
                for node_id, key, name in used if name.strip() not in known]
