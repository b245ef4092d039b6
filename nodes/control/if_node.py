"""If: sends the value down the "true" or the "false" path, depending on a condition."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, model_validator

from nodes._shared.compare import MISSING, Operator, check_pattern, describe, evaluate, get_path
from runtime.api import NodeContext, NodeType


class IfConfig(BaseModel):
    field: str = Field(
        default="", title="Field",
        description="Which field of the value to test, e.g. 'status' or 'customer.country'. "
                    "Leave empty to test the value itself.")
    operator: Operator = Field(
        default="is_true", title="Test",
        description="is_true: not empty, not 0, not false/no. =, !=, <, <=, >, >=: compare with "
                    "the value below (numbers written as text count as numbers, also with commas "
                    "between thousands; codes with leading zeros such as 00123 stay text for = and "
                    "!=; dates compare as dates). contains, starts_with, ends_with: text contains "
                    "it (contains also finds an item of a list). matches: fits the pattern (a "
                    "regular expression).")
    value: Any = Field(default="", title="Compare with",
                       description="Not used by is_true, is_empty and not_empty.",
                       json_schema_extra={"widget": "json_or_text"})
    ignore_case: bool = Field(default=False, title="Ignore upper/lower case")

    @model_validator(mode="after")
    def _valid_pattern(self) -> IfConfig:
        if self.operator == "matches":
            check_pattern(self.value, self.ignore_case)
        return self


class IfInputs(BaseModel):
    value: Any = Field(title="Value", description="The value to test; it is passed on unchanged.")


class IfOutputs(BaseModel):
    true: Any = Field(default=None, title="True", description="The value, when the test holds.")
    false: Any = Field(default=None, title="False", description="The value, when it does not.")


class If(NodeType):
    type_id = "control.if"
    title = "If"
    category = "Control"
    description = ("Sends the value to the 'True' or the 'False' output depending on a test. "
                   "Steps after the output that is not taken are skipped. Values compare as in "
                   "Filter rows; values that cannot be compared (text such as 'n/a' > 100) take "
                   "the 'False' output, and a warning names them.")
    keywords = ("condition", "branch", "when", "check", "filter", "decide")
    icon = "call_split"
    Config = IfConfig
    Inputs = IfInputs
    Outputs = IfOutputs

    async def run(self, ctx: NodeContext, config: IfConfig, inputs: IfInputs) -> IfOutputs:
        field = config.field.strip()
        subject = get_path(inputs.value, field) if field else inputs.value
        if subject is MISSING:
            ctx.log.warning("the value has no field '%s'; testing it as empty", field)
        outcome = evaluate(subject, config.operator, config.value, config.ignore_case)
        if outcome is None:
            ctx.log.warning("cannot tell whether %s (%s) is %s %s: they are different kinds of value; "
                            "taking 'False'", f"'{field}'" if field else "the value", describe(subject),
                            config.operator, describe(config.value))
        if outcome:
            return IfOutputs(true=inputs.value)
        return IfOutputs(false=inputs.value)
