"""Field widgets of the inspector, one kind per module (see `studio.inspector.form.WIDGETS`)."""
