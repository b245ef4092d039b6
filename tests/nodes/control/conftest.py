"""Fixtures of the control-node tests: a registry with test types and a runner per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from control_helpers import Work, registry

from runtime.api import Registry, Runner, data_paths


@pytest.fixture(scope="session")
def reg() -> Registry:
    return registry()


@pytest.fixture
def runner(reg: Registry, tmp_path: Path) -> Iterator[Runner]:
    Work.reset()
    r = Runner(reg, data_paths(tmp_path / "home"))
    yield r
    r.close()
