"""Open browser: starts the run's browser (once per run) and opens a page at a web address."""

from __future__ import annotations

import os
import secrets
import sys
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from nodes.browser._session import ContextOptions, browser_session
from nodes.browser._step import PageOutputs, TimeoutField, capture_evidence, short_url
from runtime.api import CachePolicy, Capability, NodeContext, NodeError, NodeType, data_paths

WaitUntil = Literal["load", "domcontentloaded", "networkidle", "commit"]


class OpenBrowserConfig(BaseModel):
    url: str = Field(default="", title="Web address",
                     description="The page to open, e.g. https://portal.example.com/login, or a page "
                                 "file relative to the flow's folder (empty: a blank page)")
    wait_until: WaitUntil = Field(default="load", title="Wait until",
                                  description="load: the page and its images; domcontentloaded: the HTML "
                                              "only; networkidle: no network activity for 0.5 s")
    show_browser: bool = Field(default=False, title="Show the browser",
                               description="Watch the run in a browser window (off: runs hidden, faster)")
    profile: str = Field(default="", title="Keep logins in profile",
                         description="A name: cookies and logins are kept between runs in a browser profile "
                                     "of that name (empty: a fresh, private browser each run)")
    dialogs: Literal["dismiss", "accept"] = Field(
        default="dismiss", title="Pop-up messages",
        description="What to do with alert/confirm/prompt pop-ups the page shows (use 'Answer a dialog' "
                    "for one you need to answer differently)")
    width: int = Field(default=1280, ge=200, le=7680, title="Window width")
    height: int = Field(default=800, ge=200, le=4320, title="Window height")
    browser_path: str = Field(default="", title="Browser program",
                              description="Path of a Chrome/Edge/Chromium executable (empty: found "
                                          "automatically)", json_schema_extra={"widget": "file"})
    timeout_s: float = TimeoutField(30.0)

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        value = value.strip()
        if value and "://" not in value and not value.startswith(("about:", "data:")) \
                and not _is_local(value):
            value = "https://" + value
        return value

    @field_validator("profile")
    @classmethod
    def _profile(cls, value: str) -> str:
        value = value.strip()
        if value and (not all(c.isalnum() or c in "-_ ." for c in value) or not value.strip(".")):
            raise ValueError("use letters, digits, spaces, '-', '_' or '.' in a profile name (not only dots)")
        return value


def _is_local(value: str) -> bool:
    """A page file on this computer: ./page.html, ../portal/login.html, /srv/x.html, C:\\x.html."""
    if value.startswith(("./", "../", "/", "~", ".\\", "..\\")):
        return True
    drive = len(value) > 2 and value[1] == ":" and value[2] in "\\/"
    return drive or value.lower().endswith((".html", ".htm"))


def page_address(ctx: NodeContext, value: str) -> str:
    """The address to open: a local page file (relative to the flow's folder) becomes a file:// URL."""
    if "://" in value or value.startswith(("about:", "data:")) or not _is_local(value):
        return value
    path = ctx.resolve_path(value)
    if not path.is_file():
        raise NodeError(f"Web address: the page file {path} does not exist")
    return path.resolve().as_uri()


class OpenBrowserInputs(BaseModel):
    url: str | None = Field(default=None, title="Web address", description="Overrides the configured address")


def _has_display() -> bool:
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


class OpenBrowser(NodeType):
    type_id = "browser.open"
    title = "Open browser"
    category = "Browser"
    description = ("Opens a web page in a browser on this computer. The browser steps connected after it "
                   "work on that page; the browser closes when the run ends.")
    keywords = ("browser", "web", "website", "portal", "chrome", "edge", "open", "url", "navigate")
    icon = "globe"
    capabilities = frozenset({Capability.BROWSER, Capability.NETWORK})
    cache = CachePolicy.NEVER
    Config = OpenBrowserConfig
    Inputs = OpenBrowserInputs
    Outputs = PageOutputs

    async def run(self, ctx: NodeContext, config: OpenBrowserConfig,
                  inputs: OpenBrowserInputs) -> PageOutputs:
        url = page_address(ctx, (inputs.url or config.url).strip())
        headless = not config.show_browser
        if config.show_browser and not _has_display():
            ctx.log.warning("there is no screen to show the browser on; it runs hidden")
            headless = True
        profile = data_paths().home / "browser-profiles" / config.profile if config.profile else None
        session = await browser_session(ctx)
        options = ContextOptions(headless=headless, browser_path=config.browser_path, profile_dir=profile,
                                 viewport=(config.width, config.height), dialogs=config.dialogs)
        # One session id per opening: copies of a subflow (for-each, parallel subflows) run the
        # same node ids at once, and each must keep its own browser context.
        session_id = f"{ctx.node_id}-{secrets.token_hex(4)}"
        state = await session.open_context(session_id, options)
        ctx.at_flow_end(lambda outputs: session.release(session_id, outputs))
        page = state.pages[0]
        page.set_default_timeout(config.timeout_s * 1000)
        if state.launched:
            ctx.log.info("browser: %s%s", session.choice.label if session.choice else "?",
                         "" if headless else " (shown)")
        if url:
            try:
                await page.goto(url, wait_until=config.wait_until, timeout=config.timeout_s * 1000)
            except Exception as exc:
                first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                raise NodeError(f"could not open {short_url(url)}: {first}",
                                evidence=await capture_evidence(ctx, page)) from None
            ctx.log.info("opened %s", short_url(page.url))
        return PageOutputs(page=session.ref(session_id, page, title=await page.title() if url else ""))
