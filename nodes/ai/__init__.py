"""AI steps on the embedded local model: ask, extract fields into a checked record, classify,
summarize, ask about a document's pages. They reach the model through `ctx.services["model"]`
(never importing `models`); onnxruntime-genai loads only when a step first asks."""

from nodes.ai.ask_document import AskDocument
from nodes.ai.classify import Classify
from nodes.ai.extract_fields import ExtractFields
from nodes.ai.prompt import Prompt
from nodes.ai.summarize import Summarize

NODE_TYPES = [Prompt, ExtractFields, Classify, Summarize, AskDocument]
