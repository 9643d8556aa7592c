"""Composition root: the command line, the Qt application and the wiring of every other package."""
