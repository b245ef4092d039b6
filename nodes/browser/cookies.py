"""Save login / Load login: keeps the browser's cookies and storage in a file, so a later run
can start logged in. The file holds session secrets: it is written only where the user says."""

from __future__ import annotations

import json
import os
from typing import Any

from pydantic import BaseModel, Field

from nodes.browser._session import BrowserSession
from nodes.browser._step import BrowserStep, PageInputs, PageOutputs
from runtime.api import Capability, FileRef, NodeContext, NodeError, SessionRef, atomic_write_text


class CookiesConfig(BaseModel):
    path: str = Field(default="browser-session.json", title="File",
                      description="Where the cookies are kept (relative to the flow's folder); keep it out "
                                  "of shared folders and git: it lets anyone in as you",
                      json_schema_extra={"widget": "file"})


class SaveCookiesOutputs(BaseModel):
    page: SessionRef | None = Field(default=None, title="Page")
    file: FileRef | None = Field(default=None, title="File")


class SaveCookies(BrowserStep):
    type_id = "browser.save_cookies"
    title = "Save login"
    description = "Saves the browser's cookies (the login) to a file, for a later run to load."
    keywords = ("cookies", "session", "login", "save", "storage state", "remember", "browser")
    icon = "cookie"
    target_field = None
    capabilities = frozenset({Capability.BROWSER, Capability.FILES_WRITE})
    Config = CookiesConfig
    Inputs = PageInputs
    Outputs = SaveCookiesOutputs

    async def act(self, ctx: NodeContext, session: BrowserSession, page: Any, config: CookiesConfig,
                  inputs: PageInputs) -> SaveCookiesOutputs:
        path = ctx.resolve_path(config.path)
        state = await session.context_of(inputs.page).context.storage_state()
        path.parent.mkdir(parents=True, exist_ok=True)
        if os.name == "posix":  # a login: for this user only, from the first byte on
            if path.exists():
                os.chmod(path, 0o600)
            else:
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        atomic_write_text(path, json.dumps(state, indent=1))  # keeps the file's permissions
        ctx.log.info("saved %d cookies to %s", len(state.get("cookies", [])), path.name)
        return SaveCookiesOutputs(page=session.ref(inputs.page.session, page),
                                  file=FileRef(path=str(path), name=path.name, media_type="application/json"))


class LoadCookies(BrowserStep):
    type_id = "browser.load_cookies"
    title = "Load login"
    description = "Loads cookies saved by 'Save login' into the browser, so the page opens logged in."
    keywords = ("cookies", "session", "login", "load", "restore", "storage state", "browser")
    icon = "cookie"
    target_field = None
    capabilities = frozenset({Capability.BROWSER, Capability.FILES_READ})
    Config = CookiesConfig
    Inputs = PageInputs
    Outputs = PageOutputs

    async def act(self, ctx: NodeContext, session: BrowserSession, page: Any, config: CookiesConfig,
                  inputs: PageInputs) -> PageOutputs:
        path = ctx.resolve_path(config.path)
        try:
            state = json.loads(path.read_text(encoding="utf-8"))
            cookies = state["cookies"]
        except FileNotFoundError:
            raise NodeError(f"File: {path} does not exist; run a flow with 'Save login' first") from None
        except (ValueError, KeyError, TypeError):
            raise NodeError(f"File: {path} is not a file written by 'Save login'") from None
        context = session.context_of(inputs.page).context
        await context.add_cookies(cookies)
        origins = [o for o in state.get("origins") or [] if o.get("origin") and o.get("localStorage")]
        for origin in origins:  # the saved storage comes back when a page of that site opens
            items = {entry["name"]: entry["value"] for entry in origin["localStorage"]}
            await context.add_init_script(
                "((origin, items) => { if (location.origin === origin) { for (const [k, v] of "
                "Object.entries(items)) localStorage.setItem(k, v); } })"
                f"({json.dumps(origin['origin'])}, {json.dumps(items)});")
        ctx.log.info("loaded %d cookies (and the storage of %d sites) from %s", len(cookies), len(origins),
                     path.name)
        return PageOutputs(page=session.ref(inputs.page.session, page))
