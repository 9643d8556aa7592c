"""QObjects that turn core events into Qt signals and properties."""
