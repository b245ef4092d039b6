"""Fixtures of the spreadsheet tests: a rich workbook per test and the LibreOffice batch check."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sheet_helpers import LibreOfficeBatch, rich_workbook


@pytest.fixture
def rich(tmp_path: Path) -> Path:
    """A fresh copy of the rich workbook (formulas, styles, widths, names, merged cells, a table)."""
    return rich_workbook(tmp_path / "invoices.xlsx")


@pytest.fixture(scope="module")
def libreoffice() -> Iterator[LibreOfficeBatch]:
    """Register written workbooks with expected values; the module's last test has LibreOffice
    check them all in one soffice call (`LibreOfficeBatch.check`)."""
    yield LibreOfficeBatch()
