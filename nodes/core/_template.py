"""Sandboxed Jinja templates for the text-template and log nodes.

jinja2 is imported inside the functions, so importing a node pack never loads it.
Templates run in `ImmutableSandboxedEnvironment` with `StrictUndefined`: they cannot
reach Python internals or change the values they are given, and a misspelt name is an
error instead of silently empty text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from runtime.api import NodeError, Table

__all__ = ["check_template", "plain_table", "render_template", "template_variables"]


def _environment() -> Any:
    from jinja2 import StrictUndefined
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    return ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=False,
                                         keep_trailing_newline=True)


def check_template(source: str) -> str:
    """Compile `source`; raise ValueError with the line number when it is not valid."""
    from jinja2 import TemplateSyntaxError

    try:
        _environment().from_string(source)
    except TemplateSyntaxError as exc:
        raise ValueError(f"template error on line {exc.lineno}: {exc.message}") from None
    return source


def template_variables(data: Any) -> dict[str, Any]:
    """The variables a template sees: `data` itself, plus each key when it is a record. A table
    stored by column is handed over with its rows as a list, as any other table."""
    variables: dict[str, Any] = {}
    if isinstance(data, Mapping):
        variables.update({str(k): plain_table(v) for k, v in data.items()})
    variables["data"] = plain_table(data)
    return variables


def plain_table(value: Any) -> Any:
    """A read-only table (stored by column) as a table of row dicts; anything else as it is."""
    if isinstance(value, Table) and value.read_only:
        return Table(value.columns, list(value.rows))
    return value


def _template_line(exc: BaseException) -> int | None:
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def render_template(source: str, variables: Mapping[str, Any], field: str = "Template") -> str:
    """Render `source`; any failure becomes a NodeError naming `field` and the line."""
    from jinja2 import TemplateError, TemplateSyntaxError, UndefinedError
    from jinja2.exceptions import SecurityError

    env = _environment()
    try:
        template = env.from_string(source)
    except TemplateSyntaxError as exc:
        raise NodeError(f"{field}: error on line {exc.lineno}: {exc.message}") from None
    try:
        return template.render(dict(variables))
    except Exception as exc:
        line = _template_line(exc)
        where = f"{field}, line {line}" if line else field
        if isinstance(exc, UndefinedError):
            known = ", ".join(sorted(variables)) or "none"
            message = f"{exc.message} (available names: {known})"
        elif isinstance(exc, SecurityError):
            message = f"not allowed in a template: {exc.message}"
        elif isinstance(exc, TemplateError):
            message = exc.message or type(exc).__name__
        else:
            message = f"{type(exc).__name__}: {exc}"
        raise NodeError(f"{where}: {message}") from None
