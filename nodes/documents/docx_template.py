"""Word from template: fills the {{ placeholders }} of a .docx template and saves a new document.

Library: docxtpl (LGPL-2.1), used unmodified as a separately installed library (imported, not
copied or changed), which the LGPL permits in a closed application; it fills Jinja placeholders
in Word's XML while keeping the template's formatting, and supports repeated table rows
(`{%tr for row in rows %}`). Its dependencies are python-docx (MIT), docxcompose (MIT) and
Jinja2 (BSD-3-Clause). The new file is written atomically.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from nodes._shared.offload import Stop, offload
from nodes.documents._common import DocInput, artifact_path, check_source, document_ref, source_path
from nodes.files._common import prepare_target, replace_file
from runtime.api import CachePolicy, Capability, DocumentRef, NodeContext, NodeError, NodeType, Table

_PATH_FIELD = re.compile(r"\{([^{}]+)\}")
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


class DocxTemplateConfig(BaseModel):
    path: str = Field(default="", title="Template",
                      description="The Word template (.docx) with {{ placeholders }}, relative to the "
                                  "flow's folder", json_schema_extra={"widget": "file"})
    output: str = Field(default="", title="Save as",
                        description="The new document, e.g. letters/{customer}.docx: {field} takes a value "
                                    "from the record. Empty: keep it in this run's work folder.",
                        json_schema_extra={"widget": "file-save"})
    values: dict[str, str] = Field(default_factory=dict, title="Fixed values",
                                   description="Values for placeholders that do not come from the record")
    rows_name: str = Field(default="rows", title="Name of the table's rows",
                           description="The table input's rows are available as this name, e.g. "
                                       "{%tr for row in rows %} … {{ row.amount }} … {%tr endfor %}")
    missing: Literal["error", "blank"] = Field(
        default="error", title="A placeholder without a value",
        description="error: stop and name the missing placeholders; blank: leave them empty")
    overwrite: bool = Field(default=True, title="Replace an existing file")
    create_folders: bool = Field(default=True, title="Create missing folders")


class DocxTemplateInputs(BaseModel):
    record: dict[str, Any] | None = Field(default=None, title="Record",
                                          description="The values for the placeholders, by name")
    table: Table | None = Field(default=None, title="Table", description="Rows for repeated table rows")
    path: DocInput = Field(default=None, title="Template", description="Overrides the configured template")


class DocxTemplateOutputs(BaseModel):
    document: DocumentRef | None = Field(default=None, title="Document")


def _alias(name: str) -> str:
    return re.sub(r"\W+", "_", name.strip()).strip("_").lower()


def _context(config: DocxTemplateConfig, inputs: DocxTemplateInputs) -> dict[str, Any]:
    """Placeholder values: the record's over the fixed ones; a field "Invoice No" is also invoice_no."""
    record = inputs.record or {}
    values: dict[str, Any] = {**config.values, **record}
    context = dict(values)
    for name, value in record.items():
        alias = _alias(str(name))
        if alias and alias != name and alias not in record and alias.isidentifier():
            context[alias] = value
    context["fields"] = values
    if inputs.table is not None:
        context[config.rows_name.strip() or "rows"] = list(inputs.table.rows)
    return context


def _fill_path(template: str, values: dict[str, Any]) -> str:
    def one(match: re.Match[str]) -> str:
        key = match.group(1).strip()
        if key not in values:
            raise NodeError(f"'Save as' uses {{{key}}}, but the record has no field '{key}'")
        value = values[key]
        text = value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else str(value)
        return _UNSAFE.sub("_", text).strip() or "_"

    return _PATH_FIELD.sub(one, template)


def _render(template: Path, target: Path, context: dict[str, Any], missing: str, stop: Stop) -> list[str]:
    """Fill the template and write the result; returns the placeholders left blank."""
    import jinja2
    from docx.opc.exceptions import PackageNotFoundError
    from docxtpl import DocxTemplate

    environment = jinja2.Environment(undefined=jinja2.StrictUndefined if missing == "error" else
                                     jinja2.Undefined, autoescape=False)
    try:
        document = DocxTemplate(str(template))
        needed = document.get_undeclared_template_variables(environment)
    except jinja2.TemplateSyntaxError as exc:
        raise NodeError(f"the template {template} has a mistake in a placeholder ({exc.message}): check that "
                        "each {{ has its }} and each {% has its %}") from None
    except (PackageNotFoundError, KeyError, ValueError) as exc:
        raise NodeError(f"cannot read the template {template}: the file is damaged or is not a Word "
                        f"document ({exc})") from None
    absent = sorted(str(name) for name in needed if name not in context)
    if absent and missing == "error":
        raise NodeError(f"the template {template.name} needs values for {', '.join(absent)}, but the record "
                        f"has no such field{'s' if len(absent) > 1 else ''} (it has: "
                        f"{', '.join(sorted(map(str, context['fields']))) or 'nothing'})")
    stop.check()
    try:
        document.render(context, jinja_env=environment, autoescape=True)
    except jinja2.UndefinedError as exc:
        raise NodeError(f"filling the template {template.name}: {exc.message}") from None
    except jinja2.TemplateError as exc:
        raise NodeError(f"filling the template {template.name}: {exc}") from None
    buffer = io.BytesIO()
    document.save(buffer)
    replace_file(target, buffer.getvalue(), stop)
    return absent


class DocxFromTemplate(NodeType):
    type_id = "documents.docx_template"
    title = "Word from Template"
    category = "Documents"
    description = ("Makes a Word document from a template: each {{ placeholder }} in the template (for "
                   "example {{ customer }} or {{ total }}) is replaced by the value of that name, for "
                   "letters, reminders or quotes. The template itself is not changed.")
    keywords = ("word", "docx", "template", "mail merge", "letter", "placeholder", "fill", "generate")
    icon = "file-pen-line"
    capabilities = frozenset({Capability.FILES_READ, Capability.FILES_WRITE})
    cache = CachePolicy.NEVER
    Config = DocxTemplateConfig
    Inputs = DocxTemplateInputs
    Outputs = DocxTemplateOutputs

    async def run(self, ctx: NodeContext, config: DocxTemplateConfig,
                  inputs: DocxTemplateInputs) -> DocxTemplateOutputs:
        template = source_path(ctx, config.path, inputs.path, field="Template")
        check_source(template, {"docx"}, "a Word document (.docx)")
        context = _context(config, inputs)
        if config.output.strip():
            target = ctx.resolve_path(_fill_path(config.output.strip(), context["fields"]))
            if target.suffix.lower() != ".docx":
                raise NodeError(f"'Save as' must name a .docx file, not {target.name}")
            if target.resolve() == template.resolve():
                raise NodeError(f"'Save as' is the template itself ({target}); choose another file")
            prepare_target(target, create_folders=config.create_folders, overwrite=config.overwrite)
        else:
            target = artifact_path(ctx.artifacts, f"{template.stem}-filled.docx")
        blank = await offload(lambda stop: _render(template, target, context, config.missing, stop),
                              size=1, limit=0)
        if blank:
            ctx.log.warning("left blank (no value given): %s", ", ".join(blank))
        ctx.log.info("filled %s and saved %s", template.name, target)
        return DocxTemplateOutputs(document=document_ref(target, "docx", None))
