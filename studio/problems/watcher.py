"""Re-checks one editor's flow shortly after each change and marks the nodes on its canvas."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from runtime.api import NodesMoved, Problem
from studio.problems.checker import ProblemChecker, field_title, problem_line, problems_by_node

if TYPE_CHECKING:
    from studio.editor import FlowEditor

__all__ = ["DEBOUNCE_MS", "ProblemWatcher", "watcher_for"]

DEBOUNCE_MS = 250
"""Quiet time after the last change before the flow is checked again."""


class ProblemWatcher(QObject):
    """Holds `problems` of one editor's document; emits `changed(problems)` after each check.

    Checks run on the GUI thread (about 20 ms for 1,000 nodes); the quiet time grows with
    the cost of a check, so that typing in a very large flow stays smooth.
    """

    changed = Signal(list)

    def __init__(self, editor: FlowEditor, checker: ProblemChecker, delay_ms: int = DEBOUNCE_MS):
        super().__init__(editor)
        self.setObjectName("problem-watcher")
        self.editor = editor
        self.checker = checker
        self.delay_ms = delay_ms
        self.problems: list[Problem] = []
        self.last_ms = 0.0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.check_now)
        unsubscribe = editor.document.subscribe(self._on_event)
        editor.destroyed.connect(lambda *_args: unsubscribe())
        self.check_now()

    @property
    def pending(self) -> bool:
        """Whether a check is scheduled (the shown problems may be stale)."""
        return self._timer.isActive()

    def schedule(self) -> None:
        """Check again once the flow has been quiet for the debounce time."""
        self._timer.start(max(self.delay_ms, round(4 * self.last_ms)))

    def _on_event(self, event: object) -> None:
        if not isinstance(event, NodesMoved):  # positions never make a problem
            try:
                self.schedule()
            except RuntimeError:  # the editor is being deleted
                pass

    def check_now(self) -> list[Problem]:
        """Check the flow at once, mark the canvas and announce the problems."""
        self._timer.stop()
        problems = self.checker.check(self.editor.document)
        self.last_ms = self.checker.last_ms
        self.problems = problems
        self.mark_nodes()
        self.changed.emit(problems)
        return problems

    def mark_nodes(self) -> None:
        """Outline each node by its worst problem and list the problems in its tooltip."""
        grouped = problems_by_node(self.problems)
        nodes = self.editor.document.flow.nodes
        for node_id, item in self.editor.scene.nodes.items():
            found = grouped.get(node_id)
            if not found:
                item.set_problems(None, ())
                continue
            severity = "error" if any(p.severity == "error" for p in found) else "warning"
            type_id = nodes[node_id].type if node_id in nodes else None
            item.set_problems(severity, [problem_line(p, field_title(self.checker.registry, type_id, p.field))
                                         for p in found])


def watcher_for(editor: FlowEditor, checker: ProblemChecker | None = None) -> ProblemWatcher:
    """The editor's watcher, created (with `checker`, or one for the editor's registry) if needed."""
    found = editor.findChild(ProblemWatcher, "problem-watcher")
    if isinstance(found, ProblemWatcher):
        return found
    return ProblemWatcher(editor, checker or ProblemChecker(editor.registry))
