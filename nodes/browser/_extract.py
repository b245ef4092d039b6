"""Reading data out of a page in one round trip each: an HTML table, or repeating elements
(cards, list items, rows of a grid) with one sub-selector per column."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from nodes.files._csv_format import infer_columns
from runtime.api import Column, NodeError, Table

__all__ = ["FieldSpec", "TableOptions", "finish", "read_records", "read_table", "to_table"]

_TABLE_JS = """(table) => {
  const rows = [];
  const parts = ':scope > thead > tr, :scope > tbody > tr, :scope > tr, :scope > tfoot > tr';
  for (const tr of table.querySelectorAll(parts)) {
    const cells = [];
    for (const cell of tr.cells) {
      const text = (cell.innerText ?? cell.textContent ?? '').replace(/\\s+/g, ' ').trim();
      const span = Math.max(1, cell.colSpan || 1);
      for (let i = 0; i < span; i++) cells.push(i === 0 ? text : '');
    }
    const header = tr.parentElement && tr.parentElement.tagName === 'THEAD'
      || (tr.cells.length > 0 && Array.from(tr.cells).every(c => c.tagName === 'TH'));
    const links = Array.from(tr.querySelectorAll('a[href]')).map(a => a.href);
    rows.push({cells, header, links});
  }
  return rows;
}"""

_RECORDS_JS = """(items, fields) => items.map(item => {
  const out = {};
  for (const f of fields) {
    const el = f.selector ? item.querySelector(f.selector) : item;
    if (!el) { out[f.name] = null; continue; }
    if (f.attribute) {
      out[f.name] = f.attribute === 'href' && el.href !== undefined ? el.href : el.getAttribute(f.attribute);
    } else {
      out[f.name] = (el.innerText ?? el.textContent ?? '').replace(/\\s+/g, ' ').trim();
    }
  }
  return out;
})"""


class TableOptions(BaseModel):
    """How an HTML table becomes a Table."""

    header: bool = Field(default=True, title="First row has column names",
                         description="Header cells (<th>) are detected; this also takes a plain first row")
    rename: dict[str, str] = Field(default_factory=dict, title="Rename columns",
                                   description="Page column name → the name you want (others keep theirs)")
    keep_only: list[str] = Field(default_factory=list, title="Keep only columns",
                                 description="Empty: all columns")
    links: bool = Field(default=False, title="Add a 'link' column",
                        description="The address of the first link in each row (e.g. to download it)")
    infer_types: bool = Field(default=False, title="Detect numbers and true/false")


class FieldSpec(BaseModel):
    """One column of Extract records: where its value is inside each repeated element."""

    name: str = Field(title="Column")
    selector: str = Field(default="", title="CSS inside the element",
                          description="Empty: the element itself")
    attribute: str = Field(default="", title="Attribute",
                           description="Empty: the visible text; e.g. href, src")


def _names(header: list[str]) -> list[str]:
    names: list[str] = []
    for i, raw in enumerate(header, 1):
        base = raw.strip() or f"column_{i}"
        name, n = base, 2
        while name in names:
            name, n = f"{base} ({n})", n + 1
        names.append(name)
    return names


def to_table(raw: list[dict[str, Any]], options: TableOptions,
             warnings: list[str]) -> tuple[list[str], list[dict[str, Any]]]:
    """Column names and rows (dicts) from the JS result of `_TABLE_JS`."""
    header_rows = [r for r in raw if r["header"]]
    body = [r for r in raw if not r["header"]]
    if header_rows:
        header = header_rows[-1]["cells"]
    elif options.header and body:
        header = body.pop(0)["cells"]
    else:
        header = []
    width = max([len(header)] + [len(r["cells"]) for r in body]) if (header or body) else 0
    names = _names(header + [""] * (width - len(header)))
    rows = []
    for r in body:
        cells = r["cells"] + [""] * (width - len(r["cells"]))
        if not any(cells):
            continue
        row = dict(zip(names, cells, strict=True))
        if options.links:
            row["link"] = r["links"][0] if r["links"] else None
        rows.append(row)
    if options.links:
        names.append("link")
    renamed = set(options.rename.values())
    unknown = [c for c in [*options.rename, *options.keep_only] if c not in names and c not in renamed]
    if unknown:
        raise NodeError(f"the table has no column {', '.join(repr(c) for c in unknown)} "
                        f"(its columns: {', '.join(repr(n) for n in names)})")
    if options.rename:
        names = [options.rename.get(n, n) for n in names]
        rows = [{options.rename.get(k, k): v for k, v in row.items()} for row in rows]
    if options.keep_only:
        keep = [options.rename.get(c, c) for c in options.keep_only]
        names = [n for n in names if n in keep]
        rows = [{k: row[k] for k in names} for row in rows]
    return names, rows


def finish(names: list[str], rows: list[dict[str, Any]], infer: bool, warnings: list[str]) -> Table:
    if infer:
        types, ambiguous = infer_columns(names, rows)
        warnings.extend(ambiguous)
    else:
        types = dict.fromkeys(names, "text")
    return Table([Column(name=n, type=types.get(n, "text")) for n in names], rows)  # type: ignore[arg-type]


async def read_table(locator: Any, timeout_ms: float) -> list[dict[str, Any]]:
    """The rows of the (first) table `locator` points at, as the page shows them."""
    await locator.first.wait_for(state="attached", timeout=timeout_ms)
    return await locator.first.evaluate(_TABLE_JS)


async def read_records(locator: Any, fields: list[FieldSpec], timeout_ms: float, *,
                       wait: bool = True) -> list[dict[str, Any]]:
    """One dict per element `locator` matches, with a value per field."""
    if wait:
        await locator.first.wait_for(state="attached", timeout=timeout_ms)
    spec = [f.model_dump() for f in fields]
    return await locator.evaluate_all(_RECORDS_JS, spec)
