"""The inspector: a dock that edits the selected node (a form built from its config's JSON
Schema), or the flow itself when nothing is selected."""

from studio.inspector.panel import InspectorPanel

__all__ = ["InspectorPanel"]
