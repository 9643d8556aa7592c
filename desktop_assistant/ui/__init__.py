"""Qt user interface: view-models bound to core events, widgets, panels and the main window."""
