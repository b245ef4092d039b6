"""The spreadsheet pack: registration, metadata, cache policies, and light imports."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from runtime.api import CachePolicy, Capability, node_spec

TYPES = {"spreadsheet.read", "spreadsheet.find_rows", "spreadsheet.write_range", "spreadsheet.append_rows",
         "spreadsheet.upsert_rows", "spreadsheet.delete_rows", "spreadsheet.sheet_add",
         "spreadsheet.sheet_rename"}
READERS = {"spreadsheet.read", "spreadsheet.find_rows"}
ICONS = Path(__file__).resolve().parents[3] / "assets" / "icons"


def test_discovering_the_pack_loads_neither_calamine_nor_openpyxl():
    code = ("import sys\n"
            "from runtime.api import Registry\n"
            "registry = Registry.from_entry_points()\n"
            "assert not registry.broken, registry.broken\n"
            "assert 'spreadsheet.read' in {t.type_id for t in registry}\n"
            "print(sorted({'python_calamine', 'openpyxl', 'et_xmlfile'} & set(sys.modules)))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_every_type_is_declared_for_the_studio(registry):
    assert {t.type_id for t in registry} >= TYPES
    for type_id in TYPES:
        node = registry.get(type_id)
        spec = node_spec(node)
        json.dumps(spec)
        assert node.category == "Spreadsheets" and len(node.description) > 80 and node.keywords
        assert (ICONS / f"{node.icon}.svg").is_file(), node.icon
        for field in spec["config_schema"].get("properties", {}).values():
            assert "title" in field
        assert Capability.FILES_READ in node.capabilities
        if type_id in READERS:
            assert node.cache is CachePolicy.FINGERPRINT and Capability.FILES_WRITE not in node.capabilities
        else:
            assert node.cache is CachePolicy.NEVER and Capability.FILES_WRITE in node.capabilities
