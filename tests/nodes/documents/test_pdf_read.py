"""Read PDF: text per page, page ranges, layout mode, metadata, OCR fallback, passwords, broken files,
and every PDF of the shared corpus."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from nodes.documents.pdf_read import PdfReadConfig
from runtime.api import DocumentRef, NodeState, Table

CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "corpus" / "pdf"


def test_reads_every_page_with_metadata_and_a_document_reference(run_node, files):
    out = run_node("documents.pdf_read", {"path": str(files["four"])}).ok()
    pages: Table = out["pages"]
    assert pages.column_names == ["page", "text", "chars", "ocr"]
    assert [r["page"] for r in pages] == [1, 2, 3, 4]
    assert [r["text"].strip() for r in pages] == [f"Page {n} alpha" for n in (1, 2, 3, 4)]
    assert all(r["chars"] == len(r["text"]) and r["ocr"] is False for r in pages)
    assert out["text"].split("\n\n") == [r["text"] for r in pages]
    meta = out["metadata"]
    assert meta["title"] == "Quarterly report" and meta["author"] == "Jane Clerk"
    assert meta["producer"].startswith("ReportLab")
    assert isinstance(meta["created"], dt.datetime) and meta["created"].year >= 2000
    assert meta["page_count"] == 4 and meta["encrypted"] is False
    assert out["page_count"] == 4
    document: DocumentRef = out["document"]
    assert document.kind == "document" and document.doc_kind == "pdf" and document.pages == 4
    assert Path(document.path) == files["four"].resolve() and document.media_type == "application/pdf"


@pytest.mark.parametrize(("pages", "expected"), [
    ("1-2,4", [1, 2, 4]), ("last", [4]), ("3-", [3, 4]), ("2-last", [2, 3, 4]), ("4,1", [4, 1]),
    ("3-9", [3, 4]), ("all", [1, 2, 3, 4]),
])
def test_page_ranges(run_node, files, pages, expected):
    out = run_node("documents.pdf_read", {"path": str(files["four"]), "pages": pages}).ok()
    assert [r["page"] for r in out["pages"]] == expected
    assert out["page_count"] == 4


def test_a_page_past_the_end_names_the_file_and_its_page_count(run_node, files):
    run = run_node("documents.pdf_read", {"path": str(files["four"]), "pages": "2,7"})
    assert run.state is NodeState.FAILED
    assert "four.pdf has only 4 pages: page 7 does not exist" in run.error


@pytest.mark.parametrize(("pages", "message"), [("0", "counted from 1"), ("3-1", "runs backwards"),
                                               ("one", "not a page or a range"), ("1..2", "not a page")])
def test_bad_page_selections_are_refused_in_the_config(pages, message):
    with pytest.raises(ValidationError, match=message):
        PdfReadConfig(path="x.pdf", pages=pages)


def test_layout_mode_keeps_labels_and_values_on_one_line(run_node, files):
    plain = run_node("documents.pdf_read", {"path": str(files["layout"])}).ok()["text"]
    laid = run_node("documents.pdf_read", {"path": str(files["layout"]), "layout": True}).ok()["text"]
    for label, value in (("Invoice number", "INV-7"), ("Total", "1,234.50")):
        assert label in plain and value in plain
        line = next(line for line in laid.splitlines() if line.startswith(label))
        assert line.endswith(value) and line.index(value) - len(label) > 20, laid


def test_scanned_pages_are_read_by_ocr_and_logged(run_node, files):
    run = run_node("documents.pdf_read", {"path": str(files["scanned"])})
    rows = run.ok()["pages"].rows
    assert rows[0]["text"].strip() == "Cover letter" and rows[0]["ocr"] is False
    assert rows[1]["ocr"] is True
    assert "INV-3077" in rows[1]["text"] and "88.20" in rows[1]["text"]
    assert any("pages 2 of scanned.pdf by text recognition" in line for line in run.logs("info"))


def test_ocr_never_leaves_scanned_pages_empty_with_a_warning(run_node, files):
    run = run_node("documents.pdf_read", {"path": str(files["scanned"]), "ocr": "never"})
    rows = run.ok()["pages"].rows
    assert rows[1]["text"] == "" and rows[1]["ocr"] is False
    assert any("no text on page 2 of scanned.pdf" in line for line in run.logs("warning"))


def test_a_password_protected_pdf_asks_for_a_credential(run_node, files):
    run = run_node("documents.pdf_read", {"path": str(files["locked"])})
    assert run.state is NodeState.FAILED
    assert "locked.pdf" in run.error and "password-protected" in run.error and "Traceback" not in run.error


def test_the_password_comes_from_a_named_credential(run_node, make_runner, files, credentials):
    runner = make_runner(credentials=credentials)
    out = run_node("documents.pdf_read", {"path": str(files["locked"]), "password_credential": "pdf_pw"},
                   runner=runner).ok()
    assert out["page_count"] == 4 and "Page 3 alpha" in out["text"] and out["metadata"]["encrypted"] is True
    wrong = run_node("documents.pdf_read", {"path": str(files["locked"]), "password_credential": "wrong_pw"},
                     runner=runner)
    assert wrong.state is NodeState.FAILED
    assert "credential 'wrong_pw' is not this file's password" in wrong.error and "locked.pdf" in wrong.error


@pytest.mark.parametrize(("name", "message"), [
    ("truncated", "damaged"), ("garbage", "damaged"), ("empty", "the file is empty"),
    ("png", "expected a PDF file, but it is a PNG image"), ("docx", "it is a Word (.docx) document"),
])
def test_broken_and_wrong_files_give_a_clear_error_naming_the_file(run_node, files, name, message):
    run = run_node("documents.pdf_read", {"path": str(files[name])})
    assert run.state is NodeState.FAILED
    assert files[name].name in run.error and message in run.error, run.error


def test_a_missing_file_and_a_folder(run_node, files, tmp_path):
    missing = run_node("documents.pdf_read", {"path": str(tmp_path / "nope.pdf")})
    assert "nope.pdf" in missing.error and "does not exist" in missing.error
    folder = run_node("documents.pdf_read", {"path": str(tmp_path)})
    assert "is a folder" in folder.error


def test_a_document_reference_input_overrides_the_configured_file(run_node, files):
    ref = DocumentRef(path=str(files["layout"]), name="layout.pdf", doc_kind="pdf")
    out = run_node("documents.pdf_read", {"path": str(files["four"])}, {"path": ref}).ok()
    assert out["page_count"] == 1 and "Invoice number" in out["text"]


def test_results_are_cached_until_the_file_changes(run_node, make_runner, files, tmp_path):
    copy = tmp_path / "copy.pdf"
    copy.write_bytes(files["four"].read_bytes())
    runner = make_runner()
    assert not run_node("documents.pdf_read", {"path": str(copy)}, runner=runner).cached
    assert run_node("documents.pdf_read", {"path": str(copy)}, runner=runner).cached
    copy.write_bytes(files["layout"].read_bytes())
    os.utime(copy, ns=(1, 1))
    again = run_node("documents.pdf_read", {"path": str(copy)}, runner=runner)
    assert not again.cached and again.ok()["page_count"] == 1


def test_cancelling_stops_between_pages(files):
    from nodes._shared.offload import Stop, Stopped
    from nodes.documents.pdf_read import PdfReadConfig, _read

    stop = Stop()
    stop.set()
    with pytest.raises(Stopped):
        _read(files["four"], PdfReadConfig(), None, stop, lambda fraction, message: None)


def _corpus_files() -> list[str]:
    return sorted(p.name for p in CORPUS.glob("*.pdf")) if CORPUS.is_dir() else ["(no corpus)"]


# Files of the corpus that cannot be read, and why: the test checks the error names the file.
CORPUS_FAILURES = {
    "libreoffice-writer-password.pdf": "password-protected",
    # Its page tree object (172 0) is missing from the file: no reader finds its 4 pages.
    "unreadablemetadata.pdf": "damaged",
}


@pytest.mark.parametrize("name", _corpus_files())
def test_every_corpus_pdf_reads_or_fails_clearly(run_node, corpus, name):
    if name not in corpus:
        pytest.skip(f"{name} is not listed in files.json")
    run = run_node("documents.pdf_read", {"path": str(CORPUS / name), "ocr": "never"})
    if name in CORPUS_FAILURES:
        assert run.state is NodeState.FAILED
        assert name in run.error and CORPUS_FAILURES[name] in run.error, run.error
        return
    out = run.ok()
    assert out["page_count"] == corpus[name]["pages"] == len(out["pages"])
    assert out["metadata"]["producer"] == (corpus[name]["producer"] or "")
    assert out["document"].pages == corpus[name]["pages"]


def test_the_corpus_password_pdf_opens_with_its_password(run_node, make_runner, corpus, credentials):
    name = "libreoffice-writer-password.pdf"
    if name not in corpus:
        pytest.skip(f"{name} is not in the corpus")
    run = run_node("documents.pdf_read", {"path": str(CORPUS / name), "password_credential": "corpus_pw"},
                   runner=make_runner(credentials=credentials))
    out = run.ok()
    assert out["page_count"] == 1 and "Lorem ipsum" in out["text"]
