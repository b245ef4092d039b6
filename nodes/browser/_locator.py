"""How browser steps find an element: Playwright's user-facing locators, chosen in the inspector.

A `Locator` is plain config (no Playwright types), so flows stay readable in git:
`{"by": "role", "value": "button", "name": "Next"}`. The preferred kinds come first —
role and accessible name, label, placeholder, text, test id — then CSS and XPath.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

__all__ = ["LOCATOR_WIDGET", "ROLES", "Locator", "describe", "resolve"]

LocatorKind = Literal["role", "label", "placeholder", "text", "test_id", "alt_text", "title", "css", "xpath"]

ROLES = ("button", "link", "textbox", "checkbox", "radio", "combobox", "listbox", "option", "heading",
         "cell", "row", "table", "tab", "menuitem", "dialog", "img", "navigation", "searchbox", "switch")

LOCATOR_WIDGET = {"widget": "locator", "picker": "nodes.browser.picker"}
"""`json_schema_extra` of every step's locator field: the inspector's locator editor, whose
"Pick element" button runs this module (`python -m nodes.browser.picker`)."""


class Locator(BaseModel):
    """Which element a step acts on."""

    by: LocatorKind = Field(
        default="role", title="Find by",
        description="role: a button, link, text box… by its visible name (the most robust); label: the "
                    "text of the field's label; placeholder; text: visible text; test_id: a data-testid "
                    "attribute; css or xpath: for when nothing else fits")
    value: str = Field(default="", title="Role or text",
                       description="For 'role': button, link, textbox, checkbox, heading, cell, …; "
                                   "otherwise the text, label, test id, CSS selector or XPath")
    name: str = Field(default="", title="Name",
                      description="For 'role': the element's accessible name, e.g. the button's caption")
    exact: bool = Field(default=False, title="Exact match",
                        description="Match the whole text, case-sensitive (otherwise a part is enough)")
    nth: int = Field(default=0, ge=0, title="Match number",
                     description="0: the one and only match (several are an error); 1, 2, …: the first, "
                                 "second, … match")
    frame: str = Field(default="", title="Inside frame",
                       description="A CSS selector of the iframe the element is in (empty: the page)")

    @model_validator(mode="after")
    def _complete(self) -> Locator:
        if self.by == "role" and self.value and self.value not in ROLES:
            raise ValueError(f"'{self.value}' is not a role; use one of: {', '.join(ROLES)}")
        return self

    @property
    def empty(self) -> bool:
        return not self.value.strip()


def describe(loc: Locator) -> str:
    """The locator in words, for messages: "button 'Next'", "field labelled 'Email'"."""
    match loc.by:
        case "role":
            text = f"{loc.value} '{loc.name}'" if loc.name else f"a {loc.value}"
        case "label":
            text = f"field labelled '{loc.value}'"
        case "placeholder":
            text = f"field with placeholder '{loc.value}'"
        case "text":
            text = f"text '{loc.value}'"
        case "test_id":
            text = f"element with test id '{loc.value}'"
        case "alt_text":
            text = f"image '{loc.value}'"
        case "title":
            text = f"element titled '{loc.value}'"
        case "xpath":
            text = f"element at XPath {loc.value}"
        case _:
            text = f"element '{loc.value}'"
    if loc.nth:
        text = f"match {loc.nth} of {text}"
    if loc.frame:
        text += f" inside frame '{loc.frame}'"
    return text


def resolve(page: Any, loc: Locator) -> Any:
    """A Playwright `Locator` on `page` (no round trip to the browser happens here)."""
    scope = page.frame_locator(loc.frame) if loc.frame else page
    exact = loc.exact or None
    match loc.by:
        case "role":
            found = scope.get_by_role(loc.value, name=loc.name or None, exact=exact)
        case "label":
            found = scope.get_by_label(loc.value, exact=exact)
        case "placeholder":
            found = scope.get_by_placeholder(loc.value, exact=exact)
        case "text":
            found = scope.get_by_text(loc.value, exact=exact)
        case "test_id":
            found = scope.get_by_test_id(loc.value)
        case "alt_text":
            found = scope.get_by_alt_text(loc.value, exact=exact)
        case "title":
            found = scope.get_by_title(loc.value, exact=exact)
        case "xpath":
            found = scope.locator(f"xpath={loc.value}")
        case _:
            found = scope.locator(loc.value)
    return found.nth(loc.nth - 1) if loc.nth else found
