"""Switch: sends the value to the output of the first case it matches, or to "default".

Port ids of the cases are stable: each case keeps an `id` (`case_1`, `case_2`, …) in the
config, given once when the case is created and never renumbered. Renaming a case only
changes its output's title, and moving a case up or down moves its output with it, so
edges stay attached to the case they were drawn from. A case written without an id
gets the next free number (one more than the highest in use, so a deleted case's id is
not handed to a new case).
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from nodes._shared.compare import MISSING, check_pattern, evaluate, get_path
from runtime.api import NodeContext, NodeType, PortEnvironment, PortSpec, PortType

DEFAULT_PORT = "default"
_CASE_ID = re.compile(r"^case_([1-9][0-9]{0,5})$")


class SwitchCase(BaseModel):
    id: str = Field(default="", title="Output id",
                    description="Set automatically; keeps connections when cases are renamed or moved.",
                    json_schema_extra={"widget": "hidden"})
    label: str = Field(default="", title="Name", description="The output's name on the canvas.")
    match: Literal["equals", "matches"] = Field(
        default="equals", title="How to match",
        description="equals: the field equals the value (compared as in If and Filter rows: "
                    "'100' equals 100, codes such as 00123 stay text). matches: the field fits the "
                    "pattern (a regular expression).")
    value: Any = Field(default="", title="Value or pattern", json_schema_extra={"widget": "json_or_text"})

    def title(self, number: int) -> str:
        if self.label.strip():
            return self.label.strip()
        shown = "" if self.value is None else str(self.value).strip()
        if not shown:
            return f"Case {number}"
        return f"= {shown}" if self.match == "equals" else f"matches {shown}"


class SwitchConfig(BaseModel):
    field: str = Field(
        default="", title="Field",
        description="Which field of the value decides, e.g. 'status'. Leave empty to use the value itself.")
    cases: list[SwitchCase] = Field(default_factory=list, title="Cases",
                                    description="Checked from top to bottom; the first match wins.")
    ignore_case: bool = Field(default=False, title="Ignore upper/lower case")

    @model_validator(mode="after")
    def _assign_ids(self) -> SwitchConfig:
        used: set[str] = set()
        for case in self.cases:
            if not case.id:
                continue
            if not _CASE_ID.match(case.id):
                raise ValueError(f"case id {case.id!r} must look like 'case_1'")
            if case.id in used:
                raise ValueError(f"two cases have the id {case.id!r}")
            used.add(case.id)
        highest = max((int(c.id[5:]) for c in self.cases if c.id), default=0)
        for case in self.cases:
            if not case.id:
                highest += 1
                case.id = f"case_{highest}"
            if case.match == "matches":
                check_pattern(case.value, self.ignore_case)
        return self


class SwitchInputs(BaseModel):
    value: Any = Field(title="Value", description="The value to route; it is passed on unchanged.")


class Switch(NodeType):
    type_id = "control.switch"
    title = "Switch"
    category = "Control"
    description = ("Sends the value to the output of the first case it matches (checked from top to "
                   "bottom), or to 'Default' when none matches. Steps after the other outputs are skipped.")
    keywords = ("route", "case", "choose", "branch", "category", "select")
    icon = "alt_route"
    dynamic_ports = True
    Config = SwitchConfig
    Inputs = SwitchInputs
    Outputs = None

    def ports(self, config: SwitchConfig, env: PortEnvironment) -> tuple[list[PortSpec], list[PortSpec]]:
        return _ports(config)

    def static_ports(self) -> tuple[list[PortSpec], list[PortSpec]]:
        return _ports(SwitchConfig())

    async def run(self, ctx: NodeContext, config: SwitchConfig, inputs: dict[str, Any]) -> dict[str, Any]:
        value = inputs.get("value")
        subject = get_path(value, config.field) if config.field.strip() else value
        if subject is MISSING:
            ctx.log.warning("the value has no field '%s'; treating it as empty", config.field)
            subject = None
        for case in config.cases:
            op = "=" if case.match == "equals" else "matches"
            if evaluate(subject, op, case.value, config.ignore_case):
                return {case.id: value}
        return {DEFAULT_PORT: value}


def _ports(config: SwitchConfig) -> tuple[list[PortSpec], list[PortSpec]]:
    inputs = [PortSpec("value", "Value", PortType.ANY, required=True,
                       description="The value to route; it is passed on unchanged.")]
    outputs = [PortSpec(case.id, case.title(n), PortType.ANY) for n, case in enumerate(config.cases, 1)]
    outputs.append(PortSpec(DEFAULT_PORT, "Default", PortType.ANY,
                            description="The value, when no case matches."))
    return inputs, outputs
