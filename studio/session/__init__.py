"""Files and sessions in the studio: settings, recent files, autosave and crash recovery,
reloading files changed on disk, the theme, window state.

`studio.features.session.install(window)` assembles these into the main window.
"""
