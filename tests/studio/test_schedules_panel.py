"""The Schedules panel, its form and the tray logic, on the test's own data home."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPointF

from runtime.api import (
    CronTrigger,
    Registry,
    Runner,
    ScheduleManager,
    add_trigger,
    data_paths,
    load_flow,
)
from studio.features.history import history_of
from studio.features.schedules import SchedulesController, schedules_of, show_schedules
from studio.features.tray import TrayController, tray_of
from studio.schedule_dialog import ScheduleDialog
from studio.schedules_panel import describe_plain
from tests.studio.conftest import EXAMPLES

SHOTS = Path("/tmp")
SHOTS_WANTED = bool(__import__("os").environ.get("LOOMWORK_SHOTS"))
WEEKDAYS = "Weekdays at 08:00 (Europe/Berlin)"


@pytest.fixture
def schedules(window) -> SchedulesController:
    controller = schedules_of(window)
    assert controller is not None
    controller.panel.parentWidget().raise_()
    return controller


def _shot(window, name: str) -> None:
    show_schedules(window)
    window.grab().save(str(SHOTS / name))


def _orders(tmp_path: Path) -> Path:
    path = tmp_path / "orders.loom"
    shutil.copy(EXAMPLES / "open_orders_report.loom", path)
    return path


def _weekdays(dialog: ScheduleDialog) -> bool:
    """The user's answers: a weekday 8:00 schedule in Berlin that skips missed runs."""
    dialog.kind.setCurrentIndex(dialog.kind.findData("cron"))
    dialog.cron.setCurrentText("weekdays at 8:00")
    dialog.timezone.setCurrentText("Europe/Berlin")
    dialog.missed.setCurrentIndex(dialog.missed.findData("skip"))
    dialog.title.setText("Morning")
    assert WEEKDAYS in dialog.update_preview() and "Next:" in dialog.preview.text()
    return True


def _add(window, schedules: SchedulesController, path: Path) -> tuple[Any, str]:
    editor = window.open_path(path)
    schedules.run_dialog = _weekdays
    schedules.panel.buttons["add"].click()
    tid = schedules.panel.selected_id()
    assert tid is not None and tid.startswith("tr_")
    return editor, tid


def test_add_through_the_form_then_save_and_undo(window, schedules, tmp_path) -> None:
    path = _orders(tmp_path)
    editor, tid = _add(window, schedules, path)
    row = schedules.panel.selected()
    assert row.description == f"Morning: {WEEKDAYS}" and row.state == "unsaved"
    assert editor.modified and editor.undo.undoText() == "Add schedule"
    assert "Unsaved changes" in schedules.panel.caption.text()
    assert window.save_current()
    trigger = load_flow(path).triggers[tid]
    assert trigger == CronTrigger(cron="weekdays at 8:00", timezone="Europe/Berlin", missed="skip",
                                  title="Morning")
    assert schedules.panel.states() == {tid: "off"}
    editor.undo.undo()
    assert tid not in editor.document.flow.triggers and schedules.panel.rows == {}
    window.save_current()
    assert load_flow(path).triggers == {}


def test_a_cancelled_or_invalid_form_adds_nothing(window, schedules, tmp_path) -> None:
    editor = window.open_path(_orders(tmp_path))
    schedules.run_dialog = lambda dialog: False
    assert schedules.add() is None

    def nonsense(dialog: ScheduleDialog) -> bool:
        dialog.cron.setCurrentText("at noonish")
        assert "not a schedule" in dialog.update_preview()
        return True

    schedules.run_dialog = nonsense
    assert schedules.add() is None
    assert editor.document.flow.triggers == {} and not editor.modified
    assert "not a schedule" in window.statusBar().currentMessage()


def test_enable_asks_to_save_then_shows_next_fires(window, schedules, tmp_path) -> None:
    path = _orders(tmp_path)
    _editor, tid = _add(window, schedules, path)
    questions: list[str] = []
    schedules.ask_save = lambda question: questions.append(question) or False
    assert not schedules.panel.buttons["enable"].isEnabled()  # not in the file yet
    assert not schedules.enable()
    assert questions and "unsaved changes" in questions[0]
    window.save_current()
    schedules.panel.buttons["enable"].click()
    row = schedules.panel.selected()
    assert row.state == "enabled" and schedules.panel.states()[tid] == "enabled"
    assert len(row.next_fires) == 5
    for text in row.next_fires:
        day = dt.datetime.strptime(text, "%a %d %b %Y %H:%M")
        assert day.weekday() < 5 and (day.hour, day.minute) == (8, 0)
    assert "Next runs: " + row.next_fires[0] in schedules.panel.details.text()
    with ScheduleManager(data_paths()) as manager:
        assert manager.info(path, tid).state == "enabled"
    _shot(window, "schedules-enabled.png")


def test_an_edited_flow_needs_re_enabling_and_pause_resume(window, schedules, tmp_path) -> None:
    path = _orders(tmp_path)
    editor, tid = _add(window, schedules, path)
    schedules.ask_save = lambda _question: True
    assert schedules.enable()  # saves first
    assert not editor.modified and schedules.panel.states()[tid] == "enabled"
    schedules.panel.buttons["pause"].click()
    assert schedules.panel.states()[tid] == "paused"
    assert schedules.panel.buttons["pause"].text() == "Resume" and not schedules.panel.selected().next_fires
    schedules.panel.buttons["pause"].click()
    assert schedules.panel.states()[tid] == "enabled"
    editor.add_node("core.log", QPointF(900, 400))
    window.save_current()
    row = schedules.panel.selected()
    assert row.state == "needs_reenable" and schedules.panel.states()[tid] == "needs re-enabling"
    assert "changed since this schedule was enabled" in row.problem
    assert row.problem in schedules.panel.details.text()
    assert schedules.panel.buttons["enable"].text() == "Enable again"
    _shot(window, "schedules-needs-reenable.png")
    schedules.panel.buttons["enable"].click()
    assert schedules.panel.states()[tid] == "enabled"
    schedules.panel.buttons["disable"].click()
    assert schedules.panel.states()[tid] == "off"


def test_run_now_records_a_request(window, schedules, tmp_path) -> None:
    path = _orders(tmp_path)
    tid = add_trigger(path, CronTrigger(cron="daily at 7:30"))
    window.open_path(path)
    assert schedules.panel.states() == {tid: "off"}
    schedules.panel.buttons["run_now"].click()
    assert len(schedules.requests) == 1
    with ScheduleManager(data_paths()) as manager:
        fires = manager.fires(path, tid)
    assert [(f.fire, f.reason, f.status) for f in fires] == [(schedules.requests[0], "manual", "REQUESTED")]
    assert "service is not running" in window.statusBar().currentMessage()


def test_edit_and_remove_are_undoable(window, schedules, tmp_path) -> None:
    path = _orders(tmp_path)
    tid = add_trigger(path, CronTrigger(cron="daily at 7:30", timezone="Europe/Berlin", inputs={"x": 1}))
    editor = window.open_path(path)
    assert schedules.panel.selected().description == "Every day at 07:30 (Europe/Berlin)"

    def every_two_hours(dialog: ScheduleDialog) -> bool:
        assert dialog.cron.currentText() == "daily at 7:30"  # filled from the trigger
        dialog.kind.setCurrentIndex(dialog.kind.findData("interval"))
        dialog.every.setValue(2)
        dialog.unit.setCurrentIndex(dialog.unit.findData("hours"))
        return True

    schedules.run_dialog = every_two_hours
    schedules.panel.buttons["edit"].click()
    changed = editor.document.flow.triggers[tid]
    assert changed.kind == "interval" and changed.every_s == 7200
    assert changed.inputs == {}  # 'x' is no input of this flow: a run would refuse it
    assert schedules.panel.selected().description == "Every 2 hours"
    editor.add_node("core.log", QPointF(900, 400))  # the undo below leaves the flow modified
    schedules.panel.buttons["remove"].click()
    assert editor.document.flow.triggers == {} and schedules.panel.rows == {}
    editor.undo.undo()
    assert list(schedules.panel.rows) == [tid]  # followed the document, not just the clean state
    editor.undo.undo()
    editor.undo.undo()
    assert editor.document.flow.triggers[tid] == load_flow(path).triggers[tid]
    assert schedules.panel.selected().description == "Every day at 07:30 (Europe/Berlin)"
    assert not editor.modified


def test_the_form_sets_input_values_jitter_and_the_catch_up_limit(window, schedules, tmp_path) -> None:
    path = tmp_path / "approval.loom"
    shutil.copy(EXAMPLES / "approval_routing.loom", path)
    editor = window.open_path(path)

    def fill(dialog: ScheduleDialog) -> bool:
        _weekdays(dialog)
        names = [dialog.inputs.item(r, 0).text() for r in range(dialog.inputs.rowCount())]
        assert names == sorted(editor.document.flow.inputs) and "amount" in names
        row = names.index("amount")
        dialog.inputs.item(row, 1).setText("many")
        assert "input 'amount': 'many' is not a number" in dialog.update_preview()
        dialog.inputs.item(row, 1).setText("1,250")
        dialog.jitter.setValue(90)
        dialog.missed.setCurrentIndex(dialog.missed.findData("run_all"))
        dialog.missed_limit.setValue(3)
        if SHOTS_WANTED:
            dialog.show()
            dialog.grab().save(str(SHOTS / "schedule_form_inputs.png"))
            dialog.hide()
        return True

    schedules.run_dialog = fill
    schedules.panel.buttons["add"].click()
    trigger = editor.document.flow.triggers[schedules.panel.selected_id()]
    assert (trigger.inputs, trigger.jitter_s, trigger.missed, trigger.missed_limit) == (
        {"amount": 1250}, 90, "run_all", 3)

    def check_filled(dialog: ScheduleDialog) -> bool:
        row = [dialog.inputs.item(r, 0).text() for r in range(dialog.inputs.rowCount())].index("amount")
        assert dialog.inputs.item(row, 1).text() == "1250" and dialog.jitter.value() == 90
        return False

    schedules.run_dialog = check_filled
    schedules.panel.buttons["edit"].click()


def test_plain_descriptions() -> None:
    from runtime.api import IntervalTrigger, StartupTrigger, WatchTrigger

    assert describe_plain(CronTrigger(cron="0 8 * * 1-5", timezone="Europe/Berlin")) == WEEKDAYS
    monday = CronTrigger(cron="every monday at 9:00", timezone="UTC")
    assert describe_plain(monday) == "Mondays at 09:00 (UTC)"
    assert describe_plain(CronTrigger(cron="every 15 minutes", timezone="UTC")) == "Every 15 minutes (UTC)"
    assert describe_plain(CronTrigger(cron="monthly on the 1st at 6:00", timezone="UTC")).startswith(
        "Monthly on day 1 at 06:00")
    assert describe_plain(CronTrigger(cron="5 4 * 2 *", timezone="UTC")) == "Cron 5 4 * 2 * (UTC)"
    assert "this machine" in describe_plain(CronTrigger(cron="daily at 7:00"))
    assert describe_plain(IntervalTrigger(every_s=900)) == "Every 15 minutes"
    assert describe_plain(WatchTrigger(folder="in", pattern="*.csv", input="path")) == \
        "New or changed files *.csv in in → input 'path'"
    assert describe_plain(StartupTrigger()) == "When the service starts (at login)"


# ----- the tray and the last run ---------------------------------------------------------------


def _failing(tmp_path: Path) -> Path:
    """A flow reading a file that does not exist (so every run fails), with a trigger."""
    path = tmp_path / "reader.loom"
    path.write_text(json.dumps({
        "format_version": 3, "name": "reader",
        "nodes": {"n_read0000": {"type": "files.read_text", "config": {"path": str(tmp_path / "none.txt")}}},
        "edges": []}))
    return path


@pytest.fixture
def runner(home: Path):
    runner = Runner(Registry.from_entry_points(), data_paths())
    yield runner
    runner.close()


def test_a_failed_scheduled_run_is_notified_once_and_opens(window, runner, tmp_path) -> None:
    tray = tray_of(window)
    assert isinstance(tray, TrayController) and tray.tray is None  # offscreen: no system tray
    notes: list[tuple[str, str, str]] = []
    tray.notifier = lambda title, message, run_id: notes.append((title, message, run_id))
    path = _failing(tmp_path)
    flow = load_flow(path)
    runner.run_sync(flow, flow_path=path)  # a failed manual run: not news
    failed = runner.run_sync(flow, flow_path=path, trigger="schedule:reader.loom#tr_abc").run_id
    assert tray.poll() and tray.poll() == []
    assert [n[2] for n in notes] == [failed]
    assert notes[0][0] == "Scheduled run failed: reader" and "none.txt" in notes[0][1]
    assert tray.running is False
    assert tray.activate(failed)
    editor = window.current_editor()
    assert editor.path == path.resolve() and history_of(window).viewing == (editor, failed)
    assert editor.scene.nodes["n_read0000"].run.state == "FAILED"


def test_the_last_run_of_a_schedule_opens_from_the_panel(window, schedules, runner, tmp_path) -> None:
    from runtime._scheduler.engine import runner_launch
    from tests.runtime.schedules_helpers import Rig, enable

    path = _failing(tmp_path)
    tid = add_trigger(path, CronTrigger(cron="weekdays at 8:00", timezone="Europe/Berlin"))
    start = dt.datetime(2026, 3, 2, 6, 0, tzinfo=dt.UTC)  # Monday, 07:00 in Berlin
    rig = Rig(data_paths().home, start, launch=runner_launch(runner))
    try:
        enable(rig.store, path, tid, start)
        asyncio.run(rig.run_until(start + dt.timedelta(hours=2)))
    finally:
        rig.close()
    editor = window.open_path(path)
    row = schedules.panel.selected()
    assert row.last_status == "FAILED" and row.last_text.startswith("failed") and row.last_run_id
    assert "none.txt" in row.last_error and "none.txt" in schedules.panel.details.text()
    assert schedules.panel.buttons["open_run"].isEnabled()
    schedules.panel.buttons["open_run"].click()
    assert history_of(window).viewing == (editor, row.last_run_id)
    _shot(window, "schedules-last-run.png")


def test_typed_input_values() -> None:
    from studio.schedule_dialog import _shown, _typed_input

    assert _typed_input("n", "number", "1,250") == 1250 and _typed_input("n", "number", "2.5") == 2.5
    with pytest.raises(ValueError, match="'1,5' is not a number"):
        _typed_input("n", "number", "1,5")
    assert _typed_input("c", "integer", "7") == 7 and _typed_input("b", "boolean", "Yes") is True
    assert _typed_input("r", "record", '{"a": 1}') == {"a": 1}
    assert _typed_input("l", "list", "[1, 2]") == [1, 2]
    with pytest.raises(ValueError, match="write the list as JSON"):
        _typed_input("l", "list", "1, 2")
    assert _typed_input("t", "text", "[draft]") == "[draft]" and _typed_input("a", "any", "plain") == "plain"
    assert _shown({"a": 1}) == '{"a": 1}' and _shown(False) == "false" and _shown(None) == ""
