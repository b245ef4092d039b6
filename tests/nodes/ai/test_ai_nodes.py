"""The AI steps on the tiny real packs: prompts, checked records, labels, summaries, pages."""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image

from runtime.api import Flow, NodeState, RunStatus
from tests.nodes.conftest import NODE_ID as NODE
from tests.nodes.conftest import node_flow

FIELDS = [{"name": "invoice_number", "type": "text"}, {"name": "total", "type": "number"},
          {"name": "paid", "type": "boolean", "required": False}, {"name": "due", "type": "date"}]


def run(runner, flow: Flow, tmp_path: Path, inputs: dict | None = None, **kwargs):
    events: list = []
    result = runner.run_sync(flow, flow_path=tmp_path / "flow.loom", inputs=inputs or {}, keep_outputs=True,
                             on_event=events.append, **kwargs)
    return result, events


def test_prompt_fills_its_templates_and_records_metrics(ai_runner, tmp_path) -> None:
    flow = node_flow("ai.prompt", {"user": "Invoice {{ number }} from {{ supplier }}: what is due?",
                                   "max_tokens": 24}, {"values": None})
    result, _events = run(ai_runner, flow, tmp_path, {"values": {"number": "INV-7", "supplier": "Acme"}})
    assert result.status is RunStatus.COMPLETED, result.error
    text = result.node_outputs[NODE]["text"]
    assert isinstance(text, str)
    metrics = [e for e in ai_runner.history.events(result.run_id) if e["kind"] == "node_metrics"]
    assert metrics and metrics[0]["metrics"]["model"] == "tiny-moe-text"
    assert metrics[0]["metrics"]["tokens_in"] > 10 and metrics[0]["metrics"]["tokens_out"] >= 1
    again, _ = run(ai_runner, flow, tmp_path, {"values": {"number": "INV-7", "supplier": "Acme"}})
    assert again.nodes[NODE].cached and again.node_outputs[NODE]["text"] == text  # deterministic


def test_a_misspelt_template_name_is_a_clear_error(ai_runner, tmp_path) -> None:
    flow = node_flow("ai.prompt", {"user": "{{ numbr }}"}, {"values": None})
    result, _ = run(ai_runner, flow, tmp_path, {"values": {"number": 1}})
    assert result.status is RunStatus.FAILED and "numbr" in result.nodes[NODE].error


def test_extract_fields_always_gives_a_valid_record(ai_runner, tmp_path) -> None:
    seen = set()
    for text in ("Invoice INV-1 total 12.50", "Rechnung 2026-11 Summe 900", "Paid: yes. Due 2026-12-01",
                 "nothing here", "INV-77 / EUR 1,240.00 / due 30 days"):
        flow = node_flow("ai.extract_fields", {"fields": FIELDS, "max_tokens": 120}, {"text": None})
        result, _ = run(ai_runner, flow, tmp_path, {"text": text})
        assert result.status is RunStatus.COMPLETED, result.error
        record = result.node_outputs[NODE]["record"]
        assert isinstance(record["invoice_number"], str) and isinstance(record["total"], float | int)
        assert record["paid"] in (True, False, None)
        assert len(record["due"]) == 10 and record["due"][4] == "-"  # an ISO date
        seen.add(json.dumps(record, sort_keys=True))
    assert len(seen) > 1


def test_classify_answers_one_of_the_labels(ai_runner, tmp_path) -> None:
    labels = ["invoice", "credit note", "reminder"]
    for text in ("Please pay now", "We credit you 50 EUR", "Invoice attached"):
        flow = node_flow("ai.classify", {"labels": labels}, {"text": None})
        result, _ = run(ai_runner, flow, tmp_path, {"text": text})
        assert result.node_outputs[NODE]["label"] in labels, result.error


def test_summarize_and_the_token_limit_warning(ai_runner, tmp_path) -> None:
    flow = node_flow("ai.summarize", {"max_tokens": 4}, {"text": None})
    result, events = run(ai_runner, flow, tmp_path, {"text": "A long letter about an overdue invoice."})
    assert result.status is RunStatus.COMPLETED, result.error
    assert any("cut off at 4 tokens" in getattr(e, "message", "") for e in events)


def test_ask_about_a_document_sees_the_page(ai_runner, tmp_path) -> None:
    answers = {}
    for color in ("red", "blue"):
        image = tmp_path / f"{color}.png"
        Image.new("RGB", (64, 64), color).save(image)
        flow = node_flow("ai.ask_document", {"question": "What colour is this?", "model": "tiny-moe-vision",
                                             "max_tokens": 12}, {"document": None})
        result, _ = run(ai_runner, flow, tmp_path, {"document": str(image)})
        assert result.status is RunStatus.COMPLETED, result.error
        answers[color] = result.node_outputs[NODE]["answer"]
    assert answers["red"] != answers["blue"]


def test_a_text_only_model_refuses_images_clearly(ai_runner, tmp_path) -> None:
    image = tmp_path / "x.png"
    Image.new("RGB", (32, 32), "red").save(image)
    flow = node_flow("ai.ask_document", {"model": "tiny-moe-text"}, {"document": None})
    result, _ = run(ai_runner, flow, tmp_path, {"document": str(image)})
    assert result.nodes[NODE].state is NodeState.FAILED
    assert "reads text only" in result.nodes[NODE].error


def test_an_unknown_model_says_how_to_get_one(ai_runner, tmp_path) -> None:
    flow = node_flow("ai.prompt", {"model": "no-such-model"}, {"values": None})
    result, _ = run(ai_runner, flow, tmp_path, {"values": "hi"})
    error = result.nodes[NODE].error
    assert "no model 'no-such-model' is installed" in error and "loomwork models pull" in error


def test_a_changed_picture_is_not_answered_from_the_cache(ai_runner, tmp_path) -> None:
    image = tmp_path / "scan.png"
    Image.new("RGB", (64, 64), "red").save(image)
    flow = node_flow("ai.ask_document", {"question": "What colour is this?", "model": "tiny-moe-vision",
                                         "max_tokens": 12}, {"document": None})
    first, _ = run(ai_runner, flow, tmp_path, {"document": str(image)})
    again, _ = run(ai_runner, flow, tmp_path, {"document": str(image)})
    assert again.nodes[NODE].cached
    import os

    Image.new("RGB", (64, 64), "blue").save(image)  # a new scan under the same name
    os.utime(image, ns=(image.stat().st_atime_ns, image.stat().st_mtime_ns + 5_000_000_000))
    third, _ = run(ai_runner, flow, tmp_path, {"document": str(image)})
    assert not third.nodes[NODE].cached
    assert third.node_outputs[NODE]["answer"] != first.node_outputs[NODE]["answer"]


def test_extract_fields_refuses_an_empty_document(ai_runner, tmp_path) -> None:
    flow = node_flow("ai.extract_fields", {"fields": FIELDS}, {"text": None})
    result, _ = run(ai_runner, flow, tmp_path, {"text": "   \n "})
    assert result.status is RunStatus.FAILED and "the document is empty" in result.nodes[NODE].error


def test_pdf_pages_are_rendered_for_the_model(ai_runner, tmp_path) -> None:
    portal = Path(__file__).resolve().parents[3] / "assets" / "demo_portal" / "files"
    for folder in ("jan", "feb"):  # two PDFs of the same name
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "invoice.pdf").write_bytes((portal / "INV-2026-0101.pdf").read_bytes())
    flow = node_flow("ai.extract_fields", {"model": "tiny-moe-vision", "fields": FIELDS, "pages": "1",
                                           "max_tokens": 120}, {"images": None})
    result, _ = run(ai_runner, flow, tmp_path, {"images": [str(tmp_path / "jan" / "invoice.pdf"),
                                                           str(tmp_path / "feb" / "invoice.pdf")]})
    assert result.status is RunStatus.COMPLETED, result.error
    pages = sorted(p.name for p in (ai_runner.paths.runs / result.run_id).rglob("*.png"))
    assert pages == ["1-invoice-page1.png", "2-invoice-page1.png"]
    bad = node_flow("ai.ask_document", {"pages": "7"}, {"document": None})
    failed, _ = run(ai_runner, bad, tmp_path, {"document": str(tmp_path / "jan" / "invoice.pdf")})
    assert "page 7 does not exist" in failed.nodes[NODE].error
