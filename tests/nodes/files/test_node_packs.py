"""The core and files packs: registration, declared specs, and light imports (the net pack has
its own test in tests/nodes/net)."""

from __future__ import annotations

import json
import subprocess
import sys

from runtime.api import CachePolicy, Capability, node_spec

CORE = {"core.text_template", "core.set_fields", "core.filter_rows", "core.sort_rows", "core.json_parse",
        "core.json_format", "core.log", "core.delay"}
FILES = {"files.csv_read", "files.csv_write", "files.read_text", "files.write_text", "files.list_folder",
         "files.copy", "files.move", "files.delete"}


def test_importing_the_packs_loads_no_heavy_library():
    code = (
        "import sys\n"
        "import nodes.core, nodes.files, nodes.net\n"
        "from runtime.api import Registry\n"
        "registry = Registry.from_entry_points()\n"
        "assert not registry.broken, registry.broken\n"
        "heavy = {'jinja2', 'httpx', 'PySide6', 'playwright', 'onnxruntime_genai', 'openpyxl',\n"
        "         'python_calamine', 'pypdfium2', 'pypdf', 'pdfplumber', 'pdfminer', 'docx', 'docxtpl',\n"
        "         'PIL', 'cv2', 'lxml', 'rapidocr_onnxruntime', 'onnxruntime'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_every_type_is_registered_with_a_json_spec(registry):
    ids = {t.type_id for t in registry}
    assert ids >= CORE | FILES
    for type_id in CORE | FILES:
        spec = node_spec(registry.get(type_id))
        json.dumps(spec)
        assert spec["title"] and spec["description"]
        for field in spec["config_schema"].get("properties", {}).values():
            assert "title" in field


def test_side_effects_are_never_cached_and_readers_are_fingerprinted(registry):
    never = {"core.log", "core.delay", "files.csv_write", "files.write_text", "files.copy", "files.move",
             "files.delete"}
    fingerprinted = {"files.csv_read", "files.read_text", "files.list_folder"}
    for type_id in CORE | FILES:
        expected = (CachePolicy.NEVER if type_id in never else
                    CachePolicy.FINGERPRINT if type_id in fingerprinted else CachePolicy.PURE)
        assert registry.get(type_id).cache is expected, type_id
    assert Capability.FILES_WRITE in registry.get("files.delete").capabilities
    assert Capability.FILES_READ in registry.get("files.csv_read").capabilities
