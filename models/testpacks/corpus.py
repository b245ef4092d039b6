"""Built-in training text for the test tokenizer: no downloads, same bytes every build."""

from __future__ import annotations

_SENTENCES = (
    "Invoice number INV-2024-0042 from Acme Supplies Ltd is due on 2024-07-31.",
    "The total amount is 1,234.56 EUR including VAT of 19 percent.",
    "Please approve the purchase order for 250 units of item A-17.",
    "Customer: Jane Doe, 12 Market Street, Springfield. Phone +1 555 0100.",
    "The page shows a table with columns Date, Description, Quantity, Price and Total.",
    "Question: what is the due date? Answer: the due date is the last day of July.",
    "Extract the fields name, date, amount and currency as a JSON object.",
    "Classify the message as one of: invoice, receipt, order, complaint, other.",
    "Summarize the document in one sentence for the accounts payable team.",
    "The image is red. The image is blue. The picture shows a green logo on white paper.",
    "A quick brown fox jumps over the lazy dog while the scheduler runs the nightly flow.",
    "Loomwork runs flows on your own machine; invoices and screenshots never leave it.",
    "Supplier portal login succeeded; 3 new invoices were downloaded as PDF files.",
    "Row 17 failed validation: the field 'amount' must be a number, got 'n/a'.",
    "yes no true false null none unknown pending approved rejected paid overdue",
    "January February March April May June July August September October November December",
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday morning evening night",
    "zero one two three four five six seven eight nine ten hundred thousand million",
)

_JSON_SNIPPETS = (
    '{"name": "Acme", "amount": 12.5, "currency": "EUR", "paid": true}',
    '{"label": "invoice", "confidence": 0.93, "tags": ["urgent", "supplier"]}',
    '[{"id": 1, "ok": false}, {"id": 2, "ok": null}]',
    '{"date": "2024-07-31", "items": [], "note": ""}',
)


def training_text() -> list[str]:
    """Lines of English, numbers, punctuation and JSON, repeated enough for BPE merges."""
    lines = list(_SENTENCES) + list(_JSON_SNIPPETS)
    digits = [" ".join(str(i * j) for j in range(1, 13)) for i in range(1, 13)]
    letters = ["".join(chr(c) for c in range(32, 127))]
    return (lines + digits + letters) * 4
