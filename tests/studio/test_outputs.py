"""The output viewers as a person meets them: each kind of value, copy, sort, zoom, open."""

from __future__ import annotations

import datetime as dt
import functools
import json
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage, QWheelEvent
from PySide6.QtWidgets import QApplication

from runtime.api import Column, DocumentRef, FileRef, ImageRef, Table, WorkbookRef
from studio.outputs import ValueViewer, page_for
from studio.outputs.file_card import describe_kind
from studio.outputs.format import format_cell, human_size, sort_key
from studio.outputs.json_tree import BATCH
from studio.outputs.table_model import sorted_rows


@pytest.fixture
def opened() -> list[str]:
    return []


@pytest.fixture
def viewer(qtbot, opened: list[str]) -> ValueViewer:
    widget = ValueViewer(opener=opened.append)
    qtbot.addWidget(widget)
    widget.resize(900, 560)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _clipboard() -> str:
    return QGuiApplication.clipboard().text()


@functools.cache
def _big_table(rows: int = 100_000) -> Table:
    columns = [Column(name="id", type="integer"), Column(name="name", type="text"),
               Column(name="amount", type="number"), Column(name="paid", type="boolean"),
               Column(name="due", type="date")] + [Column(name=f"c{i}", type="any") for i in range(5)]
    base = dt.date(2024, 1, 1)
    records = [{"id": i, "name": f"customer {i % 977}", "amount": (i * 7919) % 100_003 / 100,
                "paid": i % 3 == 0, "due": base + dt.timedelta(days=i % 365),
                **{f"c{j}": (None if (i + j) % 11 == 0 else i * j) for j in range(5)}}
               for i in range(rows)]
    return Table(columns, records)


def test_text_shows_monospace_and_copies(viewer: ValueViewer) -> None:
    text = "Dear supplier,\n" + "line of a long report\n" * 5000
    viewer.set_value(text, title="report")
    assert viewer.current_page == "text"
    assert viewer.title.text() == "report"
    assert viewer.type_label.text() == "text"
    assert viewer.text_view.edit.isReadOnly()
    assert viewer.text_view.edit.font().fixedPitch() or viewer.text_view.edit.font().styleHint()
    assert viewer.text_view.text() == text
    assert "5,002 lines" in viewer.text_view.caption.text()
    viewer.text_view.copy_button.click()
    assert _clipboard() == text
    viewer.copy_button.click()  # the header copies JSON
    assert json.loads(_clipboard()) == text


def test_plain_values_read_well(viewer: ValueViewer) -> None:
    viewer.set_value(42, title="count")
    assert (viewer.current_page, viewer.scalar_view.label.text()) == ("scalar", "42")
    assert viewer.type_label.text() == "integer"
    viewer.set_value(None, title="nothing")
    assert viewer.scalar_view.label.text() == "—"
    viewer.set_value(dt.datetime(2024, 5, 1, 9, 30), title="when")
    assert viewer.scalar_view.label.text() == "2024-05-01 09:30:00"
    viewer.copy()
    assert json.loads(_clipboard()) == "2024-05-01T09:30:00"
    assert [format_cell(v) for v in (True, 2.5, 3.0, 0.1 + 0.2)] == ["true", "2.5", "3", "0.3"]
    assert format_cell(dt.date(2024, 2, 29)) == "2024-02-29"
    assert human_size(512) == "512 bytes" and human_size(12_345) == "12.1 KB"


def test_json_dict_is_a_tree_and_copies_a_node(viewer: ValueViewer, qtbot) -> None:
    value = {"invoice": {"id": 17, "lines": [{"sku": "A1", "qty": 2}, {"sku": "B7", "qty": None}]},
             "approved": True, "note": "ok"}
    viewer.set_value(value, title="record")
    assert viewer.current_page == "json"
    assert viewer.type_label.text() == "record · 3 keys"
    model, tree = viewer.json_view.model, viewer.json_view.tree
    keys = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert keys == ["invoice", "approved", "note"]
    assert model.index(1, 1).data() == "boolean" and model.index(1, 2).data() == "true"
    invoice = model.index(0, 0)
    assert model.rowCount(invoice) == 0  # nothing made before it is expanded
    tree.expand(invoice)
    assert model.rowCount(invoice) == 2
    lines = model.index(1, 0, invoice)
    assert model.index(1, 1, invoice).data() == "list · 2 items"
    tree.expand(lines)
    second = model.index(1, 0, lines)
    assert second.data() == "[1]"
    tree.setCurrentIndex(second)
    tree.setFocus()
    qtbot.keyClick(tree, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert json.loads(_clipboard()) == {"sku": "B7", "qty": None}
    viewer.copy()
    assert json.loads(_clipboard()) == value


def test_a_big_list_opens_lazily(viewer: ValueViewer) -> None:
    big = [{"row": i, "name": f"item {i}"} for i in range(100_000)]
    start = time.perf_counter()
    viewer.set_value(big, title="items")
    viewer.grab()
    elapsed = time.perf_counter() - start
    model = viewer.json_view.model
    assert viewer.type_label.text() == "list · 100,000 items"
    made = model.rowCount()
    assert made in (BATCH, 2 * BATCH) and model.node_count == made + 1  # not 100,000 rows
    assert elapsed < 5.0, elapsed  # generous: the figure is measured by the benches, laziness above
    bar = viewer.json_view.tree.verticalScrollBar()
    bar.setValue(bar.maximum())  # scrolling to the end makes the next batch
    grown = model.rowCount()  # the next batch (or two, if the view asked again meanwhile)
    assert grown in (made + BATCH, made + 2 * BATCH) and grown < 100_000
    assert model.index(made, 0).data() == f"[{made}]"


def test_big_table_appears_fast_and_reads_well(viewer: ValueViewer) -> None:
    table = _big_table()
    start = time.perf_counter()
    viewer.set_value(table, title="rows")
    viewer.grab()
    elapsed = time.perf_counter() - start
    print(f"\n100,000 × 10 table: set_value → painted in {elapsed * 1000:.0f} ms")
    assert elapsed < 5.0  # generous under CI load; the goal (< 1 s) is reported in the session notes
    assert viewer.current_page == "table"
    assert viewer.table_view.caption.text() == "100,000 rows × 10 columns"
    model = viewer.table_view.model
    assert (model.rowCount(), model.columnCount()) == (100_000, 10)
    assert model.headerData(2, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole) == "amount: number"
    amount = model.index(3, 2)
    assert amount.data(Qt.ItemDataRole.TextAlignmentRole) & Qt.AlignmentFlag.AlignRight
    assert [model.index(r, 2).data() for r in (0, 3, 10)] == ["0.00", "237.57", "791.90"]  # aligned
    assert model.index(3, 4).data() == "2024-01-04"
    missing = model.index(0, 5)  # c0 of row 0 is None
    assert missing.data() == "—"
    assert missing.data(Qt.ItemDataRole.ForegroundRole) is not None


def test_sorting_by_header_click_keeps_missing_last(viewer: ValueViewer, qtbot) -> None:
    table = Table(["v"], [{"v": 3}, {"v": None}, {"v": "b"}, {"v": 1.5}, {"v": "A"},
                          {"v": dt.date(2024, 1, 2)}, {"v": True}, {"v": {"x": 1}}])
    viewer.set_value(table)
    model, view = viewer.table_view.model, viewer.table_view.view
    header = view.horizontalHeader()
    click_at = QPoint(header.sectionViewportPosition(0) + 10, header.height() // 2)
    column = [lambda: [model.index(r, 0).data() for r in range(model.rowCount())]][0]
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=click_at)
    assert column() == ["true", "1.5", "3", "A", "b", "2024-01-02", '{"x": 1}', "—"]
    assert "sorted by v ↑" in viewer.table_view.caption.text()
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=click_at)
    assert column() == ['{"x": 1}', "2024-01-02", "b", "A", "3", "1.5", "true", "—"]
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=click_at)  # third: table order
    assert column()[:3] == ["3", "—", "b"]
    assert sorted(map(sort_key, [1, "x", None, dt.datetime(2024, 1, 1), dt.date(2023, 1, 1)]))


def test_sorting_100k_rows_is_fast(viewer: ValueViewer) -> None:
    viewer.set_value(_big_table())
    model = viewer.table_view.model
    for column in (1, 2, 5):
        start = time.perf_counter()
        viewer.table_view.sort_by(column, Qt.SortOrder.DescendingOrder)
        viewer.grab()
        elapsed = time.perf_counter() - start
        print(f"\nsorting 100,000 rows by {model.table.columns[column].name}: {elapsed * 1000:.0f} ms")
        assert elapsed < 5.0  # generous under CI load
    assert model.index(model.rowCount() - 1, 5).data() == "—"  # c0 has gaps: they sort last
    values = [model.cell(r, 5) for r in range(50)]
    assert values == sorted(values, reverse=True)
    assert sorted_rows(Table(["a"], [{"a": None}, {"a": 2}, {"a": 1}]), "a") == [2, 1, 0]
    utc = dt.UTC
    mixed = Table(["t"], [{"t": dt.datetime(2024, 1, 2, tzinfo=utc)}, {"t": dt.datetime(2024, 1, 1)}])
    assert sorted_rows(mixed, "t") == [1, 0]  # naive and aware datetimes: no TypeError


def _png(path: Path, width: int = 320, height: int = 200) -> Path:
    image = QImage(width, height, QImage.Format.Format_ARGB32)
    image.fill(QColor("#2563eb"))
    for x in range(0, width, 40):
        for y in range(height):
            image.setPixelColor(x, y, QColor("#f59e0b"))
    assert image.save(str(path))
    return path


def test_image_zooms_fits_and_opens(viewer: ValueViewer, tmp_path: Path, opened: list[str]) -> None:
    path = _png(tmp_path / "chart.png", 2000, 1200)
    viewer.set_value(ImageRef(path=str(path), name="chart.png", media_type="image/png"), title="chart")
    assert viewer.current_page == "image"
    view = viewer.image_view.view
    assert view.pixmap().width() == 2000
    fitted = view.zoom()
    assert fitted < 1.0  # a large image is scaled down to fit
    assert "2,000 × 1,200 px" in viewer.image_view.caption.text()
    centre = QPointF(view.viewport().rect().center())
    wheel = QWheelEvent(centre, view.viewport().mapToGlobal(centre), QPoint(0, 0), QPoint(0, 120),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                        Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(view.viewport(), wheel)
    assert view.zoom() == pytest.approx(fitted * 1.25)
    viewer.image_view.fit_button.click()
    assert view.zoom() == pytest.approx(fitted)
    viewer.image_view.actual_button.click()
    assert view.zoom() == 1.0
    assert viewer.image_view.zoom_label.text() == "100 %"
    from pytestqt.qtbot import QtBot

    QtBot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.viewport().rect().center())
    assert opened == [str(path)]


def test_png_file_ref_is_shown_as_an_image(viewer: ValueViewer, tmp_path: Path) -> None:
    path = _png(tmp_path / "scan.PNG")
    ref = FileRef(path=str(path), name="scan.PNG")
    assert page_for(ref) == "image"
    viewer.set_value(ref)
    assert viewer.current_page == "image"
    assert viewer.image_view.view.zoom() == 1.0  # small images are not enlarged


def test_file_card_shows_the_file_and_opens_it(viewer: ValueViewer, tmp_path: Path,
                                               opened: list[str]) -> None:
    path = tmp_path / "out" / "large_invoices.csv"
    path.parent.mkdir()
    path.write_text("id,amount\n" + "1,500\n" * 3000)
    viewer.set_value(FileRef(path=str(path), name="large_invoices.csv", media_type="text/csv"), title="file")
    card = viewer.file_card
    assert viewer.current_page == "file"
    assert card.name.text() == "large_invoices.csv"
    assert card.fields["Path"].text() == str(path)
    assert card.fields["Size"].text() == "17.6 KB  (18,010 bytes)"
    assert card.fields["Type"].text() == "text/csv"
    assert card.missing.isHidden()
    card.open_button.click()
    card.folder_button.click()
    assert opened == [str(path), str(path.parent)]
    viewer.set_value(WorkbookRef(path=str(tmp_path / "gone.xlsx"), sheet="Sales"))
    assert not card.missing.isHidden() and not card.open_button.isEnabled()
    assert card.kind.text() == "Workbook  ·  sheet Sales"
    document = DocumentRef(path="/x.pdf", doc_kind="pdf", pages=3)
    assert describe_kind(document) == "Document  ·  pdf  ·  3 pages"


def test_several_ports_switch_with_tabs(viewer: ValueViewer, qtbot) -> None:
    table = Table.from_records([{"a": 1}, {"a": 2}])
    viewer.set_values({"rows": table, "count": 2, "summary": {"ok": True}})
    assert viewer.tabs.isVisible() and viewer.tabs.count() == 3
    assert (viewer.current_port, viewer.current_page) == ("rows", "table")
    qtbot.mouseClick(viewer.tabs, Qt.MouseButton.LeftButton, pos=viewer.tabs.tabRect(2).center())
    assert (viewer.current_port, viewer.current_page) == ("summary", "json")
    viewer.set_values({"rows": table, "summary": {"ok": False}})  # a new run keeps the port on show
    assert viewer.current_port == "summary"
    viewer.show_port("rows")
    viewer.copy()
    assert json.loads(_clipboard()) == {"columns": ["a"], "rows": [{"a": 1}, {"a": 2}]}
    viewer.set_value("just one", title="text")
    assert not viewer.tabs.isVisible()
    viewer.clear()
    assert viewer.current_page == "empty" and not viewer.copy_button.isEnabled()
