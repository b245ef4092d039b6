"""Every workbook of the shared corpus (files made by Excel, LibreOffice and many libraries,
damaged and protected ones included) reads, or fails with a clear error naming the file and
the reason; none crashes or hangs (a subprocess with a time limit reads them)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sheet_helpers import CORPUS

SUFFIXES = {".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"}
LIMIT_S = 90
EXPECTED_FAILURES = {
    "pass_protected.xlsx": "password-protected", "pass_protected.xlsb": "password-protected",
    "pass_protected.ods": "password-protected", "issue_385.xls": "password-protected",
    "too_small.xls": "damaged", "OOM_alloc3.xls": "damaged", "issue252.xlsx": "damaged",
    "issue_594_dos.ods": "damaged",
}


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the shared corpus is not present ({CORPUS})")
def test_every_corpus_workbook_reads_or_fails_clearly():
    files = sorted(str(p) for p in CORPUS.iterdir() if p.suffix.lower() in SUFFIXES)
    assert len(files) > 100
    worker = Path(__file__).with_name("corpus_worker.py")
    try:
        done = subprocess.run([sys.executable, str(worker), *files], capture_output=True, text=True,
                              timeout=LIMIT_S, cwd=Path(__file__).resolve().parents[3])
        output = done.stdout
    except subprocess.TimeoutExpired as exc:
        output = (exc.stdout or b"").decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        started = [line[6:] for line in output.splitlines() if line.startswith("START ")]
        pytest.fail(f"reading the corpus took over {LIMIT_S} s; stuck on {started[-1] if started else '?'}")
    results = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    assert len(results) == len(files), done.stderr[-2000:]
    problems = []
    for result in results:
        name = result["file"]
        if "crash" in result:
            problems.append(f"{name}: crashed: {result['crash']}")
        elif not result["ok"]:
            if name not in result["error"]:
                problems.append(f"{name}: the error does not name the file: {result['error']}")
            want = EXPECTED_FAILURES.get(name)
            if want is None or want not in result["error"]:
                problems.append(f"{name}: unexpected failure: {result['error']}")
        else:
            if name in EXPECTED_FAILURES:
                problems.append(f"{name}: read although it should fail ({EXPECTED_FAILURES[name]})")
            for sheet in result["sheets"]:
                if "error" in sheet and name not in sheet["error"]:
                    problems.append(f"{name} '{sheet['sheet']}': the error does not name the file: "
                                    f"{sheet['error']}")
        if result["seconds"] > 10:
            problems.append(f"{name}: took {result['seconds']} s")
    assert not problems, "\n".join(problems)
    assert sum(r.get("rows", 0) for r in results) > 1000
