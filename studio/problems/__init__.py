"""Validation as you edit: the checker (no Qt), the per-editor watcher and the Problems panel."""
