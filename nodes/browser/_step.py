"""What every browser step shares: the Page input and output, waiting limits, messages that
say what was looked for and for how long, and failure evidence (a screenshot, the page's
HTML and its address, attached to the error)."""

from __future__ import annotations

import asyncio
import re
from typing import Any, ClassVar

from pydantic import BaseModel, Field

from nodes.browser._locator import Locator, describe, resolve
from nodes.browser._session import BrowserSession, page_of
from runtime.api import CachePolicy, Capability, NodeContext, NodeError, NodeType, SessionRef

__all__ = ["BrowserStep", "PageInputs", "PageOutputs", "TimeoutField", "capture_evidence", "short_url"]

EVIDENCE_TIMEOUT_S = 5.0


def TimeoutField(default: float = 10.0) -> Any:
    return Field(default=default, gt=0, le=3600, title="Wait up to (s)",
                 description="How long to wait for the page or the element before giving up")


class PageInputs(BaseModel):
    page: SessionRef | None = Field(default=None, title="Page",
                                    description="The browser page, from 'Open browser' or the step before")


class PageOutputs(BaseModel):
    page: SessionRef | None = Field(default=None, title="Page",
                                    description="The same page, for the next browser step")


def short_url(url: str, limit: int = 120) -> str:
    return url if len(url) <= limit else url[: limit - 1] + "…"


async def capture_evidence(ctx: NodeContext, page: Any) -> dict[str, str]:
    """A screenshot, the HTML and the address of `page`, saved in the step's artifacts folder.

    Secrets typed into the page never reach the evidence: the HTML is redacted, and when it
    held a secret (a page that mirrors a typed value) no screenshot is kept either.
    """
    evidence: dict[str, str] = {}
    try:
        evidence["url"] = page.url
    except Exception:
        return evidence
    folder = ctx.artifacts
    held_secret = False
    try:
        html = await asyncio.wait_for(page.content(), EVIDENCE_TIMEOUT_S)
        clean = ctx.redact(html)
        held_secret = clean != html
        path = folder / "failure.html"
        path.write_text(clean, encoding="utf-8")
        evidence["html"] = str(path)
    except Exception as exc:
        ctx.log.debug("no HTML of the failure: %s", exc)
    if held_secret:
        ctx.log.info("no screenshot of the failure: the page showed a secret")
        return evidence
    try:
        shot = folder / "failure.png"
        await asyncio.wait_for(page.screenshot(path=str(shot), timeout=EVIDENCE_TIMEOUT_S * 1000),
                               EVIDENCE_TIMEOUT_S + 1)
        evidence["screenshot"] = str(shot)
    except Exception as exc:  # the page may be gone; the message still says where it was
        ctx.log.debug("no screenshot of the failure: %s", exc)
    return evidence


_STRICT = re.compile(r"resolved to (\d+) elements")


class BrowserStep(NodeType):
    """Base of the steps that act on a page: subclasses implement `act`."""

    category = "Browser"
    capabilities = frozenset({Capability.BROWSER})
    cache = CachePolicy.NEVER
    Inputs = PageInputs
    target_field: ClassVar[str | None] = "target"
    """The config field holding the step's Locator (named in messages), if any."""
    verb: ClassVar[str] = "used"
    """The action in words, for "… was found but could not be clicked"."""

    async def run(self, ctx: NodeContext, config: Any, inputs: Any) -> Any:
        session, page = page_of(ctx, inputs.page)
        try:
            return await self.act(ctx, session, page, config, inputs)
        except asyncio.CancelledError:
            raise
        except NodeError as exc:
            if exc.evidence:
                raise
            raise NodeError(str(exc), evidence=await capture_evidence(ctx, page)) from None
        except Exception as exc:
            message = await self.explain(page, config, exc)
            raise NodeError(message, evidence=await capture_evidence(ctx, page)) from None

    async def act(self, ctx: NodeContext, session: BrowserSession, page: Any, config: Any,
                  inputs: Any) -> Any:
        raise NotImplementedError

    def locator(self, page: Any, config: Any) -> Any:
        target: Locator = getattr(config, self.target_field or "target")
        if target.empty:
            raise NodeError("no element chosen: fill in 'Find by' and 'Role or text' (or use Pick element)")
        return resolve(page, target)

    async def explain(self, page: Any, config: Any, exc: Exception) -> str:
        """A message that says what was looked for, for how long, and where."""
        name = type(exc).__name__
        text = str(exc)
        where = f" on {short_url(page.url)}" if not page.is_closed() else ""
        target: Locator | None = getattr(config, self.target_field, None) if self.target_field else None
        timeout = getattr(config, "timeout_s", None)
        if target is not None and not target.empty:
            what = describe(target)
            strict = _STRICT.search(text)
            if strict:
                return (f"{what} matches {strict.group(1)} elements{where}; set 'Match number' to choose "
                        "one, or make it more specific")
            if name == "TimeoutError":
                try:
                    count = await asyncio.wait_for(resolve(page, target).count(), 3)
                except Exception:
                    count = 0
                waited = f" after {timeout:g} s" if timeout else ""
                if count == 0:
                    return f"{what} not found{waited}{where}"
                return (f"{what} was found but could not be {self.verb}{waited}{where} "
                        "(hidden, disabled or covered)")
        if name == "TimeoutError" and timeout:
            return f"the page did not get there within {timeout:g} s{where}: {text.splitlines()[0]}"
        first = text.splitlines()[0] if text else name
        return f"{first}{where}"
