"""House rules that keep the layers apart (DESIGN §1) and the code base tidy."""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HEADLESS = ("runtime", "nodes", "models")
HEAVY = ("PySide6", "playwright", "onnxruntime_genai", "onnxruntime", "openpyxl", "httpx", "jinja2",
         "torch", "pypdfium2", "rapidocr_onnxruntime", "python_calamine", "pypdf", "pdfplumber", "pdfminer",
         "docx", "docxtpl", "PIL", "cv2", "lxml", "reportlab")


def _imports(path: Path) -> list[tuple[str, int, bool]]:
    """(module, line, at_top_level) for every import in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found = []
    top_level = {id(n) for n in tree.body}
    for parent in ast.walk(tree):
        for node in ast.iter_child_nodes(parent):
            if isinstance(node, ast.Import):
                found += [(a.name, node.lineno, id(node) in top_level) for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.append((node.module, node.lineno, id(node) in top_level))
    return found


def _py_files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", HEADLESS)
def test_headless_packages_never_import_qt_or_studio(package: str) -> None:
    bad = [f"{p.relative_to(ROOT)}:{line} imports {mod}"
           for p in _py_files(package) for mod, line, _ in _imports(p)
           if mod.split(".")[0] in ("PySide6", "studio", "shiboken6")]
    assert not bad, "\n".join(bad)


def test_runtime_never_names_nodes_or_models() -> None:
    bad = [f"{p.relative_to(ROOT)}:{line} imports {mod}"
           for p in _py_files("runtime") for mod, line, _ in _imports(p)
           if mod.split(".")[0] in ("nodes", "models")]
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize(("package", "other"), [("nodes", "models"), ("models", "nodes")])
def test_nodes_and_models_are_independent(package: str, other: str) -> None:
    bad = [f"{p.relative_to(ROOT)}:{line} imports {mod}"
           for p in _py_files(package) for mod, line, _ in _imports(p) if mod.split(".")[0] == other]
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("package", ("nodes", "models", "studio"))
def test_other_packages_use_only_the_public_runtime_api(package: str) -> None:
    bad = [f"{p.relative_to(ROOT)}:{line} imports {mod}"
           for p in _py_files(package) for mod, line, _ in _imports(p)
           if mod.startswith("runtime") and mod != "runtime.api"]
    assert not bad, "\n".join(bad)


def test_node_modules_import_heavy_libraries_lazily() -> None:
    bad = [f"{p.relative_to(ROOT)}:{line} imports {mod} at module level"
           for package in ("nodes", "models", "runtime") for p in _py_files(package)
           for mod, line, top in _imports(p) if top and mod.split(".")[0] in HEAVY]
    assert not bad, "\n".join(bad)


def test_import_smoke_discovers_all_nodes_without_heavy_libraries() -> None:
    code = (
        "import json, sys\n"
        "import runtime, runtime.api, nodes, models\n"
        "from runtime.api import Registry\n"
        "reg = Registry.from_entry_points()\n"
        f"heavy = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "print(json.dumps({'types': len(reg), 'broken': [b.error for b in reg.broken], 'heavy': heavy}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                         timeout=60, check=True)
    report = json.loads(out.stdout)
    assert report["broken"] == []
    assert report["types"] >= 20
    assert report["heavy"] == [], f"imported at discovery: {report['heavy']}"


def test_modules_stay_small() -> None:
    big = [f"{p.relative_to(ROOT)}: {n} lines" for package in ("runtime", "nodes", "models", "studio")
           for p in _py_files(package) if (n := len(p.read_text(encoding="utf-8").splitlines())) > 600]
    assert not big, "split these by role:\n" + "\n".join(big)


def test_ruff_is_clean() -> None:
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed")
    out = subprocess.run([ruff, "check", "--quiet", "."], capture_output=True, text=True, cwd=ROOT,
                         timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
