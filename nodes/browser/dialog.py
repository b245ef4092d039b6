"""Answer a dialog: clicks something that makes the page show an alert, confirm or prompt
pop-up, and answers it (OK or Cancel, with text for a prompt)."""

from __future__ import annotations

import asyncio
from typing import Any, Literal

from pydantic import BaseModel, Field

from nodes.browser._locator import LOCATOR_WIDGET, Locator
from nodes.browser._session import BrowserSession
from nodes.browser._step import BrowserStep, PageInputs, TimeoutField
from runtime.api import NodeContext, NodeError, SessionRef


class DialogConfig(BaseModel):
    target: Locator = Field(default_factory=lambda: Locator(by="role", value="button"), title="Click this",
                            description="The element whose click shows the pop-up",
                            json_schema_extra=LOCATOR_WIDGET)
    answer: Literal["accept", "dismiss"] = Field(default="accept", title="Answer",
                                                 description="accept: OK; dismiss: Cancel")
    prompt_text: str = Field(default="", title="Text to type", description="For a prompt that asks for text")
    timeout_s: float = TimeoutField()


class DialogOutputs(BaseModel):
    page: SessionRef | None = Field(default=None, title="Page")
    message: str | None = Field(default=None, title="Message", description="What the pop-up said")


class AnswerDialog(BrowserStep):
    type_id = "browser.dialog"
    title = "Answer a dialog"
    description = ("Clicks an element that opens a pop-up message (alert, confirm or prompt) and answers "
                   "it with OK or Cancel; gives the message it showed.")
    keywords = ("dialog", "alert", "confirm", "prompt", "popup message", "ok", "cancel", "browser")
    icon = "message-square-warning"
    verb = "clicked"
    Config = DialogConfig
    Inputs = PageInputs
    Outputs = DialogOutputs

    async def act(self, ctx: NodeContext, session: BrowserSession, page: Any, config: DialogConfig,
                  inputs: PageInputs) -> DialogOutputs:
        state = session.context_of(inputs.page)
        seen: asyncio.Future[str] = asyncio.get_running_loop().create_future()

        async def answer(dialog: Any) -> None:
            if not seen.done():
                seen.set_result(dialog.message)
            if config.answer == "accept":
                await dialog.accept(config.prompt_text) if dialog.type == "prompt" else await dialog.accept()
            else:
                await dialog.dismiss()

        previous = state.dialogs
        state.dialogs = "handled"  # the session's own handler leaves this one alone
        page.on("dialog", answer)
        try:
            await self.locator(page, config).click(timeout=config.timeout_s * 1000, no_wait_after=True)
            try:
                message = await asyncio.wait_for(seen, config.timeout_s)
            except TimeoutError:
                raise NodeError(f"no pop-up message appeared within {config.timeout_s:g} s "
                                "of the click") from None
        finally:
            page.remove_listener("dialog", answer)
            state.dialogs = previous
        ctx.log.info("answered %s: %s", "OK" if config.answer == "accept" else "Cancel", message)
        return DialogOutputs(page=session.ref(inputs.page.session, page), message=message)
