"""The documents pack: registration, specs, cache policies, icons, and light imports."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from runtime.api import CachePolicy, Capability, node_spec

ROOT = Path(__file__).resolve().parents[3]
READERS = {"documents.pdf_read", "documents.pdf_tables", "documents.docx_read", "documents.ocr",
           "documents.pdf_render", "documents.image_read"}  # cached while their source and images exist
WRITERS = {"documents.pdf_split", "documents.pdf_merge", "documents.pdf_rotate", "documents.pdf_extract",
           "documents.docx_template"}
HEAVY = ("pypdfium2", "pypdf", "pdfplumber", "pdfminer", "docx", "docxtpl", "PIL", "rapidocr_onnxruntime",
         "onnxruntime", "cv2", "reportlab", "lxml", "jinja2")


def test_every_type_is_registered_with_a_spec_an_icon_and_the_right_cache(registry):
    ids = {t.type_id for t in registry if t.type_id.startswith("documents.")}
    assert ids == READERS | WRITERS
    for type_id in ids:
        node = registry.get(type_id)
        spec = node_spec(node)
        json.dumps(spec)
        assert spec["title"] and spec["description"] and node.category == "Documents" and node.keywords
        assert (ROOT / "assets" / "icons" / f"{node.icon}.svg").exists(), node.icon
        for field in spec["config_schema"].get("properties", {}).values():
            assert "title" in field
        assert node.cache is (CachePolicy.FINGERPRINT if type_id in READERS else CachePolicy.NEVER), type_id
        assert Capability.FILES_READ in node.capabilities
    for type_id in WRITERS - {"documents.pdf_render", "documents.image_read"}:
        assert Capability.FILES_WRITE in registry.get(type_id).capabilities


def test_discovering_the_pack_loads_no_document_library():
    code = (
        "import json, sys\n"
        "import nodes.documents\n"
        "from runtime.api import Registry\n"
        "registry = Registry.from_entry_points()\n"
        "assert not registry.broken, registry.broken\n"
        f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []
