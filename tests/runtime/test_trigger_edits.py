"""Trigger edits on a FlowDocument: apply, inverse, events, refusals — headless, no Qt."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runtime.api import (
    AddTrigger,
    CronTrigger,
    EditError,
    FlowDocument,
    IntervalTrigger,
    RemoveTrigger,
    SetTrigger,
    TriggerAdded,
    TriggerChanged,
    TriggerRemoved,
    WatchTrigger,
    describe_edit,
    dumps_flow,
    loads_flow,
)
from tests.runtime.test_document import REGISTRY, assert_refused, sample_flow, text, undo_restores

WEEKDAYS = CronTrigger(cron="weekdays at 8:00", timezone="Europe/Berlin")


@pytest.fixture
def doc() -> FlowDocument:
    flow = sample_flow()
    flow.triggers = {"tr_daily000": CronTrigger(cron="daily at 7:30", title="Morning")}
    return FlowDocument(flow, registry=REGISTRY)


def test_add_set_remove_restore_the_exact_bytes(doc: FlowDocument) -> None:
    events: list[Any] = []
    doc.subscribe(lambda event: events.append(event) if type(event).__name__.startswith("Trigger") else None)
    assert undo_restores(doc, AddTrigger("tr_week0000", WEEKDAYS)) == RemoveTrigger("tr_week0000")
    assert events[0] == TriggerAdded("tr_week0000") and events[1] == TriggerRemoved("tr_week0000")
    assert doc.flow.triggers["tr_week0000"] == WEEKDAYS
    events.clear()
    inverse = undo_restores(doc, SetTrigger("tr_daily000", {"kind": "interval", "every_s": 600}))
    assert inverse == SetTrigger("tr_daily000", CronTrigger(cron="daily at 7:30", title="Morning"))
    assert events[0] == TriggerChanged("tr_daily000")
    assert isinstance(doc.flow.triggers["tr_daily000"], IntervalTrigger)
    removed = undo_restores(doc, RemoveTrigger("tr_week0000"))
    assert removed == AddTrigger("tr_week0000", WEEKDAYS)
    assert "tr_week0000" not in doc.flow.triggers


def test_the_file_carries_the_trigger(doc: FlowDocument) -> None:
    doc.apply(AddTrigger("tr_week0000", WEEKDAYS.model_dump()))
    dumped = text(doc)
    assert '"tr_week0000"' in dumped and "weekdays at 8:00" in dumped
    assert loads_flow(dumped).triggers["tr_week0000"] == WEEKDAYS
    assert dumps_flow(loads_flow(dumped)) == dumped


def test_the_edit_holds_no_reference_into_the_document(doc: FlowDocument) -> None:
    raw = {"kind": "cron", "cron": "0 8 * * 1-5", "inputs": {"a": [1]}}
    doc.apply(AddTrigger("tr_raw00000", raw))
    raw["inputs"]["a"].append(2)
    assert doc.flow.triggers["tr_raw00000"].inputs == {"a": [1]}


def test_refused_edits_change_nothing(doc: FlowDocument) -> None:
    assert_refused(doc, AddTrigger("tr_daily000", WEEKDAYS), "already a trigger")
    assert_refused(doc, AddTrigger("bad id", WEEKDAYS), "not a valid trigger id")
    assert_refused(doc, AddTrigger("tr_x", {"kind": "cron", "cron": "at noonish"}), "not a schedule")
    assert_refused(doc, AddTrigger("tr_x", {"kind": "cron", "cron": "0 8 * * *", "timezone": "Mars/Base"}),
                   "unknown time zone")
    assert_refused(doc, AddTrigger("tr_x", {"kind": "teleport"}), "trigger tr_x")
    assert_refused(doc, AddTrigger("tr_x", 42), "expected a trigger")
    assert_refused(doc, SetTrigger("tr_none", WEEKDAYS), "no trigger")
    assert_refused(doc, SetTrigger("tr_daily000", {"kind": "interval", "every_s": 0}), "every_s")
    assert_refused(doc, RemoveTrigger("tr_none"), "no trigger")
    with pytest.raises(EditError):
        doc.apply(AddTrigger("tr_x", {"kind": "watch", "folder": "in"}))  # no input named


def test_labels() -> None:
    assert describe_edit(AddTrigger("tr_a", WEEKDAYS)) == "Add schedule"
    assert describe_edit(RemoveTrigger("tr_a")) == "Remove schedule"
    assert describe_edit(SetTrigger("tr_a", WEEKDAYS)) == "Change schedule"


TRIGGERS = st.sampled_from([
    WEEKDAYS, CronTrigger(cron="*/15 * * * *", missed="skip"), IntervalTrigger(every_s=3600),
    WatchTrigger(folder="inbox", pattern="*.csv", input="path"), {"kind": "startup", "delay_s": 5},
    {"kind": "once", "at": "2026-03-02T08:00"}, {"kind": "cron", "cron": "nonsense"},
])
IDS = st.sampled_from(["tr_daily000", "tr_a", "tr_b"])
EDITS = (st.builds(AddTrigger, IDS, TRIGGERS) | st.builds(SetTrigger, IDS, TRIGGERS)
         | st.builds(RemoveTrigger, IDS))


@settings(max_examples=60, deadline=None)
@given(edits=st.lists(EDITS, max_size=12))
def test_random_trigger_edits_undone_in_reverse_restore_the_start(edits: list[Any]) -> None:
    flow = sample_flow()
    flow.triggers = {"tr_daily000": CronTrigger(cron="daily at 7:30")}
    doc = FlowDocument(flow, registry=REGISTRY)
    start = text(doc)
    inverses = []
    for edit in edits:
        before = text(doc)
        try:
            inverses.append(doc.apply(edit))
        except EditError:
            assert text(doc) == before
    for inverse in reversed(inverses):
        doc.apply(inverse)
    assert text(doc) == start
