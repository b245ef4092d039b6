"""Read Image (PNG, multi-page TIFF) and OCR of images and scanned PDFs (offline, models in the wheel)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from runtime.api import ImageRef, NodeState


def test_a_png_is_passed_on_as_it_is(run_node, files):
    out = run_node("documents.image_read", {"path": str(files["png"])}).ok()
    image: ImageRef = out["images"][0]
    assert Path(image.path) == files["png"].resolve() and image.media_type == "image/png"
    assert (image.width, image.height) == (900, 220) and out["page_count"] == 1
    assert out["document"].doc_kind == "image" and out["document"].pages == 1


def test_a_multi_page_tiff_becomes_png_pages(run_node, files):
    from PIL import Image

    out = run_node("documents.image_read", {"path": str(files["tiff"])}).ok()
    assert out["page_count"] == 2 and [r["page"] for r in out["pages"]] == [1, 2]
    assert [r["dpi"] for r in out["pages"]] == [200, 200]
    for image in out["images"]:
        assert image.media_type == "image/png" and (image.width, image.height) == (600, 120)
        with Image.open(image.path) as png:
            assert png.format == "PNG"
    last = run_node("documents.image_read", {"path": str(files["tiff"]), "pages": "last"}).ok()
    assert [r["page"] for r in last["pages"]] == [2] and last["document"].media_type == "image/tiff"


def test_images_that_are_not_images_or_are_cut_short(run_node, files):
    fake = run_node("documents.image_read", {"path": str(files["fake_png"])})
    assert fake.state is NodeState.FAILED and "notes.png" in fake.error and "plain text file" in fake.error
    cut = run_node("documents.image_read", {"path": str(files["truncated_png"])})
    assert "cut.png" in cut.error and "damaged" in cut.error
    empty = run_node("documents.ocr", {"path": str(files["empty"])})
    assert "empty.pdf" in empty.error and "empty" in empty.error


def test_ocr_reads_the_words_of_an_image_with_boxes_and_confidence(run_node, files):
    out = run_node("documents.ocr", {"path": str(files["png"])}).ok()
    assert "Receipt 4711" in out["text"] and "3.80" in out["text"]
    lines = out["lines"]
    assert lines.column_names == ["page", "line", "text", "confidence", "left", "top", "right", "bottom"]
    first = lines.rows[0]
    assert "Receipt" in first["text"] and first["page"] == 1 and first["confidence"] > 0.8
    assert 0 <= first["left"] < first["right"] <= 900 and 0 <= first["top"] < first["bottom"] <= 220
    assert all(r["top"] >= first["top"] for r in lines)


def test_ocr_of_one_tiff_page_and_of_a_scanned_pdf_page(run_node, files):
    tiff = run_node("documents.ocr", {"path": str(files["tiff"]), "pages": "2"}).ok()
    assert "Second page 42" in tiff["text"].replace("  ", " ") and tiff["page_count"] == 1
    assert {r["page"] for r in tiff["lines"]} == {2}
    pdf = run_node("documents.ocr", {"path": str(files["scanned"]), "pages": "2", "dpi": 100}).ok()
    assert "INV-3077" in pdf["text"]


def test_ocr_works_with_the_network_cut_off(files):
    """The models ship inside the wheel: OCR in a process that has no network at all."""
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        pytest.skip("needs root and unshare to cut the network off")
    probe = subprocess.run(["unshare", "-n", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"unshare -n is not allowed here: {probe.stderr.decode(errors='replace').strip()}")
    code = ("import sys\n"
            "from PIL import Image\n"
            "from nodes.documents._ocr import lines_text, ocr_image\n"
            "print(lines_text(ocr_image(Image.open(sys.argv[1]))))\n")
    root = Path(__file__).resolve().parents[3]
    done = subprocess.run(["unshare", "-n", sys.executable, "-c", code, str(files["png"])],
                          capture_output=True, text=True, timeout=120, cwd=root)
    assert done.returncode == 0, done.stderr
    assert "Receipt 4711" in done.stdout
